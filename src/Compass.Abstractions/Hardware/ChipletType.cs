namespace Compass.Abstractions.Hardware;

/// <summary>Which operand stays in the processing elements while the others stream through.</summary>
public enum Dataflow
{
    /// <summary>Partial sums stay in the PEs (Simba-like "os").</summary>
    OutputStationary,

    /// <summary>Weights stay in the PEs (TPU-like systolic, "ws").</summary>
    WeightStationary,

    /// <summary>Inputs stay in the PEs.</summary>
    InputStationary,

    /// <summary>
    /// GPU-style tile parallelism: every PE-array row is an independent core (a streaming multiprocessor) that computes
    /// whole output tiles with the K dimension streamed; the row's columns (tensor cores) share the core's tile. Operands
    /// reach each core from the global buffer without multicast and are reused from the core's local levels; the tile
    /// size follows from the local levels' capacity and tiles are issued to the cores in waves.
    /// </summary>
    TileParallel,
}

/// <summary>
/// Fixed time a device needs to launch one operator (kernel launch, dispatch and synchronisation when the operator runs
/// by itself), per operator kind, ns. The compute models report it separately (<c>OperatorCost.LaunchOverheadNs</c>)
/// so that a caller timing isolated operators can add it while a caller modelling back-to-back issue (CUDA graphs,
/// a static schedule) can hide it. All zero by default (accelerators driven by a static schedule).
/// </summary>
/// <param name="GemmNs">Matrix multiply.</param>
/// <param name="ElementwiseNs">Two-input element-wise operator.</param>
/// <param name="PointwiseNs">One-input activation.</param>
/// <param name="SoftmaxNs">Row softmax.</param>
/// <param name="NormNs">Row normalisation.</param>
public sealed record LaunchOverheads(double GemmNs = 0, double ElementwiseNs = 0, double PointwiseNs = 0, double SoftmaxNs = 0, double NormNs = 0)
{
    /// <summary>No overhead.</summary>
    public static LaunchOverheads None { get; } = new();

    /// <summary>The overhead of one operator of <paramref name="kind"/>, ns.</summary>
    public double For(Compass.Abstractions.Costs.OperatorKind kind) => kind switch
    {
        Compass.Abstractions.Costs.OperatorKind.Gemm => GemmNs,
        Compass.Abstractions.Costs.OperatorKind.Elementwise => ElementwiseNs,
        Compass.Abstractions.Costs.OperatorKind.Pointwise => PointwiseNs,
        Compass.Abstractions.Costs.OperatorKind.Softmax => SoftmaxNs,
        _ => NormNs,
    };
}

/// <summary>Throughput and energy of a chiplet's MAC array at one operand precision.</summary>
/// <param name="Bits">Operand width in bits (4, 8, 16 or 32).</param>
/// <param name="MacsPerCycle">Multiply-accumulates the whole array completes per cycle at this precision.</param>
/// <param name="EnergyPerMacPj">Energy of one MAC in the datapath, excluding buffer accesses (pJ).</param>
public sealed record PrecisionRate(int Bits, int MacsPerCycle, double EnergyPerMacPj);

/// <summary>One on-chip storage level of a chiplet.</summary>
/// <param name="Name">Level name (<c>global</c>, <c>weight</c>, <c>input</c>, <c>accumulator</c>, <c>register</c>).</param>
/// <param name="CapacityBytes">Capacity of one instance in bytes.</param>
/// <param name="Instances">Number of instances (for example one per PE); 1 for a shared buffer.</param>
/// <param name="BandwidthBytesPerCycle">Read bandwidth of all instances together, bytes per cycle.</param>
/// <param name="ReadEnergyPjPerByte">Energy per byte read (pJ/B).</param>
/// <param name="WriteEnergyPjPerByte">Energy per byte written (pJ/B).</param>
/// <param name="Holds">Which operands it holds: <c>weights</c>, <c>inputs</c>, <c>outputs</c> or <c>all</c>.</param>
public sealed record BufferLevel(
    string Name,
    long CapacityBytes,
    int Instances,
    double BandwidthBytesPerCycle,
    double ReadEnergyPjPerByte,
    double WriteEnergyPjPerByte,
    string Holds);

/// <summary>
/// A chiplet type: what one die can compute and store. Every unit is in the field name. Catalog entries cite the
/// published design their numbers come from in <see cref="Source"/>.
/// </summary>
public sealed record ChipletType
{
    /// <summary>Catalog name the scenario uses (<c>simba-os</c>).</summary>
    public required string Name { get; init; }

