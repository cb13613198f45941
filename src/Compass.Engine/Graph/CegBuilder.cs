using Compass.Abstractions.Costs;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Engine.Graph;

/// <summary>
/// Emits the computation execution graph of one micro-batch, decoder layer by decoder layer
/// (docs/reference/compass-method.md §2, with the corrections of §2.5): QKV projection per head group
/// (GQA aware), attention score / softmax / attention-value per head group covering every request of the
/// micro-batch, output-projection shards, residual, norm, FFN up (with the gate matrix of a gated MLP),
/// activation, FFN down shards, residual (MoE layers: router plus one gene per routed and shared expert).
/// Multi-head latent attention (MLA, DeepSeek-V3) replaces the QKV projection with low-rank Q and KV paths
/// and expands the cached latents per head group (see <see cref="EmitMla"/>).
/// The gene structure depends only on the model and <see cref="GraphOptions"/>; shapes and bytes depend on
/// the micro-batch's requests.
/// </summary>
internal sealed class CegBuilder
{
    private readonly ModelConfig _model;
    private readonly GraphOptions _options;
    private readonly int _layers;
    private readonly LayerSplit[] _split;   // per modelled layer: its TP degree and head split (shared between layers of one degree)
    private int _tp;                        // of the layer being emitted (set by Use)
    private int _groups;
    private readonly bool _postNorm;
    private readonly int _aBits;
    private readonly int _wBits;
    private readonly int _kvBits;
    private readonly double _aB;
    private readonly double _wB;
    private readonly double _kvB;
    private int[] _qHeads = [];               // query heads per group
    private int[] _kvFirst = [];              // first KV head a group reads
    private int[] _kvLast = [];               // last KV head a group reads
    private int[] _kvOwner = [];              // group that computes KV head k (the group holding its first query head)
    private int[] _ownedKv = [];              // KV heads computed by a group
    private int[] _dShard = [];               // hidden columns of each output-projection / FFN-down shard
    private int[] _fShard = [];               // FFN columns of each FFN-up shard
    private readonly MlaConfig? _mla;        // MLA dimensions, or null for MHA/GQA

