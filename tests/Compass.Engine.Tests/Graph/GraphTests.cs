using Compass.Abstractions.Costs;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Workload;

namespace Compass.Engine.Tests;

public sealed class GraphTests
{
    private static ExplorationProblem Build(ModelConfig model, GraphOptions graph, params Iteration[] iterations)
    {
        var definition = Fixtures.TwoChipletDefinition(model, iterations, graph);
        return ExplorationProblem.Create(definition, CancellationToken.None);
    }

    private static double StageSum(ExplorationProblem p, NodeStage stage, Func<int, double> value)
    {
        double sum = 0;
        var genes = p.Space.GeneCount;
        var it = p.Graph.Iterations[0];
        for (var t = 0; t < it.Tasks; t++)
            if (p.Space.Genes[t % genes].Stage == stage) sum += value(t);
        return sum;
    }

    private static ModelConfig Llama(int heads, int kvHeads, bool gated = true) => new()
    {
        Name = "l", Family = "llama3", Layers = 1, Hidden = 64, Heads = heads, KvHeads = kvHeads, HeadDim = 64 / heads,
        FfnHidden = 128, Vocab = 16, GatedMlp = gated, Attention = kvHeads < heads ? AttentionKind.Gqa : AttentionKind.Mha,
    };

    [Fact]
    public void GatedMlpUpShardCarriesTheGateMatrix()
    {
        var p = Build(Llama(8, 8), new GraphOptions { TensorParallel = 4 }, Fixtures.Decode(5));
        var up = p.Space.Genes.Where(g => g.Stage == NodeStage.FfnUp).ToArray();
        Assert.Equal(4, up.Length);
        Assert.All(up, g => Assert.Equal(2L * 64 * 128 / 4, g.WeightBytes));
        var plain = Build(Llama(8, 8, gated: false), new GraphOptions { TensorParallel = 4 }, Fixtures.Decode(5));
        Assert.All(plain.Space.Genes.Where(g => g.Stage == NodeStage.FfnUp), g => Assert.Equal(64L * 128 / 4, g.WeightBytes));
        // Whole layer: 2d² + 2·d·n_kv·d_h + 3·d·F (docs/reference/formulas.md §1).
        Assert.Equal(2.0 * 64 * 64 + 2.0 * 64 * 64 + 3.0 * 64 * 128, p.Space.Genes.Sum(g => (double)g.WeightBytes));
        Assert.Equal(MemoryPlanner.WeightBytes(Llama(8, 8), Fixtures.Int8, 1), p.Space.Genes.Sum(g => (double)g.WeightBytes));
    }

    [Fact]
    public void GqaReadsKvHistoryOncePerKvHead()
    {
        // 8 query heads of 8, history 100, 8-bit: K and V history per KV head = 100 × 8 B each.
        const int history = 100;
        var gqa = Build(Llama(8, 2), new GraphOptions { TensorParallel = 2, HeadGroups = 2 }, Fixtures.Decode(history));
        var mha = Build(Llama(8, 8), new GraphOptions { TensorParallel = 2, HeadGroups = 2 }, Fixtures.Decode(history));
        var it = gqa.Graph.Iterations[0];
        var gqaReads = StageSum(gqa, NodeStage.AttentionScore, t => it.ExtraReadBytes[t]) + StageSum(gqa, NodeStage.AttentionValue, t => it.ExtraReadBytes[t]);
        var mhaIt = mha.Graph.Iterations[0];
        var mhaReads = StageSum(mha, NodeStage.AttentionScore, t => mhaIt.ExtraReadBytes[t]) + StageSum(mha, NodeStage.AttentionValue, t => mhaIt.ExtraReadBytes[t]);
        Assert.Equal(2.0 * 2 * history * 8, gqaReads);
        Assert.Equal(2.0 * 8 * history * 8, mhaReads);
        // Attention MACs are unchanged by GQA (docs/reference/formulas.md §2).
        Assert.Equal(StageSum(mha, NodeStage.AttentionScore, t => mhaIt.GemmMacs[t]), StageSum(gqa, NodeStage.AttentionScore, t => it.GemmMacs[t]));
    }

