using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Workload;
using Compass.Engine.Workload;

namespace Compass.Engine.Pipeline;

/// <summary>
/// Where a pipeline's iterations come from. The host implements it over the scenario's trace source and serving
/// scheduler (each call guarded as plugin code); tests implement it over fixed iterations.
/// </summary>
public interface IWorkloadSource
{
    /// <summary>The search sample: <paramref name="count"/> iterations drawn with <paramref name="seed"/> after the warm-up, each checked to fit the DRAM.</summary>
    IReadOnlyList<Iteration> Sample(int seed, int count, CancellationToken cancellationToken);

    /// <summary>Every request of the trace read with <paramref name="seed"/> (at least one).</summary>
    IReadOnlyList<TraceRequest> ReadTrace(int seed, CancellationToken cancellationToken);

    /// <summary>A held-out window of <paramref name="count"/> consecutive iterations of the schedule of <paramref name="requests"/>.</summary>
    IReadOnlyList<Iteration> HeldOut(IReadOnlyList<TraceRequest> requests, int seed, int count, CancellationToken cancellationToken);
}

/// <summary>What every pipeline run starts from: the resolved hardware, model and components, and the workload source.</summary>
public sealed record PipelineInputs
{
    /// <summary>The package with its chiplet types.</summary>
    public required ResolvedPackage Package { get; init; }

    /// <summary>The package interconnect.</summary>
    public required IPackageInterconnect Interconnect { get; init; }

    /// <summary>The compute cost model.</summary>
    public required IComputeCostModel ComputeModel { get; init; }

    /// <summary>The model.</summary>
    public required ModelConfig Model { get; init; }

    /// <summary>Precisions.</summary>
    public required PrecisionConfig Precision { get; init; }

    /// <summary>Graph construction options.</summary>
    public required GraphOptions Graph { get; init; }

    /// <summary>The objective.</summary>
    public required ObjectiveSpec Objective { get; init; }

    /// <summary>Where iterations come from.</summary>
    public required IWorkloadSource Workload { get; init; }

    /// <summary>Padding applied to the iterations before the graphs are built (none by default).</summary>
    public PaddingOptions Padding { get; init; } = PaddingOptions.None;

    /// <summary>Evaluator options (DRAM placement).</summary>
    public EvaluatorOptions Evaluator { get; init; } = new();

    /// <summary>Levers left to the search (none by default).</summary>
    public LeverOptions Levers { get; init; } = LeverOptions.None;

    /// <summary>The problem definition over <paramref name="iterations"/>.</summary>
    public ProblemDefinition Definition(IReadOnlyList<Iteration> iterations) => new()
    {
        Package = Package,
        Interconnect = Interconnect,
        ComputeModel = ComputeModel,
        Model = Model,
        Precision = Precision,
        Graph = Graph,
        Iterations = iterations,
        Objective = Objective,
        Padding = Padding,
        Evaluator = Evaluator,
        Levers = Levers,
    };
}
