// CONTRACT SKETCH: public signatures the host relies on. The engine work replaces these bodies
// (and may split the type across files), keeping the signatures.
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;

namespace Compass.Engine;

/// <summary>
/// An exploration problem: the CEGs of the sampled iterations, memoised operator costs, and a thread-safe evaluator
/// of genomes over them.
/// </summary>
public sealed class ExplorationProblem
{
    private ExplorationProblem(ProblemDefinition definition) => Definition = definition;

    /// <summary>Builds graphs and memoises operator costs. Throws CompassInputException for infeasible problems.</summary>
    public static ExplorationProblem Create(ProblemDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        cancellationToken.ThrowIfCancellationRequested();
        throw new InvalidOperationException("engine work in progress");
    }

    /// <summary>The definition it was built from.</summary>
    public ProblemDefinition Definition { get; }

    /// <summary>The mapping space.</summary>
    public MappingSpace Space => throw new InvalidOperationException("engine work in progress");

    /// <summary>Heuristic mapping builders for this space.</summary>
    public IHeuristicMappings Heuristics => throw new InvalidOperationException("engine work in progress");

    /// <summary>Mean latency, energy and objective over the iterations. Thread-safe.</summary>
    public Fitness Evaluate(Genome genome, CancellationToken cancellationToken = default) => throw new InvalidOperationException("engine work in progress");

    /// <summary>Full result of one iteration, optionally with the task timeline.</summary>
    public IterationResult EvaluateIteration(Genome genome, int iteration, bool includeTimeline) => throw new InvalidOperationException("engine work in progress");
}

/// <summary>Runs an optimizer against a problem: budget, parallel batch evaluation, logging, determinism.</summary>
public sealed class SearchDriver
{
    /// <summary>Creates the driver.</summary>
    public SearchDriver(ExplorationProblem problem, SearchDriverOptions options)
    {
        Problem = problem;
        Options = options;
    }

    /// <summary>The problem.</summary>
    public ExplorationProblem Problem { get; }

    /// <summary>The options.</summary>
    public SearchDriverOptions Options { get; }

    /// <summary>Runs the optimizer; on cancellation returns the best so far with Cancelled = true.</summary>
    public SearchRunResult Run(IOptimizer optimizer, CancellationToken cancellationToken) => throw new InvalidOperationException("engine work in progress");
}
