using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Compass.Optimizers.Operators;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.RandomSearch;

/// <summary>Options of random search.</summary>
/// <param name="BatchSize">Genomes drawn and evaluated together (the unit of parallelism).</param>
public sealed record RandomSearchOptions(int BatchSize = 64)
{
    /// <summary>Reads and validates the options.</summary>
    public static RandomSearchOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys("batchSize");
        return new RandomSearchOptions(section.GetInt32("batchSize", 64, 1, 1_000_000));
    }
}

/// <summary>
/// Random search, the published baseline (<c>run_mode: "random"</c>, docs/reference/compass-method.md §7 and §10): the starting
/// points first when provided, then uniformly random genomes (bits 0/1, chiplet ids uniform) in batches until the
/// budget is spent; keeps the best.
/// </summary>
public sealed class RandomSearchOptimizer : IOptimizer
{
    /// <summary>Creates the optimizer.</summary>
    public RandomSearchOptimizer(RandomSearchOptions options) => Options = options;

    /// <summary>The options.</summary>
    public RandomSearchOptions Options { get; }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var rng = new Xoshiro256StarStar(context.Seed, SearchSupport.RandomStream);
        var evaluator = new BatchEvaluator(context, deduplicate: false, cancellationToken);
        var statistics = new Dictionary<string, double>();
        var starts = context.StartingPoints.Select(s => s.Genome).Where(g => space.IsValid(g, out _)).ToList();
        var results = new Fitness[Math.Max(Options.BatchSize, starts.Count)];
        statistics["seeded"] = evaluator.Evaluate(starts, results);
        var batch = SearchSupport.NewGenomes(space, Options.BatchSize);
        var batches = 0;
        while (!evaluator.Stopped)
        {
            var n = Math.Min(batch.Length, Math.Max(1, context.EvaluationsLeft));
            for (var i = 0; i < n; i++) MutationOperators.Randomize(batch[i], space, rng);
            var done = evaluator.Evaluate(new ArraySegment<Genome>(batch, 0, n), results);
            batches++;
            context.ReportProgress($"random batch {batches}: best {SearchSupport.Format(evaluator.BestFitness.Objective)}");
            if (done < n) break;
        }
        statistics["batches"] = batches;
        return evaluator.Outcome(starts.Count > 0 ? starts[0] : batch[0], null, statistics);
    }
}
