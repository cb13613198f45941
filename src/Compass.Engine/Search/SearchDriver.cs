using Compass.Abstractions.Search;
using Compass.Engine.Search;

namespace Compass.Engine;

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
    public SearchRunResult Run(IOptimizer optimizer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var context = new SearchContext(Problem, Options, cancellationToken);
        SearchOutcome? outcome = null;
        try
        {
            outcome = optimizer.Run(context, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Fall through: the best so far is returned.
        }
        var cancelled = cancellationToken.IsCancellationRequested || context.Cancelled;
        var best = context.BestGenome;
        var bestFitness = context.BestFitness;
        IReadOnlyList<Abstractions.Mapping.Genome> pareto = [];
        IReadOnlyDictionary<string, double> optimizerStats = new Dictionary<string, double>();
        if (outcome is not null)
        {
            pareto = outcome.ParetoSet;
            optimizerStats = outcome.Statistics;
            if (outcome.BestFitness.IsValid && (!bestFitness.IsValid || outcome.BestFitness.Objective <= bestFitness.Objective))
            {
                best = outcome.Best;
                bestFitness = outcome.BestFitness;
            }
        }
        var statistics = new Dictionary<string, double>(optimizerStats)
        {
            ["driver.evaluations"] = context.EvaluationsDone,
            ["driver.invalidEvaluations"] = context.InvalidEvaluations,
            ["driver.resumedEvaluations"] = context.ResumedEvaluations,
            ["driver.evaluationsPerSecond"] = context.ElapsedSeconds > 0 ? context.EvaluationsDone / context.ElapsedSeconds : 0,
        };
        var result = new SearchOutcome(best, bestFitness, pareto, statistics);
        return new SearchRunResult(result, context.EvaluationsDone, context.ElapsedSeconds, cancelled);
    }
}