    [Fact]
    public void GroupsSharingAKvHeadReadItFromTheOwnerGroup()
    {
        // 4 groups, 2 KV heads: groups 1 and 3 take K and V of the new token from groups 0 and 2.
        var p = Build(Llama(8, 2), new GraphOptions { TensorParallel = 4, HeadGroups = 4 }, Fixtures.Decode(10));
        var qkv = p.Space.Genes.Where(g => g.Stage == NodeStage.QkvProjection).ToArray();
        var scores = p.Space.Genes.Where(g => g.Stage == NodeStage.AttentionScore).ToArray();
        Assert.Equal(new[] { qkv[1].Index, qkv[0].Index }, scores[1].Predecessors);
        Assert.Equal(new[] { qkv[0].Index }, scores[0].Predecessors);
        // Q 2 heads × 8 + (owner) K and V 8 each: weights 64 × 32 vs 64 × 16.
        Assert.Equal(64L * 32, qkv[0].WeightBytes);
        Assert.Equal(64L * 16, qkv[1].WeightBytes);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void CausalPrefillHalvesScoreMacs(int tokens)
    {
        var prefill = new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, tokens, 0)]);
        var causal = Build(Llama(8, 8), new GraphOptions { TensorParallel = 2, CausalPrefill = true }, prefill);
        var full = Build(Llama(8, 8), new GraphOptions { TensorParallel = 2, CausalPrefill = false }, prefill);
        var c = causal.Graph.Iterations[0];
        var f = full.Graph.Iterations[0];
        // H · d_h · s(s+1)/2 versus H · d_h · s².
        Assert.Equal(8.0 * 8 * tokens * (tokens + 1) / 2, StageSum(causal, NodeStage.AttentionScore, t => c.GemmMacs[t]));
        Assert.Equal(8.0 * 8 * tokens * tokens, StageSum(full, NodeStage.AttentionScore, t => f.GemmMacs[t]));
        Assert.Equal(8.0 * 8 * tokens * (tokens + 1) / 2, StageSum(causal, NodeStage.AttentionValue, t => c.GemmMacs[t]));
    }

    [Fact]
    public void MoeRoutesTokensToTopKExperts()
    {
        // E 4 routed + 1 shared, top-2, F_e 32, d 64, gated, 5 prefill tokens.
        var model = Llama(8, 8) with { Moe = new MoeConfig(4, 1, 2, 32, 0) };
        var p = Build(model, new GraphOptions { TensorParallel = 2 }, new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, 5, 0)]));
        var it = p.Graph.Iterations[0];
        var experts = p.Space.Genes.Where(g => g.Stage == NodeStage.MoeExpert).ToArray();
        Assert.Equal(5, experts.Length);
        // Expert FLOPs use the top-k (+ shared) experts: T · (k + shared) · 3 · d · F_e MACs (docs/reference/formulas.md §2).
        Assert.Equal(5.0 * (2 + 1) * 3 * 64 * 32, StageSum(p, NodeStage.MoeExpert, t => it.GemmMacs[t]));
        // Router: d · E MACs per token.
        Assert.Equal(5.0 * 64 * 4, StageSum(p, NodeStage.MoeRouter, t => it.GemmMacs[t]));
        Assert.Equal(MemoryPlanner.WeightBytes(model, Fixtures.Int8, 1), p.Space.Genes.Sum(g => (double)g.WeightBytes));
        // Tokens over routed experts sum to T · k.
        Assert.Equal(10L, Enumerable.Range(0, 4).Sum(e => Graph.CegBuilder.RoutedTokens(5, 2, 4, e)));
    }

    [Fact]
    public void ExpertWithoutTokensIsSkipped()
    {
        // One token, top-1 of 4 experts: only one routed expert runs.
        var model = Llama(8, 8) with { Moe = new MoeConfig(4, 0, 1, 32, 0) };
        var p = Build(model, new GraphOptions { TensorParallel = 2 }, Fixtures.Decode(3));
        var result = p.EvaluateIteration(p.Space.CreateGenome(), 0, true);
        Assert.Single(result.Tasks, t => p.Space.Genes[t.Gene].Stage == NodeStage.MoeExpert);
    }

    [Fact]
    public void MicroBatchesPutPrefillFirstThenLongestHistory()
    {
        var requests = new ScheduledRequest[]
        {
            new(1, RequestPhase.Decode, 1, 5), new(2, RequestPhase.Prefill, 3, 0), new(3, RequestPhase.Decode, 1, 9),
            new(4, RequestPhase.ChunkedPrefill, 8, 16), new(5, RequestPhase.Decode, 1, 9),
        };
        var groups = Graph.MicroBatcher.Split(requests, 2);
        Assert.Equal(new long[] { 4, 2, 3, 5, 1 }, groups.SelectMany(g => g).Select(r => r.RequestId));
        Assert.Equal(new[] { 2, 2, 1 }, groups.Select(g => g.Length));
    }

    [Fact]
    public void MicroBatchCountIsTheLargestOverIterations()
    {
        var p = Build(Fixtures.TinyModel(), new GraphOptions { TensorParallel = 1 }, Fixtures.Decode(3, 4, 5), Fixtures.Decode(2));
        Assert.Equal(3, p.Space.MicroBatchCount);
        // The smaller iteration evaluates with the first row only.
        Assert.True(p.Evaluate(p.Space.CreateGenome()).IsValid);
    }

    [Fact]
    public void ModelThatDoesNotFitDramIsRejected()
    {
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), [Fixtures.Decode(3)], new GraphOptions { TensorParallel = 1 });
        var package = Fixtures.Package(2, 1, Fixtures.UnitChiplet());
        var tiny = package with { Description = package.Description with { DramChannels = [new Abstractions.Hardware.DramChannel("c", "custom", [new(0, 0)], 1, 10, 100e-9)] } };
        var e = Assert.Throws<CompassInputException>(() => ExplorationProblem.Create(definition with { Package = tiny }, CancellationToken.None));
        Assert.Equal("model", e.Field);
        Assert.Contains("do not fit package DRAM", e.Message);
    }

    [Fact]
    public void MicroBatchLargerThanTheBatchIsRejected()
    {
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), [Fixtures.Decode(3)], new GraphOptions { TensorParallel = 1, MicroBatchSize = 4 });
        var e = Assert.Throws<CompassInputException>(() => ExplorationProblem.Create(definition, CancellationToken.None));
        Assert.Equal("graph.microBatchSize", e.Field);
    }

    [Fact]
    public void CostModelIsCalledOncePerDistinctShape()
    {
        var cost = new LinearCostModel();
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), [Fixtures.Decode(3, 3, 3, 3)], new GraphOptions { TensorParallel = 1 }, cost);
        var p = ExplorationProblem.Create(definition, CancellationToken.None);
        Assert.Equal(p.DistinctOperatorShapes, cost.Calls);
        Assert.Equal(p.CostEstimates, cost.Calls);
    }

    [Fact]
    public void NonFiniteCostGivesInvalidFitness()
    {
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), [Fixtures.Decode(3)], new GraphOptions { TensorParallel = 1 }, new NaNCostModel());
        var p = ExplorationProblem.Create(definition, CancellationToken.None);
        var genome = p.Space.CreateGenome();
        Assert.False(p.Evaluate(genome).IsValid);
        Assert.NotNull(p.ExplainInvalid(genome));
    }

    // Small MLA: d 64, 4 heads, q_lora 32, d_c 16, d_R 8, d_nope 16, d_v 16.
    private static ModelConfig SmallMla(int layers = 1, int qLoraRank = 32) => new()
    {
        Name = "mla", Family = "deepseek", Layers = layers, Hidden = 64, Heads = 4, KvHeads = 4, HeadDim = 24,
        FfnHidden = 128, Vocab = 16, GatedMlp = true, Attention = AttentionKind.Mla,
        Mla = new MlaConfig(qLoraRank, 16, 16, 8, 16),
    };

    private static readonly NodeStage[] AttentionStages =
        [NodeStage.QkvProjection, NodeStage.AttentionScore, NodeStage.AttentionSoftmax, NodeStage.AttentionValue, NodeStage.OutputProjection];

    /// <summary>MLA attention parameters of one layer, docs/reference/formulas.md §1 (norms excluded).</summary>
    private static double MlaAttentionParameters(double d, double h, double rq, double dc, double dr, double nope, double dv) =>
        (rq > 0 ? d * rq + rq * h * (nope + dr) : d * h * (nope + dr)) + d * (dc + dr) + dc * h * (nope + dv) + h * dv * d;

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public void MlaAttentionWeightsMatchTheLowRankFormula(int qLoraRank)
    {
        var model = SmallMla(qLoraRank: qLoraRank);
        var p = Build(model, new GraphOptions { TensorParallel = 2, HeadGroups = 2 }, Fixtures.Decode(5));
        var attention = p.Space.Genes.Where(g => AttentionStages.Contains(g.Stage)).Sum(g => (double)g.WeightBytes);
        // q_lora 32: 64·32 + 32·4·24 + 64·24 + 16·4·32 + 4·16·64 = 12,800 B at 8 bits.
        Assert.Equal(MlaAttentionParameters(64, 4, qLoraRank, 16, 8, 16, 16), attention);
        if (qLoraRank == 32) Assert.Equal(12_800.0, attention);
        Assert.Equal(qLoraRank > 0, p.Space.Genes.Any(g => g.Name == "L0.q_down"));
        Assert.Equal(MemoryPlanner.WeightBytes(model, Fixtures.Int8, 1), p.Space.Genes.Sum(g => (double)g.WeightBytes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void MlaDecodeReadsLatentHistoryOncePerLayer(int headGroups)
    {
        // Two decodes with histories 100 and 37, two layers: (d_c + d_R)·b = 24 B per cached token per layer,
        // whatever the head grouping (the latent is shared by all heads).
        var model = SmallMla(layers: 2);
        var p = Build(model, new GraphOptions { TensorParallel = 2, HeadGroups = headGroups }, Fixtures.Decode(100, 37));
        var it = p.Graph.Iterations[0];
        Assert.Equal(2.0 * (100 + 37) * 24, StageSum(p, NodeStage.QkvProjection, t => it.ExtraReadBytes[t]));
        Assert.Equal(0.0, StageSum(p, NodeStage.AttentionScore, t => it.ExtraReadBytes[t]) + StageSum(p, NodeStage.AttentionValue, t => it.ExtraReadBytes[t]));
        // The new tokens' latents and RoPE keys are the KV cache, always written: 2 layers × 2 tokens × 24 B.
        Assert.Equal(2.0 * 2 * 24, StageSum(p, NodeStage.QkvProjection, t => it.MustWriteBytes[t]));
        Assert.Equal(2.0 * MemoryPlanner.KvBytesPerToken(model, Fixtures.Int8, 2), StageSum(p, NodeStage.QkvProjection, t => it.MustWriteBytes[t]));
    }

    [Fact]
    public void MlaDecodeMacsMatchTheNoAbsorptionFormula()
    {
        // One decode, history 50, context t = 51 (docs/reference/formulas.md §2, without weight absorption):
        // projections N_attn per token, re-expansion of the 50 cached latents h·d_c·H·(d_nope + d_v),
        // scores H·(d_nope + d_R)·t and attention-value H·d_v·t MACs.
        const int history = 50;
        const int context = history + 1;
        var p = Build(SmallMla(), new GraphOptions { TensorParallel = 2, HeadGroups = 2 }, Fixtures.Decode(history));
        var it = p.Graph.Iterations[0];
        var macs = AttentionStages.Sum(stage => StageSum(p, stage, t => it.GemmMacs[t]));
        var expected = 12_800.0 + history * 16.0 * 4 * (16 + 16) + 4.0 * (16 + 8) * context + 4.0 * 16 * context;
        Assert.Equal(expected, macs);
        Assert.Equal(4.0 * (16 + 8) * context, StageSum(p, NodeStage.AttentionScore, t => it.GemmMacs[t]));
        Assert.Equal(4.0 * 16 * context, StageSum(p, NodeStage.AttentionValue, t => it.GemmMacs[t]));
    }

    [Fact]
    public void MlaCausalPrefillExpandsOnlyTheNewTokens()
    {
        // Prefill of 6 tokens: no history read, K/V expansion of 6 tokens, causal scores H·(d_nope + d_R)·s(s+1)/2.
        var p = Build(SmallMla(), new GraphOptions { TensorParallel = 2, HeadGroups = 2, CausalPrefill = true }, new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, 6, 0)]));
        var it = p.Graph.Iterations[0];
        Assert.Equal(6.0 * 64, StageSum(p, NodeStage.QkvProjection, t => it.ExtraReadBytes[t]) + StageSum(p, NodeStage.Norm, t => it.ExtraReadBytes[t]));
        var kvUp = p.Space.Genes.Where(g => g.Name.StartsWith("L0.kv_up", StringComparison.Ordinal)).Sum(g => it.GemmMacs[g.Index]);
        Assert.Equal(6.0 * 16 * 4 * (16 + 16), kvUp);
        Assert.Equal(4.0 * (16 + 8) * 6 * 7 / 2, StageSum(p, NodeStage.AttentionScore, t => it.GemmMacs[t]));
    }

    [Fact]
    public void DeepSeekV3MoeLayerBuildsAndEvaluates()
    {
        // DeepSeek-V3 (docs/reference/models.md, deepseek-ai/DeepSeek-V3 config_671B.json): one MoE layer (first-dense count set to 0 so
        // the modelled layer is MoE), 256 routed + 1 shared experts of 2048, top-8, MLA 1536/512/128/64/128.
        var model = new ModelConfig
        {
            Name = "deepseek-v3", Family = "deepseek", Layers = 61, Hidden = 7168, Heads = 128, KvHeads = 128, HeadDim = 192,
            FfnHidden = 18432, Vocab = 129280, GatedMlp = true, Attention = AttentionKind.Mla,
            Mla = new MlaConfig(1536, 512, 128, 64, 128), Moe = new MoeConfig(256, 1, 8, 2048, 0),
        };
        var p = Build(model, new GraphOptions { Layers = 1, TensorParallel = 8 }, Fixtures.Decode(1000, 200));
        Assert.Equal(257, p.Space.Genes.Count(g => g.Stage == NodeStage.MoeExpert));
        var attention = p.Space.Genes.Where(g => AttentionStages.Contains(g.Stage)).Sum(g => (double)g.WeightBytes);
        Assert.Equal(MlaAttentionParameters(7168, 128, 1536, 512, 64, 128, 128), attention);
        Assert.Equal(187_105_280.0, attention);
        var it = p.Graph.Iterations[0];
        Assert.Equal(1200.0 * 576, StageSum(p, NodeStage.QkvProjection, t => it.ExtraReadBytes[t]));
        var fitness = p.Evaluate(p.Space.CreateGenome());
        Assert.True(fitness.IsValid);
        Assert.True(double.IsFinite(fitness.Objective) && fitness.Objective > 0);
        Assert.True(double.IsFinite(fitness.LatencyNs) && fitness.LatencyNs > 0);
    }

    private sealed class NaNCostModel : IComputeCostModel
    {
        public OperatorCost Estimate(Abstractions.Hardware.ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken) =>
            new(op.Kind == OperatorKind.Softmax ? double.NaN : 1, 1, 0, 0, 1, 0, string.Empty);
    }
}
