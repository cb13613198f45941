using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.Engine;
using FsCheck;
using FsCheck.Fluent;
using Compass.Results;

namespace Compass.Engine.Tests;

/// <summary>Every operator takes no time, so a task lasts exactly as long as its transfers.</summary>
internal sealed class InstantCostModel : IComputeCostModel
{
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken) =>
        new(0, op.Macs, 0, 0, 1, 0, string.Empty);
}

/// <summary>Time-shared links and channels, located DRAM and lower bounds (docs/evaluator.md).</summary>
public sealed class ContentionTests
{
    private static ExplorationProblem TwoChiplets(Iteration iteration, IComputeCostModel cost) =>
        ExplorationProblem.Create(Fixtures.TwoChipletDefinition(Fixtures.TinyModel(layers: 1), [iteration], new GraphOptions { TensorParallel = 1, HeadGroups = 1, MicroBatchSize = 1 }, cost), CancellationToken.None);

    [Fact]
    public void TwoTransfersSharingOneChannelTakeTwiceAsLongAsOne()
    {
        // No compute time: every task is its DRAM traffic on the single 1 B/ns channel (no links). One decode request
        // (history 3) alone on chiplet 0 keeps the channel busy back to back: latency = its DRAM bytes / 1 B/ns.
        // Two identical requests, one per chiplet, start together and share the channel: each transfer waits while
        // the other's part is on the channel, so the iteration takes exactly twice as long (the channel never idles).
        var one = TwoChiplets(Fixtures.Decode(3), new InstantCostModel());
        var alone = one.EvaluateIteration(one.Space.CreateGenome(), 0, includeTimeline: true);
        Assert.Equal(alone.DramBytes / 1.0, alone.LatencyNs, 9);

        var two = TwoChiplets(Fixtures.Decode(3, 3), new InstantCostModel());
        var genome = two.Space.CreateGenome();
        for (var g = 0; g < two.Space.GeneCount; g++) genome[1, g] = 1;
        var shared = two.EvaluateIteration(genome, 0, includeTimeline: true);
        Assert.Equal(2 * alone.DramBytes, shared.DramBytes, 9);
        Assert.Equal(2 * alone.LatencyNs, shared.LatencyNs, 9);
        // Both chiplets really ran at the same time: each one's first task started at 0.
        Assert.Equal(0, shared.Tasks.Where(t => t.Chiplet == 1).Min(t => t.StartNs));
        Assert.Equal(0, shared.Tasks.Where(t => t.Chiplet == 0).Min(t => t.StartNs));
    }

    [Fact]
    public void FirstComeFirstServedQueuesTheSecondTransfer()
    {
        // Same two requests with compute: the first norm1 (micro-batch 0, chiplet 0) reads the 4-byte layer input in
        // [0, 4]; the second (micro-batch 1, chiplet 1), ready at the same time but later in the genome, waits for the
        // channel and reads in [4, 8]. norm1 computes 4 ops at 1 op/ns, so it ends at 8, not 4.
        var p = TwoChiplets(Fixtures.Decode(3, 3), new LinearCostModel());
        var genome = p.Space.CreateGenome();
        for (var g = 0; g < p.Space.GeneCount; g++) genome[1, g] = 1;
        var r = p.EvaluateIteration(genome, 0, includeTimeline: true);
        var first = r.Tasks.Single(t => t.MicroBatch == 0 && t.Gene == 0);
        var second = r.Tasks.Single(t => t.MicroBatch == 1 && t.Gene == 0);
        Assert.Equal((0.0, 4.0), (first.StartNs, first.EndNs));
        Assert.Equal((0.0, 8.0), (second.StartNs, second.EndNs));
        Assert.Equal(8, second.DramNs, 9);
        var channel = r.ResourceIntervals.Where(i => i.Kind == ResourceKind.DramChannel).OrderBy(i => i.StartNs).Take(2).ToArray();
        Assert.Equal((0.0, 4.0, 4.0), (channel[0].StartNs, channel[0].EndNs, channel[0].Bytes));
        Assert.Equal((4.0, 8.0, 4.0), (channel[1].StartNs, channel[1].EndNs, channel[1].Bytes));
    }

