using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.Workloads.Lengths;

/// <summary>
/// Reads the <c>lengths</c> option of a trace generator: either a name (<c>"lengths": "sharegpt"</c>) or an object
/// with a name and parameters (<c>"lengths": { "name": "fixed", "promptTokens": 512, "outputTokens": 128 }</c>).
/// Parametric models: <c>fixed</c> (promptTokens, outputTokens), <c>uniform</c> (min, max, or promptMin/promptMax/
/// outputMin/outputMax), <c>lognormal</c> (mean, median, or promptMean/promptMedian/outputMean/outputMedian; maxTokens),
/// <c>zipf</c> (theta, min, max, prefillToDecodeRatio). Any other name is a dataset of <see cref="DatasetLengths"/>.
/// </summary>
public static class LengthModelOptions
{
    /// <summary>The default length model when the option is absent.</summary>
    public const string DefaultName = "sharegpt";

    /// <summary>The parametric model names.</summary>
    public static IReadOnlyList<string> ParametricNames { get; } = ["fixed", "uniform", "lognormal", "zipf"];

    /// <summary>Every accepted name: parametric models and dataset fits.</summary>
    public static IReadOnlyList<string> AllNames { get; } = [.. ParametricNames, .. DatasetLengths.All.Select(d => d.Name)];

    /// <summary>Parses the <c>lengths</c> option below <paramref name="traceOptions"/>.</summary>
    public static IRequestLengthModel Read(IConfiguration traceOptions)
    {
        var section = traceOptions.GetSection("lengths");
        // A scalar section has no children, so it doubles as an empty parameter set.
        IConfiguration parameters = section;
        var name = section.Value ?? section.GetString("name", DefaultName);

        var namePath = section.Value is null ? OptionsReader.PathOf(section, "name") : OptionsReader.PathOf(traceOptions, "lengths");
        switch (name.ToLowerInvariant())
        {
            case "fixed":
                parameters.RejectUnknownKeys("name", "promptTokens", "outputTokens");
                return new IndependentLengthModel("fixed",
                    new FixedLength(parameters.GetInt32("promptTokens", 512, 1)),
                    new FixedLength(parameters.GetInt32("outputTokens", 128, 1)),
                    "fixed lengths");
            case "uniform":
            {
                parameters.RejectUnknownKeys("name", "min", "max", "promptMin", "promptMax", "outputMin", "outputMax");
                var min = parameters.GetInt32("min", 1, 1);
                var max = parameters.GetInt32("max", 1024, 1);
                return new IndependentLengthModel("uniform",
                    Uniform(parameters, "promptMin", "promptMax", min, max),
                    Uniform(parameters, "outputMin", "outputMax", min, max),
                    "uniform lengths");
            }

            case "lognormal":
            {
                parameters.RejectUnknownKeys("name", "mean", "median", "promptMean", "promptMedian", "outputMean", "outputMedian", "maxTokens");
                var maxTokens = parameters.GetInt32("maxTokens", 1 << 20, 1);
                return new IndependentLengthModel("lognormal",
                    LogNormal(parameters, "promptMean", "promptMedian", maxTokens),
                    LogNormal(parameters, "outputMean", "outputMedian", maxTokens),
                    "lognormal lengths from mean and median");
            }

            case "zipf":
            {
                parameters.RejectUnknownKeys("name", "theta", "min", "max", "prefillToDecodeRatio");
                var theta = parameters.GetDouble("theta", 0.6, 0, 100);
                var min = parameters.GetInt32("min", 1024, 2);
                var max = parameters.GetInt32("max", 4096, 2);
                if (max < min) throw new CompassInputException(OptionsReader.PathOf(parameters, "max"), $"must be >= min ({min}), got {max}");
                if ((long)max - min >= 1 << 22)
                    throw new CompassInputException(OptionsReader.PathOf(parameters, "max"), $"max - min must be < {1 << 22}, got {max - min}");
                var ratio = parameters.GetPositiveDouble("prefillToDecodeRatio", 20.0);
                return new ZipfLengthModel(theta, min, max, ratio);
            }

            default:
            {
                var dataset = DatasetLengths.Find(name)
                    ?? throw new CompassInputException(namePath, $"unknown length model '{name}' (known: {string.Join(", ", AllNames)})");
                parameters.RejectUnknownKeys("name");
                return dataset.Build();
            }
        }
    }

    private static UniformLength Uniform(IConfiguration p, string minKey, string maxKey, int min, int max)
    {
        var lo = p.GetInt32(minKey, min, 1);
        var hi = p.GetInt32(maxKey, max, 1);
        if (hi < lo) throw new CompassInputException(OptionsReader.PathOf(p, p[maxKey] is null ? "max" : maxKey), $"must be >= the minimum ({lo}), got {hi}");
        return new UniformLength(lo, hi);
    }

    private static LogNormalLength LogNormal(IConfiguration p, string meanKey, string medianKey, int maxTokens)
    {
        var meanField = p[meanKey] is null ? "mean" : meanKey;
        var medianField = p[medianKey] is null ? "median" : medianKey;
        if (p[meanField] is null) throw new CompassInputException(OptionsReader.PathOf(p, meanKey), "is required (or give mean for both prompt and output)");
        if (p[medianField] is null) throw new CompassInputException(OptionsReader.PathOf(p, medianKey), "is required (or give median for both prompt and output)");
        var mean = p.GetPositiveDouble(meanField, 1);
        var median = p.GetPositiveDouble(medianField, 1);
        if (!(mean > median))
            throw new CompassInputException(OptionsReader.PathOf(p, meanField), $"must be > the median ({median}) for a lognormal, got {mean}");
        return new LogNormalLength(mean, median, maxTokens);
    }
}