    public CegBuilder(ModelConfig model, PrecisionConfig precision, GraphOptions options)
    {
        _model = model;
        _options = options;
        if (model.Attention == AttentionKind.Mla)
        {
            Require(model.Mla is not null, "model.mla", "is required when attention is mla");
            var m = model.Mla!;
            Require(m.QLoraRank >= 0, "model.mla.qLoraRank", $"must be ≥ 0, got {m.QLoraRank}");
            Require(m.KvLoraRank >= 1, "model.mla.kvLoraRank", $"must be ≥ 1, got {m.KvLoraRank}");
            Require(m.QkNopeHeadDim >= 1, "model.mla.qkNopeHeadDim", $"must be ≥ 1, got {m.QkNopeHeadDim}");
            Require(m.QkRopeHeadDim >= 1, "model.mla.qkRopeHeadDim", $"must be ≥ 1, got {m.QkRopeHeadDim}");
            Require(m.VHeadDim >= 1, "model.mla.vHeadDim", $"must be ≥ 1, got {m.VHeadDim}");
            _mla = m;
        }
        Require(model.Layers >= 1, "model.layers", $"must be ≥ 1, got {model.Layers}");
        Require(model.Hidden >= 1, "model.hidden", $"must be ≥ 1, got {model.Hidden}");
        Require(model.Heads >= 1, "model.heads", $"must be ≥ 1, got {model.Heads}");
        Require(model.KvHeads >= 1 && model.KvHeads <= model.Heads && model.Heads % model.KvHeads == 0, "model.kvHeads", $"must divide heads {model.Heads}, got {model.KvHeads}");
        Require(model.HeadDim >= 1, "model.headDim", $"must be ≥ 1, got {model.HeadDim}");
        Require(model.FfnHidden >= 1, "model.ffnHidden", $"must be ≥ 1, got {model.FfnHidden}");
        Require(options.Layers >= 0 && options.Layers <= model.Layers, "graph.layers", $"must be 0..{model.Layers}, got {options.Layers}");
        Require(options.TensorParallel >= 1 && options.TensorParallel <= Math.Min(model.Hidden, model.FfnHidden), "graph.tensorParallel", $"must be 1..{Math.Min(model.Hidden, model.FfnHidden)}, got {options.TensorParallel}");
        Require(options.MicroBatchSize >= 1, "graph.microBatchSize", $"must be ≥ 1, got {options.MicroBatchSize}");
        _layers = options.Layers == 0 ? model.Layers : options.Layers;
        Require(options.LayerTensorParallel.Count == 0 || options.LayerTensorParallel.Count == _layers, "graph.tensorParallel", $"per-layer degrees must cover the {_layers} modelled layers, got {options.LayerTensorParallel.Count}");
        foreach (var degree in options.LayerTensorParallel)
            Require(degree >= 1 && degree <= Math.Min(model.Hidden, model.FfnHidden), "graph.tensorParallel", $"must be 1..{Math.Min(model.Hidden, model.FfnHidden)}, got {degree}");
        var groups = options.HeadGroups == 0 ? Math.Min(options.TensorParallel, model.Heads) : options.HeadGroups;
        Require(groups >= 1 && groups <= model.Heads, "graph.headGroups", $"must be 0..{model.Heads}, got {options.HeadGroups}");
        if (model.Moe is { } moe)
        {
            Require(moe.Experts >= 1 && moe.TopK >= 1 && moe.TopK <= moe.Experts, "model.moe.topK", $"must be 1..{moe.Experts}, got {moe.TopK}");
            Require(moe.ExpertFfnHidden >= 1, "model.moe.expertFfnHidden", $"must be ≥ 1, got {moe.ExpertFfnHidden}");
            Require(moe.SharedExperts >= 0 && moe.FirstDenseLayers >= 0, "model.moe", "shared experts and first dense layers must be ≥ 0");
        }
        Require(precision.WeightBits is >= 1 and <= 64, "precision.weightBits", $"must be 1..64, got {precision.WeightBits}");
        Require(precision.ActivationBits is >= 1 and <= 64, "precision.activationBits", $"must be 1..64, got {precision.ActivationBits}");
        Require(precision.KvCacheBits is >= 1 and <= 64, "precision.kvCacheBits", $"must be 1..64, got {precision.KvCacheBits}");

        // The published GPT-3 builder is post-norm (docs/reference/compass-method.md §2.3); every other family is pre-norm.
        _postNorm = string.Equals(model.Family, "gpt3", StringComparison.OrdinalIgnoreCase);
        _aBits = precision.ActivationBits;
        _wBits = precision.WeightBits;
        _kvBits = precision.KvCacheBits;
        _aB = precision.ActivationBytes;
        _wB = precision.WeightBytes;
        _kvB = precision.KvCacheBytes;

        var splits = new Dictionary<int, LayerSplit>();
        _split = new LayerSplit[_layers];
        for (var l = 0; l < _layers; l++)
        {
            var tp = options.TensorParallelOf(l);
            if (!splits.TryGetValue(tp, out var split))
                splits.Add(tp, split = LayerSplit.Of(model, tp, options.HeadGroups == 0 ? Math.Min(tp, model.Heads) : options.HeadGroups));
            _split[l] = split;
        }
        Use(_split[0]);
    }

    /// <summary>Decoder layers modelled.</summary>
    public int Layers => _layers;

    /// <summary>Head groups of the QKV projection and attention (of the first layer when layers differ).</summary>
    public int HeadGroups => _split[0].Groups;

    /// <summary>Makes <paramref name="split"/> the current layer's degree and head split.</summary>
    private void Use(LayerSplit split)
    {
        _tp = split.Tp;
        _groups = split.Groups;
        _qHeads = split.QHeads;
        _kvFirst = split.KvFirst;
        _kvLast = split.KvLast;
        _kvOwner = split.KvOwner;
        _ownedKv = split.OwnedKv;
        _dShard = split.DShard;
        _fShard = split.FShard;
    }

