using Compass.Abstractions.Sampling;

namespace Compass.Workloads.Lengths;

/// <summary>A distribution of token counts (prompt or output), sampled with a Compass-owned generator.</summary>
public interface ILengthDistribution
{
    /// <summary>Draws one token count, ≥ 1.</summary>
    int Sample(Xoshiro256StarStar rng);

    /// <summary>Mean of the distribution (analytic, before rounding to whole tokens).</summary>
    double Mean { get; }

    /// <summary>Median of the distribution (analytic, before rounding).</summary>
    double Median { get; }
}

/// <summary>Always the same length.</summary>
/// <param name="Tokens">The length, ≥ 1.</param>
public sealed record FixedLength(int Tokens) : ILengthDistribution
{
    /// <inheritdoc />
    public int Sample(Xoshiro256StarStar rng) => Tokens;

    /// <inheritdoc />
    public double Mean => Tokens;

    /// <inheritdoc />
    public double Median => Tokens;
}

/// <summary>Uniform whole numbers in [<paramref name="Min"/>, <paramref name="Max"/>].</summary>
/// <param name="Min">Smallest length, ≥ 1.</param>
/// <param name="Max">Largest length, ≥ <paramref name="Min"/>.</param>
public sealed record UniformLength(int Min, int Max) : ILengthDistribution
{
    /// <inheritdoc />
    public int Sample(Xoshiro256StarStar rng) => (int)rng.NextInt64(Min, Max);

    /// <inheritdoc />
    public double Mean => (Min + (double)Max) / 2;

    /// <inheritdoc />
    public double Median => (Min + (double)Max) / 2;
}

/// <summary>
/// Lognormal lengths given by mean and median: μ = ln(median), σ = √(2·ln(mean / median)) (so mean &gt; median),
/// rounded to whole tokens and clamped to [1, <see cref="MaxTokens"/>].
/// </summary>
public sealed record LogNormalLength : ILengthDistribution
{
    /// <summary>Creates the distribution.</summary>
    /// <param name="mean">Target mean, &gt; median.</param>
    /// <param name="median">Target median, &gt; 0.</param>
    /// <param name="maxTokens">Upper clamp.</param>
    public LogNormalLength(double mean, double median, int maxTokens = 1 << 20)
    {
        if (!(median > 0) || !(mean > median)) throw new ArgumentOutOfRangeException(nameof(mean), "a lognormal needs mean > median > 0");
        Mean = mean;
        Median = median;
        MaxTokens = maxTokens;
        Mu = Math.Log(median);
        Sigma = Math.Sqrt(2.0 * Math.Log(mean / median));
    }

    /// <inheritdoc />
    public double Mean { get; }

    /// <inheritdoc />
    public double Median { get; }

    /// <summary>Location μ of ln(length).</summary>
    public double Mu { get; }

    /// <summary>Scale σ of ln(length).</summary>
    public double Sigma { get; }

    /// <summary>Upper clamp in tokens.</summary>
    public int MaxTokens { get; }

    /// <inheritdoc />
    public int Sample(Xoshiro256StarStar rng)
    {
        var x = Math.Exp(Mu + (Sigma * rng.NextStandardNormal()));
        return (int)Math.Clamp(Math.Round(x), 1, MaxTokens);
    }
}

/// <summary>
/// An empirical length distribution rebuilt from published summary statistics: a quantile function Q(u) through
/// knots (u_i, q_i) (for example the minimum at u = 0, the median at 0.5, p90, p99 and the maximum at 1), with
/// power-law interpolation inside each segment, Q(u) = q_i + (q_{i+1} − q_i)·t^γ, t = (u − u_i)/(u_{i+1} − u_i).
/// The single exponent γ is solved in closed form so the distribution's mean equals the published mean:
/// mean(γ) = A + (B − A)/(γ + 1) with A = Σ w_i·q_i and B = Σ w_i·q_{i+1} (w_i = segment widths), hence
/// γ = (B − A)/(mean − A) − 1. Every published quantile is reproduced exactly (before rounding to whole tokens)
/// and the mean by construction; γ &gt; 1 puts each segment's mass near its lower knot (right-skewed data).
/// Draws are inverse-CDF: one uniform per draw.
/// </summary>
public sealed class QuantileKnotLength : ILengthDistribution
{
    private readonly double[] _u;
    private readonly double[] _q;

