using Compass.Abstractions.Sampling;
using Compass.Abstractions.Mapping;
using Compass.Optimizers.Gemini;
using Compass.Optimizers.Nsga2;
using Compass.Optimizers.Operators;

namespace Compass.Optimizers.Tests;

public sealed class PriorWorkBaselineTests
{
    /// <summary>8 micro-batches × 15 genes (3 layers × 5 stages, a chain) on a heterogeneous 3 × 3 mesh.</summary>
    private static readonly ToyProblem Medium = ToyProblem.Create(8, 3, 5, 3, 3);

    /// <summary>Genes with no dependencies (like the attention heads of one layer), 12 of them on a 2 × 2 mesh.</summary>
    private static MappingSpace Independent(int genes = 12, int width = 2, int height = 2) =>
        new(1, [.. Enumerable.Range(0, genes).Select(g => new GeneInfo(g, $"h{g}", 0, NodeStage.AttentionScore, g, 0, [], 100))],
            width, height, new int[width * height], ["t"]);

    [Theory]
    [InlineData(0.0, 0.07)]
    [InlineData(0.25, 0.0175)]             // 0.07 · 0.75 / 3
    [InlineData(0.5, 0.007)]               // 0.07 · 0.5 / 5
    [InlineData(0.9, 0.07 * 0.1 / 8.2)]
    public void TemperatureFollowsGeminisSchedule(double x, double expected)
    {
        Assert.Equal(expected, GeminiOptimizer.Temperature(x), 12);
    }

    [Fact]
    public void AcceptanceIsGeminisRelativeMetropolisRule()
    {
        Assert.Equal(1.0, GeminiOptimizer.AcceptanceProbability(100, 100, 0.01));
        Assert.Equal(1.0, GeminiOptimizer.AcceptanceProbability(100, 90, 0.01));
        // 1 % worse at T = 0.01: exp(−0.01 / 0.01) = 1/e.
        Assert.Equal(Math.Exp(-1), GeminiOptimizer.AcceptanceProbability(100, 101, 0.01), 12);
        Assert.Equal(Math.Exp(-10), GeminiOptimizer.AcceptanceProbability(2, 2.2, 0.01), 9);
        Assert.Equal(0.0, GeminiOptimizer.AcceptanceProbability(100, 101, 0));
    }

    [Fact]
    public void SegmentationDpMatchesHandComputedCases()
    {
        // [4,1 | 1,4] with two chiplets and two micro-batches: (5 + 4) + (5 + 4) = 18; [4 | 1,1 | 4] costs 8 + 3 + 8 = 19.
        var (bits, cost) = SegmentationDp.Solve([4, 1, 1, 4], chiplets: 2, microBatches: 2);
        Assert.Equal(new byte[] { 0, 1, 0 }, bits);
        Assert.Equal(18, cost);
        // One micro-batch: every segmentation costs Σ w = 4; the fewest segments that fit two chiplets win.
        (bits, cost) = SegmentationDp.Solve([1, 1, 1, 1], chiplets: 2, microBatches: 1);
        Assert.Equal(new byte[] { 0, 1, 0 }, bits);
        Assert.Equal(4, cost);
        // Enough chiplets and three micro-batches: one segment, 4 + 2 · 1 = 6 (two segments would cost 8).
        (bits, cost) = SegmentationDp.Solve([1, 1, 1, 1], chiplets: 4, microBatches: 3);
        Assert.Equal(new byte[] { 0, 0, 0 }, bits);
        Assert.Equal(6, cost);
        // A boundary cost tips [1 | 9] (3 + 27 = 30) against [1, 9] (10 + 2 · 9 = 28) further.
        (_, cost) = SegmentationDp.Solve([1, 9], chiplets: 2, microBatches: 3, boundaryCost: 5);
        Assert.Equal(28, cost);
        Assert.Equal(6, SegmentationDp.SegmentCost([1, 2, 3], 1));
        Assert.Equal(12, SegmentationDp.SegmentCost([1, 2, 3], 3));
    }

    [Fact]
    public void SegmentationDpEqualsBruteForceOnRandomSmallCases()
    {
        var rng = new Xoshiro256StarStar(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = 1 + rng.NextInt(8);
            var work = Enumerable.Range(0, n).Select(_ => (double)(1 + rng.NextInt(20))).ToArray();
            var chiplets = 1 + rng.NextInt(4);
            var micro = 1 + rng.NextInt(4);
            var boundary = rng.NextInt(3);
            var (bits, cost) = SegmentationDp.Solve(work, chiplets, micro, boundary);
            var brute = double.PositiveInfinity;
            for (var mask = 0; mask < 1 << (n - 1); mask++)
                brute = Math.Min(brute, Cost(work, mask, chiplets, micro, boundary));
            Assert.Equal(brute, cost);
            var chosen = 0;
            for (var i = 0; i < bits.Length; i++) chosen |= bits[i] << i;
            Assert.Equal(cost, Cost(work, chosen, chiplets, micro, boundary));
        }

        static double Cost(double[] work, int mask, int chiplets, int micro, double boundary)
        {
            double total = 0;
            var start = 0;
            for (var i = 0; i < work.Length; i++)
            {
                if (i < work.Length - 1 && (mask >> i & 1) == 0) continue;
                if (i + 1 - start > chiplets) return double.PositiveInfinity;
                total += SegmentationDp.SegmentCost(work.AsSpan(start, i + 1 - start), micro) + (start > 0 ? boundary : 0);
                start = i + 1;
            }
            return total;
        }
    }

