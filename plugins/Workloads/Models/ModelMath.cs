using Compass.Abstractions.Workload;

namespace Compass.Workloads.Models;

/// <summary>
/// Parameter counts and KV-cache sizes derived from a <see cref="ModelConfig"/>, following
/// <c>docs/reference/models.md</c> section 2, "How the derived numbers are computed":
/// <list type="bullet">
/// <item>Gated models (Llama, Mistral, Mixtral, Qwen, DeepSeek): attention d·H·d_h + 2·d·KV·d_h + H·d_h·d (+ (H + 2·KV)·d_h
/// QKV bias), MLP 3·d·F per expert (+ d·E router), 2d of norms per layer; embedding V·d, untied head V·d, final norm d.</item>
/// <item>Biased 2-matrix models (OPT, GPT-3): 4d² + 4d attention, 2·d·F + F + d MLP, 4d of LayerNorms per layer; tied V·d
/// embedding, a learned position table of max_position rows (+2 for OPT) and a 2d final LayerNorm.</item>
/// <item>MLA (DeepSeek-V3): d·q_rank + q_rank + q_rank·H·(nope + rope) + d·(d_c + rope) + d_c + d_c·H·(nope + v) + H·v·d per layer;
/// the sigmoid router of DeepSeek carries a per-expert bias (E·d + E).</item>
/// </list>
/// All counts are exact integers; they reproduce the [computed] column of docs/reference/models.md to the last printed digit.
/// </summary>
public static class ModelMath
{
    /// <summary>Total parameters (all experts, embeddings, head, norms, position tables).</summary>
    public static long TotalParameters(ModelConfig model) => Count(model, activeOnly: false, includeEmbeddings: true);

    /// <summary>Parameters one token uses: the top-k routed experts plus the shared ones; all non-expert weights.</summary>
    public static long ActiveParameters(ModelConfig model) => Count(model, activeOnly: true, includeEmbeddings: true);

    /// <summary>
    /// Active parameters without the input embedding, the untied output head and learned position tables
    /// (norms stay). The forward cost of one token is about 2·this + 2·V·d FLOPs plus attention.
    /// </summary>
    public static long ActiveNonEmbeddingParameters(ModelConfig model) => Count(model, activeOnly: true, includeEmbeddings: false);

    /// <summary>Parameters of one decoder layer (dense layer, or MoE layer when the model has experts).</summary>
    /// <param name="model">The model.</param>
    /// <param name="layerIndex">0-based layer index (DeepSeek's first layers are dense).</param>
    /// <param name="activeOnly">Count only the experts one token goes to.</param>
    public static long LayerParameters(ModelConfig model, int layerIndex, bool activeOnly)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
        long d = model.Hidden;
        if (model.LinearBias)
        {
            // OPT / GPT-3: 4d² + 4d (Q, K, V, O with biases), 2·d·F + F + d (MLP with biases), 4d (two LayerNorms).
            long f = model.FfnHidden;
            return (4 * d * d) + (4 * d) + (2 * d * f) + f + d + (4 * d);
        }

