using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Engine;
using Compass.Optimizers.Nsga2;
using Xunit.Abstractions;

namespace Compass.Optimizers.Tests;

/// <summary>The optimizers against the real engine (ExplorationProblem + SearchDriver) on a small heterogeneous package with a mixed workload.</summary>
public sealed class EngineIntegrationTests(ITestOutputHelper output)
{
    private static readonly Lazy<ExplorationProblem> Problem = new(() => ExplorationProblem.Create(EngineFixture.MixedHeterogeneous(layers: 1), CancellationToken.None));

    private static SearchRunResult Run(string optimizer, int budget, int seed, bool seeded = true, params (string, string)[] options) =>
        new SearchDriver(Problem.Value, new SearchDriverOptions { Budget = new SearchBudget(budget), Seed = seed, StartFromHeuristics = seeded, Threads = 0 })
            .Run(OptimizerFactory.Create(optimizer, options), CancellationToken.None);

    private static double BestSeed() => Problem.Value.Heuristics.Standard().Min(s => Problem.Value.Evaluate(s.Genome).Objective);

    [Fact]
    public void GaBeatsRandomAndThePublishedGaOnTheMeanOverFiveSeedsAndImprovesItsBestSeed()
    {
        const int budget = 1000;
        double Mean(string name, params (string, string)[] options) =>
            Enumerable.Range(1, 5).Average(seed => Run(name, budget, seed, true, options).Outcome.BestFitness.Objective);
        var bestSeed = BestSeed();
        var ga = Mean("ga");
        var random = Mean("random");
        var published = Mean("ga", ("operators", "published"));
        output.WriteLine($"space {Problem.Value.Space.MicroBatchCount}×{Problem.Value.Space.GeneCount} on {Problem.Value.Space.ChipletCount} chiplets; best seed {bestSeed:G5}");
        output.WriteLine($"mean best after {budget}: ga {ga:G5} ({1 - ga / bestSeed:P2} below the best seed), published ga {published:G5} ({1 - published / bestSeed:P2}), random {random:G5} ({1 - random / bestSeed:P2})");
        Assert.True(ga <= bestSeed);
        Assert.True(ga < random, "ga vs random");
        Assert.True(ga < published, "ga vs published ga");
        Assert.True(1 - ga / bestSeed > 0.01, $"ga gained only {1 - ga / bestSeed:P2} over its best seed");
    }

    [Fact]
    public void EveryOptimizerEndsAtOrBelowItsBestSeedWithinBudget()
    {
        var bestSeed = BestSeed();
        foreach (var name in new[] { "ga", "sa", "random", "baseline", "nsga2" })
        {
            var result = Run(name, 300, 3);
            Assert.True(result.Evaluations <= 300, $"{name} used {result.Evaluations}");
            Assert.True(result.Outcome.BestFitness.IsValid);
            if (name != "nsga2") Assert.True(result.Outcome.BestFitness.Objective <= bestSeed, $"{name} ended above its best seed");
            Assert.Equal(result.Outcome.BestFitness.Objective, Problem.Value.Evaluate(result.Outcome.Best).Objective);
        }
        var coupled = Run("coupled-sa", 300, 3);
        Assert.True(coupled.Outcome.Best.IsCoupled());
    }

    [Fact]
    public void SameSeedSameOutcomeThroughTheParallelDriver()
    {
        foreach (var name in new[] { "ga", "sa", "nsga2" })
        {
            var a = Run(name, 250, 11, seeded: false);
            var b = Run(name, 250, 11, seeded: false);
            Assert.Equal(a.Outcome.Best, b.Outcome.Best);
            Assert.Equal(a.Outcome.BestFitness, b.Outcome.BestFitness);
            Assert.Equal(a.Outcome.ParetoSet, b.Outcome.ParetoSet);
        }
    }

    [Fact]
    public void Nsga2FrontOnTheEngineIsMutuallyNonDominated()
    {
        var outcome = Run("nsga2", 400, 2).Outcome;
        var front = outcome.ParetoSet.Select(g => Problem.Value.Evaluate(g)).ToList();
        Assert.NotEmpty(front);
        foreach (var a in front)
            foreach (var b in front)
                Assert.False(Nsga2Optimizer.Dominates(a, b));
    }

    [Fact]
    public void ExhaustiveRefusesTheEngineSpace()
    {
        var error = Assert.Throws<CompassInputException>(() => Run("exhaustive", 100, 1));
        Assert.Equal("optimizer.options.maxSpaceSize", error.Field);
    }
}
