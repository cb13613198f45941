using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Microsoft.Extensions.Logging;

namespace Compass.Abstractions.Search;

/// <summary>How much an optimizer may spend.</summary>
/// <param name="MaxEvaluations">Maximum genome evaluations (the comparison currency).</param>
/// <param name="MaxWallSeconds">Maximum wall-clock seconds (0 = unlimited).</param>
public sealed record SearchBudget(int MaxEvaluations, double MaxWallSeconds = 0);

/// <summary>Builds the standard parallelisation strategies as genomes of a mapping space.</summary>
public interface IHeuristicMappings
{
    /// <summary>Consecutive genes in <paramref name="stages"/> contiguous groups, group i on its own chiplet set; every micro-batch the same (layer pipeline).</summary>
    Genome Pipeline(int stages);

    /// <summary>Shards of every node spread over <paramref name="tensorDegree"/> chiplets, layers pipelined over the remaining chiplet groups.</summary>
    Genome PipelineTensor(int pipelineStages, int tensorDegree);

    /// <summary>Each micro-batch on its own chiplet group (data / micro-batch parallel).</summary>
    Genome MicroBatchParallel();

    /// <summary>The named standard strategies for this space (pipeline, tensor-parallel, micro-batch-parallel, ...).</summary>
    IReadOnlyList<NamedGenome> Standard();
}

/// <summary>
/// Everything an optimizer may use: the space, the budget, a seed, heuristic starting points and a parallel,
/// budget-checked batch evaluation. Implemented by the engine's search driver; one context per run.
/// </summary>
public interface ISearchContext
{
    /// <summary>The mapping space.</summary>
    MappingSpace Space { get; }

    /// <summary>The budget.</summary>
    SearchBudget Budget { get; }

    /// <summary>The run's seed; derive every random stream from it (same seed, same result).</summary>
    int Seed { get; }

    /// <summary>Heuristic mappings to start from, or empty when the study runs unseeded.</summary>
    IReadOnlyList<NamedGenome> StartingPoints { get; }

    /// <summary>Builders of standard strategies (usable whatever <see cref="StartingPoints"/> holds).</summary>
    IHeuristicMappings Heuristics { get; }

    /// <summary>Evaluations done so far.</summary>
    int EvaluationsDone { get; }

    /// <summary>Evaluations left in the budget.</summary>
    int EvaluationsLeft { get; }

    /// <summary>True when the budget is spent or the run was cancelled; stop and return the best so far.</summary>
    bool ShouldStop { get; }

    /// <summary>Logger of the run.</summary>
    ILogger Logger { get; }

    /// <summary>
    /// Evaluates genomes in parallel, in a result order that does not depend on the thread count, and logs each
    /// one. Evaluates at most <see cref="EvaluationsLeft"/>; returns how many were evaluated (the first ones of
    /// <paramref name="genomes"/>). Invalid genomes come back as <see cref="Fitness.Invalid"/> and still count.
    /// </summary>
    int Evaluate(IReadOnlyList<Genome> genomes, Span<Fitness> results);

    /// <summary>Reports a phase of the optimizer (generation, temperature) for progress display.</summary>
    void ReportProgress(string phase);
}

/// <summary>What an optimizer returns.</summary>
/// <param name="Best">Best genome found.</param>
/// <param name="BestFitness">Its fitness.</param>
/// <param name="ParetoSet">Non-dominated genomes over latency and energy (multi-objective optimizers), else empty.</param>
/// <param name="Statistics">Named counters (repairs, restarts, accepted moves, ...).</param>
public sealed record SearchOutcome(Genome Best, Fitness BestFitness, IReadOnlyList<Genome> ParetoSet, IReadOnlyDictionary<string, double> Statistics);

/// <summary>
/// A search algorithm (named <c>ga</c>, <c>random</c>, <c>sa</c>, ...). Must be deterministic for
/// <see cref="ISearchContext.Seed"/>, evaluate only through <see cref="ISearchContext.Evaluate"/>, and stop when
/// <see cref="ISearchContext.ShouldStop"/> or the token says so, returning the best so far.
/// </summary>
public interface IOptimizer
{
    /// <summary>Runs the search.</summary>
    SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken);
}
