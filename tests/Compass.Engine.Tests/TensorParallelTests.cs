using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Results;

namespace Compass.Engine.Tests;

/// <summary>Megatron tensor parallelism: row-parallel shards all-reduce their partial sums over routed links (docs/evaluator.md).</summary>
public sealed class TensorParallelTests
{
    /// <summary>d 4, two heads of 2 (two KV heads), F 8, one pre-norm layer, 2-matrix MLP.</summary>
    private static ModelConfig Small() => new()
    {
        Name = "tp", Family = "llama", Layers = 1, Hidden = 4, Heads = 2, KvHeads = 2, HeadDim = 2, FfnHidden = 8, Vocab = 16,
        Attention = AttentionKind.Mha,
    };

    private static ExplorationProblem TwoChipletTp2(CollectiveAlgorithm algorithm = CollectiveAlgorithm.Ring) =>
        ExplorationProblem.Create(
            Fixtures.TwoChipletDefinition(Small(), [Fixtures.Decode(3)], new GraphOptions { TensorParallel = 2, HeadGroups = 2 }, new InstantCostModel())
                with { Evaluator = new EvaluatorOptions { Collective = algorithm } },
            CancellationToken.None);

    /// <summary>Megatron's TP mapping: every gene of shard 1 on chiplet 1, the rest on chiplet 0.</summary>
    private static Genome ShardOneOnChipletOne(ExplorationProblem p)
    {
        var genome = p.Space.CreateGenome();
        foreach (var gene in p.Space.Genes)
            if (gene.Name.EndsWith(".1", StringComparison.Ordinal)) genome[0, gene.Index] = 1;
        return genome;
    }

    [Fact]
    public void GraphIsColumnThenRowParallel()
    {
        // Row-parallel output projection: shard s reads only its head group's attention output (1 token × 1 head × 2)
        // and holds 2 × 4 weights; the activation is per shard; FFN down shard s reads only act.s (1 × 4) and holds
        // 4 × 4 weights. The layer's weights are unchanged by the split: 4·4·4 + 2·4·8 = 128 B.
        var p = TwoChipletTp2();
        var genes = p.Space.Genes;
        var oproj = genes.Where(g => g.Stage == NodeStage.OutputProjection).ToArray();
        var act = genes.Where(g => g.Stage == NodeStage.FfnActivation).ToArray();
        var down = genes.Where(g => g.Stage == NodeStage.FfnDown).ToArray();
        var av = genes.Where(g => g.Stage == NodeStage.AttentionValue).ToArray();
        Assert.Equal(2, act.Length);
        Assert.Equal(new[] { av[0].Index }, oproj[0].Predecessors);
        Assert.Equal(new[] { av[1].Index }, oproj[1].Predecessors);
        Assert.Equal(new[] { act[1].Index }, down[1].Predecessors);
        Assert.All(oproj, g => Assert.Equal(2L * 4, g.WeightBytes));
        Assert.All(down, g => Assert.Equal(4L * 4, g.WeightBytes));
        Assert.Equal(128, genes.Sum(g => (double)g.WeightBytes));
        Assert.Equal(new[] { "L0.act.0", "L0.act.1" }, act.Select(g => g.Name));
    }

    [Fact]
    public void TwoWayRingAllReduceMovesTheHandComputedBytesAndTime()
    {
        // Tensor 1 token × d 4 × 1 B = 4 B per participant, p = 2: ring all-reduce in 2(p − 1) = 2 steps, each
        // participant sends 4/2 = 2 B per step to the other, so each sends 2(p − 1)/p × 4 = 4 B per all-reduce.
        // Two all-reduces (after attention, after the MLP) → 2 × 2 participants × 4 B = 16 B on the links, one hop
        // each; nothing else crosses a link (every other input is local or read from the channel, which has no links).
        // Each step: 2 B at 1 B/ns plus 1 ns hop latency = 3 ns; the residual starts 2 × 3 = 6 ns after the later shard.
        var p = TwoChipletTp2();
        var r = p.EvaluateIteration(ShardOneOnChipletOne(p), 0, includeTimeline: true);
        var links = r.ResourceIntervals.Where(i => i.Kind == ResourceKind.Link).ToArray();
        Assert.Equal(8, links.Length);
        Assert.All(links, i => Assert.Equal(2.0, i.Bytes));
        Assert.Equal(4, links.Count(i => i.Index == 0));
        Assert.Equal(16, r.NopByteHops, 9);
        foreach (var (shards, consumer) in new[] { ("o_proj", "res1"), ("ffn_down", "res2") })
        {
            var last = r.Tasks.Where(t => p.Space.Genes[t.Gene].Name.StartsWith($"L0.{shards}.", StringComparison.Ordinal)).Max(t => t.EndNs);
            var res = r.Tasks.Single(t => p.Space.Genes[t.Gene].Name == $"L0.{consumer}");
            Assert.Equal(last + 6, res.StartNs, 9);
        }
        // NoP energy is 2 pJ per byte-hop.
        Assert.Equal(32, r.Energy.NopPj, 9);
    }

