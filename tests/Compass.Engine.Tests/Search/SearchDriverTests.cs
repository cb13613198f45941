using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Engine;

namespace Compass.Engine.Tests;

/// <summary>A seeded random search that evaluates the starting points first, then batches of 7 random genomes.</summary>
internal sealed class TestRandomSearch : IOptimizer
{
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var random = new Random(context.Seed);
        Genome? best = null;
        var bestFitness = Fitness.Invalid;
        var batch = new List<Genome>(context.StartingPoints.Select(s => s.Genome));
        var results = new Fitness[16];
        while (!context.ShouldStop)
        {
            while (batch.Count < 7)
            {
                var g = context.Space.CreateGenome();
                for (var i = 0; i < g.Assignment.Length; i++) g.Assignment[i] = random.Next(context.Space.ChipletCount);
                for (var i = 0; i < g.Boundaries.Length; i++) g.Boundaries[i] = (byte)random.Next(2);
                batch.Add(g);
            }
            var n = context.Evaluate(batch, results);
            for (var i = 0; i < n; i++)
            {
                if (results[i].IsValid && results[i].Objective < bestFitness.Objective) { best = batch[i]; bestFitness = results[i]; }
            }
            batch.Clear();
            context.ReportProgress($"{context.EvaluationsDone}");
        }
        return new SearchOutcome(best ?? context.Space.CreateGenome(), bestFitness, [], new Dictionary<string, double> { ["batches"] = 1 });
    }
}

public sealed class SearchDriverTests
{
    private static readonly Lazy<ExplorationProblem> Problem = new(() => ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None));

    private static (SearchRunResult Result, List<EvaluationLogEntry> Log) Run(int threads, int budget, IReadOnlyList<Fitness>? previous = null, Func<EvaluationLogEntry, bool>? cancelWhen = null)
    {
        var log = new List<EvaluationLogEntry>();
        using var cts = new CancellationTokenSource();
        var driver = new SearchDriver(Problem.Value, new SearchDriverOptions
        {
            Budget = new SearchBudget(budget),
            Seed = 7,
            Threads = threads,
            PreviousEvaluations = previous,
            OnEvaluation = e =>
            {
                log.Add(e);
                if (cancelWhen?.Invoke(e) == true) cts.Cancel();
            },
        });
        return (driver.Run(new TestRandomSearch(), cts.Token), log);
    }

    [Fact]
    public void BudgetIsRespectedAndLogIsInOrder()
    {
        var (result, log) = Run(threads: 2, budget: 40);
        Assert.Equal(40, result.Evaluations);
        Assert.Equal(Enumerable.Range(0, 40), log.Select(e => e.Index));
        Assert.False(result.Cancelled);
        Assert.True(result.Outcome.BestFitness.IsValid);
        Assert.Equal(log.Min(e => e.Fitness.Objective), result.Outcome.BestFitness.Objective);
        // Best so far never increases.
        for (var i = 1; i < log.Count; i++) Assert.True(log[i].BestObjectiveSoFar <= log[i - 1].BestObjectiveSoFar);
        Assert.Equal(40, result.Outcome.Statistics["driver.evaluations"]);
    }

    [Fact]
    public void OutcomeIsIdenticalAcrossThreadCounts()
    {
        var (one, logOne) = Run(threads: 1, budget: 30);
        var (two, logTwo) = Run(threads: 2, budget: 30);
        Assert.Equal(one.Outcome.Best, two.Outcome.Best);
        Assert.Equal(one.Outcome.BestFitness, two.Outcome.BestFitness);
        Assert.Equal(logOne.Select(e => (e.Fitness, e.GenomeHash)), logTwo.Select(e => (e.Fitness, e.GenomeHash)));
    }

    [Fact]
    public void ResumeFromPreviousEvaluationsGivesTheSameOutcome()
    {
        var (full, fullLog) = Run(threads: 2, budget: 30);
        var previous = fullLog.Take(12).Select(e => e.Fitness).ToArray();
        var (resumed, resumedLog) = Run(threads: 2, budget: 30, previous);
        Assert.Equal(full.Outcome.Best, resumed.Outcome.Best);
        Assert.Equal(full.Outcome.BestFitness, resumed.Outcome.BestFitness);
        Assert.Equal(fullLog.Select(e => (e.Fitness, e.GenomeHash)), resumedLog.Select(e => (e.Fitness, e.GenomeHash)));
        Assert.Equal(12, resumed.Outcome.Statistics["driver.resumedEvaluations"]);
    }

    [Fact]
    public void CancellationReturnsBestSoFar()
    {
        var (result, log) = Run(threads: 2, budget: 1000, cancelWhen: e => e.Index == 9);
        Assert.True(result.Cancelled);
        Assert.True(result.Evaluations < 1000);
        Assert.Equal(log.Count, result.Evaluations);
        Assert.True(result.Outcome.BestFitness.IsValid);
    }

    [Fact]
    public void WallClockBudgetStopsTheSearch()
    {
        var driver = new SearchDriver(Problem.Value, new SearchDriverOptions { Budget = new SearchBudget(int.MaxValue, MaxWallSeconds: 0.3), Threads = 1 });
        var result = driver.Run(new TestRandomSearch(), CancellationToken.None);
        Assert.False(result.Cancelled);
        Assert.True(result.WallSeconds >= 0.3);
        Assert.True(result.Evaluations > 0);
        Assert.True(result.Outcome.BestFitness.IsValid);
    }

    [Fact]
    public void StartingPointsAreTheStandardHeuristics()
    {
        var (_, log) = Run(threads: 1, budget: 10);
        var standard = Problem.Value.Heuristics.Standard();
        Assert.Equal(standard.Select(s => s.Genome.ContentHash()), log.Take(standard.Count).Select(e => e.GenomeHash));
    }
}
