namespace Compass.Reporting.Analysis;

/// <summary>A mean with its two-sided 95 % confidence interval (Student's t, n − 1 degrees of freedom).</summary>
/// <param name="Count">Sample size.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1); exactly 0 when every value is equal.</param>
/// <param name="HalfWidth">Half-width of the 95 % interval, t(0.975, n − 1) × s / √n; NaN for one value (no interval).</param>
public readonly record struct MeanInterval(int Count, double Mean, double StandardDeviation, double HalfWidth)
{
    /// <summary>Lower end of the interval.</summary>
    public double Low => Mean - HalfWidth;

    /// <summary>Upper end of the interval.</summary>
    public double High => Mean + HalfWidth;
}

/// <summary>A paired two-sided t-test of sample a against sample b (pairs by position, e.g. by seed).</summary>
/// <param name="Pairs">Number of pairs.</param>
/// <param name="MeanDifference">Mean of a − b.</param>
/// <param name="Difference">Mean difference with its 95 % interval.</param>
/// <param name="T">t statistic (mean difference / standard error); NaN when every difference is equal.</param>
/// <param name="DegreesOfFreedom">Pairs − 1.</param>
/// <param name="PValue">Two-sided p-value; NaN when undefined (one pair, or every difference equal).</param>
public readonly record struct PairedTTest(int Pairs, double MeanDifference, MeanInterval Difference, double T, int DegreesOfFreedom, double PValue)
{
    /// <summary>True when the test is defined and p &lt; 0.05.</summary>
    public bool Significant => double.IsFinite(PValue) && PValue < 0.05;
}

/// <summary>Small-sample statistics for comparison studies: Student's t intervals and the paired t-test.</summary>
public static class Statistics
{
    /// <summary>Mean, standard deviation and 95 % confidence interval of <paramref name="values"/> (at least one).</summary>
    public static MeanInterval MeanWithInterval(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("at least one value", nameof(values));
        var n = values.Count;
        var allEqual = true;
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
            if (v != values[0]) allEqual = false;
        }
        // Identical values give exactly their value and a zero spread (not the 1e-18 rounding residue of the sums).
        var mean = allEqual ? values[0] : sum / n;
        var ss = 0.0;
        if (!allEqual) foreach (var v in values) ss += (v - mean) * (v - mean);
        var sd = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0;
        var half = n > 1 ? StudentTQuantile(0.975, n - 1) * sd / Math.Sqrt(n) : double.NaN;
        return new MeanInterval(n, mean, sd, half);
    }

    /// <summary>Paired two-sided t-test of <paramref name="a"/> against <paramref name="b"/> (same length, at least one pair).</summary>
    public static PairedTTest Paired(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count == 0) throw new ArgumentException("the samples must have the same, non-zero length", nameof(b));
        var d = new double[a.Count];
        for (var i = 0; i < d.Length; i++) d[i] = a[i] - b[i];
        var m = MeanWithInterval(d);
        var df = d.Length - 1;
        if (df < 1 || m.StandardDeviation == 0) return new PairedTTest(d.Length, m.Mean, m, double.NaN, df, double.NaN);
        var t = m.Mean / (m.StandardDeviation / Math.Sqrt(d.Length));
        return new PairedTTest(d.Length, m.Mean, m, t, df, TwoSidedP(t, df));
    }

    /// <summary>Two-sided p-value of Student's t statistic <paramref name="t"/> with <paramref name="df"/> degrees of freedom.</summary>
    public static double TwoSidedP(double t, double df)
    {
        if (double.IsNaN(t) || df <= 0) return double.NaN;
        if (double.IsInfinity(t)) return 0;
        // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2).
        return RegularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
    }

    /// <summary>The <paramref name="p"/>-quantile of Student's t with <paramref name="df"/> degrees of freedom (0 &lt; p &lt; 1).</summary>
    public static double StudentTQuantile(double p, double df)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "must be in (0, 1)");
        if (!(df > 0)) throw new ArgumentOutOfRangeException(nameof(df), df, "must be positive");
        if (p == 0.5) return 0;
        if (p < 0.5) return -StudentTQuantile(1 - p, df);
        // Upper tail q = 1 − p = P(T > t) = I_x(df/2, 1/2) / 2 with x = df/(df+t²): bisect on t, which is monotone.
        var target = 2 * (1 - p);
        double lo = 0, hi = 1;
        while (RegularizedIncompleteBeta(df / (df + hi * hi), df / 2, 0.5) > target) hi *= 2;
        for (var i = 0; i < 200 && hi - lo > 1e-13 * hi; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (RegularizedIncompleteBeta(df / (df + mid * mid), df / 2, 0.5) > target) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>The regularized incomplete beta function I_x(a, b) (continued fraction, modified Lentz).</summary>
    public static double RegularizedIncompleteBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        var lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        // The fraction converges fast for x < (a + 1)/(a + b + 2); otherwise use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
        if (x < (a + 1) / (a + b + 2)) return Math.Exp(lnFront) * BetaFraction(x, a, b) / a;
        return 1 - Math.Exp(lnFront) * BetaFraction(1 - x, b, a) / b;
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        var c = 1.0;
        var d = 1 - (a + b) * x / (a + 1);
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 500; m++)
        {
            var m2 = 2 * m;
            var num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + num * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + num / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + num * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + num / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var step = d * c;
            h *= step;
            if (Math.Abs(step - 1) < 1e-15) break;
        }
        return h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos approximation, g = 7, nine coefficients; relative error below 1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        ReadOnlySpan<double> g =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        var sum = g[0];
        for (var i = 1; i < g.Length; i++) sum += g[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
