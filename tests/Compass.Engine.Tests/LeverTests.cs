using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Engine.Graph;
using Compass.Engine.Replay;

namespace Compass.Engine.Tests;

public sealed class LeverTests
{
    private static ProblemDefinition Levered(int[] microBatch, int[] tensorParallel, int[]? prefill = null) => Fixtures.MeshDefinition() with
    {
        Graph = new GraphOptions { TensorParallel = 2, HeadGroups = 2, MicroBatchSize = 1 },
        Levers = new LeverOptions { MicroBatchSizes = microBatch, TensorParallel = tensorParallel, PrefillMicroBatchSizes = prefill ?? [] },
    };

    private static readonly Lazy<ExplorationProblem> Problem = new(() => ExplorationProblem.Create(Levered([1, 2, 4], [1, 2, 4]), CancellationToken.None));

    [Fact]
    public void TheSpaceIsTheWidestPlanPlusOneLeverPerListWithTheScenarioValueAsDefault()
    {
        var p = Problem.Value;
        var space = p.Space;
        Assert.True(p.IsLevered);
        Assert.Equal(9, p.PlanCount);
        Assert.Equal(2, space.LeverCount);
        Assert.Equal([1, 2, 4], space.Levers[0].Candidates);
        Assert.Equal(LeverKind.MicroBatchSize, space.Levers[0].Kind);
        Assert.Equal(0, space.Levers[0].DefaultIndex);   // graph.microBatchSize = 1
        Assert.Equal(1, space.Levers[1].DefaultIndex);   // graph.tensorParallel = 2
        // Widest plan: micro-batch 1 (4 micro-batches in iteration 0), TP 4 (four o_proj, ffn_up and ffn_down shards per layer).
        var fixedWidest = ExplorationProblem.Create(Fixtures.MeshDefinition() with { Graph = new GraphOptions { TensorParallel = 4, HeadGroups = 2, MicroBatchSize = 1 } }, CancellationToken.None);
        Assert.Equal(fixedWidest.Space.MicroBatchCount, space.MicroBatchCount);
        Assert.Equal(fixedWidest.Space.Genes.Select(g => g.Name), space.Genes.Select(g => g.Name));
        var genome = space.CreateGenome();
        Assert.Equal([0, 1], genome.Levers);
        Assert.Equal(2, space.LeverValue(genome, 1));
    }

    [Fact]
    public void EveryPlanEvaluatesBitForBitAsTheSameScenarioWithTheLeversFixed()
    {
        var p = Problem.Value;
        var sweep = p.PlanSweep();
        Assert.Equal(9, sweep.Count);
        Assert.Equal(9, p.PlansBuilt);
        foreach (var point in sweep)
        {
            var mb = p.Space.LeverValue(point.Genome, 0);
            var tp = p.Space.LeverValue(point.Genome, 1);
            Assert.Equal($"microBatchSize={mb} tensorParallel={tp}", point.Plan);
            var alone = ExplorationProblem.Create(Fixtures.MeshDefinition() with { Graph = new GraphOptions { TensorParallel = tp, HeadGroups = 2, MicroBatchSize = mb } }, CancellationToken.None);
            var heuristic = alone.Heuristics.Standard().Single(h => h.Name == point.Heuristic).Genome;
            var expected = alone.Evaluate(heuristic);
            var viaLevers = p.Evaluate(point.Genome);
            Assert.Equal(expected.LatencyNs, viaLevers.LatencyNs);
            Assert.Equal(expected.EnergyPj, viaLevers.EnergyPj);
            Assert.Equal(expected.LatencyNs, point.Fitness.LatencyNs);
            // The projection of the lifted genome onto its plan is the plan's own genome.
            var (planProblem, projected) = p.Resolve(point.Genome);
            Assert.Equal(alone.Space.GeneCount, planProblem.Space.GeneCount);
            Assert.Equal(heuristic.Assignment.AsSpan(0, projected.Assignment.Length).ToArray(), projected.Assignment);
            Assert.Equal(heuristic.Boundaries, projected.Boundaries);
        }
        for (var i = 1; i < sweep.Count; i++) Assert.True(sweep[i - 1].Fitness.Objective <= sweep[i].Fitness.Objective);
        // The sweep's best is no worse than any heuristic of the scenario's own plan.
        foreach (var h in p.Heuristics.Standard()) Assert.True(sweep[0].Fitness.Objective <= p.Evaluate(h.Genome).Objective);
    }

