namespace Compass.Reporting.Analysis;

/// <summary>Five-number summary and moments of a sample.</summary>
/// <param name="Count">Sample size.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1 denominator; 0 for one value).</param>
/// <param name="Min">Minimum.</param>
/// <param name="LowerQuartile">25th percentile (linear interpolation between order statistics).</param>
/// <param name="Median">50th percentile.</param>
/// <param name="UpperQuartile">75th percentile.</param>
/// <param name="Max">Maximum.</param>
public readonly record struct Summary(int Count, double Mean, double StandardDeviation, double Min, double LowerQuartile, double Median, double UpperQuartile, double Max)
{
    /// <summary>Summarises <paramref name="values"/> (at least one).</summary>
    public static Summary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("at least one value", nameof(values));
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var mean = 0.0;
        foreach (var v in sorted) mean += v;
        mean /= sorted.Length;
        var ss = 0.0;
        foreach (var v in sorted) ss += (v - mean) * (v - mean);
        var std = sorted.Length > 1 ? Math.Sqrt(ss / (sorted.Length - 1)) : 0;
        return new Summary(sorted.Length, mean, std, sorted[0], Quantile(sorted, 0.25), Quantile(sorted, 0.5), Quantile(sorted, 0.75), sorted[^1]);
    }

    /// <summary>Quantile <paramref name="p"/> of an ascending-sorted sample, linear between order statistics (R type 7).</summary>
    public static double Quantile(IReadOnlyList<double> sortedAscending, double p)
    {
        if (sortedAscending.Count == 0) throw new ArgumentException("at least one value", nameof(sortedAscending));
        var h = (sortedAscending.Count - 1) * Math.Clamp(p, 0, 1);
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sortedAscending.Count - 1);
        return sortedAscending[lo] + (h - lo) * (sortedAscending[hi] - sortedAscending[lo]);
    }
}