        var attention = AttentionParameters(model);
        var norms = 2 * d;
        return attention + MlpParameters(model, layerIndex, activeOnly) + norms;
    }

    /// <summary>Attention weights of one layer (projections, biases and MLA's low-rank norms).</summary>
    public static long AttentionParameters(ModelConfig model)
    {
        long d = model.Hidden;
        long h = model.Heads;
        if (model.Attention == AttentionKind.Mla && model.Mla is { } mla)
        {
            long qRank = mla.QLoraRank;
            long qkDim = mla.QkNopeHeadDim + mla.QkRopeHeadDim;
            long query = qRank > 0
                ? (d * qRank) + qRank + (qRank * h * qkDim) // down-projection, its RMSNorm, up-projection
                : d * h * qkDim;
            long kvRank = mla.KvLoraRank;
            long keyValue = (d * (kvRank + mla.QkRopeHeadDim)) + kvRank + (kvRank * h * (mla.QkNopeHeadDim + mla.VHeadDim));
            long output = h * mla.VHeadDim * d;
            return query + keyValue + output;
        }

        if (model.LinearBias) return (4 * d * d) + (4 * d);
        long dh = model.HeadDim;
        long kv = model.KvHeads;
        long weights = (d * h * dh) + (2 * d * kv * dh) + (h * dh * d);
        long bias = model.QkvBias ? (h + (2 * kv)) * dh : 0;
        return weights + bias;
    }

    /// <summary>MLP (or MoE) weights of one layer.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layerIndex">0-based layer index.</param>
    /// <param name="activeOnly">Count only the experts one token goes to (top-k routed + shared).</param>
    public static long MlpParameters(ModelConfig model, int layerIndex, bool activeOnly)
    {
        long d = model.Hidden;
        var matrices = model.GatedMlp ? 3L : 2L;
        if (model.LinearBias)
        {
            long f = model.FfnHidden;
            return (2 * d * f) + f + d;
        }

        if (!IsMoeLayer(model, layerIndex)) return matrices * d * model.FfnHidden;
        var moe = model.Moe!;
        long perExpert = matrices * d * moe.ExpertFfnHidden;
        long experts = activeOnly ? moe.TopK + moe.SharedExperts : moe.Experts + moe.SharedExperts;
        long router = d * moe.Experts;
        if (HasRouterBias(model)) router += moe.Experts;
        return (experts * perExpert) + router;
    }

    /// <summary>True when layer <paramref name="layerIndex"/> routes tokens to experts.</summary>
    public static bool IsMoeLayer(ModelConfig model, int layerIndex) => model.Moe is { } moe && layerIndex >= moe.FirstDenseLayers;

    /// <summary>
    /// True when the router carries a per-expert bias: DeepSeek-V3's sigmoid router has an
    /// <c>e_score_correction_bias</c> (deepseek-ai/DeepSeek-V3 inference/model.py); Mixtral's softmax router has none.
    /// </summary>
    public static bool HasRouterBias(ModelConfig model) => model.Family.StartsWith("deepseek", StringComparison.OrdinalIgnoreCase);

    /// <summary>Rows of the learned position table: max_position, plus OPT's 2 offset rows; 0 for RoPE models.</summary>
    public static long PositionTableRows(ModelConfig model)
    {
        if (!string.Equals(model.PositionEncoding, "learned", StringComparison.OrdinalIgnoreCase)) return 0;
        var offset = string.Equals(model.Family, "opt", StringComparison.OrdinalIgnoreCase) ? 2 : 0;
        return model.MaxPosition + offset;
    }

    /// <summary>Embedding, output head and position-table parameters (the part excluded from "non-embedding").</summary>
    public static long EmbeddingParameters(ModelConfig model)
    {
        long d = model.Hidden;
        long embedding = (long)model.Vocab * d;
        long head = model.TiedEmbeddings ? 0 : embedding;
        return embedding + head + (PositionTableRows(model) * d);
    }

    /// <summary>Final-norm parameters: d for RMSNorm (weight only), 2d for LayerNorm (weight and bias).</summary>
    public static long FinalNormParameters(ModelConfig model)
        => string.Equals(model.Norm, "layernorm", StringComparison.OrdinalIgnoreCase) ? 2L * model.Hidden : model.Hidden;

    /// <summary>
    /// KV-cache bytes one token occupies at <paramref name="kvCacheBits"/> bits per element. MHA/GQA: 2·L·KV·d_h·bits/8
    /// (Llama-3-8B at 16 bits: 131,072 B). MLA: L·(d_c + d_R)·bits/8 (the latent plus the RoPE key; DeepSeek-V3: 70,272 B).
    /// Rounded up to whole bytes.
    /// </summary>
    public static long KvCacheBytesPerToken(ModelConfig model, int kvCacheBits = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvCacheBits);
        long elements = KvCacheElementsPerToken(model);
        return ((elements * kvCacheBits) + 7) / 8;
    }

    /// <summary>KV-cache elements per token over all layers (2·L·KV·d_h, or L·(d_c + d_R) for MLA).</summary>
    public static long KvCacheElementsPerToken(ModelConfig model)
    {
        if (model.Attention == AttentionKind.Mla && model.Mla is { } mla)
            return (long)model.Layers * (mla.KvLoraRank + mla.QkRopeHeadDim);
        return 2L * model.Layers * model.KvHeads * model.HeadDim;
    }

    /// <summary>
    /// Live KV-cache bytes of one request holding <paramref name="contextTokens"/> tokens. With sliding-window attention
    /// (Mistral-7B, W = 4096) only the last W tokens are kept: min(t, W)·bytes per token.
    /// </summary>
    public static long KvCacheBytesForContext(ModelConfig model, long contextTokens, int kvCacheBits = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contextTokens);
        var live = model.SlidingWindow is { } window ? Math.Min(contextTokens, window) : contextTokens;
        return live * KvCacheBytesPerToken(model, kvCacheBits);
    }

    /// <summary>Weight bytes at <paramref name="weightBits"/> bits per parameter (4-bit rounds up to whole bytes).</summary>
    public static long WeightBytes(ModelConfig model, int weightBits = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weightBits);
        return ((TotalParameters(model) * weightBits) + 7) / 8;
    }

    private static long Count(ModelConfig model, bool activeOnly, bool includeEmbeddings)
    {
        long layers = 0;
        for (var i = 0; i < model.Layers; i++) layers += LayerParameters(model, i, activeOnly);
        var total = layers + FinalNormParameters(model);
        if (includeEmbeddings) total += EmbeddingParameters(model);
        return total;
    }
}
