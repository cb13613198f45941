using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Optimizers.Exhaustive;
using Compass.Optimizers.Nsga2;

namespace Compass.Optimizers.Tests;

public sealed class OptimizerTests
{
    /// <summary>2 micro-batches × 4 genes × 3 chiplets: 2^3 segmentations × 3^8 assignments = 52,488 genomes.</summary>
    private static readonly ToyProblem Small = ToyProblem.Create(2, 1, 4, 3, 1);

    /// <summary>8 micro-batches × 15 genes (3 layers × 5 stages) on a heterogeneous 3 × 3 mesh.</summary>
    private static readonly ToyProblem Medium = ToyProblem.Create(8, 3, 5, 3, 3);

    private static readonly Lazy<double> SmallOptimum = new(() =>
        OptimizerFactory.Run("exhaustive", new ToySearchContext(Small, 100_000, 1)).BestFitness.Objective);

    public static TheoryData<string> Iterative() => ["ga", "random", "sa", "coupled-sa", "nsga2", "gemini", "moham"];

    public static TheoryData<string> All() => ["ga", "random", "sa", "coupled-sa", "nsga2", "gemini", "moham", "baseline", "exhaustive"];

    [Fact]
    public void PluginRegistersEveryOptimizer()
    {
        Assert.Equal(["baseline", "coupled-sa", "exhaustive", "ga", "gemini", "moham", "nsga2", "random", "sa"], OptimizerFactory.Factories.Select(f => f.Name).Order());
        Assert.Equal("optimizers", new OptimizersPlugin().Name);
        Assert.All(OptimizerFactory.Factories, f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void SameSeedGivesTheSameOutcomeBitForBit(string name)
    {
        var problem = name == "exhaustive" ? ToyProblem.Create(1, 1, 3, 2, 1) : Medium;
        var a = new ToySearchContext(problem, 800, 7, seeded: true);
        var b = new ToySearchContext(problem, 800, 7, seeded: true);
        var ra = OptimizerFactory.Run(name, a);
        var rb = OptimizerFactory.Run(name, b);
        Assert.Equal(ra.Best, rb.Best);
        Assert.Equal(ra.BestFitness, rb.BestFitness);
        Assert.Equal(a.History, b.History);
        Assert.Equal(ra.Statistics.OrderBy(kv => kv.Key), rb.Statistics.OrderBy(kv => kv.Key));
        Assert.Equal(ra.ParetoSet.Count, rb.ParetoSet.Count);
    }

    [Theory]
    [MemberData(nameof(Iterative))]
    public void DifferentSeedsExploreDifferently(string name)
    {
        var histories = new List<List<double>>();
        var bests = new HashSet<ulong>();
        for (var seed = 1; seed <= 3; seed++)
        {
            var context = new ToySearchContext(Medium, 600, seed);
            bests.Add(OptimizerFactory.Run(name, context).Best.ContentHash());
            histories.Add(context.History);
        }
        Assert.NotEqual(histories[0], histories[1]);
        Assert.NotEqual(histories[1], histories[2]);
        Assert.True(bests.Count >= 2, $"{name}: every seed returned the same best genome");
    }

    [Theory]
    [MemberData(nameof(Iterative))]
    public void BudgetIsSpentExactlyAndNeverExceeded(string name)
    {
        var context = new ToySearchContext(Medium, 500, 3, seeded: true);
        var outcome = OptimizerFactory.Run(name, context);
        Assert.Equal(500, context.EvaluationsDone);
        Assert.Equal(0, context.CallsAfterBudget);
        Assert.Equal(context.History.Min(), outcome.BestFitness.Objective);
        Assert.Equal(outcome.BestFitness, Medium.Evaluate(outcome.Best));
        Assert.NotEmpty(context.Progress);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void CancellationStopsTheRunAndReturnsTheBestSoFar(string name)
    {
        var problem = name == "exhaustive" ? ToyProblem.Create(2, 1, 4, 2, 1) : Medium; // 2^3 × 2^8 = 2,048 genomes
        var context = new ToySearchContext(problem, 100_000, 5, seeded: true) { CancelAfter = name == "baseline" ? 1 : 120 };
        var outcome = OptimizerFactory.Create(name).Run(context, context.Cancellation.Token);
        Assert.True(context.EvaluationsDone < 400, $"{name} went on for {context.EvaluationsDone} evaluations after cancellation");
        Assert.True(outcome.BestFitness.IsValid);
        Assert.Equal(context.History.Min(), outcome.BestFitness.Objective);
        Assert.Equal(1, outcome.Statistics["cancelled"]);
    }

    [Fact]
    public void ExhaustiveFindsTheTrueOptimum()
    {
        // 1 micro-batch × 3 genes × 2 chiplets: 2^2 segmentations × 2^3 assignments = 32 genomes, enumerated here too.
        var problem = ToyProblem.Create(1, 1, 3, 2, 1);
        var context = new ToySearchContext(problem, 1000, 1);
        var outcome = OptimizerFactory.Run("exhaustive", context);
        var best = double.PositiveInfinity;
        for (var bits = 0; bits < 4; bits++)
            for (var a = 0; a < 8; a++)
            {
                var g = new Genome(1, 3, [(byte)(bits & 1), (byte)(bits >> 1)], [a & 1, (a >> 1) & 1, a >> 2]);
                best = Math.Min(best, problem.Evaluate(g).Objective);
            }
        Assert.Equal(32, context.EvaluationsDone);
        Assert.Equal(32, outcome.Statistics["enumerated"]);
        Assert.Equal(1, outcome.Statistics["complete"]);
        Assert.Equal(best, outcome.BestFitness.Objective);
        Assert.Equal(32, ExhaustiveSearch.SpaceSize(problem.Space));
    }

    [Fact]
    public void ExhaustiveRefusesSpacesAboveTheLimitNamingTheOption()
    {
        var context = new ToySearchContext(Medium, 1000, 1);
        var error = Assert.Throws<CompassInputException>(() => OptimizerFactory.Run("exhaustive", context));
        Assert.Equal("optimizer.options.maxSpaceSize", error.Field);
        Assert.Contains("2^14 segmentations × 9^120 assignments", error.Message);
        Assert.Equal(0, context.EvaluationsDone);
        var small = new ToySearchContext(Small, 100_000, 1);
        Assert.Throws<CompassInputException>(() => OptimizerFactory.Run("exhaustive", small, ("maxSpaceSize", "50000")));
    }

    [Fact]
    public void GaFindsTheOptimumOfASmallSpaceInFivePercentOfItsEvaluations()
    {
        // Space: 2 micro-batches × 4 genes × 3 chiplets = 2^3 × 3^8 = 52,488 genomes; 5 % = 2,624 evaluations.
        const int budget = 2_624;
        Assert.Equal(52_488, ExhaustiveSearch.SpaceSize(Small.Space));
        var optimum = SmallOptimum.Value;
        for (var seed = 1; seed <= 5; seed++)
        {
            var context = new ToySearchContext(Small, budget, seed);
            var outcome = OptimizerFactory.Run("ga", context);
            Assert.True(outcome.BestFitness.Objective <= optimum * 1.01, $"seed {seed}: {outcome.BestFitness.Objective / optimum - 1:P2} above the optimum");
            Assert.InRange(context.EvaluationsToReach(optimum, 0.01), 1, budget);
        }
    }

    [Fact]
    public void GaNeverEndsWorseThanItsBestSeedAndImprovesOnIt()
    {
        var gains = new List<double>();
        for (var seed = 1; seed <= 3; seed++)
        {
            var context = new ToySearchContext(Medium, 2000, seed, seeded: true);
            var bestSeed = context.StartingPoints.Min(s => Medium.Evaluate(s.Genome).Objective);
            var outcome = OptimizerFactory.Run("ga", context);
            Assert.True(outcome.BestFitness.Objective <= bestSeed);
            gains.Add(1 - outcome.BestFitness.Objective / bestSeed);
        }
        Assert.True(gains.Average() > 0.10, $"mean gain over the best seed only {gains.Average():P1}");
    }

    [Fact]
    public void GaBeatsRandomAndThePublishedGaOnTheMeanOverFiveSeeds()
    {
        double Mean(string name, params (string, string)[] options) =>
            Enumerable.Range(1, 5).Average(seed => OptimizerFactory.Run(name, new ToySearchContext(Medium, 2000, seed, seeded: true), options).BestFitness.Objective);
        var ga = Mean("ga");
        Assert.True(ga < Mean("random"), "ga vs random");
        Assert.True(ga < Mean("ga", ("operators", "published")), "structured vs published operators");
    }

    [Fact]
    public void Nsga2FrontIsMutuallyNonDominatedAndBestIsItsLowestEdp()
    {
        var context = new ToySearchContext(Medium, 1500, 2, seeded: true);
        var outcome = OptimizerFactory.Run("nsga2", context);
        var front = outcome.ParetoSet.Select(Medium.Evaluate).ToList();
        Assert.NotEmpty(front);
        Assert.Equal(outcome.ParetoSet.Count, outcome.ParetoSet.Select(g => g.ContentHash()).Distinct().Count());
        foreach (var a in front)
            foreach (var b in front)
                Assert.False(Nsga2Optimizer.Dominates(a, b));
        Assert.Equal(front.Min(f => f.LatencyNs * f.EnergyPj), outcome.BestFitness.LatencyNs * outcome.BestFitness.EnergyPj);
        Assert.Equal(outcome.BestFitness, Medium.Evaluate(outcome.Best));
        Assert.Equal(front.Count, outcome.Statistics["frontSize"]);
    }

    [Fact]
    public void DominanceTreatsInvalidAsWorst()
    {
        var a = new Fitness(1, 2, 2, true);
        var b = new Fitness(1, 3, 3, true);
        Assert.True(Nsga2Optimizer.Dominates(a, b));
        Assert.False(Nsga2Optimizer.Dominates(b, a));
        Assert.False(Nsga2Optimizer.Dominates(a, a));
        Assert.False(Nsga2Optimizer.Dominates(new Fitness(2, 1, 2, true), a));
        Assert.True(Nsga2Optimizer.Dominates(b, Fitness.Invalid));
        Assert.False(Nsga2Optimizer.Dominates(Fitness.Invalid, b));
    }

    [Fact]
    public void BaselineEvaluatesEachHeuristicOnceAndNamesTheWinner()
    {
        var context = new ToySearchContext(Medium, 1000, 1, seeded: true);
        var outcome = OptimizerFactory.Run("baseline", context);
        var winner = Assert.Single(outcome.Statistics.Keys, k => k.StartsWith("winner.", StringComparison.Ordinal));
        var objectives = outcome.Statistics.Where(kv => kv.Key.StartsWith("objective.", StringComparison.Ordinal)).ToList();
        Assert.Equal(context.EvaluationsDone, objectives.Count);
        Assert.Equal(outcome.Statistics["candidates"], objectives.Count);
        Assert.Equal(objectives.Min(kv => kv.Value), outcome.BestFitness.Objective);
        Assert.Equal(outcome.BestFitness.Objective, outcome.Statistics["objective." + winner["winner.".Length..]]);
        Assert.Contains("objective.pipeline-9", outcome.Statistics.Keys);
        Assert.Contains("objective.micro-batch-parallel", outcome.Statistics.Keys);
        Assert.Contains("objective.pipeline-2x-tensor-4", outcome.Statistics.Keys);
    }

    [Fact]
    public void CoupledSaKeepsEveryMicroBatchIdentical()
    {
        var context = new ToySearchContext(Medium, 800, 4, seeded: true);
        var outcome = OptimizerFactory.Run("coupled-sa", context);
        Assert.True(outcome.Best.IsCoupled());
        var unseeded = new ToySearchContext(Medium, 300, 4);
        Assert.True(OptimizerFactory.Run("coupled-sa", unseeded).Best.IsCoupled());
    }

    [Fact]
    public void PublishedOperatorSetNeverFiresStructureAwareOperators()
    {
        var outcome = OptimizerFactory.Run("ga", new ToySearchContext(Medium, 1000, 1), ("operators", "published"));
        Assert.Equal(0, outcome.Statistics["operator.moveLayerGroup"]);
        Assert.Equal(0, outcome.Statistics["operator.balanceSharedWeights"]);
        Assert.Equal(0, outcome.Statistics["operator.consumerNearProducer"]);
        Assert.Equal(0, outcome.Statistics["operator.swapBusiestIdlest"]);
        Assert.Equal(0, outcome.Statistics["operator.reassignGeneColumn"]);
        Assert.Equal(0, outcome.Statistics["operator.swapGeneColumns"]);
        Assert.Equal(0, outcome.Statistics["cacheHits"]);
        Assert.True(outcome.Statistics["operator.remapSegment"] > 0);
        var structured = OptimizerFactory.Run("ga", new ToySearchContext(Medium, 1000, 1));
        Assert.True(structured.Statistics["operator.moveLayerGroup"] > 0);
    }

    [Theory]
    [InlineData("ga", "populationSize", "1", "optimizer.options.populationSize")]
    [InlineData("ga", "elitism", "50", "optimizer.options.elitism")]
    [InlineData("ga", "populaton", "10", "optimizer.options.populaton")]
    [InlineData("ga", "operators", "fancy", "optimizer.options.operators")]
    [InlineData("ga", "moveLayerGroupProbability", "1.5", "optimizer.options.moveLayerGroupProbability")]
    [InlineData("ga", "mappingMutation:reassign:0", "0.1", "optimizer.options.mappingMutation.reassign")]
    [InlineData("ga", "replacement", "steady", "optimizer.options.replacement")]
    [InlineData("ga", "seedVariantFraction", "2", "optimizer.options.seedVariantFraction")]
    [InlineData("sa", "cooling", "cubic", "optimizer.options.cooling")]
    [InlineData("sa", "coolingFactor", "1", "optimizer.options.coolingFactor")]
    [InlineData("nsga2", "generations", "0", "optimizer.options.generations")]
    [InlineData("random", "batchSize", "x", "optimizer.options.batchSize")]
    [InlineData("exhaustive", "maxSpaceSize", "-1", "optimizer.options.maxSpaceSize")]
    [InlineData("baseline", "maxGridDegree", "-2", "optimizer.options.maxGridDegree")]
    public void BadOptionsFailAtCreationNamingTheField(string optimizer, string key, string value, string field)
    {
        var error = Assert.Throws<CompassInputException>(() => OptimizerFactory.Create(optimizer, (key, value)));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void OptionsOverrideTheirPublishedDefaults()
    {
        var context = new ToySearchContext(Medium, 10_000, 1);
        var outcome = OptimizerFactory.Run("ga", context, ("populationSize", "10"), ("generations", "3"), ("elitism", "2"), ("deduplicate", "false"), ("replacement", "generational"), ("localSearchFraction", "0"));
        Assert.Equal(10 + 3 * 8, context.EvaluationsDone);
        Assert.Equal(3, outcome.Statistics["generations"]);
    }

    [Fact]
    public void MemeticStepSpendsItsShareOfTheBudgetThroughTheSameEvaluator()
    {
        // 8 children per generation and localSearchFraction 0.5: the hill climb gets 8 candidates per generation (one
        // batch of 8), so 3 generations cost 10 + 3 × (8 + 8) evaluations, every one counted.
        var context = new ToySearchContext(Medium, 10_000, 1);
        var outcome = OptimizerFactory.Run("ga", context, ("populationSize", "10"), ("generations", "3"), ("elitism", "2"), ("deduplicate", "false"),
            ("localSearchFraction", "0.5"), ("localSearchBatch", "8"), ("localSearchPatience", "100"));
        Assert.Equal(10 + 3 * (8 + 8), context.EvaluationsDone);
        Assert.Equal(3 * 8, outcome.Statistics["localSearch.candidates"]);
        Assert.Equal(context.EvaluationsDone, outcome.Statistics["evaluated"]);
    }
}
