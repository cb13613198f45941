using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine.Workload;
using Microsoft.Extensions.Logging;

namespace Compass.Engine;

/// <summary>What the search minimises.</summary>
public enum ObjectiveKind
{
    /// <summary>Energy-delay product: mean latency × mean energy.</summary>
    Edp,

    /// <summary>Mean latency.</summary>
    Latency,

    /// <summary>Mean energy.</summary>
    Energy,

    /// <summary>E^a · D^b with the exponents of <see cref="ObjectiveSpec"/>.</summary>
    Weighted,
}

/// <summary>The objective, combining mean latency (ns) and mean energy (pJ) over the sampled iterations.</summary>
public sealed record ObjectiveSpec(ObjectiveKind Kind = ObjectiveKind.Edp, double EnergyExponent = 1, double DelayExponent = 1)
{
    /// <summary>Objective value of a latency and energy (lower is better).</summary>
    public double Value(double latencyNs, double energyPj) => Kind switch
    {
        ObjectiveKind.Latency => latencyNs,
        ObjectiveKind.Energy => energyPj,
        ObjectiveKind.Weighted => Math.Pow(energyPj, EnergyExponent) * Math.Pow(latencyNs, DelayExponent),
        _ => latencyNs * energyPj,
    };
}

/// <summary>How the computation execution graph is built from the model.</summary>
public sealed record GraphOptions
{
    /// <summary>Decoder layers modelled; 0 = every layer of the model (the published experiments model 1).</summary>
    public int Layers { get; init; }

    /// <summary>Tensor-parallel degree: output projection and FFN GEMMs are split into this many shards.</summary>
    public int TensorParallel { get; init; } = 8;

    /// <summary>Head groups the QKV projection and attention are split into; 0 = same as <see cref="TensorParallel"/>, heads = one per head.</summary>
    public int HeadGroups { get; init; }

    /// <summary>Requests per micro-batch (of the decodes when <see cref="PrefillMicroBatchSize"/> is set).</summary>
    public int MicroBatchSize { get; init; } = 1;

    /// <summary>Requests per micro-batch of the prefill and chunked-prefill requests; 0 = <see cref="MicroBatchSize"/> for every request, phases mixed in one split (the published split).</summary>
    public int PrefillMicroBatchSize { get; init; }

    /// <summary>Causal prefill computes half the score matrix (the published graph computes all of it).</summary>
    public bool CausalPrefill { get; init; } = true;

    /// <summary>
    /// Tensor-parallel degree of each modelled layer (a plan with one lever per layer group sets it, docs/levers.md); empty =
    /// <see cref="TensorParallel"/> for every layer. With <see cref="HeadGroups"/> 0 a layer's head groups follow its own degree.
    /// </summary>
    public IReadOnlyList<int> LayerTensorParallel { get; init; } = [];

    /// <summary>The tensor-parallel degree of modelled layer <paramref name="layer"/>.</summary>
    public int TensorParallelOf(int layer) => LayerTensorParallel.Count == 0 ? TensorParallel : LayerTensorParallel[layer];

    /// <summary>Value equality, the per-layer degrees compared element by element (a plan's options equal the same plan's).</summary>
    public bool Equals(GraphOptions? other) =>
        other is not null && Layers == other.Layers && TensorParallel == other.TensorParallel && HeadGroups == other.HeadGroups
        && MicroBatchSize == other.MicroBatchSize && PrefillMicroBatchSize == other.PrefillMicroBatchSize && CausalPrefill == other.CausalPrefill
        && LayerTensorParallel.SequenceEqual(other.LayerTensorParallel);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = HashCode.Combine(Layers, TensorParallel, HeadGroups, MicroBatchSize, PrefillMicroBatchSize, CausalPrefill);
        foreach (var d in LayerTensorParallel) hash = HashCode.Combine(hash, d);
        return hash;
    }
}

/// <summary>Where a tensor that lives in DRAM (weights, KV cache, a spilled activation) has its home.</summary>
public enum DramPlacement
{
    /// <summary>In the channel nearest (fewest mean hops) to the chiplet that first consumes it in the mapping.</summary>
    Nearest,

    /// <summary>Interleaved over every channel, 1/n each (the published Compass default, docs/reference/formulas.md §9).</summary>
    Interleaved,
}

/// <summary>Evaluator options: data placement in DRAM.</summary>
public sealed record EvaluatorOptions
{
    /// <summary>Home policy for weights, KV cache and spilled activations (default <see cref="DramPlacement.Nearest"/>).</summary>
    public DramPlacement Placement { get; init; } = DramPlacement.Nearest;

    /// <summary>
    /// Explicit homes of weight tensors: gene name (<c>L0.ffn_up.3</c>) → DRAM channel index; these override
    /// <see cref="Placement"/> for the named genes' weights.
    /// </summary>
    public IReadOnlyDictionary<string, int> WeightHomes { get; init; } = new Dictionary<string, int>();

    /// <summary>How the shards of a tensor-parallel GEMM all-reduce their partial sums (default <see cref="CollectiveAlgorithm.Ring"/>).</summary>
    public CollectiveAlgorithm Collective { get; init; } = CollectiveAlgorithm.Ring;
}

/// <summary>Algorithm of the all-reduce that ends a row-parallel (Megatron) GEMM, routed over the package's links.</summary>
public enum CollectiveAlgorithm
{
    /// <summary>Ring over the participants in shard order: 2(p − 1) steps of 1/p of the tensor to the next participant.</summary>
    Ring,

    /// <summary>Every participant sends its 1/p slice to every other (reduce-scatter), then its reduced slice (all-gather): two steps.</summary>
    Direct,
}

