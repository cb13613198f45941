using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.CostModels.Compute;

/// <summary>Options of the <c>roofline</c> compute model.</summary>
/// <param name="ComputeEfficiency">Fraction of the peak MAC rate reached (η_c), (0, 1].</param>
/// <param name="BandwidthGBps">Memory-side bandwidth in GB/s; 0 uses the global buffer's bandwidth × clock.</param>
public sealed record RooflineModelOptions(double ComputeEfficiency = 1.0, double BandwidthGBps = 0)
{
    /// <summary>Reads and validates the options section (keys: computeEfficiency, bandwidthGBps).</summary>
    public static RooflineModelOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys("computeEfficiency", "bandwidthGBps");
        var eff = section.GetDouble("computeEfficiency", 1.0, 1e-6, 1.0);
        var bw = section.GetDouble("bandwidthGBps", 0, 0);
        return new RooflineModelOptions(eff, bw);
    }
}

/// <summary>
/// The <c>roofline</c> compute model (docs/reference/formulas.md §4): time = max(MACs / (peak MACs per ns at the op precision × η_c),
/// operand bytes / bandwidth), with the operand bytes one read of each input and one write of the output; energy =
/// MACs × energy per MAC + one global-buffer access per operand byte. Non-GEMM operators go to the vector unit
/// (<see cref="VectorOpCost"/>). The chiplet's device-side <see cref="ChipletType.KernelFixedNs"/> is added once per
/// operator. A fast sanity reference: no tiling, no edge effects, no re-fetch.
/// </summary>
public sealed class RooflineComputeModel : IComputeCostModel
{
    /// <summary>Creates the model.</summary>
    public RooflineComputeModel(RooflineModelOptions? options = null) => Options = options ?? new RooflineModelOptions();

    /// <summary>The options.</summary>
    public RooflineModelOptions Options { get; }

    /// <inheritdoc />
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        return Compute(chiplet, op);
    }

    private OperatorCost Compute(ChipletType chiplet, OperatorShape op)
    {
        if (op.Kind != OperatorKind.Gemm) return VectorOpCost.Estimate(chiplet, op);
        var rate = chiplet.RateFor(Math.Max(op.InputBits, op.WeightBits));
        var peakMacsPerNs = rate.MacsPerCycle * chiplet.ClockGHz;
        var computeNs = op.Macs / (peakMacsPerNs * Options.ComputeEfficiency);
        var bytes = op.InputBytes + op.WeightBytes + op.OutputBytes;
        double readPj = 0, writePj = 0, bandwidthGBps = Options.BandwidthGBps;
        if (chiplet.Buffers.Count > 0)
        {
            var global = chiplet.Buffers[^1];
            readPj = global.ReadEnergyPjPerByte;
            writePj = global.WriteEnergyPjPerByte;
            if (bandwidthGBps <= 0 && global.BandwidthBytesPerCycle > 0) bandwidthGBps = global.BandwidthBytesPerCycle * chiplet.ClockGHz;
        }
        var memoryNs = bandwidthGBps > 0 ? bytes / bandwidthGBps : 0;
        var timeNs = Math.Max(computeNs, memoryNs) + (op.Macs > 0 ? chiplet.KernelFixedNs : 0);
        var bound = computeNs >= memoryNs ? "compute-bound" : "memory-bound";
        return new OperatorCost(
            TimeNs: timeNs,
            MacEnergyPj: op.Macs * rate.EnergyPerMacPj,
            BufferEnergyPj: (op.InputBytes + op.WeightBytes) * readPj + op.OutputBytes * writePj,
            VectorEnergyPj: 0,
            Utilisation: timeNs > 0 ? op.Macs / peakMacsPerNs / timeNs : 0,
            OffChipRefetchBytes: 0,
            Tiling: "roofline, " + bound)
            {
                LaunchOverheadNs = chiplet.LaunchOverhead?.For(OperatorKind.Gemm) ?? 0,
                KernelFixedNs = op.Macs > 0 ? chiplet.KernelFixedNs : 0,
            };
    }
}
