namespace Compass.Results;

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

/// <summary>One task of the schedule: gene <see cref="Gene"/> of micro-batch <see cref="MicroBatch"/> on a chiplet.</summary>
/// <param name="Iteration">Sampled iteration index.</param>
/// <param name="MicroBatch">Micro-batch.</param>
/// <param name="Gene">Gene (CEG node of the micro-batch).</param>
/// <param name="Chiplet">Chiplet id.</param>
/// <param name="StartNs">Start time, ns.</param>
/// <param name="EndNs">End time, ns.</param>
/// <param name="ComputeNs">Compute time, ns.</param>
/// <param name="NopNs">From the start until the task's last chiplet-to-chiplet transfer arrived (queueing on shared links included), ns.</param>
/// <param name="DramNs">From the start until the task's last DRAM transfer finished (queueing on shared channels and links included), ns.</param>
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
    double NopByteHops)
{
    /// <summary>Every interval a link or DRAM channel was busy (empty unless the timeline was requested).</summary>
    public IReadOnlyList<ResourceInterval> ResourceIntervals { get; init; } = [];

    /// <summary>DRAM bytes by what they carry.</summary>
    public DramTraffic DramTraffic { get; init; }

    /// <summary>The model's lower bounds for this iteration (null when not computed).</summary>
    public IterationBounds? Bounds { get; init; }

    /// <summary>The resource busy for the longest time (<c>DRAM channel ch0</c>, <c>link (2,3)→(3,3)</c>, or <c>chiplet 4</c>).</summary>
    public string BusiestResource { get; init; } = "";

    /// <summary>Busy time of <see cref="BusiestResource"/>, ns.</summary>
    public double BusiestResourceBusyNs { get; init; }

    /// <summary>One sentence naming what bounds the iteration (<c>DRAM-bound: …</c>).</summary>
    public string BoundExplanation { get; init; } = "";
}

/// <summary>Kind of a shared resource of the package.</summary>
public enum ResourceKind
{
    /// <summary>A directed network-on-package link.</summary>
    Link,

    /// <summary>A DRAM channel.</summary>
    DramChannel,
}

/// <summary>
/// One interval during which a resource carried part of a transfer at its full bandwidth. A resource carries one
/// transfer at a time, so its intervals never overlap (the evaluator's contention model, docs/evaluator.md).
/// </summary>
/// <param name="Kind">Link or DRAM channel.</param>
/// <param name="Index">Link id or channel index.</param>
/// <param name="StartNs">Start, ns.</param>
/// <param name="EndNs">End, ns.</param>
/// <param name="Bytes">Bytes carried.</param>
public readonly record struct ResourceInterval(ResourceKind Kind, int Index, double StartNs, double EndNs, double Bytes);

/// <summary>DRAM bytes of one iteration by what they carry.</summary>
/// <param name="WeightBytes">First load of each node's weights on a chiplet in the iteration.</param>
/// <param name="WeightReloadBytes">Weights loaded again (the chiplet switched node, or the weights do not fit beside the working set).</param>
/// <param name="KvReadBytes">KV-cache history and graph-input reads.</param>
/// <param name="KvWriteBytes">KV-cache writes of the new tokens.</param>
/// <param name="ActivationReadBytes">Activations read back from DRAM (not forwarded chiplet to chiplet).</param>
/// <param name="ActivationWriteBytes">Activations written to DRAM (spilled, or graph outputs).</param>
/// <param name="RefetchBytes">Operands re-read because a tile does not fit the chiplet's buffer.</param>
public readonly record struct DramTraffic(double WeightBytes, double WeightReloadBytes, double KvReadBytes, double KvWriteBytes, double ActivationReadBytes, double ActivationWriteBytes, double RefetchBytes)
{
    /// <summary>Sum of the parts, bytes.</summary>
    public double TotalBytes => WeightBytes + WeightReloadBytes + KvReadBytes + KvWriteBytes + ActivationReadBytes + ActivationWriteBytes + RefetchBytes;
}

/// <summary>
/// The evaluator's own lower bounds for one iteration, independent of the mapping: no schedule on this package can
/// be faster or use less energy.
/// </summary>
/// <param name="ComputeNs">Every task's compute time on its fastest chiplet type, spread perfectly over all chiplets, ns.</param>
/// <param name="DramNs">Unavoidable DRAM bytes over the aggregate bandwidth of every channel, ns.</param>
/// <param name="LatencyNs">Latency lower bound: the larger of <paramref name="ComputeNs"/> and <paramref name="DramNs"/> (for a mean over iterations, the mean of the per-iteration bounds), ns.</param>
/// <param name="EnergyPj">Unavoidable DRAM bytes at the cheapest channel's energy, plus every task's MAC and vector energy on its cheapest chiplet type, plus static power over <see cref="LatencyNs"/>, pJ.</param>
/// <param name="UnavoidableDramBytes">Each weight read once, the KV history read, new KV and graph outputs written, graph inputs read, bytes.</param>
public sealed record IterationBounds(double ComputeNs, double DramNs, double LatencyNs, double EnergyPj, double UnavoidableDramBytes);
