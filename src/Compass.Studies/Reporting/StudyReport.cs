using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Compass.Reporting.Charts;
using Compass.Reporting.Files;
using Compass.Studies.Points;
using Compass.Studies.Results;

namespace Compass.Studies.Reporting;

/// <summary>
/// The HTML report of a study: a self-contained page (inline CSS and SVG from Compass.Reporting's charts, no script,
/// no network) with the axes, EDP / latency / energy against each axis (lines with the seed spread as a band for
/// numeric axes, grouped bars for categorical ones), an EDP heatmap over the first two axes, the Pareto front of EDP
/// against monetary cost, and the table of points. Same database, same bytes.
/// </summary>
public static class StudyReport
{
    /// <summary>Most series drawn per chart; further combinations of the other axes are averaged into one line.</summary>
    public const int MaxSeries = 8;

    private const string Css = """
        body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0 auto;max-width:1240px;padding:16px 24px;color:#1a1a1a;background:#fafafa}
        h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #4e79a7;padding-bottom:4px}
        h3{font-size:15px;margin:16px 0 4px}p.sub{margin:2px 0;color:#444}p.note{color:#555;font-size:13px;margin:6px 0}
        table{border-collapse:collapse;margin:6px 0;font-size:13px;background:#fff}
        th,td{border:1px solid #d6d6d6;padding:4px 10px;text-align:left;vertical-align:top}th{background:#eef2f7}
        td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.front td{background:#eaf5ea}
        svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #e0e0e0;display:block;margin:6px 0}
        pre{background:#fff;border:1px solid #ddd;padding:8px;font-size:12px;overflow:auto;max-height:420px}
        details summary{cursor:pointer;color:#4e79a7;font-size:13px;margin-top:6px}
        """;

    private sealed record Metric(string Name, string Unit, Func<PointMetrics, double> Get);

    private static readonly Metric[] Metrics =
    [
        new("EDP", "J·s", m => m.EdpJs),
        new("latency", "ns", m => m.LatencyNs),
        new("energy", "pJ", m => m.EnergyPj),
    ];

    /// <summary>Renders the report of the points in <paramref name="points"/> over <paramref name="axes"/>.</summary>
    public static string Render(string studyName, string description, string kind, IReadOnlyList<(string Name, string Path, JsonArray Values)> axes, IReadOnlyList<PointResult> points)
    {
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(points);
        var all = points;
        points = HighestFidelity(points);
        var ok = points.Where(p => p.Status == PointStatus.Completed && p.Metrics is { } m && double.IsFinite(m.EdpJs)).ToList();
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Format.Escape("Compass study: " + studyName)).Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        h.Append("<h1>").Append(Format.Escape("Compass study: " + studyName)).Append("</h1>\n");
        if (description.Length > 0) h.Append("<p class=\"sub\">").Append(Format.Escape(description)).Append("</p>\n");
        h.Append("<p class=\"sub\">").Append(Format.Escape(Inv($"{kind} · {points.Count} points · {ok.Count} completed · {points.Count - ok.Count} without a valid mapping or failed"))).Append("</p>\n");

        h.Append("<h2>Axes</h2>\n<table><tr><th>axis</th><th>path</th><th>values</th></tr>\n");
        foreach (var (name, path, values) in axes)
            h.Append("<tr><td>").Append(Format.Escape(name)).Append("</td><td>").Append(Format.Escape(path)).Append("</td><td>")
                .Append(Format.Escape(string.Join(", ", values.Select(v => v is null ? "null" : AxisAssignment.ValueLabel(v))))).Append("</td></tr>\n");
        h.Append("</table>\n");

        foreach (var (name, _, values) in axes)
        {
            h.Append("<h2>").Append(Format.Escape("Against " + name)).Append("</h2>\n");
            var numeric = values.All(v => v is JsonValue jv && jv.TryGetValue<double>(out _));
            var others = axes.Where(a => a.Name != name).Select(a => a.Name).ToList();
            h.Append("<p class=\"note\">").Append(Format.Escape(numeric
                ? "Lines: mean over seeds; band: the seeds' minimum to maximum" + (others.Count > 0 ? "; one line per value of " + string.Join(" × ", others) + " (averaged when more than " + MaxSeries + ")" : "") + "."
                : "Bars: mean over seeds" + (others.Count > 0 ? "; one bar per value of " + string.Join(" × ", others) + " (averaged when more than " + MaxSeries + ")" : "") + ".")).Append("</p>\n");
            foreach (var metric in Metrics)
                h.Append(numeric ? LineChart(name, metric, ok, others) : BarChart(name, values, metric, ok, others)).Append('\n');
        }