/// <summary>Everything needed to build an exploration problem.</summary>
public sealed record ProblemDefinition
{
    /// <summary>The package with its chiplet types resolved.</summary>
    public required ResolvedPackage Package { get; init; }

    /// <summary>The package's interconnect model.</summary>
    public required IPackageInterconnect Interconnect { get; init; }

    /// <summary>The compute cost model (called once per distinct operator shape and chiplet type).</summary>
    public required IComputeCostModel ComputeModel { get; init; }

    /// <summary>The model.</summary>
    public required ModelConfig Model { get; init; }

    /// <summary>Precisions.</summary>
    public PrecisionConfig Precision { get; init; } = new();

    /// <summary>Graph construction options.</summary>
    public GraphOptions Graph { get; init; } = new();

    /// <summary>Iterations the objective averages over.</summary>
    public required IReadOnlyList<Iteration> Iterations { get; init; }

    /// <summary>The objective.</summary>
    public ObjectiveSpec Objective { get; init; } = new();

    /// <summary>
    /// Padding applied to <see cref="Iterations"/> before the graphs are built (prior work's fixed-length batching);
    /// <see cref="Iterations"/> stay the real requests.
    /// </summary>
    public PaddingOptions Padding { get; init; } = PaddingOptions.None;

    /// <summary>Evaluator options (data placement).</summary>
    public EvaluatorOptions Evaluator { get; init; } = new();

    /// <summary>Levers left to the search (micro-batch sizes, tensor-parallel degrees); none = every lever fixed by <see cref="Graph"/>.</summary>
    public LeverOptions Levers { get; init; } = LeverOptions.None;
}

/// <summary>
/// The candidates of each lever the search chooses (docs/levers.md). An empty list fixes the lever at the value of
/// <see cref="GraphOptions"/>. Candidates larger than the largest batch (micro-batch sizes) or than the model allows
/// (tensor-parallel degrees) are dropped when the problem is built.
/// </summary>
public sealed record LeverOptions
{
    /// <summary>No lever: the graph options fix everything.</summary>
    public static LeverOptions None { get; } = new();

    /// <summary>Candidate micro-batch sizes of the decode requests (of every request when <see cref="PrefillMicroBatchSizes"/> is empty and the graph has no prefill size).</summary>
    public IReadOnlyList<int> MicroBatchSizes { get; init; } = [];

    /// <summary>Candidate micro-batch sizes of the prefill and chunked-prefill requests.</summary>
    public IReadOnlyList<int> PrefillMicroBatchSizes { get; init; } = [];

    /// <summary>Candidate tensor-parallel degrees (of each layer group).</summary>
    public IReadOnlyList<int> TensorParallel { get; init; } = [];

    /// <summary>
    /// Layer groups with a tensor-parallel lever each: the modelled layers are cut into this many consecutive groups of
    /// near-equal size (the first ones one layer larger) and each group's degree is searched over <see cref="TensorParallel"/>
    /// (lever <c>graph.tensorParallel.group{k}</c>); 1 = one degree for every layer (lever <c>graph.tensorParallel</c>).
    /// </summary>
    public int TensorParallelGroups { get; init; } = 1;

    /// <summary>Candidate DRAM placements (<see cref="DramPlacement"/>) of weights, KV cache and spilled activations (lever <c>evaluator.placement</c>); empty = <see cref="EvaluatorOptions.Placement"/>.</summary>
    public IReadOnlyList<DramPlacement> Placements { get; init; } = [];

    /// <summary>True when at least one lever has candidates.</summary>
    public bool IsActive => MicroBatchSizes.Count > 0 || PrefillMicroBatchSizes.Count > 0 || TensorParallel.Count > 0 || Placements.Count > 0;
}

/// <summary>One logged evaluation.</summary>
/// <param name="Index">0-based evaluation number.</param>
/// <param name="Fitness">Its fitness.</param>
/// <param name="BestObjectiveSoFar">Best objective seen up to and including this evaluation.</param>
/// <param name="ElapsedSeconds">Wall seconds since the search started.</param>
/// <param name="GenomeHash">Content hash of the genome.</param>
public sealed record EvaluationLogEntry(int Index, Fitness Fitness, double BestObjectiveSoFar, double ElapsedSeconds, ulong GenomeHash);

/// <summary>Options of one search run.</summary>
public sealed record SearchDriverOptions
{
    /// <summary>Budget.</summary>
    public required SearchBudget Budget { get; init; }

    /// <summary>Seed.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Offer the standard heuristic mappings as starting points.</summary>
    public bool StartFromHeuristics { get; init; } = true;

    /// <summary>Worker threads for batch evaluation; 0 = processor count.</summary>
    public int Threads { get; init; }

    /// <summary>Called once per evaluation, in index order, from one thread at a time.</summary>
    public Action<EvaluationLogEntry>? OnEvaluation { get; init; }

    /// <summary>Called with the optimizer's progress phase.</summary>
    public Action<string>? OnProgress { get; init; }

    /// <summary>Fitness values of evaluations already done by an interrupted run with the same seed; served instead of re-evaluating (resume).</summary>
    public IReadOnlyList<Fitness>? PreviousEvaluations { get; init; }

    /// <summary>Logger.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>Result of a search run.</summary>
/// <param name="Outcome">What the optimizer returned.</param>
/// <param name="Evaluations">Evaluations done.</param>
/// <param name="WallSeconds">Wall seconds.</param>
/// <param name="Cancelled">True when the run was cancelled before the optimizer finished.</param>
public sealed record SearchRunResult(SearchOutcome Outcome, int Evaluations, double WallSeconds, bool Cancelled);
