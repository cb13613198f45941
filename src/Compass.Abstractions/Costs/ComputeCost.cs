using Compass.Abstractions.Hardware;

namespace Compass.Abstractions.Costs;

/// <summary>Kind of operator a CEG node executes.</summary>
public enum OperatorKind
{
    /// <summary>Matrix multiply: M × K times K × N (M rows of tokens, K reduction, N output columns).</summary>
    Gemm,

    /// <summary>Element-wise op with two inputs of M × N (residual add, SiLU·gate product).</summary>
    Elementwise,

    /// <summary>Point-wise op with one input of M × N (activation).</summary>
    Pointwise,

    /// <summary>Row softmax over M × N scores.</summary>
    Softmax,

    /// <summary>Row normalisation (LayerNorm / RMSNorm) over M × N.</summary>
    Norm,
}

/// <summary>
/// Shape of one operator as a cost model sees it: <see cref="Count"/> independent instances of the same shape
/// (heads of an attention node, for instance).
/// </summary>
/// <param name="Kind">Operator kind.</param>
/// <param name="M">Rows (tokens).</param>
/// <param name="K">Reduction length (1 for non-GEMM ops).</param>
/// <param name="N">Output columns.</param>
/// <param name="Count">Independent instances of this shape.</param>
/// <param name="InputBits">Bits per input (activation) element.</param>
/// <param name="WeightBits">Bits per weight (second operand) element.</param>
/// <param name="OutputBits">Bits per output element.</param>
/// <param name="StaticWeights">True when the second operand is a model weight (false when it is an activation, e.g. K or V in attention).</param>
public readonly record struct OperatorShape(OperatorKind Kind, long M, long K, long N, int Count, int InputBits, int WeightBits, int OutputBits, bool StaticWeights)
{
    /// <summary>Multiply-accumulates of all instances (GEMM) or element operations (others).</summary>
    public double Macs => Kind == OperatorKind.Gemm ? (double)M * K * N * Count : (double)M * N * Count;

    /// <summary>Bytes of the first operand of all instances.</summary>
    public double InputBytes => (double)M * (Kind == OperatorKind.Gemm ? K : N) * Count * InputBits / 8.0 * (Kind == OperatorKind.Elementwise ? 2 : 1);

    /// <summary>Bytes of the second operand (weights) of all instances; 0 for non-GEMM ops.</summary>
    public double WeightBytes => Kind == OperatorKind.Gemm ? (double)K * N * Count * WeightBits / 8.0 : 0;

    /// <summary>Bytes of the output of all instances.</summary>
    public double OutputBytes => (double)M * N * Count * OutputBits / 8.0;
}

/// <summary>Cost of one operator on one chiplet, as a compute cost model estimates it.</summary>
/// <param name="TimeNs">Execution time on the chiplet, ns, assuming operands arrive in time.</param>
/// <param name="MacEnergyPj">Datapath (MAC) energy, pJ.</param>
/// <param name="BufferEnergyPj">On-chip buffer and register access energy, pJ.</param>
/// <param name="VectorEnergyPj">Vector / special-function unit energy, pJ.</param>
/// <param name="Utilisation">Achieved MACs per cycle over peak, 0..1.</param>
/// <param name="OffChipRefetchBytes">Extra DRAM traffic because operands do not fit the global buffer and must be re-read (bytes beyond one read of each operand).</param>
/// <param name="Tiling">Human-readable tiling chosen (may be empty).</param>
public readonly record struct OperatorCost(double TimeNs, double MacEnergyPj, double BufferEnergyPj, double VectorEnergyPj, double Utilisation, double OffChipRefetchBytes, string Tiling)
{
    /// <summary>
    /// Launch overhead of the operator when it runs in isolation (the chiplet's <see cref="LaunchOverheads"/> for this
    /// kind, once per operator), ns; 0 by default (contract 1.1). Not part of <see cref="TimeNs"/>: a caller timing an
    /// isolated operator adds it; a caller modelling back-to-back issue may hide it.
    /// </summary>
    public double LaunchOverheadNs { get; init; }

    /// <summary>
    /// The device-side fixed part of <see cref="TimeNs"/> (the chiplet's <see cref="ChipletType.KernelFixedNs"/>, once per
    /// operator), ns; 0 by default (contract 2.0). It is serial with the operator's memory traffic: a caller overlapping
    /// <see cref="TimeNs"/> with transfers adds this part after them (<see cref="OperatorTiming"/>, the evaluator).
    /// </summary>
    public double KernelFixedNs { get; init; }

    /// <summary>Total on-chip energy, pJ.</summary>
    public double EnergyPj => MacEnergyPj + BufferEnergyPj + VectorEnergyPj;
}

/// <summary>
/// Estimates the cost of one operator on one chiplet (named <c>dataflow</c>, <c>roofline</c>, ...).
/// Implementations must be thread-safe and deterministic (same inputs, same bits); the engine memoises results by
/// (chiplet type, shape), so calls are few but may be slow. Poll the cancellation token in long searches.
/// </summary>
public interface IComputeCostModel
{
    /// <summary>Estimates <paramref name="op"/> on <paramref name="chiplet"/>.</summary>
    OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken);
}