    /// <summary>A layer's tensor-parallel degree and the head split of its QKV projection and attention.</summary>
    private sealed record LayerSplit(int Tp, int Groups, int[] QHeads, int[] KvFirst, int[] KvLast, int[] KvOwner, int[] OwnedKv, int[] DShard, int[] FShard)
    {
        public static LayerSplit Of(ModelConfig model, int tp, int groups)
        {
            var heads = model.Heads;
            var headsPerKv = heads / model.KvHeads;
            var qHeads = Split(heads, groups);
            var kvFirst = new int[groups];
            var kvLast = new int[groups];
            var ownedKv = new int[groups];
            var kvOwner = new int[model.KvHeads];
            var q = 0;
            for (var g = 0; g < groups; g++)
            {
                kvFirst[g] = q / headsPerKv;
                kvLast[g] = (q + qHeads[g] - 1) / headsPerKv;
                q += qHeads[g];
            }
            Array.Fill(kvOwner, -1);
            for (var g = 0; g < groups; g++)
            {
                for (var k = kvFirst[g]; k <= kvLast[g]; k++)
                {
                    if (kvOwner[k] < 0) { kvOwner[k] = g; ownedKv[g]++; }
                }
            }
            return new LayerSplit(tp, groups, qHeads, kvFirst, kvLast, kvOwner, ownedKv, Split(model.Hidden, tp), Split(model.FfnHidden, tp));
        }
    }

    /// <summary>Splits <paramref name="total"/> into <paramref name="parts"/> near-equal positive parts (the first ones one larger).</summary>
    public static int[] Split(int total, int parts)
    {
        var result = new int[parts];
        for (var i = 0; i < parts; i++) result[i] = total / parts + (i < total % parts ? 1 : 0);
        return result;
    }

    /// <summary>Tokens routed to expert <paramref name="expert"/> of <paramref name="experts"/> when <paramref name="tokens"/> tokens pick top-<paramref name="topK"/>: the balanced expectation T·k/E, made integral so that the experts' tokens sum to T·k.</summary>
    public static long RoutedTokens(long tokens, int topK, int experts, int expert) =>
        tokens * topK * (expert + 1) / experts - tokens * topK * expert / experts;

