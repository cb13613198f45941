using Compass.Abstractions.Sampling;

namespace Compass.Workloads.Lengths;

/// <summary>Prompt and output length of one request.</summary>
/// <param name="PromptTokens">Prompt tokens, ≥ 1.</param>
/// <param name="OutputTokens">Output tokens, ≥ 1.</param>
public readonly record struct RequestLengths(int PromptTokens, int OutputTokens);

/// <summary>Draws (prompt, output) length pairs for generated traces.</summary>
public interface IRequestLengthModel
{
    /// <summary>Name of the model (<c>sharegpt</c>, <c>fixed</c>, <c>zipf</c> ...).</summary>
    string Name { get; }

    /// <summary>Draws one request's lengths.</summary>
    RequestLengths Sample(Xoshiro256StarStar rng);
}

/// <summary>Prompt and output drawn independently from two distributions.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Prompt">Prompt-length distribution.</param>
/// <param name="Output">Output-length distribution.</param>
/// <param name="Source">Where the statistics come from.</param>
public sealed record IndependentLengthModel(string Name, ILengthDistribution Prompt, ILengthDistribution Output, string Source) : IRequestLengthModel
{
    /// <inheritdoc />
    public RequestLengths Sample(Xoshiro256StarStar rng)
    {
        var prompt = Prompt.Sample(rng);
        var output = Output.Sample(rng);
        return new RequestLengths(prompt, output);
    }
}

/// <summary>
/// Vidur-style Zipf lengths (microsoft/vidur <c>ZipfRequestLengthGenerator</c>; docs/reference/traces.md §4): the
/// total length takes the value min + r − 1 for rank r in 1..(max − min + 1) with probability ∝ r^−θ (exact inverse CDF
/// over a precomputed table), then splits into prompt and output by the prefill:decode ratio:
/// output = max(1, round(total / (1 + ratio))), prompt = max(1, total − output).
/// </summary>
public sealed class ZipfLengthModel : IRequestLengthModel
{
    private const int MaxItems = 1 << 22;
    private readonly double[] _cdf;

    /// <summary>Creates the model.</summary>
    /// <param name="theta">Zipf exponent θ ≥ 0 (Vidur default 0.6).</param>
    /// <param name="minTokens">Smallest total length (Vidur default 1024).</param>
    /// <param name="maxTokens">Largest total length.</param>
    /// <param name="prefillToDecodeRatio">Prompt tokens per output token.</param>
    public ZipfLengthModel(double theta, int minTokens, int maxTokens, double prefillToDecodeRatio)
    {
        if (!(theta >= 0)) throw new ArgumentOutOfRangeException(nameof(theta));
        if (minTokens < 2 || maxTokens < minTokens || (long)maxTokens - minTokens + 1 > MaxItems)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), $"need 2 <= min <= max and at most {MaxItems} values");
        if (!(prefillToDecodeRatio > 0)) throw new ArgumentOutOfRangeException(nameof(prefillToDecodeRatio));
        Theta = theta;
        MinTokens = minTokens;
        MaxTokens = maxTokens;
        PrefillToDecodeRatio = prefillToDecodeRatio;
        var items = maxTokens - minTokens + 1;
        _cdf = new double[items];
        double sum = 0, weighted = 0;
        for (var r = 1; r <= items; r++)
        {
            var p = Math.Pow(r, -theta);
            sum += p;
            weighted += p * (minTokens + r - 1);
            _cdf[r - 1] = sum;
        }

        for (var i = 0; i < items; i++) _cdf[i] /= sum;
        _cdf[^1] = 1.0;
        MeanTotalTokens = weighted / sum;
    }

    /// <inheritdoc />
    public string Name => "zipf";

    /// <summary>Zipf exponent θ.</summary>
    public double Theta { get; }

    /// <summary>Smallest total length.</summary>
    public int MinTokens { get; }

    /// <summary>Largest total length.</summary>
    public int MaxTokens { get; }

    /// <summary>Prompt tokens per output token.</summary>
    public double PrefillToDecodeRatio { get; }

    /// <summary>Exact mean of the total (prompt + output) length.</summary>
    public double MeanTotalTokens { get; }

    /// <summary>Draws a total length.</summary>
    public int SampleTotal(Xoshiro256StarStar rng)
    {
        var u = rng.NextDouble();
        var index = Array.BinarySearch(_cdf, u);
        if (index < 0) index = ~index;
        else index++; // u equals a cumulative value exactly: the next rank owns [cdf[i], cdf[i+1]).
        return MinTokens + Math.Min(index, _cdf.Length - 1);
    }

    /// <inheritdoc />
    public RequestLengths Sample(Xoshiro256StarStar rng)
    {
        var total = SampleTotal(rng);
        var output = Math.Max(1, (int)Math.Round(total / (1 + PrefillToDecodeRatio)));
        var prompt = Math.Max(1, total - output);
        return new RequestLengths(prompt, output);
    }
}
