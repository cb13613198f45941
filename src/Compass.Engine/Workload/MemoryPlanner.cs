using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Engine.Workload;

/// <summary>How the package DRAM is shared between the modelled weights and the KV cache.</summary>
/// <param name="WeightBytes">Weights of the modelled decoder layers, bytes.</param>
/// <param name="KvBytesPerToken">KV-cache bytes of one token over the modelled layers.</param>
/// <param name="DramCapacityBytes">Package DRAM capacity, bytes.</param>
/// <param name="KvCapacityTokens">Tokens of KV cache that fit beside the weights.</param>
public sealed record MemoryPlan(double WeightBytes, double KvBytesPerToken, double DramCapacityBytes, long KvCapacityTokens);

/// <summary>Weights plus KV cache against the package DRAM capacity (docs/reference/formulas.md §1 and §3).</summary>
public static class MemoryPlanner
{
    /// <summary>
    /// Weight bytes of <paramref name="layers"/> decoder layers (0 = all): attention
    /// d·H·d_h + 2·d·n_kv·d_h + H·d_h·d (MLA: docs/reference/formulas.md §1), dense FFN (3 or 2)·d·F, MoE layers
    /// d·E + (E + shared)·(3 or 2)·d·F_e. Embeddings and norms are not counted (they are not graph nodes).
    /// </summary>
    public static double WeightBytes(ModelConfig model, PrecisionConfig precision, int layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(precision);
        var n = layers <= 0 ? model.Layers : Math.Min(layers, model.Layers);
        double d = model.Hidden;
        double attention;
        if (model.Attention == AttentionKind.Mla && model.Mla is { } mla)
        {
            double h = model.Heads;
            // Without Q compression (q_lora_rank 0) Q is projected directly from the hidden state.
            attention = (mla.QLoraRank > 0 ? d * mla.QLoraRank + mla.QLoraRank * h * (mla.QkNopeHeadDim + mla.QkRopeHeadDim) : d * h * (mla.QkNopeHeadDim + mla.QkRopeHeadDim))
                + d * (mla.KvLoraRank + mla.QkRopeHeadDim) + mla.KvLoraRank * h * (mla.QkNopeHeadDim + mla.VHeadDim)
                + h * mla.VHeadDim * d;
        }
        else
        {
            attention = d * model.Heads * model.HeadDim + 2 * d * model.KvHeads * model.HeadDim + (double)model.Heads * model.HeadDim * d;
        }
        var matrices = model.GatedMlp ? 3 : 2;
        var dense = matrices * d * model.FfnHidden;
        double total = 0;
        for (var l = 0; l < n; l++)
        {
            total += attention;
            if (model.Moe is { } moe && l >= moe.FirstDenseLayers)
                total += d * moe.Experts + (moe.Experts + moe.SharedExperts) * matrices * d * moe.ExpertFfnHidden;
            else
                total += dense;
        }
        return total * precision.WeightBytes;
    }

    /// <summary>KV-cache bytes per token over <paramref name="layers"/> layers (0 = all): 2·n_kv·d_h·b per layer, MLA (d_c + d_R)·b.</summary>
    public static double KvBytesPerToken(ModelConfig model, PrecisionConfig precision, int layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(precision);
        var n = layers <= 0 ? model.Layers : Math.Min(layers, model.Layers);
        var perLayer = model.Attention == AttentionKind.Mla && model.Mla is { } mla
            ? mla.KvLoraRank + mla.QkRopeHeadDim
            : 2.0 * model.KvHeads * model.HeadDim;
        return n * perLayer * precision.KvCacheBytes;
    }

    /// <summary>Plans the DRAM; throws <see cref="CompassInputException"/> when the weights alone do not fit.</summary>
    public static MemoryPlan Plan(ModelConfig model, PrecisionConfig precision, ResolvedPackage package, int layers)
    {
        ArgumentNullException.ThrowIfNull(package);
        var weights = WeightBytes(model, precision, layers);
        var perToken = KvBytesPerToken(model, precision, layers);
        var capacity = package.TotalDramCapacityBytes;
        if (weights > capacity) throw NotFitting(weights, 0, capacity);
        var tokens = perToken > 0 ? (long)Math.Min(long.MaxValue / 2, Math.Floor((capacity - weights) / perToken)) : long.MaxValue;
        return new MemoryPlan(weights, perToken, capacity, tokens);
    }

    /// <summary>Throws <see cref="CompassInputException"/> when the weights plus <paramref name="kvTokens"/> tokens of KV cache exceed the DRAM.</summary>
    public static void Check(MemoryPlan plan, long kvTokens)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var kv = kvTokens * plan.KvBytesPerToken;
        if (plan.WeightBytes + kv > plan.DramCapacityBytes) throw NotFitting(plan.WeightBytes, kv, plan.DramCapacityBytes);
    }

    /// <summary>KV tokens an iteration keeps live: Σ (history + new) over its requests.</summary>
    public static long KvTokens(Iteration iteration)
    {
        ArgumentNullException.ThrowIfNull(iteration);
        long tokens = 0;
        foreach (var r in iteration.Requests) tokens += (long)r.HistoryTokens + r.NewTokens;
        return tokens;
    }

    /// <summary>Serving limits with the KV capacity of <paramref name="plan"/>; 0 batch tokens means unbounded.</summary>
    public static ServingLimits Limits(MemoryPlan plan, int maxBatchRequests, int maxBatchTokens)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new ServingLimits(maxBatchRequests, plan.KvCapacityTokens, maxBatchTokens <= 0 ? int.MaxValue : maxBatchTokens);
    }

    private static CompassInputException NotFitting(double weights, double kv, double capacity) =>
        new("model", $"weights {weights / 1e9:0.###} GB + KV cache {kv / 1e9:0.###} GB do not fit package DRAM {capacity / 1e9:0.###} GB");
}
