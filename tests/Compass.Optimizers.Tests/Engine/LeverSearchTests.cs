using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Optimizers.Tests.Toy;
using Xunit.Abstractions;

namespace Compass.Optimizers.Tests.Engine;

/// <summary>
/// Issue 16 on the published 6 × 6 heterogeneous package with the real cost models (<see cref="HeteroFixture"/>): the
/// levers searched by every optimizer, and the region-partitioned mapping a hand would build for long prefills.
/// </summary>
public sealed class LeverSearchTests(ITestOutputHelper output)
{
    /// <summary>
    /// Four long prefills (2,048, 1,792, 1,536 and 1,280 tokens) and twelve decodes, prefill micro-batches of one request,
    /// decodes in micro-batches of four: long enough that running the prefills side by side beats pipelining them.
    /// </summary>
    private static ProblemDefinition LongPrefills()
    {
        var baseDefinition = HeteroFixture.Mixed(decodes: 12);
        var requests = new List<ScheduledRequest>
        {
            new(0, RequestPhase.Prefill, 2048, 0), new(1, RequestPhase.Prefill, 1792, 0),
            new(2, RequestPhase.Prefill, 1536, 0), new(3, RequestPhase.Prefill, 1280, 0),
        };
        for (var i = 0; i < 12; i++) requests.Add(new ScheduledRequest(4 + i, RequestPhase.Decode, 1, 200 + (i * 173 % 900)));
        return baseDefinition with
        {
            Graph = baseDefinition.Graph with { MicroBatchSize = 4, PrefillMicroBatchSize = 1 },
            Iterations = [new Iteration(0, requests)],
        };
    }

    /// <summary>
    /// The mapping a hand builds for long prefills: prefill p alone on quadrant p; inside a quadrant, shard s of every
    /// sharded stage (head group s of QKV and attention, output-projection shard s, FFN up / activation / down shard s) on
    /// the quadrant's cell s, so each shard's chain stays on one chiplet, and the residuals and norms on the centre cell;
    /// the three decode micro-batches on the quadrants of the shortest prefills (3, 2, 1), laid out the same way.
    /// </summary>
    private static Genome HandBuilt(MappingSpace space)
    {
        var genome = space.CreateGenome();
        for (var b = 0; b < space.MicroBatchCount; b++)
        {
            var quadrant = b < 4 ? b : 3 - ((b - 4) % 4);
            var (x0, y0) = (quadrant % 2 * 3, quadrant / 2 * 3);
            var row = genome.Row(b);
            for (var g = 0; g < row.Length; g++)
            {
                var gene = space.Genes[g];
                var cell = gene.Stage is NodeStage.Residual or NodeStage.Norm ? 4 : gene.Shard % 4;
                row[g] = (y0 + cell / 3) * space.MeshWidth + x0 + cell % 3;
            }
        }
        return genome;
    }

    [Fact]
    public void GaFindsARegionMappingAtLeastAsGoodAsEachPrefillOnItsOwnQuadrant()
    {
        var problem = ExplorationProblem.Create(LongPrefills(), CancellationToken.None);
        Assert.Equal(7, problem.Space.MicroBatchCount); // 4 prefills alone + 12 decodes in 3
        var hand = problem.Evaluate(HandBuilt(problem.Space));
        var bestHeuristic = problem.Heuristics.Standard().Min(h => problem.Evaluate(h.Genome).Objective);
        // The hand-built mapping is a genuinely good one: better than every standard heuristic (measured 12 % below the
        // best, micro-batch-parallel).
        Assert.True(hand.IsValid && hand.Objective < 0.95 * bestHeuristic, $"hand-built {hand.Objective:G6} vs best heuristic {bestHeuristic:G6}");
        var result = new SearchDriver(problem, new SearchDriverOptions { Budget = new SearchBudget(3000), Seed = 1, StartFromHeuristics = true })
            .Run(OptimizerFactory.Create("ga"), CancellationToken.None);
        var ga = result.Outcome.BestFitness;
        output.WriteLine($"hand-built quadrants EDP {hand.Objective:G5}, best heuristic {bestHeuristic:G5}, ga (3,000 evaluations, seed 1) {ga.Objective:G5}: {1 - ga.Objective / hand.Objective:P1} below the hand-built mapping");
        Assert.True(ga.IsValid);
        Assert.True(ga.Objective <= hand.Objective, $"ga {ga.Objective:G6} vs hand-built {hand.Objective:G6}");
        Assert.Equal(ga.Objective, problem.Evaluate(result.Outcome.Best).Objective);
    }