    /// <summary>One-line description.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Where the numbers come from (paper, repository file).</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Dataflow of the PE array.</summary>
    public Dataflow Dataflow { get; init; } = Dataflow.OutputStationary;

    /// <summary>PE array rows (the dimension the dataflow maps the reduction or the output rows onto).</summary>
    public required int PeArrayRows { get; init; }

    /// <summary>PE array columns.</summary>
    public required int PeArrayColumns { get; init; }

    /// <summary>MAC units per PE (vector width inside a PE); rows × columns × this = MACs per cycle at the native precision.</summary>
    public int MacsPerPe { get; init; } = 1;

    /// <summary>Clock frequency in GHz (cycles per ns).</summary>
    public required double ClockGHz { get; init; }

    /// <summary>Supported precisions with their MAC rates and energies. The first entry is the native precision.</summary>
    public required IReadOnlyList<PrecisionRate> Precisions { get; init; }

    /// <summary>On-chip buffer levels, innermost first; the last one is the global buffer that holds tiles loaded from DRAM.</summary>
    public required IReadOnlyList<BufferLevel> Buffers { get; init; }

    /// <summary>Operations per cycle of the vector / special-function unit (softmax, norms, activations, element-wise).</summary>
    public int VectorOpsPerCycle { get; init; } = 64;

    /// <summary>Energy per vector operation (pJ).</summary>
    public double VectorEnergyPerOpPj { get; init; } = 0.0873;

    /// <summary>
    /// Host-side launch overhead per operator (dispatch, launch and synchronisation of an operator run by itself), ns;
    /// <see cref="LaunchOverheads.None"/> by default. Reported separately (<c>OperatorCost.LaunchOverheadNs</c>): it
    /// overlaps device work when launches are asynchronous or captured in a graph.
    /// </summary>
    public LaunchOverheads LaunchOverhead { get; init; } = LaunchOverheads.None;

    /// <summary>
    /// Device-side fixed time of every operator (kernel start on the device, the first memory round trip, the drain of
    /// the last wave), ns; 0 by default (contract 2.0). Unlike <see cref="LaunchOverhead"/> it is part of the measured
    /// kernel duration and stays on the device's critical path when launches are hidden (CUDA graphs), so compute models
    /// charge it once per operator inside <c>OperatorCost.TimeNs</c>.
    /// </summary>
    public double KernelFixedNs { get; init; }

    /// <summary>Static (leakage) power of the die in watts.</summary>
    public double StaticPowerW { get; init; }

    /// <summary>Die area in mm² (0 when the cost model should estimate it).</summary>
    public double AreaMm2 { get; init; }

    /// <summary>Process node in nm (for cost models).</summary>
    public int ProcessNm { get; init; } = 12;

    /// <summary>
    /// For a type defined in a scenario: the name of the catalog type it deliberately replaces (it must equal this
    /// type's own name, compared case-insensitively). A scenario type that reuses a catalog name without saying so
    /// is refused, so a typo or a copied definition never silently shadows a published chiplet. Null otherwise.
    /// </summary>
    public string? Replaces { get; init; }

    /// <summary>MACs per cycle at the native (first) precision.</summary>
    public int MacsPerCycle => PeArrayRows * PeArrayColumns * MacsPerPe;

    /// <summary>Peak throughput in tera-operations per second at the native precision (a MAC is 2 operations).</summary>
    public double PeakTops => MacsPerCycle * 2.0 * ClockGHz / 1000.0;

    /// <summary>Capacity of the global (last) buffer level in bytes.</summary>
    public long GlobalBufferBytes => Buffers.Count == 0 ? 0 : Buffers[^1].CapacityBytes;

    /// <summary>The rate for <paramref name="bits"/>-bit operands: the exact entry, else the narrowest wider one, else the widest.</summary>
    public PrecisionRate RateFor(int bits)
    {
        PrecisionRate? best = null;
        foreach (var p in Precisions)
        {
            if (p.Bits == bits) return p;
            if (p.Bits > bits && (best is null || p.Bits < best.Bits)) best = p;
        }
        if (best is not null) return best;
        var widest = Precisions[0];
        foreach (var p in Precisions) if (p.Bits > widest.Bits) widest = p;
        return widest;
    }
}
