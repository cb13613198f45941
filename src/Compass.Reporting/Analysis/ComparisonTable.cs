using Compass.Reporting.Model;

namespace Compass.Reporting.Analysis;

/// <summary>One optimizer's line of a comparison study.</summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seeds">Runs (seeds).</param>
/// <param name="ValidSeeds">Runs that found a valid mapping (finite EDP); only these enter the statistics.</param>
/// <param name="Edp">Mean, standard deviation and 95 % interval of the best EDP over the valid seeds, J·s; null when none is valid.</param>
/// <param name="Min">Lowest best EDP, J·s (NaN when none is valid).</param>
/// <param name="Max">Highest best EDP, J·s (NaN when none is valid).</param>
/// <param name="Paired">Paired t-test of this optimizer's EDP minus the reference's, over the seeds both ran validly; null for the reference or with no common seed.</param>
/// <param name="IsReference">True for the optimizer of lowest mean EDP (the one the others are tested against).</param>
/// <param name="MeanEvaluationsToWithin1Percent">Mean evaluations to come within 1 % of the run's final best.</param>
/// <param name="MeanWallSeconds">Mean wall seconds per run.</param>
public sealed record ComparisonRow(
    string Optimizer, int Seeds, int ValidSeeds, MeanInterval? Edp, double Min, double Max, PairedTTest? Paired, bool IsReference,
    double MeanEvaluationsToWithin1Percent, double MeanWallSeconds);

/// <summary>The statistics of a comparison study, shared by the console summary and the HTML report.</summary>
/// <param name="Rows">One row per optimizer, in first-run order.</param>
/// <param name="Reference">The optimizer of lowest mean EDP, or null when no run found a valid mapping.</param>
public sealed record ComparisonTable(List<ComparisonRow> Rows, string? Reference)
{
    /// <summary>Builds the table from the runs; runs are paired by seed.</summary>
    public static ComparisonTable Of(IReadOnlyList<ComparisonRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var names = runs.Select(r => r.Optimizer).Distinct().ToList();
        var stats = names.ToDictionary(n => n, n =>
        {
            var edp = runs.Where(r => r.Optimizer == n).Select(r => r.BestEdpJouleSeconds).Where(double.IsFinite).ToList();
            return edp.Count == 0 ? (MeanInterval?)null : Statistics.MeanWithInterval(edp);
        }, StringComparer.Ordinal);
        var reference = names.Where(n => stats[n] is not null).OrderBy(n => stats[n]!.Value.Mean).ThenBy(n => names.IndexOf(n)).FirstOrDefault();
        var rows = new List<ComparisonRow>();
        foreach (var n in names)
        {
            var mine = runs.Where(r => r.Optimizer == n).ToList();
            var finite = mine.Select(r => r.BestEdpJouleSeconds).Where(double.IsFinite).ToList();
            PairedTTest? paired = null;
            if (reference is not null && n != reference)
            {
                var other = runs.Where(r => r.Optimizer == reference && double.IsFinite(r.BestEdpJouleSeconds)).GroupBy(r => r.Seed).ToDictionary(g => g.Key, g => g.First().BestEdpJouleSeconds);
                var pairs = mine.Where(r => double.IsFinite(r.BestEdpJouleSeconds) && other.ContainsKey(r.Seed)).Select(r => (A: r.BestEdpJouleSeconds, B: other[r.Seed])).ToList();
                if (pairs.Count > 0) paired = Statistics.Paired(pairs.Select(p => p.A).ToList(), pairs.Select(p => p.B).ToList());
            }
            rows.Add(new ComparisonRow(n, mine.Count, finite.Count, stats[n], finite.Count > 0 ? finite.Min() : double.NaN, finite.Count > 0 ? finite.Max() : double.NaN,
                paired, n == reference, mine.Average(r => (double)r.EvaluationsToWithin1Percent), mine.Average(r => r.WallSeconds)));
        }
        return new ComparisonTable(rows, reference);
    }
}