    /// <summary>Emits the graph of one micro-batch.</summary>
    public void Emit(IReadOnlyList<ScheduledRequest> requests, GraphRecorder r)
    {
        long t = 0;
        foreach (var q in requests) t += q.NewTokens;
        var d = _model.Hidden;
        var dh = _model.HeadDim;
        var valueDim = _mla?.VHeadDim ?? dh;     // per-head width of the attention-value output
        var attnWidth = (long)_model.Heads * valueDim;
        var gated = _model.GatedMlp;
        var maxGroups = 0;
        var maxTp = 0;
        foreach (var split in _split)
        {
            maxGroups = Math.Max(maxGroups, split.Groups);
            maxTp = Math.Max(maxTp, split.Tp);
        }
        var qkv = new int[maxGroups];
        var av = new int[maxGroups];
        var oproj = new int[maxTp];
        var input = -1;
        r.BeginMicroBatch();
        for (var l = 0; l < _layers; l++)
        {
            Use(_split[l]);
            int attnIn;
            if (_postNorm)
            {
                attnIn = input;
            }
            else
            {
                attnIn = r.Gene(l, NodeStage.Norm, 0, false, "norm1", 0);
                r.Input(input, t * d * _aB);
                r.Shape(Vector(OperatorKind.Norm, t, d));
                r.Output(t * d * _aB, 0);
            }

            if (_mla is { } mla)
            {
                EmitMla(requests, r, l, t, attnIn, mla, av);
            }
            else
            {
                for (var g = 0; g < _groups; g++)
                {
                    long n = ((long)_qHeads[g] + 2L * _ownedKv[g]) * dh;
                    qkv[g] = r.Gene(l, NodeStage.QkvProjection, g, _groups > 1, "qkv", (long)Math.Ceiling(d * n * _wB));
                    r.Input(attnIn, t * d * _aB);
                    r.Shape(Gemm(t, d, n, 1, _wBits, true));
                    var kv = t * 2.0 * _ownedKv[g] * dh * _kvB;
                    r.Output(t * (double)_qHeads[g] * dh * _aB + kv, kv);
                }

                for (var g = 0; g < _groups; g++)
                {
                    var qh = _qHeads[g];
                    var kvTouched = _kvLast[g] - _kvFirst[g] + 1;
                    double scoreBytes = 0;
                    foreach (var q in requests) scoreBytes += ScoreElements(q) * qh * _aB;

                    var score = r.Gene(l, NodeStage.AttentionScore, g, _groups > 1, "score", 0);
                    r.Input(qkv[g], t * (double)qh * dh * _aB + t * (double)_ownedKv[g] * dh * _kvB);
                    KvEdges(r, qkv, g, t * (double)dh * _kvB);
                    double history = 0;
                    foreach (var q in requests)
                    {
                        var (rows, cols) = ScoreRowsCols(q);
                        r.Shape(Gemm(rows, dh, cols, qh, _kvBits, false));
                        history += EffectiveHistory(q);
                    }
                    r.Read(history * kvTouched * dh * _kvB);
                    r.Output(scoreBytes, 0);

                    var softmax = r.Gene(l, NodeStage.AttentionSoftmax, g, _groups > 1, "softmax", 0);
                    r.Input(score, scoreBytes);
                    foreach (var q in requests)
                    {
                        var (rows, cols) = ScoreRowsCols(q);
                        r.Shape(new OperatorShape(OperatorKind.Softmax, rows, 1, cols, qh, _aBits, _aBits, _aBits, false));
                    }
                    r.Output(scoreBytes, 0);

                    av[g] = r.Gene(l, NodeStage.AttentionValue, g, _groups > 1, "attn_v", 0);
                    r.Input(softmax, scoreBytes);
                    if (_ownedKv[g] > 0) r.Input(qkv[g], t * (double)_ownedKv[g] * dh * _kvB);
                    KvEdges(r, qkv, g, t * (double)dh * _kvB);
                    foreach (var q in requests)
                    {
                        var (rows, cols) = ScoreRowsCols(q);
                        r.Shape(Gemm(rows, cols, dh, qh, _kvBits, false));
                    }
                    r.Read(history * kvTouched * dh * _kvB);
                    r.Output(t * (double)qh * dh * _aB, 0);
                }
            }

            // Output projection, row-parallel (Megatron): shard s owns a contiguous slice of the attention width
            // (heads × value dim), takes only the head groups' outputs that fall in it, and produces a partial sum of
            // the full hidden width; the shards all-reduce it before the residual reads it.
            var attnShard = Split((int)attnWidth, _tp);
            if (_tp > 1) r.BeginAllReduce();
            long col = 0;
            for (var s = 0; s < _tp; s++)
            {
                long width = attnShard[s];
                oproj[s] = r.Gene(l, NodeStage.OutputProjection, s, _tp > 1, "o_proj", (long)Math.Ceiling(width * d * _wB));
                long groupStart = 0;
                for (var g = 0; g < _groups; g++)
                {
                    long groupEnd = groupStart + (long)_qHeads[g] * valueDim;
                    var overlap = Math.Min(groupEnd, col + width) - Math.Max(groupStart, col);
                    if (overlap > 0) r.Input(av[g], t * (double)overlap * _aB);
                    groupStart = groupEnd;
                }
                r.Shape(Gemm(t, width, d, 1, _wBits, true));
                r.Output(t * (double)_dShard[s] * _aB, 0);
                if (_tp > 1) r.AllReduce(t * (double)d * _aB);
                col += width;
            }

            var res1 = r.Gene(l, NodeStage.Residual, 0, false, "res1", 0);
            for (var s = 0; s < _tp; s++) r.Input(oproj[s], t * (double)_dShard[s] * _aB);
            r.Input(input, t * d * _aB);
            r.Shape(Vector(OperatorKind.Elementwise, t, d));
            r.Output(t * d * _aB, 0);

            var mid = r.Gene(l, NodeStage.Norm, 0, false, _postNorm ? "norm1" : "norm2", 0);
            r.Input(res1, t * d * _aB);
            r.Shape(Vector(OperatorKind.Norm, t, d));
            r.Output(t * d * _aB, 0);
            var residualSource = _postNorm ? mid : res1;

            var ffnOut = new List<(int Gene, double Bytes)>();
            if (_model.Moe is { } moe && l >= moe.FirstDenseLayers)
            {
                EmitMoe(r, l, moe, t, mid, ffnOut);
            }
            else
            {
                var up = new int[_tp];
                var upMul = gated ? 2 : 1;
                for (var s = 0; s < _tp; s++)
                {
                    up[s] = r.Gene(l, NodeStage.FfnUp, s, _tp > 1, "ffn_up", (long)Math.Ceiling((double)d * upMul * _fShard[s] * _wB));
                    r.Input(mid, t * d * _aB);
                    r.Shape(Gemm(t, d, (long)upMul * _fShard[s], 1, _wBits, true));
                    r.Output(t * (double)upMul * _fShard[s] * _aB, 0);
                }
                // Activation per shard (column-parallel up keeps its slice of the FFN width), then FFN down
                // row-parallel on that slice: a partial sum of the hidden width, all-reduced by the shards.
                var act = new int[_tp];
                for (var s = 0; s < _tp; s++)
                {
                    act[s] = r.Gene(l, NodeStage.FfnActivation, s, _tp > 1, "act", 0);
                    r.Input(up[s], t * (double)upMul * _fShard[s] * _aB);
                    r.Shape(Vector(gated ? OperatorKind.Elementwise : OperatorKind.Pointwise, t, _fShard[s]));
                    r.Output(t * (double)_fShard[s] * _aB, 0);
                }
                if (_tp > 1) r.BeginAllReduce();
                for (var s = 0; s < _tp; s++)
                {
                    var down = r.Gene(l, NodeStage.FfnDown, s, _tp > 1, "ffn_down", (long)Math.Ceiling((double)_fShard[s] * d * _wB));
                    r.Input(act[s], t * (double)_fShard[s] * _aB);
                    r.Shape(Gemm(t, _fShard[s], d, 1, _wBits, true));
                    r.Output(t * (double)_dShard[s] * _aB, 0);
                    if (_tp > 1) r.AllReduce(t * (double)d * _aB);
                    ffnOut.Add((down, t * (double)_dShard[s] * _aB));
                }
            }

            var res2 = r.Gene(l, NodeStage.Residual, 0, false, "res2", 0);
            foreach (var (gene, bytes) in ffnOut) r.Input(gene, bytes);
            r.Input(residualSource, t * d * _aB);
            r.Shape(Vector(OperatorKind.Elementwise, t, d));
            r.Output(t * d * _aB, 0);
            input = res2;

            if (_postNorm)
            {
                var norm2 = r.Gene(l, NodeStage.Norm, 0, false, "norm2", 0);
                r.Input(res2, t * d * _aB);
                r.Shape(Vector(OperatorKind.Norm, t, d));
                r.Output(t * d * _aB, 0);
                input = norm2;
            }
        }
        r.EndMicroBatch();
    }

