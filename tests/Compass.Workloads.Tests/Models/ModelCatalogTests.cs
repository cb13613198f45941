using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Scenarios.Presets;
using Compass.Workloads.Models;

namespace Compass.Workloads.Tests;

public sealed class ModelCatalogTests
{
    /// <summary>
    /// docs/reference/models.md §2: computed total, active and active non-embedding parameters (billions, 3 decimals)
    /// and KV bytes per token at 16 bits.
    /// </summary>
    public static TheoryData<string, double, double, double, long> Published => new()
    {
        { "llama-2-7b", 6.738, 6.738, 6.476, 524_288 },
        { "llama-2-13b", 13.016, 13.016, 12.688, 819_200 },
        { "llama-2-70b", 68.977, 68.977, 68.452, 327_680 },
        { "llama-3-8b", 8.030, 8.030, 6.980, 131_072 },
        { "llama-3.1-8b", 8.030, 8.030, 6.980, 131_072 },
        { "llama-3-70b", 70.554, 70.554, 68.452, 327_680 },
        { "llama-3.1-70b", 70.554, 70.554, 68.452, 327_680 },
        { "llama-3.1-405b", 405.853, 405.853, 401.651, 516_096 },
        { "opt-6.7b", 6.658, 6.658, 6.444, 524_288 },
        { "opt-13b", 12.853, 12.853, 12.586, 819_200 },
        { "opt-30b", 29.975, 29.975, 29.599, 1_376_256 },
        { "opt-66b", 65.720, 65.720, 65.238, 2_359_296 },
        { "opt-175b", 174.604, 174.604, 173.962, 4_718_592 },
        { "gpt3-175b", 174.604, 174.604, 173.962, 4_718_592 },
        { "gpt3-6.7b", 6.658, 6.658, 6.444, 524_288 },
        { "gpt3-13b", 12.853, 12.853, 12.586, 819_200 },
        { "mistral-7b", 7.242, 7.242, 6.980, 131_072 },
        { "mixtral-8x7b", 46.703, 12.880, 12.618, 131_072 },
        { "qwen2.5-7b", 7.616, 7.616, 6.526, 57_344 },
        { "qwen2.5-72b", 72.706, 72.706, 70.215, 327_680 },
        { "deepseek-v3", 671.026, 37.552, 35.699, 70_272 },
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void ParameterCountsMatchPublishedToThePrintedDigit(string name, double totalB, double activeB, double activeNonEmbeddingB, long kvBytes)
    {
        var model = ModelCatalog.Find(name);
        Assert.NotNull(model);
        // docs/reference/models.md prints 3 decimals of billions: agreement within half a unit of the last digit (≤ 0.01 % for all models).
        Assert.Equal(totalB, ModelMath.TotalParameters(model) / 1e9, 0.0005 + 1e-12);
        Assert.Equal(activeB, ModelMath.ActiveParameters(model) / 1e9, 0.0005 + 1e-12);
        Assert.Equal(activeNonEmbeddingB, ModelMath.ActiveNonEmbeddingParameters(model) / 1e9, 0.0005 + 1e-12);
        Assert.Equal(kvBytes, ModelMath.KvCacheBytesPerToken(model, 16));
    }

    [Fact]
    public void EveryCatalogModelIsInThePublishedTable()
    {
        var published = Published.Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(published.Order(), ModelCatalog.All.Select(m => m.Name).Order());
    }

    [Fact]
    public void MixtralMatchesVendorHeadline()
    {
        var mixtral = ModelCatalog.Find("mixtral-8x7b")!;
        Assert.Equal(46.7, ModelMath.TotalParameters(mixtral) / 1e9, 0.05);
        Assert.Equal(12.9, ModelMath.ActiveParameters(mixtral) / 1e9, 0.05);
    }

    [Fact]
    public void DeepSeekV3MatchesVendorHeadline()
    {
        var deepseek = ModelCatalog.Find("deepseek-v3")!;
        Assert.Equal(671.0, ModelMath.TotalParameters(deepseek) / 1e9, 0.05);
        Assert.Equal(37.6, ModelMath.ActiveParameters(deepseek) / 1e9, 0.05);
        // MLA caches the 512-dim latent plus the 64-dim RoPE key per layer: 61 × 576 × 2 bytes.
        Assert.Equal(61L * 576 * 2, ModelMath.KvCacheBytesPerToken(deepseek));
    }

    [Fact]
    public void Llama3EightBillionHoldsOneHundredTwentyEightKibPerTokenAtSixteenBits()
    {
        var llama = ModelCatalog.Find("llama-3-8b")!;
        Assert.Equal(128 * 1024, ModelMath.KvCacheBytesPerToken(llama, 16));
        Assert.Equal(64 * 1024, ModelMath.KvCacheBytesPerToken(llama, 8));
        Assert.Equal(32 * 1024, ModelMath.KvCacheBytesPerToken(llama, 4));
        Assert.Equal(2L * 32 * 8 * 128, ModelMath.KvCacheElementsPerToken(llama));
    }

    [Fact]
    public void SlidingWindowCapsTheLiveKvCache()
    {
        var mistral = ModelCatalog.Find("mistral-7b")!;
        Assert.Equal(1000L * 131_072, ModelMath.KvCacheBytesForContext(mistral, 1000));
        Assert.Equal(4096L * 131_072, ModelMath.KvCacheBytesForContext(mistral, 10_000));
        var llama = ModelCatalog.Find("llama-3-8b")!;
        Assert.Equal(10_000L * 131_072, ModelMath.KvCacheBytesForContext(llama, 10_000));
    }

    [Fact]
    public void OptCarriesTwoExtraPositionRowsAndGpt3None()
    {
        Assert.Equal(2050, ModelMath.PositionTableRows(ModelCatalog.Find("opt-6.7b")!));
        Assert.Equal(2048, ModelMath.PositionTableRows(ModelCatalog.Find("gpt3-6.7b")!));
        Assert.Equal(0, ModelMath.PositionTableRows(ModelCatalog.Find("llama-2-7b")!));
    }

    [Fact]
    public void LlamaLayerCountsGateUpAndDownMatrices()
    {
        var llama = ModelCatalog.Find("llama-2-7b")!;
        // Hand count: attention 4·4096·4096, MLP 3·4096·11008, two RMSNorms 2·4096.
        Assert.Equal((4L * 4096 * 4096) + (3L * 4096 * 11008) + (2 * 4096), ModelMath.LayerParameters(llama, 0, activeOnly: false));
    }

    [Fact]
    public void QwenQkvBiasAddsHeadsPlusTwoKvHeadsTimesHeadDim()
    {
        var qwen = ModelCatalog.Find("qwen2.5-7b")!;
        var unbiased = qwen with { QkvBias = false };
        Assert.Equal((28L + (2 * 4)) * 128, ModelMath.AttentionParameters(qwen) - ModelMath.AttentionParameters(unbiased));
    }

    [Fact]
    public void DeepSeekFirstThreeLayersAreDense()
    {
        var deepseek = ModelCatalog.Find("deepseek-v3")!;
        Assert.False(ModelMath.IsMoeLayer(deepseek, 2));
        Assert.True(ModelMath.IsMoeLayer(deepseek, 3));
        Assert.Equal(3L * 7168 * 18432, ModelMath.MlpParameters(deepseek, 0, activeOnly: false));
        Assert.Equal((257L * 3 * 7168 * 2048) + (256L * 7168) + 256, ModelMath.MlpParameters(deepseek, 3, activeOnly: false));
        Assert.Equal((9L * 3 * 7168 * 2048) + (256L * 7168) + 256, ModelMath.MlpParameters(deepseek, 3, activeOnly: true));
    }

    [Fact]
    public void WeightBytesScaleWithPrecision()
    {
        var llama = ModelCatalog.Find("llama-3-70b")!;
        var total = ModelMath.TotalParameters(llama);
        Assert.Equal(total * 2, ModelMath.WeightBytes(llama, 16));
        Assert.Equal(total, ModelMath.WeightBytes(llama, 8));
        Assert.Equal((total + 1) / 2, ModelMath.WeightBytes(llama, 4));
    }

    [Fact]
    public void CatalogNamesAreLowerCaseDashedUniqueAndCited()
    {
        Assert.Equal(ModelCatalog.All.Count, ModelCatalog.All.Select(m => m.Name).Distinct().Count());
        foreach (var m in ModelCatalog.All)
        {
            Assert.Matches("^[a-z0-9.]+(-[a-z0-9.]+)*$", m.Name);
            Assert.False(string.IsNullOrWhiteSpace(m.DisplayName));
            Assert.False(string.IsNullOrWhiteSpace(m.Source));
            Assert.Contains("[", m.Source, StringComparison.Ordinal); // evidence tag
            HardwareResolver.ValidateModel(m, m.Name);
        }

        Assert.NotNull(ModelCatalog.Find("LLAMA-3-70B"));
        Assert.Null(ModelCatalog.Find("llama-4"));
    }

    [Theory]
    [InlineData("kvHeads", "model.kvHeads")]
    [InlineData("layers", "model.layers")]
    [InlineData("topK", "model.moe.topK")]
    [InlineData("mla", "model.mla")]
    [InlineData("norm", "model.norm")]
    public void InvalidUserModelNamesTheField(string broken, string field)
    {
        var good = ModelCatalog.Find("mixtral-8x7b")!;
        var bad = broken switch
        {
            "kvHeads" => good with { KvHeads = 7 },
            "layers" => good with { Layers = 0 },
            "topK" => good with { Moe = good.Moe! with { TopK = 9 } },
            "mla" => good with { Attention = AttentionKind.Mla },
            _ => good with { Norm = "batchnorm" },
        };
        var e = Assert.Throws<CompassInputException>(() => HardwareResolver.ValidateModel(bad, "model"));
        Assert.Equal(field, e.Field);
    }
}