    [Fact]
    public void NearestChannelCostsFewerHopsThanInterleaved()
    {
        // 2×2 mesh, channels at router 0 (channel 0) and router 3 (channel 1). Everything on chiplet 0: under the
        // nearest policy every tensor lives in channel 0, zero hops away, and nothing crosses a link (0 byte-hops).
        // Interleaved, half of every DRAM byte comes from or goes to router 3, two hops away: 1 hop per DRAM byte.
        var nearest = ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None);
        var interleaved = ExplorationProblem.Create(Fixtures.MeshDefinition() with { Evaluator = new EvaluatorOptions { Placement = DramPlacement.Interleaved } }, CancellationToken.None);
        var genome = nearest.Space.CreateGenome();
        var a = nearest.EvaluateIteration(genome, 0, includeTimeline: true);
        var b = interleaved.EvaluateIteration(genome, 0, includeTimeline: true);
        Assert.Equal(0, a.NopByteHops);
        Assert.Equal(a.DramBytes, b.DramBytes, 9);
        Assert.Equal(b.DramBytes, b.NopByteHops, 9);
        Assert.All(a.ResourceIntervals, i => Assert.Equal((ResourceKind.DramChannel, 0), (i.Kind, i.Index)));
        Assert.Contains(b.ResourceIntervals, i => i.Kind == ResourceKind.DramChannel && i.Index == 1);
    }

    [Fact]
    public void ExplicitWeightHomeMovesTheWeightRead()
    {
        // The same mapping with the FFN-up weights of layer 0 (shard 0) pinned to channel 1 (router 3, two hops from
        // chiplet 0): those bytes now cross two links on each of their loads (all four micro-batches run on chiplet 0,
        // which switches node in between, so it loads them four times); every other byte stays at channel 0.
        var baseline = ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None);
        var name = baseline.Space.Genes.First(g => g.Stage == NodeStage.FfnUp).Name;
        var pinned = ExplorationProblem.Create(Fixtures.MeshDefinition() with { Evaluator = new EvaluatorOptions { WeightHomes = new Dictionary<string, int> { [name] = 1 } } }, CancellationToken.None);
        var genome = baseline.Space.CreateGenome();
        var a = baseline.EvaluateIteration(genome, 0, includeTimeline: false);
        var b = pinned.EvaluateIteration(genome, 0, includeTimeline: true);
        var gene = baseline.Space.Genes.First(g => g.Name == name);
        var loads = b.Tasks.Count(t => t.Gene == gene.Index && t.WeightsLoaded);
        Assert.Equal(4, loads);
        Assert.Equal(2.0 * gene.WeightBytes * loads, b.NopByteHops - a.NopByteHops, 9);
        var bad = Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => ExplorationProblem.Create(Fixtures.MeshDefinition() with { Evaluator = new EvaluatorOptions { WeightHomes = new Dictionary<string, int> { ["nope"] = 0 } } }, CancellationToken.None));
        Assert.Contains("evaluator.weightHomes", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphInputReadByTwoChipletsIsReadFromDramOnce()
    {
        // Tiny model, one decode (history 3). The layer-0 input (4 B) is read by norm1 (gene 0, chiplet 0) and by the
        // residual res1 (gene 6, moved to chiplet 1). Multicast: one 4-byte read from the channel in [0, 4] and one
        // send from the channel's router (chiplet 0) to chiplet 1 over link 0→1 in [0, 4] plus 1 ns of hop latency, so
        // norm1 ends at 5 instead of 4 and res1 finds the input already there. DRAM reads of the KV history and input:
        // K 12 B + V 12 B + input 4 B once = 28 B. Interleaved placement has no home to multicast from: each reader
        // reads its own copy, 32 B.
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(layers: 1), [Fixtures.Decode(3)], new GraphOptions { TensorParallel = 1, HeadGroups = 1, MicroBatchSize = 1 });
        var p = ExplorationProblem.Create(definition, CancellationToken.None);
        var genome = p.Space.CreateGenome();
        genome[0, 6] = 1;
        var r = p.EvaluateIteration(genome, 0, includeTimeline: true);
        Assert.Equal(28, r.DramTraffic.KvReadBytes, 9);
        var norm1 = r.Tasks.Single(t => t.Gene == 0);
        Assert.Equal((0.0, 5.0), (norm1.StartNs, norm1.EndNs));
        Assert.Single(r.ResourceIntervals, i => i.Kind == ResourceKind.DramChannel && i.StartNs == 0 && i.Bytes == 4);
        Assert.Single(r.ResourceIntervals, i => i.Kind == ResourceKind.Link && i.Index == 0 && i.StartNs == 0 && i.EndNs == 4 && i.Bytes == 4);

        var interleaved = ExplorationProblem.Create(definition with { Evaluator = new EvaluatorOptions { Placement = DramPlacement.Interleaved } }, CancellationToken.None);
        Assert.Equal(32, interleaved.EvaluateIteration(genome, 0, includeTimeline: false).DramTraffic.KvReadBytes, 9);
    }

    [Fact]
    public void WholeOutputForwardedToSeveralChipletsIsSentOnceOverATree()
    {
        // 2×2 mesh, micro-batch 0 only: the second norm (gene norm2) stays on chiplet 0 and is last there when both
        // FFN-up shards are issued on chiplets 1 and 3 (the two shards run one after the other). Its whole output is
        // sent once over the XY tree 0→1, 1→3 (2 links), not as two unicasts 0→1 and 0→1→3 (3 links).
        var p = ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None);
        var genes = p.Space.Genes;
        var norm = genes.First(g => g.Name == "L0.norm2");
        var ups = genes.Where(g => g.Stage == NodeStage.FfnUp && g.Layer == norm.Layer).ToArray();
        Assert.Equal(2, ups.Length);
        var genome = p.Space.CreateGenome();
        for (var b = 0; b < genome.MicroBatchCount; b++)
        {
            genome[b, ups[0].Index] = 1;
            genome[b, ups[1].Index] = 3;
        }
        var r = p.EvaluateIteration(genome, 0, includeTimeline: true);
        var normTask = r.Tasks.First(t => t.MicroBatch == 0 && t.Gene == norm.Index);
        var first = r.Tasks.Where(t => t.MicroBatch == 0 && ups.Any(d => d.Index == t.Gene)).OrderBy(t => t.StartNs).ThenBy(t => t.Gene).First();
        var bytes = p.Graph.Iterations[0].OutputBytes[norm.Index];
        Assert.Equal(bytes, first.NopBytes, 9);
        var sent = r.ResourceIntervals.Where(i => i.Kind == ResourceKind.Link && i.StartNs >= normTask.EndNs && i.StartNs == first.StartNs && i.Bytes == bytes).ToArray();
        Assert.Equal(2, sent.Length);
    }
}