    /// <summary>
    /// Multi-head latent attention of one layer, in the form without weight absorption that serving engines
    /// usually run (docs/reference/formulas.md §2, "MLA, per token per layer at context t, without weight absorption"): the
    /// cached latents are re-expanded into per-head keys and values every step, and attention runs with head
    /// dim d_nope + d_R (scores) and d_v (values). Genes:
    /// <list type="bullet">
    /// <item>q_down: d → q_lora_rank plus its RMSNorm (skipped when q_lora_rank is 0: Q is then projected from the hidden state);</item>
    /// <item>kv_down: d → d_c + d_R plus the RMSNorm of the latent; its output for the new tokens is the KV cache,
    /// always written to DRAM (docs/reference/formulas.md §3: (d_c + d_R)·b per token per layer). It also reads the history
    /// latents from DRAM, once per layer (the latent is shared by every head), and hands latents and RoPE keys of
    /// the whole context to the head groups; a group that does not receive them by forwarding reads them from
    /// DRAM under the usual rule (the history is there, the new tokens were written);</item>
    /// <item>q_up per head group: q_lora_rank → heads·(d_nope + d_R);</item>
    /// <item>kv_up per head group: d_c → heads·(d_nope + d_v), applied to the history and the new tokens
    /// (re-expansion: t·d_c·H·(d_nope + d_v) MACs per step at context t);</item>
    /// <item>score, softmax and attention-value per head group, as for MHA/GQA.</item>
    /// </list>
    /// The weights sum to d·r_q + r_q·H·(d_nope + d_R) + d·(d_c + d_R) + d_c·H·(d_nope + d_v) plus the
    /// output projection H·d_v·d that the caller emits (docs/reference/formulas.md §1; norms are not counted, as elsewhere).
    /// </summary>
    private void EmitMla(IReadOnlyList<ScheduledRequest> requests, GraphRecorder r, int l, long t, int attnIn, MlaConfig mla, int[] av)
    {
        long d = _model.Hidden;
        long rq = mla.QLoraRank;
        long dc = mla.KvLoraRank;
        long dr = mla.QkRopeHeadDim;
        long nope = mla.QkNopeHeadDim;
        long dv = mla.VHeadDim;
        var qk = nope + dr;
        long history = 0;
        foreach (var q in requests) history += EffectiveHistory(q);
        var context = history + t;
        var grouped = _groups > 1;

        var qSource = attnIn;
        var qWidth = d;
        if (rq > 0)
        {
            qSource = r.Gene(l, NodeStage.QkvProjection, 0, false, "q_down", (long)Math.Ceiling((double)d * rq * _wB));
            r.Input(attnIn, t * (double)d * _aB);
            r.Shape(Gemm(t, d, rq, 1, _wBits, true));
            r.Shape(Vector(OperatorKind.Norm, t, rq));
            r.Output(t * (double)rq * _aB, 0);
            qWidth = rq;
        }

        var kvDown = r.Gene(l, NodeStage.QkvProjection, 0, false, "kv_down", (long)Math.Ceiling((double)d * (dc + dr) * _wB));
        r.Input(attnIn, t * (double)d * _aB);
        r.Shape(Gemm(t, d, dc + dr, 1, _wBits, true));
        r.Shape(Vector(OperatorKind.Norm, t, dc));
        r.Read(history * (double)(dc + dr) * _kvB);
        var cache = t * (double)(dc + dr) * _kvB;
        r.Output(cache, cache);

        var qUp = new int[_groups];
        for (var g = 0; g < _groups; g++)
        {
            long n = _qHeads[g] * qk;
            qUp[g] = r.Gene(l, NodeStage.QkvProjection, g, grouped, "q_up", (long)Math.Ceiling((double)qWidth * n * _wB));
            r.Input(qSource, t * (double)qWidth * _aB);
            r.Shape(Gemm(t, qWidth, n, 1, _wBits, true));
            r.Output(t * (double)n * _aB, 0);
        }

        var kvUp = new int[_groups];
        for (var g = 0; g < _groups; g++)
        {
            long n = _qHeads[g] * (nope + dv);
            kvUp[g] = r.Gene(l, NodeStage.QkvProjection, g, grouped, "kv_up", (long)Math.Ceiling((double)dc * n * _wB));
            r.Input(kvDown, context * (double)dc * _kvB);
            // The input is the cached latent (KV-cache precision); the expanded keys and values are activations.
            r.Shape(new OperatorShape(OperatorKind.Gemm, context, dc, n, 1, _kvBits, _wBits, _aBits, true));
            r.Output(context * (double)n * _aB, 0);
        }

        for (var g = 0; g < _groups; g++)
        {
            var qh = _qHeads[g];
            double scoreBytes = 0;
            foreach (var q in requests) scoreBytes += ScoreElements(q) * qh * _aB;

            // Keys: the expanded no-RoPE part (activation precision, the larger share) plus the RoPE key shared by all heads.
            var score = r.Gene(l, NodeStage.AttentionScore, g, grouped, "score", 0);
            r.Input(qUp[g], t * (double)qh * qk * _aB);
            r.Input(kvUp[g], context * (double)qh * nope * _aB);
            r.Input(kvDown, context * (double)dr * _kvB);
            foreach (var q in requests)
            {
                var (rows, cols) = ScoreRowsCols(q);
                r.Shape(Gemm(rows, qk, cols, qh, _aBits, false));
            }
            r.Output(scoreBytes, 0);

            var softmax = r.Gene(l, NodeStage.AttentionSoftmax, g, grouped, "softmax", 0);
            r.Input(score, scoreBytes);
            foreach (var q in requests)
            {
                var (rows, cols) = ScoreRowsCols(q);
                r.Shape(new OperatorShape(OperatorKind.Softmax, rows, 1, cols, qh, _aBits, _aBits, _aBits, false));
            }
            r.Output(scoreBytes, 0);

            av[g] = r.Gene(l, NodeStage.AttentionValue, g, grouped, "attn_v", 0);
            r.Input(softmax, scoreBytes);
            r.Input(kvUp[g], context * (double)qh * dv * _aB);
            foreach (var q in requests)
            {
                var (rows, cols) = ScoreRowsCols(q);
                r.Shape(Gemm(rows, cols, dv, qh, _aBits, false));
            }
            r.Output(t * (double)qh * dv * _aB, 0);
        }
    }

