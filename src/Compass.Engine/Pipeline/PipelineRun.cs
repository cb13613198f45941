using System.Diagnostics;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine.Graph;
using Compass.Engine.Replay;
using Compass.Results;

namespace Compass.Engine.Pipeline;

/// <summary>
/// The state one pipeline run carries from stage to stage. Each stage reads what earlier stages produced and sets
/// its own product; <see cref="Require{T}"/> names the missing stage when a list is composed in the wrong order.
/// </summary>
public sealed class PipelineRun
{
    private readonly List<(string Stage, double Seconds)> _timings = [];

    /// <summary>Starts a run.</summary>
    /// <param name="inputs">The resolved inputs.</param>
    /// <param name="seed">Seed of the run (workload sampling and search).</param>
    public PipelineRun(PipelineInputs inputs, int seed)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Inputs = inputs;
        Seed = seed;
    }

    /// <summary>The inputs.</summary>
    public PipelineInputs Inputs { get; }

    /// <summary>Seed of the run.</summary>
    public int Seed { get; }

    /// <summary>Every request of the trace (set by a held-out workload stage).</summary>
    public IReadOnlyList<TraceRequest>? Requests { get; set; }

    /// <summary>The iterations the problem is built over (stage "workload").</summary>
    public IReadOnlyList<Iteration>? Iterations { get; set; }

    /// <summary>The problem definition (stage "graph").</summary>
    public ProblemDefinition? Definition { get; set; }

    /// <summary>The built graphs (stage "graph"); costed by stage "costing".</summary>
    internal ProblemGraph? Graph { get; set; }

    /// <summary>Compute-model estimates made (stage "costing").</summary>
    public int? CostEstimates { get; set; }

    /// <summary>The exploration problem (stage "mapping space"), or one given to start from.</summary>
    public ExplorationProblem? Problem { get; set; }

    /// <summary>The search's result (stage "search").</summary>
    public SearchRunResult? Search { get; set; }

    /// <summary>The optimizer the search ran (stage "search"); its best-so-far outlives a cancelled run.</summary>
    public IOptimizer? Optimizer { get; set; }

    /// <summary>The mapping to measure (set by stage "search" from its best, or given, as replay does).</summary>
    public (Genome Genome, Fitness Fitness)? Best { get; set; }

    /// <summary>The measurement of <see cref="Best"/> (stage "results").</summary>
    public MappingMeasurement? Measurement { get; set; }

    /// <summary>The heuristic baselines of the space (stage "results").</summary>
    public IReadOnlyList<(string Name, Fitness Fitness)>? Baselines { get; set; }

    /// <summary>Serving metrics of <see cref="Best"/> on the held-out requests (stage "replay").</summary>
    public ReplayReport? Replay { get; set; }

    /// <summary>Wall seconds of every stage that ran, in order.</summary>
    public IReadOnlyList<(string Stage, double Seconds)> Timings => _timings;

    /// <summary>Returns <paramref name="value"/>, or throws naming the stage that should have produced it.</summary>
    public static T Require<T>(T? value, string producedBy) where T : class =>
        value ?? throw new InvalidOperationException($"the pipeline has no {typeof(T).Name} yet: stage '{producedBy}' must run before this one");

    internal void Time(string stage, Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        _timings.Add((stage, clock.Elapsed.TotalSeconds));
    }
}

/// <summary>
/// The best mapping measured over every iteration of the problem: mean energy by part, per-chiplet usage, and the
/// task timeline of the first iteration with the engine's own micro-batch split (the report labels micro-batches
/// from it, never from a split of its own).
/// </summary>
/// <param name="Genome">The mapping.</param>
/// <param name="Fitness">Its fitness.</param>
/// <param name="Energy">Mean energy by part over the iterations, pJ.</param>
/// <param name="Chiplets">Mean per-chiplet usage over the iterations.</param>
/// <param name="FirstIteration">Result of iteration 0 with its task timeline.</param>
/// <param name="MicroBatches">The requests of every micro-batch of iteration 0, in the engine's split order.</param>
/// <param name="Genes">The genes of the mapping space (<see cref="TaskRecord.Gene"/> indexes them).</param>
/// <param name="MeanBounds">The model's mapping-independent lower bounds, averaged over the iterations.</param>
public sealed record MappingMeasurement(
    Genome Genome,
    Fitness Fitness,
    EnergyBreakdown Energy,
    IReadOnlyList<ChipletUsage> Chiplets,
    IterationResult FirstIteration,
    IReadOnlyList<IReadOnlyList<ScheduledRequest>> MicroBatches,
    IReadOnlyList<GeneInfo> Genes,
    IterationBounds MeanBounds)
{
    /// <summary>Every sampled iteration's latency and energy and the standard error of the EDP over them, or null when not measured.</summary>
    public ObjectiveSpread? Spread { get; init; }

    /// <summary>The mapping's lever values (<c>microBatchSize=4 tensorParallel=16</c>), empty when the scenario fixes every lever.</summary>
    public string Plan { get; init; } = string.Empty;
}
