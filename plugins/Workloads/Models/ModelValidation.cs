using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Workloads.Models;

/// <summary>
/// Checks a user-supplied (or catalog) <see cref="ModelConfig"/> before any work starts, so a wrong model fails with
/// the path of the offending field (<c>model.kvHeads must divide heads (64), got 7</c>) instead of giving numbers.
/// </summary>
public static class ModelValidation
{
    /// <summary>Throws <see cref="CompassInputException"/> naming the first invalid field below <paramref name="path"/>.</summary>
    /// <param name="model">The model to check.</param>
    /// <param name="path">Dotted path of the model in the scenario (<c>model</c>).</param>
    public static void Validate(ModelConfig model, string path = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrWhiteSpace(model.Name)) throw new CompassInputException($"{path}.name", "is required");
        Positive(model.Layers, path, "layers");
        Positive(model.Hidden, path, "hidden");
        Positive(model.Heads, path, "heads");
        Positive(model.KvHeads, path, "kvHeads");
        Positive(model.HeadDim, path, "headDim");
        Positive(model.FfnHidden, path, "ffnHidden");
        Positive(model.Vocab, path, "vocab");
        if (model.MaxPosition < 0) throw new CompassInputException($"{path}.maxPosition", $"must be >= 0, got {model.MaxPosition}");
        if (model.SlidingWindow is { } window && window <= 0)
            throw new CompassInputException($"{path}.slidingWindow", $"must be > 0 when set, got {window}");

        switch (model.Attention)
        {
            case AttentionKind.Mha when model.KvHeads != model.Heads:
                throw new CompassInputException($"{path}.kvHeads", $"must equal heads ({model.Heads}) for MHA, got {model.KvHeads}");
            case AttentionKind.Gqa when model.Heads % model.KvHeads != 0:
                throw new CompassInputException($"{path}.kvHeads", $"must divide heads ({model.Heads}), got {model.KvHeads}");
            case AttentionKind.Mla when model.Mla is null:
                throw new CompassInputException($"{path}.mla", "is required when attention is mla");
        }

        if (model.Mla is { } mla)
        {
            if (mla.QLoraRank < 0) throw new CompassInputException($"{path}.mla.qLoraRank", $"must be >= 0, got {mla.QLoraRank}");
            Positive(mla.KvLoraRank, path, "mla.kvLoraRank");
            Positive(mla.QkNopeHeadDim, path, "mla.qkNopeHeadDim");
            Positive(mla.QkRopeHeadDim, path, "mla.qkRopeHeadDim");
            Positive(mla.VHeadDim, path, "mla.vHeadDim");
        }

        if (model.Moe is { } moe)
        {
            Positive(moe.Experts, path, "moe.experts");
            Positive(moe.ExpertFfnHidden, path, "moe.expertFfnHidden");
            if (moe.TopK < 1 || moe.TopK > moe.Experts)
                throw new CompassInputException($"{path}.moe.topK", $"must be in [1, {moe.Experts}], got {moe.TopK}");
            if (moe.SharedExperts < 0)
                throw new CompassInputException($"{path}.moe.sharedExperts", $"must be >= 0, got {moe.SharedExperts}");
            if (moe.FirstDenseLayers < 0 || moe.FirstDenseLayers > model.Layers)
                throw new CompassInputException($"{path}.moe.firstDenseLayers", $"must be in [0, {model.Layers}], got {moe.FirstDenseLayers}");
        }

        if (model.LinearBias && model.Heads * model.HeadDim != model.Hidden)
            throw new CompassInputException($"{path}.headDim", $"heads x headDim must equal hidden ({model.Hidden}) for a biased 2-matrix model, got {model.Heads * model.HeadDim}");
        if (!IsOneOf(model.Norm, "layernorm", "rmsnorm"))
            throw new CompassInputException($"{path}.norm", $"must be layernorm or rmsnorm, got '{model.Norm}'");
        if (!IsOneOf(model.PositionEncoding, "rope", "learned"))
            throw new CompassInputException($"{path}.positionEncoding", $"must be rope or learned, got '{model.PositionEncoding}'");
        if (model.PositionEncoding.Equals("learned", StringComparison.OrdinalIgnoreCase) && model.MaxPosition <= 0)
            throw new CompassInputException($"{path}.maxPosition", "must be > 0 with learned positions (it sizes the position table)");
    }

    private static void Positive(int value, string path, string field)
    {
        if (value <= 0) throw new CompassInputException($"{path}.{field}", $"must be > 0, got {value}");
    }

    private static bool IsOneOf(string value, string a, string b)
        => string.Equals(value, a, StringComparison.OrdinalIgnoreCase) || string.Equals(value, b, StringComparison.OrdinalIgnoreCase);
}