    private void EmitMoe(GraphRecorder r, int l, MoeConfig moe, long t, int mid, List<(int Gene, double Bytes)> ffnOut)
    {
        var d = _model.Hidden;
        var fe = moe.ExpertFfnHidden;
        var gated = _model.GatedMlp;
        var upMul = gated ? 2 : 1;
        long expertWeights = (long)Math.Ceiling((double)d * fe * (upMul + 1) * _wB);
        var router = r.Gene(l, NodeStage.MoeRouter, 0, false, "router", (long)Math.Ceiling((double)d * moe.Experts * _wB));
        r.Input(mid, t * d * _aB);
        r.Shape(Gemm(t, d, moe.Experts, 1, _wBits, true));
        r.Shape(new OperatorShape(OperatorKind.Softmax, t, 1, moe.Experts, 1, _aBits, _aBits, _aBits, false));
        r.Output(t * (double)moe.Experts * _aB, 0);
        var total = moe.Experts + moe.SharedExperts;
        for (var e = 0; e < total; e++)
        {
            var shared = e >= moe.Experts;
            var tokens = shared ? t : RoutedTokens(t, moe.TopK, moe.Experts, e);
            var gene = r.Gene(l, NodeStage.MoeExpert, e, true, shared ? "shared_expert" : "expert", expertWeights);
            r.Input(mid, tokens * d * _aB);
            if (!shared) r.Input(router, tokens * _aB);
            if (tokens > 0)
            {
                r.Shape(Gemm(tokens, d, (long)upMul * fe, 1, _wBits, true));
                r.Shape(Vector(gated ? OperatorKind.Elementwise : OperatorKind.Pointwise, tokens, fe));
                r.Shape(Gemm(tokens, fe, d, 1, _wBits, true));
            }
            else
            {
                r.Inactive();
            }
            r.Output(tokens * d * _aB, 0);
            ffnOut.Add((gene, tokens * d * _aB));
        }
    }

