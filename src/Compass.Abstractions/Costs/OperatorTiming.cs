namespace Compass.Abstractions.Costs;

/// <summary>
/// Time of one operator run by itself with its operands in DRAM: compute, memory, device-side fixed and launch terms.
/// </summary>
/// <param name="ComputeNs">The compute model's time (array, buffers) without the device-side fixed part, ns.</param>
/// <param name="DramBytes">Bytes moved to and from DRAM: one read of each operand, one write of the output and the re-reads the compute model reports.</param>
/// <param name="MemoryNs">DRAM bytes over the achievable DRAM bandwidth, ns.</param>
/// <param name="LaunchNs">Host-side launch overhead, ns.</param>
public readonly record struct OperatorTiming(double ComputeNs, double DramBytes, double MemoryNs, double LaunchNs)
{
    /// <summary>Device-side fixed time of the kernel (start, first round trip, drain), serial with compute and memory, ns (contract 2.0).</summary>
    public double KernelFixedNs { get; init; }

    /// <summary>
    /// The kernel's own duration, what a device-side profiler times: fixed part + max(compute, memory), ns (contract 2.0).
    /// </summary>
    public double KernelNs => KernelFixedNs + Math.Max(ComputeNs, MemoryNs);

    /// <summary>Compute and memory overlap; the fixed part and the launch precede them: launch + fixed + max(compute, memory), ns.</summary>
    public double TotalNs => LaunchNs + KernelNs;

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
        var fixedNs = Math.Clamp(cost.KernelFixedNs, 0, Math.Max(0, cost.TimeNs));
        return new OperatorTiming(cost.TimeNs - fixedNs, bytes, memoryNs, cost.LaunchOverheadNs) { KernelFixedNs = fixedNs };
    }
}