    /// <summary>Creates the distribution and fits γ.</summary>
    /// <param name="probabilities">Knot probabilities, strictly increasing from 0 to 1.</param>
    /// <param name="quantiles">Knot values, non-decreasing, ≥ 1.</param>
    /// <param name="mean">Target mean; must lie strictly between the knots' lower and upper step means.</param>
    public QuantileKnotLength(IReadOnlyList<double> probabilities, IReadOnlyList<double> quantiles, double mean)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(quantiles);
        if (probabilities.Count < 2 || probabilities.Count != quantiles.Count)
            throw new ArgumentException("need at least two knots with one quantile each", nameof(quantiles));
        if (probabilities[0] != 0 || probabilities[^1] != 1)
            throw new ArgumentException("knot probabilities must run from 0 to 1", nameof(probabilities));
        _u = [.. probabilities];
        _q = [.. quantiles];
        double lower = 0, upper = 0;
        for (var i = 0; i + 1 < _u.Length; i++)
        {
            var w = _u[i + 1] - _u[i];
            if (!(w > 0) || _q[i + 1] < _q[i]) throw new ArgumentException("knots must increase", nameof(quantiles));
            lower += w * _q[i];
            upper += w * _q[i + 1];
        }

        if (!(mean > lower && mean < upper))
            throw new ArgumentOutOfRangeException(nameof(mean), $"mean {mean} is not reachable through these knots ({lower:G6}, {upper:G6})");
        Mean = mean;
        Gamma = ((upper - lower) / (mean - lower)) - 1.0;
        Median = Quantile(0.5);
    }

    /// <summary>The fitted interpolation exponent γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public double Mean { get; }

    /// <inheritdoc />
    public double Median { get; }

    /// <summary>The quantile function Q(u) for u in [0, 1].</summary>
    public double Quantile(double u)
    {
        var i = 0;
        while (i + 2 < _u.Length && u >= _u[i + 1]) i++;
        var t = Math.Clamp((u - _u[i]) / (_u[i + 1] - _u[i]), 0, 1);
        return _q[i] + ((_q[i + 1] - _q[i]) * Math.Pow(t, Gamma));
    }

    /// <inheritdoc />
    public int Sample(Xoshiro256StarStar rng) => (int)Math.Max(1, Math.Round(Quantile(rng.NextDouble())));
}

/// <summary>
/// Gamma lengths with shape k and scale θ (mean k·θ), rounded to whole tokens and clipped to [1, <see cref="MaxTokens"/>]:
/// the form of the published Compass length fits (docs/reference/traces.md, ShareGPT as the published experiments drew it).
/// </summary>
public sealed record GammaLength : ILengthDistribution
{
    /// <summary>Creates the distribution.</summary>
    /// <param name="shape">Shape k &gt; 0.</param>
    /// <param name="scale">Scale θ &gt; 0, tokens.</param>
    /// <param name="maxTokens">Upper clamp.</param>
    public GammaLength(double shape, double scale, int maxTokens = 1 << 20)
    {
        if (!(shape > 0) || !(scale > 0)) throw new ArgumentOutOfRangeException(nameof(shape), "a gamma needs shape > 0 and scale > 0");
        Shape = shape;
        Scale = scale;
        MaxTokens = maxTokens;
    }

    /// <summary>Shape k.</summary>
    public double Shape { get; }

    /// <summary>Scale θ in tokens.</summary>
    public double Scale { get; }

    /// <summary>Upper clamp in tokens.</summary>
    public int MaxTokens { get; }

    /// <inheritdoc />
    public double Mean => Shape * Scale;

    /// <summary>Median by the Wilson–Hilferty approximation, k·θ·(1 − 1/(9k))³ (within about 1 % for k ≥ 0.5).</summary>
    public double Median => Shape * Scale * Math.Pow(1 - (1 / (9 * Shape)), 3);

    /// <inheritdoc />
    public int Sample(Xoshiro256StarStar rng) => (int)Math.Clamp(Math.Round(Scale * rng.NextGamma(Shape)), 1, MaxTokens);
}
