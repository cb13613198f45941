namespace Compass.Abstractions.Workload;

/// <summary>Attention variant of a model.</summary>
public enum AttentionKind
{
    /// <summary>Multi-head attention (one KV head per query head).</summary>
    Mha,

    /// <summary>Grouped-query attention (<see cref="ModelConfig.KvHeads"/> &lt; heads).</summary>
    Gqa,

    /// <summary>Multi-head latent attention (DeepSeek-V3).</summary>
    Mla,
}

/// <summary>Mixture-of-experts feed-forward configuration.</summary>
/// <param name="Experts">Routed experts per MoE layer.</param>
/// <param name="SharedExperts">Always-active shared experts per MoE layer.</param>
/// <param name="TopK">Routed experts each token goes to.</param>
/// <param name="ExpertFfnHidden">Intermediate size of one expert.</param>
/// <param name="FirstDenseLayers">Leading layers that use a dense FFN instead of experts.</param>
public sealed record MoeConfig(int Experts, int SharedExperts, int TopK, int ExpertFfnHidden, int FirstDenseLayers);

/// <summary>Multi-head latent attention dimensions.</summary>
/// <param name="QLoraRank">Query compression rank.</param>
/// <param name="KvLoraRank">Latent KV dimension d_c.</param>
/// <param name="QkNopeHeadDim">Query/key head dimension without RoPE.</param>
/// <param name="QkRopeHeadDim">RoPE key dimension d_R.</param>
/// <param name="VHeadDim">Value head dimension.</param>
public sealed record MlaConfig(int QLoraRank, int KvLoraRank, int QkNopeHeadDim, int QkRopeHeadDim, int VHeadDim);

/// <summary>A decoder-only LLM's published configuration. Field meanings follow docs/reference/models.md.</summary>
public sealed record ModelConfig
{
    /// <summary>Catalog name the scenario uses (<c>llama-3-70b</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Display name (<c>Llama-3-70B</c>).</summary>
    public string DisplayName { get; init; } = string.Empty;

    /// <summary>Model family (<c>llama3</c>, <c>opt</c>, <c>gpt3</c>, <c>mixtral</c>, ...).</summary>
    public string Family { get; init; } = string.Empty;

    /// <summary>Decoder layers L.</summary>
    public required int Layers { get; init; }

    /// <summary>Hidden size d.</summary>
    public required int Hidden { get; init; }

    /// <summary>Query heads H.</summary>
    public required int Heads { get; init; }

    /// <summary>Key/value heads (equal to <see cref="Heads"/> for MHA).</summary>
    public required int KvHeads { get; init; }

    /// <summary>Head dimension d_h (query/key dimension for MLA).</summary>
    public required int HeadDim { get; init; }

    /// <summary>FFN intermediate size F (dense layers).</summary>
    public required int FfnHidden { get; init; }

    /// <summary>Vocabulary size V.</summary>
    public required int Vocab { get; init; }

    /// <summary>True for a gated MLP (SwiGLU: gate, up and down matrices); false for a 2-matrix MLP.</summary>
    public bool GatedMlp { get; init; }

    /// <summary>Activation function name (<c>silu</c>, <c>gelu</c>, <c>relu</c>).</summary>
    public string Activation { get; init; } = "gelu";

    /// <summary>Mixture-of-experts settings, or null for a dense model.</summary>
    public MoeConfig? Moe { get; init; }

    /// <summary>Attention variant.</summary>
    public AttentionKind Attention { get; init; } = AttentionKind.Mha;

    /// <summary>MLA dimensions when <see cref="Attention"/> is <see cref="AttentionKind.Mla"/>.</summary>
    public MlaConfig? Mla { get; init; }

    /// <summary>Maximum context length in tokens.</summary>
    public int MaxPosition { get; init; }

    /// <summary>Sliding attention window in tokens, or null.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>True when the output head shares the embedding matrix.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>True when the Q, K and V projections carry biases.</summary>
    public bool QkvBias { get; init; }

    /// <summary>True when every linear layer carries a bias (OPT, GPT-3).</summary>
    public bool LinearBias { get; init; }

    /// <summary>Normalisation (<c>layernorm</c>, <c>rmsnorm</c>).</summary>
    public string Norm { get; init; } = "layernorm";

    /// <summary>Position encoding (<c>rope</c>, <c>learned</c>).</summary>
    public string PositionEncoding { get; init; } = "rope";

    /// <summary>Where the configuration comes from.</summary>
    public string Source { get; init; } = string.Empty;
}

/// <summary>Bit widths of weights, activations and the KV cache.</summary>
/// <param name="WeightBits">Weight precision (16 default; 8 and 4 as options).</param>
/// <param name="ActivationBits">Activation precision.</param>
/// <param name="KvCacheBits">KV-cache precision.</param>
public sealed record PrecisionConfig(int WeightBits = 16, int ActivationBits = 16, int KvCacheBits = 16)
{
    /// <summary>Bytes per weight element (fractional for 4-bit).</summary>
    public double WeightBytes => WeightBits / 8.0;

    /// <summary>Bytes per activation element.</summary>
    public double ActivationBytes => ActivationBits / 8.0;

    /// <summary>Bytes per KV-cache element.</summary>
    public double KvCacheBytes => KvCacheBits / 8.0;
}