    [Fact]
    public void ShardsOnOneChipletNeedNoAllReduce()
    {
        // Every gene on chiplet 0: the partial sums are added locally, no byte crosses a link.
        var p = TwoChipletTp2();
        var r = p.EvaluateIteration(p.Space.CreateGenome(), 0, includeTimeline: true);
        Assert.Equal(0, r.NopByteHops);
        Assert.DoesNotContain(r.ResourceIntervals, i => i.Kind == ResourceKind.Link);
    }

    [Fact]
    public void RingAndDirectOnFourChipletsMoveTheSameBytesOverDifferentHops()
    {
        // 2×2 mesh, TP 4, shard s of every GEMM on chiplet s (row-major: 0 (0,0), 1 (1,0), 2 (0,1), 3 (1,1)); the other
        // genes on chiplet 0. Tensor S = 1 token × d 32 × 1 B = 32 B, slice S/4 = 8 B.
        // Ring 0→1→2→3→0 in shard order: 1 + 2 + 1 + 2 = 6 hops per step, 2(p − 1) = 6 steps: 36 × 8 = 288 byte-hops.
        // Direct: every ordered pair once per step (distances 1,1,2,1,2,1 per unordered pair, 8 → 16 ordered), 2 steps:
        // 32 × 8 = 256 byte-hops. Every other transfer is the same under both, so the difference per all-reduce is
        // 32 byte-hops; each participant sends 2(p − 1)/p × S = 48 B either way. One layer has two all-reduces: 64.
        var definition = Fixtures.MeshDefinition() with
        {
            Model = Fixtures.MeshDefinition().Model with { Layers = 1 },
            Graph = new GraphOptions { TensorParallel = 4, HeadGroups = 4, MicroBatchSize = 1 },
            Iterations = [Fixtures.Decode(5)],
        };
        var ring = ExplorationProblem.Create(definition, CancellationToken.None);
        var direct = ExplorationProblem.Create(definition with { Evaluator = new EvaluatorOptions { Collective = CollectiveAlgorithm.Direct } }, CancellationToken.None);
        var genome = ring.Space.CreateGenome();
        foreach (var gene in ring.Space.Genes)
            if (gene.Stage is NodeStage.OutputProjection or NodeStage.FfnDown) genome[0, gene.Index] = gene.Shard;
        var a = ring.EvaluateIteration(genome, 0, includeTimeline: true);
        var b = direct.EvaluateIteration(genome, 0, includeTimeline: true);
        Assert.Equal(64, a.NopByteHops - b.NopByteHops, 9);
        Assert.Equal(a.DramBytes, b.DramBytes, 9);

        // Conservation (ring): the all-reduce after the MLP sends from each chiplet 6 slices of 8 B = 48 B = 2(p − 1)/p × S,
        // 288 byte-hops in all: 36 link intervals of 8 B between the first FFN-down shard's end and the residual's start.
        var downs = a.Tasks.Where(t => ring.Space.Genes[t.Gene].Stage == NodeStage.FfnDown).ToArray();
        var firstEnd = downs.Min(t => t.EndNs);
        var res2 = a.Tasks.Single(t => ring.Space.Genes[t.Gene].Name == "L0.res2");
        var sends = a.ResourceIntervals.Where(i => i.Kind == ResourceKind.Link && i.Bytes == 8 && i.StartNs >= firstEnd && i.EndNs <= res2.StartNs).ToArray();
        Assert.Equal(36, sends.Length);
        Assert.Equal(288, sends.Sum(i => i.Bytes), 9);
    }
}
