namespace Compass.Abstractions.Costs;

/// <summary>Time of one operator run by itself with its operands in DRAM: compute, memory and launch terms.</summary>
/// <param name="ComputeNs">The compute model's time (array, buffers), ns.</param>
/// <param name="DramBytes">Bytes moved to and from DRAM: one read of each operand, one write of the output and the re-reads the compute model reports.</param>
/// <param name="MemoryNs">DRAM bytes over the achievable DRAM bandwidth, ns.</param>
/// <param name="LaunchNs">Launch overhead, ns.</param>
public readonly record struct OperatorTiming(double ComputeNs, double DramBytes, double MemoryNs, double LaunchNs)
{
    /// <summary>Compute and memory overlap; the launch precedes both: launch + max(compute, memory), ns.</summary>
    public double TotalNs => LaunchNs + Math.Max(ComputeNs, MemoryNs);

    /// <summary>Which term bounds the operator: <c>compute</c> or <c>memory</c>.</summary>
    public string Bound => ComputeNs >= MemoryNs ? "compute" : "memory";

    /// <summary>
    /// Times an isolated operator: its <paramref name="cost"/> from a compute model, its operands streamed from DRAM of
    /// <paramref name="dramBandwidthGBps"/> (achievable, not peak; 0 or less: no memory term).
    /// </summary>
    public static OperatorTiming Isolated(in OperatorCost cost, in OperatorShape op, double dramBandwidthGBps)
    {
        var bytes = op.InputBytes + op.WeightBytes + op.OutputBytes + cost.OffChipRefetchBytes;
        var memoryNs = dramBandwidthGBps > 0 ? bytes / dramBandwidthGBps : 0;
        return new OperatorTiming(cost.TimeNs, bytes, memoryNs, cost.LaunchOverheadNs);
    }
}
