using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;

namespace Compass.CostModels.Compute;

/// <summary>
/// Cost of element-wise, point-wise, softmax and normalisation operators on a chiplet's vector (special-function)
/// unit, shared by the <c>dataflow</c> and <c>roofline</c> models. The published Compass code prices these as
/// ⌈ops / LR_MACs⌉ cycles and ops × 0.0873 pJ (docs/reference/compass-method.md §5.1); we do the same with an explicit count of
/// operations per element, and add one global-buffer read of the inputs and one write of the outputs.
/// A softmax reads its input twice (max and sum, then normalise); the second read comes from the global buffer when
/// the input fits in half of it (the other half streams the output) and from DRAM otherwise (reported as
/// <see cref="OperatorCost.OffChipRefetchBytes"/>, so the operator is bounded by the memory it streams). Norms keep a
/// row on chip and read the input once (Welford statistics). The chiplet's device-side fixed time per kernel
/// (<see cref="ChipletType.KernelFixedNs"/>) is part of the time; its host-side launch overhead for the kind is reported
/// in <see cref="OperatorCost.LaunchOverheadNs"/>.
/// </summary>
public static class VectorOpCost
{
    /// <summary>Operations per element of a two-input element-wise op (one add or multiply).</summary>
    public const double ElementwiseOpsPerElement = 1;

    /// <summary>Operations per element of an activation (SiLU/GELU: exponential, add, divide, multiply ≈ 4).</summary>
    public const double PointwiseOpsPerElement = 4;

    /// <summary>Operations per element of a row softmax (max, subtract, exponential, sum, divide = 5).</summary>
    public const double SoftmaxOpsPerElement = 5;

    /// <summary>Operations per element of LayerNorm/RMSNorm (square, sum, subtract/scale, multiply by γ, add β ≈ 5).</summary>
    public const double NormOpsPerElement = 5;

    /// <summary>Vector operations of <paramref name="op"/> (all instances).</summary>
    public static double Operations(in OperatorShape op)
    {
        var perElement = op.Kind switch
        {
            OperatorKind.Elementwise => ElementwiseOpsPerElement,
            OperatorKind.Pointwise => PointwiseOpsPerElement,
            OperatorKind.Softmax => SoftmaxOpsPerElement,
            OperatorKind.Norm => NormOpsPerElement,
            _ => 0,
        };
        return (double)op.M * op.N * op.Count * perElement;
    }

    /// <summary>Cost of a non-GEMM operator on <paramref name="chiplet"/>'s vector unit.</summary>
    public static OperatorCost Estimate(ChipletType chiplet, in OperatorShape op)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        var ops = Operations(op);
        var lanes = Math.Max(1, chiplet.VectorOpsPerCycle);
        var computeCycles = Math.Ceiling(ops / lanes);
        double readPj = 0, writePj = 0, bandwidth = double.PositiveInfinity;
        if (chiplet.Buffers.Count > 0)
        {
            var global = chiplet.Buffers[^1];
            readPj = global.ReadEnergyPjPerByte;
            writePj = global.WriteEnergyPjPerByte;
            if (global.BandwidthBytesPerCycle > 0) bandwidth = global.BandwidthBytesPerCycle;
        }
        var secondRead = op.Kind == OperatorKind.Softmax ? op.InputBytes : 0;
        var bytes = op.InputBytes + secondRead + op.OutputBytes;
        var cycles = Math.Max(computeCycles, bytes / bandwidth);
        var refetch = secondRead > 0 && secondRead > chiplet.GlobalBufferBytes / 2.0 ? secondRead : 0;
        var fixedCycles = ops > 0 ? chiplet.KernelFixedNs * chiplet.ClockGHz : 0;
        var timeNs = (cycles + fixedCycles) / chiplet.ClockGHz;
        var utilisation = cycles > 0 ? ops / lanes / (cycles + fixedCycles) : 0;
        return new OperatorCost(
            TimeNs: timeNs,
            MacEnergyPj: 0,
            BufferEnergyPj: (op.InputBytes + secondRead) * readPj + op.OutputBytes * writePj,
            VectorEnergyPj: ops * chiplet.VectorEnergyPerOpPj,
            Utilisation: utilisation,
            OffChipRefetchBytes: refetch,
            Tiling: refetch > 0 ? "vector unit, streamed, second pass from DRAM" : "vector unit, streamed")
            {
                LaunchOverheadNs = chiplet.LaunchOverhead?.For(op.Kind) ?? 0,
                KernelFixedNs = fixedCycles / chiplet.ClockGHz,
            };
    }
}