    [Fact]
    public void TheLeversChangeTheResultAndTheBoundsHoldForEveryPlan()
    {
        var p = Problem.Value;
        var genome = p.Space.CreateGenome();
        for (var i = 0; i < genome.Assignment.Length; i++) genome.Assignment[i] = i % p.Space.ChipletCount;
        var seen = new HashSet<double>();
        var bounds = p.MeanBounds();
        for (var mb = 0; mb < 3; mb++)
        {
            for (var tp = 0; tp < 3; tp++)
            {
                genome.Levers[0] = mb;
                genome.Levers[1] = tp;
                var f = p.Evaluate(genome);
                Assert.True(f.IsValid);
                seen.Add(f.Objective);
                Assert.True(f.LatencyNs >= bounds.LatencyNs * (1 - 1e-12), $"plan {p.DescribePlan(genome)}: latency {f.LatencyNs} below the bound {bounds.LatencyNs}");
                Assert.True(f.EnergyPj >= bounds.EnergyPj * (1 - 1e-12));
            }
        }
        Assert.True(seen.Count >= 5, $"only {seen.Count} distinct objectives over 9 plans");
        Assert.NotEqual(p.Space.CreateGenome().ContentHash(), genome.ContentHash());
    }

    [Fact]
    public void CandidatesBeyondTheBatchAreDroppedAndNoneLeftNamesTheField()
    {
        var p = ExplorationProblem.Create(Levered([1, 2, 4, 8, 64], []), CancellationToken.None);
        Assert.Equal([1, 2, 4], p.Space.Levers[0].Candidates);
        var e = Assert.Throws<CompassInputException>(() => ExplorationProblem.Create(Levered([16, 32], []), CancellationToken.None));
        Assert.Contains("graph.microBatchSize", e.Message + e.Field, StringComparison.Ordinal);
        var t = Assert.Throws<CompassInputException>(() => ExplorationProblem.Create(Levered([1], [0, 2]), CancellationToken.None));
        Assert.Contains("graph.tensorParallel", t.Message + t.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void APrefillLeverSplitsPrefillsAndDecodesSeparately()
    {
        var requests = new List<ScheduledRequest>
        {
            new(0, RequestPhase.Decode, 1, 5), new(1, RequestPhase.Prefill, 30, 0), new(2, RequestPhase.Decode, 1, 7),
            new(3, RequestPhase.Prefill, 20, 0), new(4, RequestPhase.ChunkedPrefill, 16, 32), new(5, RequestPhase.Decode, 1, 9),
        };
        var mixed = MicroBatcher.Split(requests, 2);
        Assert.Equal([2, 2, 2], mixed.Select(g => g.Length));
        Assert.Contains(mixed[1], r => r.Phase == RequestPhase.Decode);
        Assert.Contains(mixed[1], r => r.Phase != RequestPhase.Decode);   // the published split straddles the phases
        var split = MicroBatcher.Split(requests, 2, 1);
        Assert.Equal([1, 1, 1, 2, 1], split.Select(g => g.Length));
        foreach (var g in split) Assert.Single(g.Select(r => r.Phase == RequestPhase.Decode).Distinct());
        Assert.Equal([1L, 3L, 4L], split.Take(3).Select(g => g[0].RequestId));

        var p = ExplorationProblem.Create(Levered([1, 2], [], prefill: [1, 2]), CancellationToken.None);
        Assert.Equal(2, p.Space.LeverCount);
        Assert.Equal(LeverKind.PrefillMicroBatchSize, p.Space.Levers[1].Kind);
        Assert.Equal([1], p.Space.Levers[1].Candidates);   // one prefill per iteration: 2 is dropped
    }

    [Fact]
    public void WithoutLeversGenomesHashAsBefore()
    {
        // FNV-1a over the bits then the assignment, as before levers existed (search logs of fixed scenarios keep their hashes).
        var g = new Genome(2, 3, [1, 0], [0, 1, 2, 3, 4, 5]);
        var h = 14695981039346656037UL;
        foreach (var b in g.Boundaries) { h ^= b; h *= 1099511628211UL; }
        foreach (var a in g.Assignment) { h ^= (uint)a; h *= 1099511628211UL; }
        Assert.Equal(h, g.ContentHash());
        var levered = new Genome(2, 3, [1, 0], [0, 1, 2, 3, 4, 5], [1]);
        Assert.NotEqual(h, levered.ContentHash());
        Assert.NotEqual(levered, new Genome(2, 3, [1, 0], [0, 1, 2, 3, 4, 5], [0]));
        Assert.Equal(levered, levered.Clone());
    }

    [Fact]
    public void TheMappingFileRecordsEveryLeverAndReplaysBitForBit()
    {
        var p = Problem.Value;
        var genome = p.PlanSweep()[3].Genome;
        var f = p.Evaluate(genome);
        var path = Path.Combine(Path.GetTempPath(), $"levers-{Environment.ProcessId}.json");
        try
        {
            BestMappingFile.From(p.Space, genome, "levers", 1, f).Save(path);
            var file = BestMappingFile.Load(path);
            Assert.Equal(p.Space.LeverValue(genome, 0), file.Levers!["graph.microBatchSize"]);
            Assert.Equal(p.Space.LeverValue(genome, 1), file.Levers!["graph.tensorParallel"]);
            var back = file.ToGenome(p.Space);
            Assert.Equal(genome, back);
            Assert.Equal(f.LatencyNs, p.Evaluate(back).LatencyNs);
            Assert.Equal(f.EnergyPj, p.Evaluate(back).EnergyPj);
            Assert.Equal(back.Levers, BestMappingFile.WithRows(back, p.Space.MicroBatchCount + 1).Levers);

            // A fixed scenario refuses a mapping that chose levers; a levered one refuses a candidate it does not offer.
            var fixedProblem = ExplorationProblem.Create(Fixtures.MeshDefinition() with { Graph = new GraphOptions { TensorParallel = 4, HeadGroups = 2, MicroBatchSize = 1 } }, CancellationToken.None);
            var e = Assert.Throws<CompassInputException>(() => file.ToGenome(fixedProblem.Space));
            Assert.Equal("mapping.levers", e.Field);
            var odd = file with { Levers = new SortedDictionary<string, int>(file.Levers!) { ["graph.tensorParallel"] = 3 } };
            Assert.Equal("mapping.levers.graph.tensorParallel", Assert.Throws<CompassInputException>(() => odd.ToGenome(p.Space)).Field);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static readonly Lazy<ExplorationProblem> Grouped = new(() => ExplorationProblem.Create(Fixtures.MeshDefinition() with
    {
        Levers = new LeverOptions { TensorParallel = [1, 2, 4], TensorParallelGroups = 2, Placements = [DramPlacement.Nearest, DramPlacement.Interleaved] },
    }, CancellationToken.None));

    [Fact]
    public void EachLayerGroupHasItsOwnDegreeAndEveryPlanEvaluatesAsTheScenarioWithThoseValuesFixed()
    {
        var p = Grouped.Value;
        Assert.Equal(["graph.tensorParallel.group0", "graph.tensorParallel.group1", "evaluator.placement"], p.Space.Levers.Select(l => l.Name));
        Assert.Equal([LeverKind.TensorParallel, LeverKind.TensorParallel, LeverKind.DramPlacement], p.Space.Levers.Select(l => l.Kind));
        Assert.Equal([0, 1], p.Space.Levers[2].Candidates);
        Assert.Equal(18, p.PlanCount);
        // The widest plan has TP 4 in both layers: four output-projection shards per layer.
        Assert.Equal(8, p.Space.Genes.Count(g => g.Stage == NodeStage.OutputProjection));
        var sweep = p.PlanSweep();
        Assert.Equal(18, sweep.Count);
        foreach (var point in sweep)
        {
            var d0 = p.Space.LeverValue(point.Genome, 0);
            var d1 = p.Space.LeverValue(point.Genome, 1);
            var placement = (DramPlacement)p.Space.LeverValue(point.Genome, 2);
            var placementName = placement == DramPlacement.Nearest ? "nearest" : "interleaved";
            Assert.Equal($"tensorParallel.group0={d0} tensorParallel.group1={d1} placement={placementName}", point.Plan);
            var alone = ExplorationProblem.Create(Fixtures.MeshDefinition() with
            {
                Graph = new GraphOptions { TensorParallel = Math.Max(d0, d1), HeadGroups = 2, MicroBatchSize = 1, LayerTensorParallel = [d0, d1] },
                Evaluator = new EvaluatorOptions { Placement = placement },
            }, CancellationToken.None);
            // Layer l has as many output-projection and FFN-down shards as its own degree.
            Assert.Equal(d0, alone.Space.Genes.Count(g => g.Layer == 0 && g.Stage == NodeStage.OutputProjection));
            Assert.Equal(d1, alone.Space.Genes.Count(g => g.Layer == 1 && g.Stage == NodeStage.FfnDown));
            var expected = alone.Evaluate(alone.Heuristics.Standard().Single(h => h.Name == point.Heuristic).Genome);
            Assert.Equal(expected.LatencyNs, point.Fitness.LatencyNs);
            Assert.Equal(expected.EnergyPj, point.Fitness.EnergyPj);
            Assert.Equal(expected.LatencyNs, p.Evaluate(point.Genome).LatencyNs);
        }
        // The placement lever changes the result of the same graph and heuristic.
        Assert.Contains(sweep, a => sweep.Any(b => a.Heuristic == b.Heuristic && a.Plan.Replace("interleaved", "nearest", StringComparison.Ordinal) == b.Plan && a.Plan != b.Plan && a.Fitness.Objective != b.Fitness.Objective));

        // The same degree in every layer builds the same graph as one degree: same genes, same bits.
        var perLayer = ExplorationProblem.Create(Fixtures.MeshDefinition() with { Graph = new GraphOptions { TensorParallel = 4, HeadGroups = 2, MicroBatchSize = 1, LayerTensorParallel = [4, 4] } }, CancellationToken.None);
        var single = ExplorationProblem.Create(Fixtures.MeshDefinition() with { Graph = new GraphOptions { TensorParallel = 4, HeadGroups = 2, MicroBatchSize = 1 } }, CancellationToken.None);
        Assert.Equal(single.Space.Genes.Select(g => g.Name), perLayer.Space.Genes.Select(g => g.Name));
        foreach (var h in single.Heuristics.Standard())
        {
            Assert.Equal(single.Evaluate(h.Genome).LatencyNs, perLayer.Evaluate(h.Genome).LatencyNs);
            Assert.Equal(single.Evaluate(h.Genome).EnergyPj, perLayer.Evaluate(h.Genome).EnergyPj);
        }
    }

    [Fact]
    public void LayerGroupsNeedASearchedDegreeAndAtMostOneGroupPerLayer()
    {
        var tooMany = Assert.Throws<CompassInputException>(() => ExplorationProblem.Create(Fixtures.MeshDefinition() with { Levers = new LeverOptions { TensorParallel = [1, 2], TensorParallelGroups = 3 } }, CancellationToken.None));
        Assert.Equal("graph.tensorParallelGroups", tooMany.Field);
        Assert.Contains("must be 1..2 (the modelled layers), got 3", tooMany.Message, StringComparison.Ordinal);
        var fixedDegree = Assert.Throws<CompassInputException>(() => ExplorationProblem.Create(Fixtures.MeshDefinition() with { Levers = new LeverOptions { MicroBatchSizes = [1, 2], TensorParallelGroups = 2 } }, CancellationToken.None));
        Assert.Equal("graph.tensorParallelGroups", fixedDegree.Field);
    }

    [Fact]
    public void TheMappingFileRecordsTheGroupDegreesAndThePlacementAndReplaysBitForBit()
    {
        var p = Grouped.Value;
        var genome = p.PlanSweep().First(s => s.Plan.Contains("interleaved", StringComparison.Ordinal) && p.Space.LeverValue(s.Genome, 0) != p.Space.LeverValue(s.Genome, 1)).Genome;
        var f = p.Evaluate(genome);
        var path = Path.Combine(Path.GetTempPath(), $"levers-grouped-{Environment.ProcessId}.json");
        try
        {
            BestMappingFile.From(p.Space, genome, "levers", 1, f).Save(path);
            var file = BestMappingFile.Load(path);
            Assert.Equal(p.Space.LeverValue(genome, 0), file.Levers!["graph.tensorParallel.group0"]);
            Assert.Equal(p.Space.LeverValue(genome, 1), file.Levers!["graph.tensorParallel.group1"]);
            Assert.Equal((int)DramPlacement.Interleaved, file.Levers!["evaluator.placement"]);
            var back = file.ToGenome(p.Space);
            Assert.Equal(genome, back);
            Assert.Equal(f.LatencyNs, p.Evaluate(back).LatencyNs);
            Assert.Equal(f.EnergyPj, p.Evaluate(back).EnergyPj);
            var odd = file with { Levers = new SortedDictionary<string, int>(file.Levers!) { ["evaluator.placement"] = 2 } };
            Assert.Equal("mapping.levers.evaluator.placement", Assert.Throws<CompassInputException>(() => odd.ToGenome(p.Space)).Field);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
