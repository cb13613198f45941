namespace Compass.Abstractions.Evaluation;

/// <summary>Energy of an evaluation by part, pJ. <see cref="TotalPj"/> is exactly the sum of the parts.</summary>
/// <param name="MacPj">Datapath MAC energy.</param>
/// <param name="BufferPj">On-chip buffer and register accesses.</param>
/// <param name="VectorPj">Vector / special-function unit.</param>
/// <param name="NopPj">Network-on-package hops (including DRAM flows between edge routers and chiplets).</param>
/// <param name="DramPj">DRAM / HBM accesses.</param>
/// <param name="StaticPj">Static power × time of every chiplet over the iteration.</param>
public readonly record struct EnergyBreakdown(double MacPj, double BufferPj, double VectorPj, double NopPj, double DramPj, double StaticPj)
{
    /// <summary>Sum of the parts, pJ.</summary>
    public double TotalPj => MacPj + BufferPj + VectorPj + NopPj + DramPj + StaticPj;

    /// <summary>Part-wise sum.</summary>
    public static EnergyBreakdown operator +(EnergyBreakdown a, EnergyBreakdown b) =>
        new(a.MacPj + b.MacPj, a.BufferPj + b.BufferPj, a.VectorPj + b.VectorPj, a.NopPj + b.NopPj, a.DramPj + b.DramPj, a.StaticPj + b.StaticPj);

    /// <summary>Part-wise scaling.</summary>
    public EnergyBreakdown Scale(double factor) =>
        new(MacPj * factor, BufferPj * factor, VectorPj * factor, NopPj * factor, DramPj * factor, StaticPj * factor);
}

/// <summary>
/// What an optimizer sees of one evaluation: latency and energy averaged over the sampled iterations, and the
/// objective value to minimise. An invalid mapping has <see cref="IsValid"/> false and objective +∞.
/// </summary>
/// <param name="LatencyNs">Mean iteration latency, ns.</param>
/// <param name="EnergyPj">Mean iteration energy, pJ.</param>
/// <param name="Objective">Objective value (lower is better), e.g. EDP = latency × energy.</param>
/// <param name="IsValid">False when the mapping was rejected (invalid id, numeric failure, plugin fault).</param>
public readonly record struct Fitness(double LatencyNs, double EnergyPj, double Objective, bool IsValid)
{
    /// <summary>The fitness of a rejected mapping.</summary>
    public static Fitness Invalid { get; } = new(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, false);

    /// <summary>Energy-delay product in J·s (latency s × energy J).</summary>
    public double EdpJouleSeconds => LatencyNs * 1e-9 * EnergyPj * 1e-12;
}

/// <summary>One task of the schedule: gene <see cref="Gene"/> of micro-batch <see cref="MicroBatch"/> on a chiplet.</summary>
/// <param name="Iteration">Sampled iteration index.</param>
/// <param name="MicroBatch">Micro-batch.</param>
/// <param name="Gene">Gene (CEG node of the micro-batch).</param>
/// <param name="Chiplet">Chiplet id.</param>
/// <param name="StartNs">Start time, ns.</param>
/// <param name="EndNs">End time, ns.</param>
/// <param name="ComputeNs">Compute time, ns.</param>
/// <param name="NopNs">Network time (busiest link plus hop latency), ns.</param>
/// <param name="DramNs">DRAM time (busiest channel), ns.</param>
/// <param name="EnergyPj">Dynamic energy of the task, pJ.</param>
/// <param name="DramBytes">Bytes read from or written to DRAM by this task.</param>
/// <param name="NopBytes">Bytes moved chiplet-to-chiplet for this task.</param>
/// <param name="WeightsLoaded">True when the task loaded its weights (the chiplet switched nodes).</param>
public readonly record struct TaskRecord(
    int Iteration, int MicroBatch, int Gene, int Chiplet,
    double StartNs, double EndNs, double ComputeNs, double NopNs, double DramNs,
    double EnergyPj, double DramBytes, double NopBytes, bool WeightsLoaded);

/// <summary>Per-chiplet totals of one iteration.</summary>
/// <param name="Chiplet">Chiplet id.</param>
/// <param name="BusyNs">Sum of its task durations, ns.</param>
/// <param name="Utilisation">Busy time over the iteration latency, 0..1.</param>
/// <param name="EnergyPj">Dynamic energy of its tasks plus its static energy, pJ.</param>
/// <param name="Tasks">Number of tasks it ran.</param>
public readonly record struct ChipletUsage(int Chiplet, double BusyNs, double Utilisation, double EnergyPj, int Tasks);

/// <summary>The full result of one iteration evaluated under one mapping.</summary>
/// <param name="LatencyNs">Makespan, ns.</param>
/// <param name="Energy">Energy by part.</param>
/// <param name="Chiplets">Per-chiplet totals.</param>
/// <param name="Tasks">The task timeline (empty unless requested).</param>
/// <param name="TotalMacs">MACs of the iteration (for the physical-bound checks).</param>
/// <param name="DramBytes">Bytes that crossed DRAM.</param>
/// <param name="NopByteHops">Byte-hops on the network.</param>
public sealed record IterationResult(
    double LatencyNs,
    EnergyBreakdown Energy,
    IReadOnlyList<ChipletUsage> Chiplets,
    IReadOnlyList<TaskRecord> Tasks,
    double TotalMacs,
    double DramBytes,
    double NopByteHops);
