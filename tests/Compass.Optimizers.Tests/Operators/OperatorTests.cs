using Compass.Abstractions.Sampling;
using Compass.Abstractions.Mapping;
using Compass.Optimizers.Operators;
using FsCheck;
using FsCheck.Fluent;

namespace Compass.Optimizers.Tests;

public sealed class OperatorTests
{
    /// <summary>A random space shape, a genome seed and an operator seed.</summary>
    public sealed record Case(int MicroBatches, int Layers, int Stages, int Width, int Height, int Seed);

    private static readonly Gen<Case> Cases =
        from b in Gen.Choose(1, 6)
        from l in Gen.Choose(1, 3)
        from s in Gen.Choose(1, 5)
        from w in Gen.Choose(1, 4)
        from h in Gen.Choose(1, 3)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        select new Case(b, l, s, w, h, seed);

    public static TheoryData<string> OperatorNames() => [.. GenomeVariation.OperatorNames, "crossover", "ga-mutate", "sa-move"];

    [Theory]
    [MemberData(nameof(OperatorNames))]
    public void EveryOperatorKeepsGenomesValid(string name)
    {
        var property = Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var problem = ToyProblem.Create(c.MicroBatches, c.Layers, c.Stages, c.Width, c.Height);
            var toy = problem.Space;
            // With levers, so the lever and region operators act (the toy's evaluation ignores them).
            var space = new MappingSpace(toy.MicroBatchCount, toy.Genes, toy.MeshWidth, toy.MeshHeight, toy.ChipletTypeIndex, toy.ChipletTypeNames,
                [new LeverInfo("graph.microBatchSize", LeverKind.MicroBatchSize, [1, 2, 4]), new LeverInfo("graph.tensorParallel", LeverKind.TensorParallel, [2, 4, 8], 1)]);
            var rng = new Xoshiro256StarStar(c.Seed);
            var genome = space.CreateGenome();
            MutationOperators.Randomize(genome, space, rng);
            var other = space.CreateGenome();
            MutationOperators.Randomize(other, space, rng);
            var scratch = new OperatorScratch(space);
            var variation = new GenomeVariation(new VariationOptions(), space);
            for (var step = 0; step < 25; step++)
            {
                Apply(name, genome, other, space, rng, scratch, variation, step / 25.0);
                if (!space.IsValid(genome, out var reason)) return false.Label($"{name} step {step}: {reason}");
            }
            return true.Label("valid");
        });
        PropertySeed.Check(property, 150);
    }

    private static void Apply(string name, Genome g, Genome other, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch, GenomeVariation variation, double progress)
    {
        switch (name)
        {
            case "boundaryFlip": MutationOperators.FlipBoundaryBits(g, 0.3, rng); break;
            case "boundaryShift": MutationOperators.ShiftBoundaries(g, 0.5, rng); MutationOperators.FlipOneBoundaryBit(g, rng); MutationOperators.ShiftOneBoundary(g, rng); break;
            case "reassign": MutationOperators.ReassignOne(g, space, rng); break;
            case "swapAdjacentGenes": MutationOperators.SwapAdjacentGenes(g, rng); break;
            case "swapMicroBatchesOnGene": MutationOperators.SwapMicroBatchesOnGene(g, rng); break;
            case "shuffleSegment": MutationOperators.ShuffleSegment(g, rng, scratch); break;
            case "remapSegment": MutationOperators.RemapSegment(g, space, rng, scratch); break;
            case "swapSegments": MutationOperators.SwapSegments(g, rng, scratch); break;
            case "swapMicroBatchRows": MutationOperators.SwapMicroBatchRows(g, rng); break;
            case "moveLayerGroup": MutationOperators.MoveLayerGroup(g, space, rng, scratch); break;
            case "balanceSharedWeights": MutationOperators.BalanceSharedWeights(g, space, rng, scratch); break;
            case "consumerNearProducer": MutationOperators.PlaceConsumerNearProducer(g, space, rng); break;
            case "swapBusiestIdlest": MutationOperators.SwapBusiestIdlest(g, space, rng, scratch); break;
            case "reassignGeneColumn": MutationOperators.ReassignGeneColumn(g, space, rng, scratch); break;
            case "swapGeneColumns": MutationOperators.SwapGeneColumns(g, rng, scratch); break;
            case "stepLever": StructureOperators.StepLever(g, space, rng); break;
            case "assignGroupToRegion": StructureOperators.AssignGroupToRegion(g, space, rng, scratch); break;
            case "swapRegions": StructureOperators.SwapRegions(g, space, rng, scratch); break;
            case "crossover":
                var child = space.CreateGenome();
                Crossover.Apply(g, other, child, rng, scratch);
                g.CopyFrom(child);
                MutationOperators.FlipOneBoundaryBit(other, rng);
                break;
            case "ga-mutate": variation.Mutate(g, progress, rng); break;
            case "sa-move": variation.ApplyOneMove(g, progress, rng); break;
            default: throw new ArgumentException(name);
        }
    }

    [Fact]
    public void MergingAndSplittingMicroBatchesRepairsTheRows()
    {
        var toy = ToyProblem.Create(4, 1, 2, 3, 1).Space;
        var space = new MappingSpace(4, toy.Genes, 3, 1, toy.ChipletTypeIndex, toy.ChipletTypeNames, [new LeverInfo("graph.microBatchSize", LeverKind.MicroBatchSize, [1, 2])]);
        var g = new Genome(4, 2, new byte[1], [0, 0, 1, 1, 2, 2, 0, 1], [0]);
        // Merge (1 → 2): the new micro-batch b holds old micro-batches 2b and 2b + 1 and keeps 2b's placement.
        Assert.True(StructureOperators.StepLever(g, space, new Xoshiro256StarStar(3)));
        Assert.Equal([1], g.Levers);
        Assert.Equal([0, 0, 2, 2, 2, 2, 0, 1], g.Assignment);
        // Split (2 → 1): both halves of micro-batch b take its placement.
        Assert.True(StructureOperators.StepLever(g, space, new Xoshiro256StarStar(3)));
        Assert.Equal([0], g.Levers);
        Assert.Equal([0, 0, 0, 0, 2, 2, 2, 2], g.Assignment);
    }

    [Fact]
    public void AGroupAssignedToARegionRunsOnlyThereAndKeepsItsStructure()
    {
        var toy = ToyProblem.Create(6, 2, 3, 4, 4).Space;
        var rng = new Xoshiro256StarStar(11);
        var scratch = new OperatorScratch(toy);
        for (var trial = 0; trial < 200; trial++)
        {
            var g = toy.CreateGenome();
            MutationOperators.Randomize(g, toy, rng);
            var before = g.Clone();
            if (!StructureOperators.AssignGroupToRegion(g, toy, rng, scratch)) continue;
            var changedRows = Enumerable.Range(0, 6).Where(b => !g.Row(b).SequenceEqual(before.Row(b))).ToArray();
            Assert.NotEmpty(changedRows);
            // Changed rows are identical (one placement for the group) and contiguous.
            foreach (var b in changedRows) Assert.True(g.Row(b).SequenceEqual(g.Row(changedRows[0])));
            Assert.Equal(changedRows.Length, changedRows[^1] - changedRows[0] + 1);
            // Genes that shared a chiplet in the source row still share one: the structure moved as a whole.
            var row = g.Row(changedRows[0]).ToArray();
            Assert.True(toy.IsValid(g, out _));
            Assert.Contains(Enumerable.Range(0, 6), s =>
            {
                var source = before.Row(s).ToArray();
                for (var a = 0; a < source.Length; a++)
                    for (var b = 0; b < source.Length; b++)
                        if (source[a] == source[b] && row[a] != row[b]) return false;
                return true;
            });
        }
    }

    [Fact]
    public void SwappingTwoRegionsIsAnInvolutionOnTheChipletIds()
    {
        var toy = ToyProblem.Create(3, 1, 4, 4, 4).Space;
        var scratch = new OperatorScratch(toy);
        var g = toy.CreateGenome();
        MutationOperators.Randomize(g, toy, new Xoshiro256StarStar(5));
        var before = g.Clone();
        var changed = StructureOperators.SwapRegions(g, toy, new Xoshiro256StarStar(9), scratch);
        Assert.True(toy.IsValid(g, out _));
        Assert.Equal(before.Assignment.Order(), g.Assignment.Select(c => scratch.ChipletMap[c]).Order());
        var again = g.Clone();
        for (var i = 0; i < again.Assignment.Length; i++) again.Assignment[i] = scratch.ChipletMap[again.Assignment[i]];
        Assert.Equal(before.Assignment, again.Assignment);
        Assert.Equal(changed, !before.Equals(g));
    }

    [Fact]
    public void XoshiroMatchesReferenceSequence()
    {
        // Reference values from an independent Python transcription of xoshiro256** with SplitMix64 seeding.
        var a = new Xoshiro256StarStar(42);
        Assert.Equal(0x15780b2e0c2ec716UL, a.NextUInt64());
        Assert.Equal(0x6104d9866d113a7eUL, a.NextUInt64());
        Assert.Equal(0xae17533239e499a1UL, a.NextUInt64());
        var b = new Xoshiro256StarStar(-1, 7);
        Assert.Equal(0x195cf692b54fccafUL, b.NextUInt64());
    }

    [Fact]
    public void NextIntIsInRangeAndRoughlyUniform()
    {
        var rng = new Xoshiro256StarStar(7);
        var counts = new int[6];
        for (var i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        foreach (var c in counts) Assert.InRange(c, 9_500, 10_500); // 10,000 expected, σ ≈ 91
    }

    [Fact]
    public void SwapMicroBatchRowsExchangesWholeRows()
    {
        var space = ToyProblem.Create(2, 1, 4, 3, 1).Space;
        var g = new Genome(2, 4, new byte[3], [0, 1, 2, 0, 2, 2, 1, 1]);
        Assert.True(MutationOperators.SwapMicroBatchRows(g, new Xoshiro256StarStar(1)));
        Assert.Equal([2, 2, 1, 1, 0, 1, 2, 0], g.Assignment);
        Assert.True(space.IsValid(g, out _));
    }

    [Fact]
    public void ShiftBoundariesKeepsTheNumberOfSegments()
    {
        var rng = new Xoshiro256StarStar(3);
        var g = new Genome(1, 12, [1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0], new int[12]);
        for (var i = 0; i < 200; i++)
        {
            MutationOperators.ShiftBoundaries(g, 0.5, rng);
            Assert.Equal(4, g.Boundaries.Sum(x => x));
        }
    }

    [Fact]
    public void ShuffleSegmentPermutesOneRowInsideOneSegment()
    {
        var rng = new Xoshiro256StarStar(5);
        var scratch = new OperatorScratch(ToyProblem.Create(2, 2, 4, 4, 2).Space);
        var original = new Genome(2, 8, [0, 0, 0, 1, 0, 0, 0], [0, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1, 0]);
        for (var trial = 0; trial < 50; trial++)
        {
            var g = original.Clone();
            MutationOperators.ShuffleSegment(g, rng, scratch);
            var changedRows = Enumerable.Range(0, 2).Where(b => !g.Row(b).SequenceEqual(original.Row(b))).ToList();
            Assert.True(changedRows.Count <= 1);
            foreach (var b in changedRows)
            {
                var before = original.Row(b).ToArray();
                var after = g.Row(b).ToArray();
                var touched = Enumerable.Range(0, 8).Where(i => before[i] != after[i]).ToList();
                Assert.True(touched.All(i => i < 4) || touched.All(i => i >= 4));
                Assert.Equal(before.Order(), after.Order());
            }
        }
    }

    [Fact]
    public void SegmentWiseCrossoverCopiesWholeColumnsAlongParentOneSegments()
    {
        var space = ToyProblem.Create(3, 2, 3, 3, 2).Space;
        var rng = new Xoshiro256StarStar(11);
        var scratch = new OperatorScratch(space);
        var p1 = new Genome(3, 6, [0, 1, 0, 1, 0], Enumerable.Repeat(0, 18).ToArray());
        var p2 = new Genome(3, 6, [1, 1, 1, 1, 1], Enumerable.Repeat(5, 18).ToArray());
        var sawBoth = new HashSet<int>();
        for (var trial = 0; trial < 40; trial++)
        {
            var child = space.CreateGenome();
            Crossover.Apply(p1, p2, child, rng, scratch);
            foreach (var (start, end) in p1.Segments())
            {
                var value = child[0, start];
                sawBoth.Add(value);
                for (var b = 0; b < 3; b++)
                    for (var gene = start; gene < end; gene++) Assert.Equal(value, child[b, gene]);
            }
            for (var i = 0; i < 5; i++) Assert.True(child.Boundaries[i] == p1.Boundaries[i] || child.Boundaries[i] == p2.Boundaries[i]);
        }
        Assert.Equal([0, 5], sawBoth.Order());
    }

    [Fact]
    public void MoveLayerGroupChangesOnlyOneLayer()
    {
        var space = ToyProblem.Create(4, 3, 5, 3, 3).Space;
        var rng = new Xoshiro256StarStar(17);
        var scratch = new OperatorScratch(space);
        for (var trial = 0; trial < 100; trial++)
        {
            var g = space.CreateGenome();
            MutationOperators.Randomize(g, space, rng);
            var before = g.Clone();
            MutationOperators.MoveLayerGroup(g, space, rng, scratch);
            var layers = Enumerable.Range(0, g.Assignment.Length).Where(i => g.Assignment[i] != before.Assignment[i]).Select(i => space.Genes[i % space.GeneCount].Layer).Distinct();
            Assert.True(layers.Count() <= 1);
            // The group keeps its internal layout: entries equal before stay equal after.
            for (var i = 0; i < g.Assignment.Length; i++)
                for (var j = 0; j < g.Assignment.Length; j++)
                    if (before.Assignment[i] == before.Assignment[j] && g.Assignment[i] != before.Assignment[i] && g.Assignment[j] != before.Assignment[j])
                        Assert.Equal(g.Assignment[i], g.Assignment[j]);
        }
    }

    [Fact]
    public void BalanceSharedWeightsSpreadsOneGeneEvenlyOverItsHolders()
    {
        var space = ToyProblem.Create(8, 1, 5, 3, 3).Space;
        var rng = new Xoshiro256StarStar(19);
        var scratch = new OperatorScratch(space);
        for (var trial = 0; trial < 100; trial++)
        {
            var g = space.CreateGenome();
            MutationOperators.Randomize(g, space, rng);
            var before = g.Clone();
            if (!MutationOperators.BalanceSharedWeights(g, space, rng, scratch)) continue;
            var changedGenes = Enumerable.Range(0, g.Assignment.Length).Where(i => g.Assignment[i] != before.Assignment[i]).Select(i => i % space.GeneCount).Distinct().ToList();
            var gene = Assert.Single(changedGenes);
            var column = Enumerable.Range(0, 8).Select(b => g[b, gene]).ToList();
            var counts = column.GroupBy(c => c).Select(x => x.Count()).ToList();
            Assert.True(counts.Max() - counts.Min() <= 1);
            // Contiguous blocks: each chiplet serves consecutive micro-batches.
            Assert.Equal(counts.Count, column.Zip(column.Skip(1)).Count(p => p.First != p.Second) + 1);
            Assert.Equal(space.ChipletCount, scratch.ChipletCounts.Length);
            Assert.All(scratch.ChipletCounts, c => Assert.Equal(0, c));
        }
    }

    [Fact]
    public void PlaceConsumerNearProducerLandsWithinOneHop()
    {
        var space = ToyProblem.Create(4, 2, 5, 4, 3).Space;
        var rng = new Xoshiro256StarStar(23);
        for (var trial = 0; trial < 200; trial++)
        {
            var g = space.CreateGenome();
            MutationOperators.Randomize(g, space, rng);
            var before = g.Clone();
            MutationOperators.PlaceConsumerNearProducer(g, space, rng);
            for (var i = 0; i < g.Assignment.Length; i++)
            {
                if (g.Assignment[i] == before.Assignment[i]) continue;
                var (b, gene) = (i / space.GeneCount, i % space.GeneCount);
                Assert.Contains(space.Genes[gene].Predecessors, p => space.Distance(g[b, p], g[b, gene]) <= 1);
            }
        }
    }

    [Fact]
    public void SwapBusiestIdlestNeverRaisesTheMaximumLoad()
    {
        var space = ToyProblem.Create(6, 2, 5, 3, 2).Space;
        var rng = new Xoshiro256StarStar(29);
        var scratch = new OperatorScratch(space);
        double MaxLoad(Genome g)
        {
            var load = new double[space.ChipletCount];
            for (var i = 0; i < g.Assignment.Length; i++) load[g.Assignment[i]] += space.Genes[i % space.GeneCount].AverageMacs;
            return load.Max();
        }
        var lowered = 0;
        for (var trial = 0; trial < 200; trial++)
        {
            var g = space.CreateGenome();
            MutationOperators.Randomize(g, space, rng);
            var before = MaxLoad(g);
            MutationOperators.SwapBusiestIdlest(g, space, rng, scratch);
            Assert.True(MaxLoad(g) <= before + 1e-9);
            if (MaxLoad(g) < before - 1e-9) lowered++;
        }
        Assert.True(lowered > 50, $"lowered the peak only {lowered} times of 200");
    }

    [Fact]
    public void PublishedPhaseScheduleMatchesTheTable()
    {
        var v = new GenomeVariation(VariationOptions.Published, ToyProblem.Create(1, 1, 2, 2, 1).Space);
        Assert.Equal(0, v.Phase(0.29));
        Assert.Equal(1, v.Phase(0.3));
        Assert.Equal(2, v.Phase(0.7));
        Assert.Equal([0.20, 0.10, 0.02], VariationOptions.PublishedMappingProbabilities[6]);
        Assert.Equal(0, VariationOptions.Published.MoveLayerGroupProbability);
        Assert.Equal(0.05, VariationOptions.Published.BoundaryFlipProbability);
        Assert.Equal(0.10, VariationOptions.Published.BoundaryShiftProbability);
    }
}