        if (axes.Count >= 2) h.Append(Heatmap(axes[0], axes[1], ok));
        h.Append(Pareto(ok));
        h.Append(PointTable(all));
        h.Append("</body></html>\n");
        return h.ToString();
    }

    private static string LineChart(string axis, Metric metric, IReadOnlyList<PointResult> points, IReadOnlyList<string> others)
    {
        var groups = Group(points, others);
        var series = new List<LineSeries>();
        var k = 0;
        foreach (var (label, members) in groups)
        {
            var byX = members.Where(p => X(p, axis) is not null).GroupBy(p => X(p, axis)!.Value).OrderBy(g => g.Key).ToList();
            var line = byX.Select(g => new ChartPoint(g.Key, g.Average(p => metric.Get(p.Metrics!)))).ToList();
            var band = byX.Select(g => new BandPoint(g.Key, g.Min(p => metric.Get(p.Metrics!)), g.Max(p => metric.Get(p.Metrics!)))).ToList();
            series.Add(new LineSeries(label, line, Step: false, Band: band.Any(b => b.High > b.Low) ? band : null, Markers: true, ColourIndex: k++));
        }
        var logX = series.SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(1).Where(x => x > 0).ToList() is { Count: > 1 } xs && xs.Max() / xs.Min() >= 16;
        return SvgCharts.LineChart(new LineChartSpec($"{metric.Name} against {axis}", logX ? $"log₂ {axis}" : axis, $"{metric.Name} ({metric.Unit})",
            logX ? [.. series.Select(Log2X)] : series, LogY: true, Layout: series.Count > 1 ? ChartLayout.WithLegend : null));
    }

    /// <summary>Moves wide-ranging x values (a log range) to log₂ x, so that they spread evenly; the axis label says so.</summary>
    private static LineSeries Log2X(LineSeries s) => s with
    {
        Points = [.. s.Points.Select(p => new ChartPoint(Math.Log2(p.X), p.Y))],
        Band = s.Band is null ? null : [.. s.Band.Select(b => new BandPoint(Math.Log2(b.X), b.Low, b.High))],
    };

    private static string BarChart(string axis, JsonArray values, Metric metric, IReadOnlyList<PointResult> points, IReadOnlyList<string> others)
    {
        var categories = values.Select(v => v is null ? "null" : AxisAssignment.ValueLabel(v)).ToList();
        var series = new List<BarSeries>();
        foreach (var (label, members) in Group(points, others))
        {
            var list = categories.Select(c =>
            {
                var at = members.Where(p => Label(p, axis) == c).ToList();
                return at.Count == 0 ? 0 : at.Average(p => metric.Get(p.Metrics!));
            }).ToList();
            series.Add(new BarSeries(label, list));
        }
        return SvgCharts.BarChart(new BarChartSpec($"{metric.Name} against {axis}", $"{metric.Name} ({metric.Unit})", categories, series, Layout: series.Count > 1 ? ChartLayout.WithLegend : null));
    }

    private static string Heatmap((string Name, string Path, JsonArray Values) columns, (string Name, string Path, JsonArray Values) rows, IReadOnlyList<PointResult> points)
    {
        var cLabels = columns.Values.Select(v => v is null ? "null" : AxisAssignment.ValueLabel(v)).ToList();
        var rLabels = rows.Values.Select(v => v is null ? "null" : AxisAssignment.ValueLabel(v)).ToList();
        var means = new double[cLabels.Count * rLabels.Count];
        for (var r = 0; r < rLabels.Count; r++)
        {
            for (var c = 0; c < cLabels.Count; c++)
            {
                var at = points.Where(p => Label(p, columns.Name) == cLabels[c] && Label(p, rows.Name) == rLabels[r]).ToList();
                means[r * cLabels.Count + c] = at.Count == 0 ? double.NaN : Math.Exp(at.Average(p => Math.Log(p.Metrics!.EdpJs)));
            }
        }
        var finite = means.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return string.Empty;
        double lo = Math.Log(finite.Min()), hi = Math.Log(finite.Max());
        var cells = new List<HeatmapCell>();
        for (var i = 0; i < means.Length; i++)
        {
            var v = means[i];
            var value = double.IsFinite(v) && hi > lo ? (Math.Log(v) - lo) / (hi - lo) : 0;
            cells.Add(new HeatmapCell(value, $"{columns.Name}={cLabels[i % cLabels.Count]}", double.IsFinite(v) ? Format.Number(v, 3) + " J·s" : "–", $"{rows.Name}={rLabels[i / cLabels.Count]}"));
        }
        var sb = new StringBuilder();
        sb.Append("<h2>").Append(Format.Escape($"EDP over {columns.Name} × {rows.Name}")).Append("</h2>\n<p class=\"note\">")
            .Append(Format.Escape($"Columns: {columns.Name}; rows: {rows.Name}. Cell: geometric mean of EDP over seeds and the other axes; colour from the lowest (0 %) to the highest (100 %) EDP on a log scale.")).Append("</p>\n");
        sb.Append(SvgCharts.Heatmap(new HeatmapSpec($"EDP (J·s) over {columns.Name} × {rows.Name}", cLabels.Count, rLabels.Count, cells, CellSizePx: cLabels.Count > 8 ? 80 : 120))).Append('\n');
        return sb.ToString();
    }

    private static string Pareto(IReadOnlyList<PointResult> points)
    {
        var priced = points.Where(p => p.Metrics!.CostUsd is { } c && double.IsFinite(c)).ToList();
        var sb = new StringBuilder("<h2>EDP against monetary cost</h2>\n");
        if (priced.Count == 0)
        {
            sb.Append("<p class=\"note\">No point was priced: name a cost model in the scenario (costModels.cost, e.g. chiplet-actuary).</p>\n");
            return sb.ToString();
        }
        var front = ParetoSet.Of(priced, p => p.Metrics!.CostUsd!.Value, p => p.Metrics!.EdpJs);
        sb.Append("<p class=\"note\">Every completed point (cost from its scenario's cost model, ").Append(Format.Escape(string.Join(", ", priced.Select(p => p.Metrics!.CostModel).Distinct())))
            .Append("); the line is the Pareto front: no other point is both cheaper and lower in EDP.</p>\n");
        sb.Append(SvgCharts.Scatter(new ScatterChartSpec("EDP against package cost", "package cost (USD)", "EDP (J·s)",
            [.. priced.Select(p => new ChartPoint(p.Metrics!.CostUsd!.Value, p.Metrics.EdpJs))],
            Front: [.. front.Select(p => new ChartPoint(p.Metrics!.CostUsd!.Value, p.Metrics.EdpJs))], LogY: true))).Append('\n');
        sb.Append("<table><tr><th>point</th><th>values</th><th>seed</th><th>cost (USD)</th><th>EDP (J·s)</th><th>latency (ns)</th><th>energy (pJ)</th></tr>\n");
        foreach (var p in front)
            sb.Append("<tr class=\"front\"><td>").Append(p.Index.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Format.Escape(Values(p))).Append("</td><td class=\"num\">")
                .Append(p.Seed.ToString(CultureInfo.InvariantCulture)).Append("</td><td class=\"num\">").Append(Format.Number(p.Metrics!.CostUsd!.Value, 5)).Append("</td><td class=\"num\">")
                .Append(Format.Number(p.Metrics.EdpJs, 4)).Append("</td><td class=\"num\">").Append(Format.Number(p.Metrics.LatencyNs, 5)).Append("</td><td class=\"num\">")
                .Append(Format.Number(p.Metrics.EnergyPj, 5)).Append("</td></tr>\n");
        sb.Append("</table>\n");
        return sb.ToString();
    }

    private static string PointTable(IReadOnlyList<PointResult> points)
    {
        var sb = new StringBuilder("<h2>Points</h2>\n<details><summary>Every point (").Append(points.Count.ToString(CultureInfo.InvariantCulture)).Append(")</summary>\n");
        sb.Append("<table><tr><th>#</th><th>id</th><th>values</th><th>seed</th><th>status</th><th>EDP (J·s)</th><th>latency (ns)</th><th>energy (pJ)</th><th>cost (USD)</th><th>wall (s)</th></tr>\n");
        foreach (var p in points.OrderBy(p => p.Index).ThenBy(p => p.Id, StringComparer.Ordinal))
        {
            var m = p.Metrics;
            sb.Append("<tr><td class=\"num\">").Append(p.Index.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(p.Id).Append("</td><td>").Append(Format.Escape(Values(p)))
                .Append("</td><td class=\"num\">").Append(p.Seed.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Format.Escape(p.Status + (p.Error is null ? "" : ": " + p.Error)))
                .Append("</td><td class=\"num\">").Append(m is null ? "–" : Format.Number(m.EdpJs, 4)).Append("</td><td class=\"num\">").Append(m is null ? "–" : Format.Number(m.LatencyNs, 5))
                .Append("</td><td class=\"num\">").Append(m is null ? "–" : Format.Number(m.EnergyPj, 5)).Append("</td><td class=\"num\">").Append(m?.CostUsd is { } c ? Format.Number(c, 5) : "–")
                .Append("</td><td class=\"num\">").Append(Format.Number(p.WallSeconds, 3)).Append("</td></tr>\n");
        }
        sb.Append("</table></details>\n");
        return sb.ToString();
    }

    /// <summary>
    /// One row per package and seed: where a co-exploration searched the same axis values at several budgets
    /// (successive-halving rungs), the charts use the largest budget's result.
    /// </summary>
    public static IReadOnlyList<PointResult> HighestFidelity(IReadOnlyList<PointResult> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return [.. points.GroupBy(p => p.Kind + "|" + p.Values.ToJsonString() + "|" + p.Seed.ToString(CultureInfo.InvariantCulture) + (p.Kind is "sweep" or "codesign" ? "" : "|" + p.Id), StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(p => p.Rung ?? -1).ThenByDescending(p => p.BudgetEvaluations ?? 0).First())
            .OrderBy(p => p.Index).ThenBy(p => p.Id, StringComparer.Ordinal)];
    }

    private static List<(string Label, List<PointResult> Members)> Group(IReadOnlyList<PointResult> points, IReadOnlyList<string> others)
    {
        var groups = points.GroupBy(p => string.Join(", ", others.Select(o => $"{o}={Label(p, o)}")), StringComparer.Ordinal)
            .OrderBy(g => g.Min(p => p.Index)).Select(g => (g.Key.Length == 0 ? "all" : g.Key, g.ToList())).ToList();
        return groups.Count <= MaxSeries ? groups : [("mean over " + string.Join(" × ", others), points.ToList())];
    }

    private static string Label(PointResult p, string axis) => p.Values[axis] is { } v ? AxisAssignment.ValueLabel(v) : "–";

    private static double? X(PointResult p, string axis) => p.Values[axis] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    private static string Values(PointResult p) => string.Join(", ", p.Values.Select(kv => $"{kv.Key}={(kv.Value is null ? "null" : AxisAssignment.ValueLabel(kv.Value))}"));

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Non-dominated subsets (both objectives minimised).</summary>
public static class ParetoSet
{
    /// <summary>The points no other point dominates, ordered by the first objective.</summary>
    public static IReadOnlyList<T> Of<T>(IEnumerable<T> items, Func<T, double> first, Func<T, double> second)
    {
        ArgumentNullException.ThrowIfNull(items);
        var sorted = items.OrderBy(first).ThenBy(second).ToList();
        var front = new List<T>();
        var best = double.PositiveInfinity;
        foreach (var item in sorted)
        {
            if (second(item) < best)
            {
                front.Add(item);
                best = second(item);
            }
        }
        return front;
    }
}

/// <summary>Writes <c>report.html</c> of a study folder from its database.</summary>
public static class StudyReportWriter
{
    /// <summary>Writes the report into <paramref name="directory"/> and returns its path.</summary>
    public static string Write(string directory, string studyName, StudyDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var path = Path.Combine(directory, "report.html");
        AtomicFile.WriteAllText(path, StudyReport.Render(studyName, database.Meta("description") ?? string.Empty, database.Meta("kind") ?? "study", database.Axes(), database.Points()));
        return path;
    }
}