    /// <summary>Edges carrying the new tokens' K (or V) of the KV heads group <paramref name="g"/> reads but another group computes.</summary>
    private void KvEdges(GraphRecorder r, int[] qkv, int g, double bytesPerHead)
    {
        var k = _kvFirst[g];
        while (k <= _kvLast[g])
        {
            var owner = _kvOwner[k];
            var count = 0;
            while (k <= _kvLast[g] && _kvOwner[k] == owner) { k++; count++; }
            if (owner != g) r.Input(qkv[owner], bytesPerHead * count);
        }
    }

    private bool PrefillLike(ScheduledRequest q) => q.Phase != RequestPhase.Decode && q.HistoryTokens == 0;

    /// <summary>KV-cache tokens the request's new tokens attend to (history, limited by a sliding window).</summary>
    private long EffectiveHistory(ScheduledRequest q)
    {
        long h = Math.Max(0, q.HistoryTokens);
        if (_model.SlidingWindow is int w && w > 0) h = Math.Min(h, Math.Max(0, w - q.NewTokens));
        return h;
    }

    /// <summary>
    /// Rows and columns of the request's score matrix per head. Prefill is new × new, or with causal masking an
    /// exact half-triangle of s(s+1)/2 entries (written as s/2 × (s+1) or s × (s+1)/2 so the MACs are exact);
    /// decode and chunks are new × (history + new).
    /// </summary>
    private (long Rows, long Cols) ScoreRowsCols(ScheduledRequest q)
    {
        long s = q.NewTokens;
        if (PrefillLike(q))
        {
            if (!_options.CausalPrefill) return (s, s);
            return s % 2 == 0 ? (s / 2, s + 1) : (s, (s + 1) / 2);
        }
        return (s, EffectiveHistory(q) + s);
    }

    private double ScoreElements(ScheduledRequest q)
    {
        var (rows, cols) = ScoreRowsCols(q);
        return (double)rows * cols;
    }

    private OperatorShape Gemm(long m, long k, long n, int count, int secondBits, bool staticWeights) =>
        new(OperatorKind.Gemm, m, k, n, count, _aBits, secondBits, _aBits, staticWeights);

    private OperatorShape Vector(OperatorKind kind, long m, long n) =>
        new(kind, m, 1, n, 1, _aBits, _aBits, _aBits, false);

    private static void Require(bool condition, string field, string reason)
    {
        if (!condition) throw new CompassInputException(field, reason);
    }
}