    [Theory]
    [InlineData("ga")]
    [InlineData("sa")]
    [InlineData("random")]
    [InlineData("nsga2")]
    public void EveryOptimizerSearchesTheLeversAndNoneEndsAboveThePlanSweep(string optimizer)
    {
        var definition = HeteroFixture.Mixed(decodes: 10) with
        {
            Levers = new LeverOptions { MicroBatchSizes = [1, 2, 4, 8], TensorParallel = [2, 4, 8] },
        };
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        var sweep = problem.PlanSweep();
        Assert.Equal(12, sweep.Count);
        var result = new SearchDriver(problem, new SearchDriverOptions { Budget = new SearchBudget(600), Seed = 3, StartFromHeuristics = true })
            .Run(OptimizerFactory.Create(optimizer), CancellationToken.None);
        var best = result.Outcome.BestFitness;
        output.WriteLine($"{optimizer}: plan sweep best {sweep[0].Plan} {sweep[0].Heuristic} EDP {sweep[0].Fitness.Objective:G5}; searched {problem.DescribePlan(result.Outcome.Best)} EDP {best.Objective:G5}");
        Assert.True(best.Objective <= sweep[0].Fitness.Objective);
        Assert.Equal(best.Objective, problem.Evaluate(result.Outcome.Best).Objective);

        // Unseeded, the optimizer still moves the levers: its evaluated genomes cover more than one plan.
        var plans = new HashSet<string>();
        var unseeded = new SearchDriver(problem, new SearchDriverOptions { Budget = new SearchBudget(200), Seed = 3, StartFromHeuristics = false })
            .Run(new PlanRecorder(OptimizerFactory.Create(optimizer), problem, plans), CancellationToken.None);
        Assert.True(unseeded.Outcome.BestFitness.IsValid);
        Assert.True(plans.Count > 1, $"{optimizer} evaluated only {string.Join(", ", plans)}");
    }

    [Theory]
    [InlineData("ga")]
    [InlineData("sa")]
    [InlineData("random")]
    [InlineData("nsga2")]
    public void EveryOptimizerSearchesTheLayerGroupDegreesAndThePlacement(string optimizer)
    {
        // Two decoder blocks, a degree per block and the DRAM placement: 3 × 3 × 2 = 18 plans.
        var baseDefinition = HeteroFixture.Mixed(decodes: 6);
        var definition = baseDefinition with
        {
            Model = baseDefinition.Model with { Layers = 2 },
            Graph = baseDefinition.Graph with { Layers = 2 },
            Levers = new LeverOptions { TensorParallel = [2, 4, 8], TensorParallelGroups = 2, Placements = [DramPlacement.Nearest, DramPlacement.Interleaved] },
        };
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        var sweep = problem.PlanSweep();
        Assert.Equal(18, sweep.Count);
        var result = new SearchDriver(problem, new SearchDriverOptions { Budget = new SearchBudget(300), Seed = 5, StartFromHeuristics = true })
            .Run(OptimizerFactory.Create(optimizer), CancellationToken.None);
        var best = result.Outcome.BestFitness;
        output.WriteLine($"{optimizer}: plan sweep best {sweep[0].Plan} EDP {sweep[0].Fitness.Objective:G5}; searched {problem.DescribePlan(result.Outcome.Best)} EDP {best.Objective:G5}");
        Assert.True(best.Objective <= sweep[0].Fitness.Objective);
        Assert.Equal(best.Objective, problem.Evaluate(result.Outcome.Best).Objective);

        // Unseeded, the optimizer moves each of the three levers: the evaluated plans differ in every one.
        var plans = new HashSet<string>();
        new SearchDriver(problem, new SearchDriverOptions { Budget = new SearchBudget(150), Seed = 5, StartFromHeuristics = false })
            .Run(new PlanRecorder(OptimizerFactory.Create(optimizer), problem, plans), CancellationToken.None);
        foreach (var part in new[] { "tensorParallel.group0=", "tensorParallel.group1=", "placement=" })
            Assert.True(plans.Select(p => p.Split(' ').Single(x => x.StartsWith(part, StringComparison.Ordinal))).Distinct().Count() > 1, $"{optimizer} never moved {part}: {string.Join(", ", plans)}");
    }

    /// <summary>Passes the search through, recording the plan of every genome the optimizer evaluates.</summary>
    private sealed class PlanRecorder(IOptimizer inner, ExplorationProblem problem, HashSet<string> plans) : IOptimizer
    {
        public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken) => inner.Run(new Recording(context, problem, plans), cancellationToken);

        private sealed class Recording(ISearchContext context, ExplorationProblem problem, HashSet<string> plans) : ISearchContext
        {
            public MappingSpace Space => context.Space;
            public SearchBudget Budget => context.Budget;
            public int Seed => context.Seed;
            public IReadOnlyList<NamedGenome> StartingPoints => context.StartingPoints;
            public IHeuristicMappings Heuristics => context.Heuristics;
            public int EvaluationsDone => context.EvaluationsDone;
            public int EvaluationsLeft => context.EvaluationsLeft;
            public bool ShouldStop => context.ShouldStop;
            public Microsoft.Extensions.Logging.ILogger Logger => context.Logger;
            public void ReportProgress(string phase) => context.ReportProgress(phase);

            public int Evaluate(IReadOnlyList<Genome> genomes, Span<Abstractions.Evaluation.Fitness> results)
            {
                foreach (var g in genomes) plans.Add(problem.DescribePlan(g));
                return context.Evaluate(genomes, results);
            }
        }
    }
}
