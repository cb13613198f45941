using Compass.Reporting.Model;

namespace Compass.Reporting.Analysis;

/// <summary>Convergence curves from search logs.</summary>
public static class Convergence
{
    /// <summary>
    /// The best-so-far curve of a search log reduced to its change points (the first finite best, every
    /// improvement) plus the last evaluation, so a step line through them is exact.
    /// </summary>
    public static IReadOnlyList<ConvergencePoint> FromSearchLog(IReadOnlyList<SearchLogRow> log)
    {
        var points = new List<ConvergencePoint>();
        var best = double.PositiveInfinity;
        foreach (var row in log)
        {
            var value = Math.Min(best, row.BestObjectiveSoFar);
            if (double.IsFinite(value) && value < best) points.Add(new ConvergencePoint(row.Index, value));
            best = value;
        }
        if (log.Count > 0 && double.IsFinite(best) && points[^1].Evaluation != log[^1].Index)
            points.Add(new ConvergencePoint(log[^1].Index, best));
        return points;
    }

    /// <summary>
    /// Number of evaluations (1-based count) until the best-so-far objective is within <paramref name="tolerance"/>
    /// (0.01 = 1 %) of the final best; 0 when the series has no finite value.
    /// </summary>
    public static int EvaluationsToWithin(IReadOnlyList<ConvergencePoint> series, double tolerance = 0.01)
    {
        if (series.Count == 0) return 0;
        var final = series[^1].BestObjective;
        if (!double.IsFinite(final)) return 0;
        var threshold = final >= 0 ? final * (1 + tolerance) : final * (1 - tolerance);
        foreach (var p in series)
            if (p.BestObjective <= threshold) return p.Evaluation + 1;
        return series[^1].Evaluation + 1;
    }

    /// <summary>Value of a step curve at evaluation <paramref name="evaluation"/> (the last point at or before it), or NaN before its first point.</summary>
    public static double ValueAt(IReadOnlyList<ConvergencePoint> series, int evaluation)
    {
        var lo = 0;
        var hi = series.Count - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (series[mid].Evaluation <= evaluation) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? double.NaN : series[found].BestObjective;
    }
}