    [Fact]
    public void InitialPipelinePlacesEverySegmentOnDistinctChipletsAlongTheSnake()
    {
        var space = Medium.Space;
        var genome = GeminiOptimizer.InitialPipeline(space);
        Assert.Equal(1, genome.MicroBatchCount);
        Assert.Equal(new[] { 0, 1, 2, 5, 4, 3, 6, 7, 8 }, GeminiOptimizer.Snake(space));
        foreach (var (start, end) in genome.Segments())
        {
            Assert.True(end - start <= space.ChipletCount);
            Assert.Equal(end - start, genome.Assignment[start..end].Distinct().Count());
            for (var g = start + 1; g < end; g++) Assert.Equal(1, space.Distance(genome.Assignment[g - 1], genome.Assignment[g]));
        }
    }

    [Fact]
    public void EveryOperatorKeepsTheGenomeValidAndCoupled()
    {
        foreach (var space in new[] { Medium.Space, Independent(), Independent(20, 3, 3) })
        {
            var oneRow = GeminiOptimizer.OneRow(space);
            var full = new MappingSpace(8, space.Genes, space.MeshWidth, space.MeshHeight, space.ChipletTypeIndex, space.ChipletTypeNames);
            var tree = new LayerPipelineTree(oneRow);
            var rng = new Xoshiro256StarStar(11);
            var genome = GeminiOptimizer.InitialPipeline(space);
            var expanded = full.CreateGenome();
            var changedBy = new int[7];
            for (var step = 0; step < 4000; step++)
            {
                var op = rng.NextInt(7);
                var layer = rng.NextInt(genome.GeneCount);
                var before = genome.Clone();
                var changed = tree.Apply(op, genome, layer, rng);
                Assert.Equal(changed, !before.Equals(genome));
                if (changed) changedBy[op]++;
                Assert.True(oneRow.IsValid(genome, out var reason), reason);
                GeminiOptimizer.Expand(genome, expanded);
                Assert.True(full.IsValid(expanded, out reason), reason);
                Assert.True(expanded.IsCoupled());
                if (step % 500 == 499) MutationOperators.Randomize(genome, oneRow, rng);
            }
            // The batch operators have no move in this encoding; every other operator does move.
            Assert.Equal(0, changedBy[4]);
            Assert.Equal(0, changedBy[5]);
            Assert.All(new[] { 2, 3, 6 }, op => Assert.True(changedBy[op] > 0, $"operator {LayerPipelineTree.OperatorNames[op]} never moved"));
            if (space != Medium.Space) Assert.True(changedBy[0] > 0 && changedBy[1] > 0);
        }
    }

    [Fact]
    public void ChangeWithFrontRespectsDependenciesAndSwapsIndependentLayers()
    {
        // A chain: the nearest gene in front on another chiplet is always the producer, so Gemini's check refuses.
        var chain = GeminiOptimizer.OneRow(Medium.Space);
        var tree = new LayerPipelineTree(chain);
        var rng = new Xoshiro256StarStar(1);
        var g = chain.CreateGenome();
        for (var i = 0; i < g.GeneCount; i++) g.Assignment[i] = i % chain.ChipletCount;
        for (var layer = 0; layer < g.GeneCount; layer++)
        {
            Assert.False(tree.Apply(0, g, layer, rng));
            Assert.False(tree.Apply(1, g, layer, rng));
        }

        // Independent layers 0..3 on chiplets 0,1,2,3 in one segment: layer 2 changes places with layer 1.
        var heads = GeminiOptimizer.OneRow(Independent(4));
        var h = heads.CreateGenome();
        int[] place = [0, 1, 2, 3];
        place.CopyTo(h.Assignment, 0);
        Assert.True(new LayerPipelineTree(heads).Apply(0, h, 2, rng));
        Assert.Equal(new[] { 0, 2, 1, 3 }, h.Assignment);
    }

