using Compass.Abstractions.Search;
using Compass.Engine;
using Xunit.Abstractions;

namespace Compass.Optimizers.Tests;

/// <summary>
/// Issue 10's acceptance comparison on the published 6 × 6 heterogeneous package (<see cref="HeteroFixture"/>): every
/// optimizer starts from the engine's heuristic mappings and gets the same evaluation budget; means over seeds 1–5.
/// </summary>
public sealed class HeteroComparisonTests(ITestOutputHelper output)
{
    private const int Budget = 3000;

    private static readonly Lazy<ExplorationProblem> Problem = new(() => ExplorationProblem.Create(HeteroFixture.Mixed(decodes: 10), CancellationToken.None));

    private static SearchRunResult Run(string optimizer, int seed, params (string, string)[] options) =>
        new SearchDriver(Problem.Value, new SearchDriverOptions { Budget = new SearchBudget(Budget), Seed = seed, StartFromHeuristics = true, Threads = 0 })
            .Run(OptimizerFactory.Create(optimizer, options), CancellationToken.None);

    private static double Mean(string optimizer, params (string, string)[] options) =>
        Enumerable.Range(1, 5).Average(seed =>
        {
            var result = Run(optimizer, seed, options);
            Assert.True(result.Evaluations <= Budget, $"{optimizer} used {result.Evaluations} evaluations");
            return result.Outcome.BestFitness.Objective;
        });

    [Fact]
    public void GaBeatsSimulatedAnnealingAndRandomSearchAtEqualBudgetOnTheHeterogeneousMixedSetup()
    {
        var space = Problem.Value.Space;
        Assert.Equal(36, space.ChipletCount);
        Assert.Equal(12, space.MicroBatchCount); // 2 prefills + 10 decodes, micro-batch 1
        var bestSeed = Problem.Value.Heuristics.Standard().Min(s => Problem.Value.Evaluate(s.Genome).Objective);
        var ga = Mean("ga");
        var sa = Mean("sa");
        var random = Mean("random");
        string Gain(double v) => (1 - v / bestSeed).ToString("P2", System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"space {space.MicroBatchCount}×{space.GeneCount} on {space.ChipletCount} chiplets; best seed EDP {bestSeed:G5}; budget {Budget}");
        output.WriteLine($"reduction below the best seed, mean of seeds 1-5: ga {Gain(ga)}, sa {Gain(sa)}, random {Gain(random)}");
        output.WriteLine($"ga vs sa {1 - ga / sa:P2}, vs random {1 - ga / random:P2}");
        Assert.True(ga < sa, $"ga {ga:G6} vs sa {sa:G6}");
        Assert.True(ga < random, $"ga {ga:G6} vs random {random:G6}");
        Assert.True(1 - ga / bestSeed > 0.02, $"ga gained only {Gain(ga)} over its best seed");
    }

    [Fact]
    public void MemeticGaIsDeterministicAndEndsOnAnEvaluatedMapping()
    {
        var a = Run("ga", 7);
        var b = Run("ga", 7);
        Assert.Equal(a.Outcome.Best, b.Outcome.Best);
        Assert.Equal(a.Outcome.BestFitness, b.Outcome.BestFitness);
        Assert.Equal(a.Outcome.BestFitness.Objective, Problem.Value.Evaluate(a.Outcome.Best).Objective);
        Assert.True(a.Outcome.Statistics["localSearch.candidates"] > 0);
        Assert.True(a.Outcome.Statistics["localSearch.improvements"] > 0);
    }
}