    [Fact]
    public void RootLevelOperatorsMergeAndJoinSegments()
    {
        var space = GeminiOptimizer.OneRow(Independent(4));
        var rng = new Xoshiro256StarStar(3);
        var tree = new LayerPipelineTree(space);
        // Four one-gene segments: each layer is a leaf under the root.
        var g = space.CreateGenome();
        g.Boundaries.AsSpan().Fill(1);
        Assert.Equal(LayerPipelineTree.ParentKind.Root, tree.ParentOf(g, 1));
        Assert.False(tree.Apply(2, g, 1, rng)); // no grandparent to merge into
        var changed = false;
        for (var k = 0; k < 50 && !changed; k++) changed = tree.Apply(3, g, 1, rng);
        Assert.True(changed, "add parent over a range of segments merges them");
        Assert.InRange(g.Segments().Count, 2, 3);

        // A leaf in a spatial cut: delete the parent, every child becomes a segment of its own.
        var s = space.CreateGenome();
        int[] spread = [0, 1, 2, 3];
        spread.CopyTo(s.Assignment, 0);
        Assert.Equal(LayerPipelineTree.ParentKind.Spatial, tree.ParentOf(s, 2));
        Assert.True(tree.Apply(2, s, 2, rng));
        Assert.Equal(new byte[] { 1, 1, 1 }, s.Boundaries);

        // A temporal cut (layers 0..2 share chiplet 0): deleting it spreads them over free chiplets (a spatial cut).
        var t = space.CreateGenome();
        int[] shared = [0, 0, 0, 3];
        shared.CopyTo(t.Assignment, 0);
        Assert.Equal(LayerPipelineTree.ParentKind.Temporal, tree.ParentOf(t, 1));
        Assert.True(tree.Apply(2, t, 1, rng));
        Assert.Equal(4, t.Assignment.Distinct().Count());
        Assert.Equal(0, t.Assignment[0]);
    }

    [Fact]
    public void GeminiSearchStaysCoupledImprovesOnItsStartAndNeverAppliesBatchOperators()
    {
        var context = new ToySearchContext(Medium, 600, 4);
        var outcome = OptimizerFactory.Run("gemini", context);
        Assert.True(outcome.Best.IsCoupled());
        Assert.Equal(600, context.EvaluationsDone);
        Assert.Equal(outcome.BestFitness, Medium.Evaluate(outcome.Best));
        Assert.True(outcome.BestFitness.Objective < context.History[0], "the annealing improves on the DP start");
        Assert.Equal(0, outcome.Statistics["operator.putBatchDown"]);
        Assert.Equal(0, outcome.Statistics["operator.putBatchUp"]);
        // Every round makes exactly one move (Gemini redraws layer and operator until one changes the mapping).
        var moves = LayerPipelineTree.OperatorNames.Sum(n => outcome.Statistics["operator." + n]);
        Assert.Equal(outcome.Statistics["rounds"], moves);
        Assert.Equal(0, outcome.Statistics["noMoveFound"]);
        var start = GeminiOptimizer.InitialPipeline(Medium.Space);
        var expanded = Medium.Space.CreateGenome();
        GeminiOptimizer.Expand(start, expanded);
        Assert.Equal(Medium.Evaluate(expanded).Objective, context.History[0]);
    }

    [Fact]
    public void MohamReturnsACoupledGenomeAndTheBestEdpPointOfItsFront()
    {
        var context = new ToySearchContext(Medium, 1200, 2, seeded: true);
        var outcome = OptimizerFactory.Run("moham", context);
        Assert.True(outcome.Best.IsCoupled());
        Assert.All(outcome.Best.Boundaries, b => Assert.Equal(0, b));
        Assert.NotEmpty(outcome.ParetoSet);
        var front = outcome.ParetoSet.Select(Medium.Evaluate).ToList();
        Assert.All(outcome.ParetoSet, g => Assert.True(g.IsCoupled()));
        foreach (var a in front)
            foreach (var b in front)
                Assert.False(Nsga2Optimizer.Dominates(a, b));
        Assert.Equal(front.Min(f => f.LatencyNs * f.EnergyPj), outcome.BestFitness.LatencyNs * outcome.BestFitness.EnergyPj);
        Assert.Equal(outcome.BestFitness, Medium.Evaluate(outcome.Best));
    }

    [Fact]
    public void MohamBreedingKeepsAssignmentsInRangeAndSegmentationEmpty()
    {
        var oneRow = GeminiOptimizer.OneRow(Medium.Space);
        var rng = new Xoshiro256StarStar(9);
        var a = oneRow.CreateGenome();
        var b = oneRow.CreateGenome();
        var child = oneRow.CreateGenome();
        for (var i = 0; i < 2000; i++)
        {
            MutationOperators.Randomize(a, oneRow, rng);
            MutationOperators.Randomize(b, oneRow, rng);
            MohamOptimizer.Breed(a, b, child, oneRow, new MohamOptions(), rng);
            Assert.True(oneRow.IsValid(child, out var reason), reason);
            Assert.All(child.Boundaries, x => Assert.Equal(0, x));
        }
    }
}
