using System.Globalization;
using System.Text;
using System.Text.Json;
using Compass.Reporting.Analysis;
using Compass.Reporting.Charts;
using Compass.Reporting.Files;
using Compass.Reporting.Model;

namespace Compass.Reporting.Html;

/// <summary>
/// Writes <c>report.html</c>: one self-contained page (inline CSS, inline SVG, no script, no external reference).
/// The output depends only on the data: the same data gives the same bytes.
/// </summary>
public static class HtmlReport
{
    private const string Css = """
        body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0 auto;max-width:1240px;padding:16px 24px;color:#1a1a1a;background:#fafafa}
        h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #4e79a7;padding-bottom:4px}
        p.sub{margin:2px 0;color:#444}p.meta{margin:2px 0;color:#666;font-size:13px}p.note{color:#555;font-size:13px;margin:6px 0}
        nav{margin:10px 0;font-size:13px}nav a{margin-right:12px;color:#4e79a7;text-decoration:none}
        table{border-collapse:collapse;margin:6px 0;font-size:13px;background:#fff}
        th,td{border:1px solid #d6d6d6;padding:4px 10px;text-align:left;vertical-align:top}
        th{background:#eef2f7}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tr.best td{background:#eaf5ea;font-weight:bold}
        section{margin-bottom:12px}svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #e0e0e0;display:block;margin:6px 0}
        pre{background:#fff;border:1px solid #ddd;padding:8px;font-size:12px;overflow:auto;max-height:420px}
        details summary{cursor:pointer;color:#4e79a7;font-size:13px;margin-top:6px}
        footer{margin-top:32px;color:#777;font-size:12px}
        """;

    /// <summary>The report of one exploration or replay.</summary>
    public static string Run(RunReportData data)
    {
        var h = new StringBuilder();
        Begin(h, "Compass report: " + data.Scenario.Name, data.Scenario.Description,
            Inv($"optimizer {data.OptimizerName} · seed {data.Scenario.Seed} · {data.Best.Evaluations} evaluations") + (data.GeneratedAt is null ? string.Empty : " · " + data.GeneratedAt),
            [("scenario", "Scenario"), ("metrics", "Best mapping"), ("baselines", "Baselines"), ("convergence", "Convergence"), ("pareto", "Latency–energy"),
             ("energy", "Energy breakdown"), ("utilisation", "Utilisation"), ("schedule", "Schedule")]);

        Section(h, "scenario", "Scenario");
        Table(h, ["field", "value"], ScenarioRows(data.Scenario), numericColumns: 0);
        h.Append("<details><summary>Resolved scenario file</summary><pre>").Append(Format.Escape(data.Scenario.ResolvedScenarioJson)).Append("</pre></details>\n");
        h.Append("</section>\n");

        Section(h, "metrics", "Best mapping");
        var m = data.Best;
        var rows = new List<string[]>
        {
            new[] { "latency (ns)", Format.Number(m.LatencyNs, 6) },
            new[] { "energy (pJ)", Format.Number(m.EnergyPj, 6) },
            new[] { "EDP (J·s)", Format.Number(m.EdpJouleSeconds, 5) },
            new[] { "objective (" + m.ObjectiveKind + ", " + ObjectiveUnit(m.ObjectiveKind) + ")", Format.Number(m.Objective, 6) },
            new[] { "evaluations", m.Evaluations.ToString(CultureInfo.InvariantCulture) },
            new[] { "wall time (s)", Format.Number(m.WallSeconds, 4) },
        };
        if (m.Bounds is { } lb)
        {
            rows.Insert(3, ["latency lower bound (ns)", Format.Number(lb.LatencyNs, 6) + " (result " + Format.Number(lb.LatencyRatio(m.LatencyNs), 3) + "×)"]);
            rows.Insert(4, ["energy lower bound (pJ)", Format.Number(lb.EnergyPj, 6) + " (result " + Format.Number(lb.EnergyRatio(m.EnergyPj), 3) + "×)"]);
        }
        if (m.Cancelled) rows.Add(["cancelled", "yes: the search stopped early; this is the best found so far"]);
        foreach (var (name, value) in data.Statistics.OrderBy(kv => kv.Key, StringComparer.Ordinal)) rows.Add([name, Format.Number(value, 6)]);
        Table(h, ["metric", "value"], rows, numericColumns: 1);
        if (m.Bounds is { } bound) h.Append("<p class=\"note\">").Append(Format.Escape(bound.Explanation)).Append("</p>\n");
        var parts = EnergyParts(m);
        Table(h, ["energy part", "pJ", "share"], parts.Select(p => new[] { p.Name, Format.Number(p.Value, 5), Format.Percent(m.EnergyPj > 0 ? p.Value / m.EnergyPj : double.NaN) }).ToList(), numericColumns: 2);
        h.Append("</section>\n");

        Section(h, "baselines", "Comparison to baselines");
        if (data.Baselines.Count == 0) Note(h, "No baselines were evaluated for this run.");
        else
        {
            h.Append("<p class=\"note\">EDP reduction = (baseline EDP − best EDP) / baseline EDP; positive means the search beat the baseline.</p>\n");
            var baselineRows = new List<string[]> { new[] { "best (" + data.OptimizerName + ")", Format.Number(m.LatencyNs, 6), Format.Number(m.EnergyPj, 6), Format.Number(m.EdpJouleSeconds, 5), "–" } };
            foreach (var b in data.Baselines.OrderBy(b => b.EdpJouleSeconds))
                baselineRows.Add([b.Name, Format.Number(b.LatencyNs, 6), Format.Number(b.EnergyPj, 6), Format.Number(b.EdpJouleSeconds, 5), Reduction(b.EdpJouleSeconds, m.EdpJouleSeconds)]);
            Table(h, ["mapping", "latency (ns)", "energy (pJ)", "EDP (J·s)", "EDP reduction"], baselineRows, numericColumns: 4, bestRow: 0);
        }
        h.Append("</section>\n");

        Section(h, "convergence", "Convergence");
        var curve = Convergence.FromSearchLog(data.SearchLog);
        if (curve.Count == 0) Note(h, "No search log (a replay, or no valid evaluation).");
        else
        {
            var values = curve.Select(p => p.BestObjective).ToList();
            h.Append(SvgCharts.LineChart(new LineChartSpec("Best-so-far objective over evaluations", "evaluation", "best " + m.ObjectiveKind + " (" + ObjectiveUnit(m.ObjectiveKind) + ")",
                [new LineSeries(Inv($"{data.OptimizerName}, seed {data.Scenario.Seed}"), curve.Select(p => new ChartPoint(p.Evaluation, p.BestObjective)).ToList(), Step: true, Markers: curve.Count <= 60)],
                LogY: WideRange(values))));
        }
        h.Append("</section>\n");

        Section(h, "pareto", "Latency versus energy");
        var evaluated = data.SearchLog.Where(r => r.IsValid).Select(r => new ChartPoint(r.LatencyNs, r.EnergyPj)).ToList();
        if (evaluated.Count == 0 && data.ParetoSet.Count == 0) Note(h, "No evaluated mappings to plot.");
        else
        {
            var front = ParetoFront.Of(evaluated.Select(p => new ParetoPoint(p.X, p.Y)).Concat(data.ParetoSet)).Select(p => new ChartPoint(p.LatencyNs, p.EnergyPj)).ToList();
            var highlights = new List<NamedPoint> { new("best (" + data.OptimizerName + ")", new ChartPoint(m.LatencyNs, m.EnergyPj)) };
            highlights.AddRange(data.Baselines.Select(b => new NamedPoint(b.Name, new ChartPoint(b.LatencyNs, b.EnergyPj))));
            var all = evaluated.Concat(highlights.Select(x => x.Point)).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            h.Append(SvgCharts.Scatter(new ScatterChartSpec(Inv($"Every evaluated mapping ({evaluated.Count}) and the Pareto front ({front.Count})"), "latency (ns)", "energy (pJ)",
                evaluated, front, highlights, LogX: WideRange(all.Select(p => p.X).ToList()), LogY: WideRange(all.Select(p => p.Y).ToList()))));
        }
        h.Append("</section>\n");

        Section(h, "energy", "Energy breakdown");
        h.Append(SvgCharts.BarChart(new BarChartSpec("Energy of one iteration by part (best mapping)", "energy (pJ)", parts.Select(p => p.Name).ToList(),
            [new BarSeries("best mapping", parts.Select(p => p.Value).ToList())])));
        h.Append("</section>\n");

        Section(h, "utilisation", "Per-chiplet utilisation");
        h.Append("<p class=\"note\">Busy time over the iteration latency, laid out as the mesh (x to the right, y down; chiplet id = y × width + x).</p>\n");
        h.Append(SvgCharts.Heatmap(HeatmapOf(data.Package)));
        h.Append("</section>\n");

        Section(h, "schedule", "Schedule of one iteration");
        if (data.Timeline is null || data.Timeline.Tasks.Count == 0) Note(h, "No task timeline was recorded.");
        else
        {
            h.Append("<p class=\"note\">Chiplets as rows; solid bars are prefill micro-batches, hatched bars decode, cross-hatched mixed. Hover a bar for its details. The same schedule is in <code>schedule.trace.json</code> (open it in Perfetto).</p>\n");
            h.Append(SvgCharts.Gantt(GanttOf(data.Timeline, data.Package)));
        }
        h.Append("</section>\n");
        End(h, "metrics.json, search-log.csv, timeline.json, schedule.trace.json, scenario.resolved.json");
        return h.ToString();
    }

    /// <summary>The report of a comparison study.</summary>
    public static string Comparison(ComparisonReportData data)
    {
        var h = new StringBuilder();
        var optimizers = data.Runs.Select(r => r.Optimizer).Distinct().ToList();
        Begin(h, "Compass comparison: " + data.StudyName, data.Description,
            Inv($"{optimizers.Count} optimizers · {data.Runs.Count} runs · budget {data.BudgetEvaluations} evaluations per run · ")
            + (data.SeededFromHeuristics ? "seeded from the heuristic mappings" : "unseeded") + (data.GeneratedAt is null ? string.Empty : " · " + data.GeneratedAt),
            [("reduction", "Reduction"), ("convergence", "Convergence"), ("final", "Final EDP"), ("runs", "Runs")]);

        Section(h, "reduction", "EDP per optimizer");
        if (data.BestBaseline is { } best)
            h.Append("<p class=\"note\">Best baseline: <b>").Append(Format.Escape(best.Name)).Append("</b>, EDP ").Append(Format.Number(best.EdpJouleSeconds, 5))
             .Append(" J·s. Reduction = (baseline EDP − EDP) / baseline EDP.</p>\n");
        var rows = new List<string[]>();
        foreach (var name in optimizers)
        {
            var runs = data.Runs.Where(r => r.Optimizer == name).ToList();
            // Like the console summary: a seed that found no valid mapping (EDP ∞) is counted in "seeds" but not averaged.
            var s = Summary.Of(runs.Select(r => r.BestEdpJouleSeconds).Where(double.IsFinite).ToList());
            var baseline = data.BestBaseline?.EdpJouleSeconds ?? double.NaN;
            rows.Add([name, runs.Count.ToString(CultureInfo.InvariantCulture), Format.Number(s.Mean, 5), Format.Number(s.StandardDeviation, 3), Format.Number(s.Min, 5), Format.Number(s.Max, 5),
                Reduction(baseline, s.Mean), Reduction(baseline, s.Min), Format.Number(runs.Average(r => r.EvaluationsToWithin1Percent), 4), Format.Number(runs.Average(r => r.WallSeconds), 4)]);
        }
        Table(h, ["optimizer", "seeds", "mean EDP (J·s)", "std", "min", "max", "reduction (mean)", "reduction (min)", "evaluations to within 1 %", "wall s (mean)"], rows, numericColumns: 9,
            bestRow: rows.Count == 0 ? -1 : optimizers.IndexOf(optimizers.OrderBy(o => FiniteMean(data.Runs.Where(r => r.Optimizer == o).Select(r => r.BestEdpJouleSeconds))).First()));
        h.Append("</section>\n");

        Section(h, "convergence", "Convergence");
        h.Append("<p class=\"note\">Median best-so-far objective across seeds, with the min–max band of the seeds shaded.</p>\n");
        var series = optimizers.Select((name, i) => SpreadSeries(name, i, data.Runs.Where(r => r.Optimizer == name).Select(r => r.Convergence).ToList())).ToList();
        var allValues = data.Runs.SelectMany(r => r.Convergence).Select(p => p.BestObjective).Where(double.IsFinite).ToList();
        h.Append(SvgCharts.LineChart(new LineChartSpec("Best-so-far objective over evaluations", "evaluation", "best " + data.ObjectiveKind + " (" + ObjectiveUnit(data.ObjectiveKind) + ")",
            series, LogY: WideRange(allValues), Layout: ChartLayout.WithLegend)));
        h.Append("</section>\n");

        Section(h, "final", "Final EDP across seeds");
        var groups = optimizers.Select(name => new BoxGroup(name, data.Runs.Where(r => r.Optimizer == name).Select(r => r.BestEdpJouleSeconds).ToList())).ToList();
        var edps = groups.SelectMany(g => g.Values).Where(v => double.IsFinite(v) && v > 0).ToList();
        h.Append(SvgCharts.BoxPlot(new BoxPlotSpec("Best EDP per run (box: quartiles, line: median, whiskers: min–max)", "EDP (J·s)", groups, LogY: WideRange(edps),
            ReferenceLine: data.BestBaseline is { } bb ? new NamedPoint("best baseline: " + bb.Name, new ChartPoint(0, bb.EdpJouleSeconds)) : null)));
        h.Append("</section>\n");

        Section(h, "runs", "Runs");
        Table(h, ["optimizer", "seed", "EDP (J·s)", "latency (ns)", "energy (pJ)", "evaluations to within 1 %", "wall s"],
            data.Runs.Select(r => new[] { r.Optimizer, r.Seed.ToString(CultureInfo.InvariantCulture), Format.Number(r.BestEdpJouleSeconds, 5), Format.Number(r.LatencyNs, 6),
                Format.Number(r.EnergyPj, 6), r.EvaluationsToWithin1Percent.ToString(CultureInfo.InvariantCulture), Format.Number(r.WallSeconds, 4) }).ToList(), numericColumns: 6);
        h.Append("</section>\n");
        End(h, "comparison.json");
        return h.ToString();
    }

    /// <summary>The mesh heatmap of per-chiplet utilisation.</summary>
    public static HeatmapSpec HeatmapOf(PackageUsage package)
    {
        var byId = new Dictionary<int, Abstractions.Evaluation.ChipletUsage>();
        foreach (var c in package.Chiplets) byId[c.Chiplet] = c;
        var cells = new HeatmapCell[package.ChipletCount];
        for (var id = 0; id < cells.Length; id++)
        {
            var found = byId.TryGetValue(id, out var usage);
            cells[id] = new HeatmapCell(found ? usage.Utilisation : 0, Inv($"c{id} ({id % package.MeshWidth},{id / package.MeshWidth})"),
                found ? Format.Percent(usage.Utilisation) : "idle", package.TypeName(id));
        }
        return new HeatmapSpec(Inv($"Utilisation of the {package.MeshWidth}×{package.MeshHeight} mesh"), package.MeshWidth, package.MeshHeight, cells,
            CellSizePx: package.MeshWidth <= 8 ? 96 : Math.Max(48, 960.0 / package.MeshWidth));
    }

    /// <summary>The Gantt chart of a timeline: colour by layer when there are several layers, else by micro-batch; pattern by phase.</summary>
    public static GanttSpec GanttOf(ScheduleTimeline timeline, PackageUsage package)
    {
        var tasks = timeline.Tasks.Where(t => t.Iteration == timeline.Iteration).ToList();
        if (tasks.Count == 0) tasks = timeline.Tasks.ToList();
        var used = tasks.Select(t => t.Chiplet).Distinct().Order().ToList();
        var rows = package.ChipletCount is > 0 and <= 64 ? Enumerable.Range(0, Math.Max(package.ChipletCount, used.Count == 0 ? 0 : used[^1] + 1)).ToList() : used;
        var rowOf = new Dictionary<int, int>();
        for (var i = 0; i < rows.Count; i++) rowOf[rows[i]] = i;
        var layers = tasks.Select(t => timeline.GeneOf(t).Layer).Distinct().Count();
        var byLayer = layers > 1;
        var maxEnd = tasks.Count == 0 ? 0 : tasks.Max(t => t.EndNs);
        var (unit, divisor) = maxEnd >= 1e8 ? ("ms", 1e6) : maxEnd >= 1e5 ? ("µs", 1e3) : ("ns", 1.0);
        var bars = new List<GanttBar>(tasks.Count);
        foreach (var t in tasks)
        {
            var gene = timeline.GeneOf(t);
            var phase = timeline.PhaseOf(t.MicroBatch);
            var tooltip = Inv($"{gene.Name} · micro-batch {t.MicroBatch} ({TimelineJson.PhaseName(phase)}) · chiplet {t.Chiplet} · {Format.Number(t.StartNs, 6)}–{Format.Number(t.EndNs, 6)} ns · compute {Format.Number(t.ComputeNs)} ns, NoP {Format.Number(t.NopNs)} ns, DRAM {Format.Number(t.DramNs)} ns · {Format.Number(t.EnergyPj)} pJ")
                + (t.WeightsLoaded ? " · weights loaded" : string.Empty);
            bars.Add(new GanttBar(rowOf[t.Chiplet], t.StartNs / divisor, t.EndNs / divisor, (byLayer ? gene.Layer : t.MicroBatch) % 10, PatternOf(phase), tooltip));
        }
        var legend = new List<LegendEntry>();
        var keys = tasks.Select(t => byLayer ? timeline.GeneOf(t).Layer : t.MicroBatch).Distinct().Order().ToList();
        foreach (var k in keys.Take(10))
            legend.Add(new LegendEntry((byLayer ? "layer " : "micro-batch ") + k.ToString(CultureInfo.InvariantCulture) + (keys.Count > 10 ? " (+10n)" : string.Empty), k % 10));
        foreach (var phase in tasks.Select(t => timeline.PhaseOf(t.MicroBatch)).Distinct().Order())
            legend.Add(new LegendEntry(TimelineJson.PhaseName(phase), -1, PatternOf(phase)));
        return new GanttSpec(Inv($"Iteration {timeline.Iteration}: {tasks.Count} tasks on {used.Count} chiplets, coloured by {(byLayer ? "layer" : "micro-batch")}"),
            "time (" + unit + ")", rows.Select(c => new GanttRow(Inv($"chiplet {c} ({c % Math.Max(1, package.MeshWidth)},{c / Math.Max(1, package.MeshWidth)})"))).ToList(),
            bars, legend, Width: 1200);
    }

    private static BarPattern PatternOf(MicroBatchPhase phase) => phase switch
    {
        MicroBatchPhase.Prefill => BarPattern.Solid,
        MicroBatchPhase.Decode => BarPattern.Hatched,
        _ => BarPattern.CrossHatched,
    };

    private static LineSeries SpreadSeries(string name, int index, List<IReadOnlyList<ConvergencePoint>> seeds)
    {
        var grid = seeds.SelectMany(s => s.Select(p => p.Evaluation)).Distinct().Order().ToList();
        var line = new List<ChartPoint>(grid.Count);
        var band = new List<BandPoint>(grid.Count);
        foreach (var x in grid)
        {
            var values = seeds.Select(s => Convergence.ValueAt(s, x)).Where(double.IsFinite).Order().ToList();
            if (values.Count == 0) continue;
            line.Add(new ChartPoint(x, Summary.Quantile(values, 0.5)));
            band.Add(new BandPoint(x, values[0], values[^1]));
        }
        return new LineSeries(Inv($"{name} (median of {seeds.Count})"), line, Step: true, Band: seeds.Count > 1 ? band : null, ColourIndex: index);
    }

    private static IEnumerable<string[]> ScenarioRows(ScenarioSummary scenario)
    {
        yield return ["name", scenario.Name];
        yield return ["description", scenario.Description];
        yield return ["seed", scenario.Seed.ToString(CultureInfo.InvariantCulture)];
        JsonDocument? doc = null;
        try
        {
            doc = JsonDocument.Parse(scenario.ResolvedScenarioJson);
        }
        catch (JsonException)
        {
            // An unparsable scenario text is still shown verbatim below the table.
        }
        if (doc is null) yield break;
        using (doc)
        {
            var rows = new List<string[]>();
            Flatten(doc.RootElement, string.Empty, rows);
            foreach (var row in rows.Where(r => r[0] is not ("name" or "description" or "seed"))) yield return row;
        }
    }

    private static void Flatten(JsonElement e, string path, List<string[]> rows)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject()) Flatten(p.Value, path.Length == 0 ? p.Name : path + "." + p.Name, rows);
            return;
        }
        var text = e.ValueKind switch
        {
            JsonValueKind.String => e.GetString() ?? string.Empty,
            JsonValueKind.Array => JsonSerializer.Serialize(e),
            _ => e.GetRawText(),
        };
        rows.Add([path, text.Length > 160 ? string.Concat(text.AsSpan(0, 159), "…") : text]);
    }

    private static List<(string Name, double Value)> EnergyParts(RunMetrics m) =>
        [("MAC", m.Energy.MacPj), ("buffer", m.Energy.BufferPj), ("vector", m.Energy.VectorPj), ("NoP", m.Energy.NopPj), ("DRAM", m.Energy.DramPj), ("static", m.Energy.StaticPj)];

    private static string ObjectiveUnit(string kind) => kind.ToLowerInvariant() switch
    {
        "edp" => "ns·pJ",
        "latency" => "ns",
        "energy" => "pJ",
        _ => "pJ^a·ns^b",
    };

    private static string Reduction(double baseline, double value) =>
        baseline > 0 && double.IsFinite(baseline) && double.IsFinite(value) ? Format.Percent((baseline - value) / baseline) : "–";

    private static bool WideRange(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count > 1 && finite.Min() > 0 && finite.Max() / finite.Min() > 20;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Begin(StringBuilder h, string title, string description, string meta, (string Id, string Label)[] sections)
    {
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
         .Append(Format.Escape(title)).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n<header>\n<h1>").Append(Format.Escape(title)).Append("</h1>\n");
        if (description.Length > 0) h.Append("<p class=\"sub\">").Append(Format.Escape(description)).Append("</p>\n");
        h.Append("<p class=\"meta\">").Append(Format.Escape(meta)).Append("</p>\n</header>\n<nav>");
        foreach (var (id, label) in sections) h.Append("<a href=\"#").Append(id).Append("\">").Append(Format.Escape(label)).Append("</a>");
        h.Append("</nav>\n");
    }

    private static void End(StringBuilder h, string files) =>
        h.Append("<footer>Written by Compass. Files beside this report: ").Append(files).Append(" (see docs/report.md).</footer>\n</body>\n</html>\n");

    private static void Section(StringBuilder h, string id, string title) =>
        h.Append("<section id=\"").Append(id).Append("\">\n<h2>").Append(Format.Escape(title)).Append("</h2>\n");

    private static void Note(StringBuilder h, string text) => h.Append("<p class=\"note\">").Append(Format.Escape(text)).Append("</p>\n");

    private static void Table(StringBuilder h, string[] header, IEnumerable<string[]> rows, int numericColumns, int bestRow = -1)
    {
        h.Append("<table>\n<tr>");
        foreach (var c in header) h.Append("<th>").Append(Format.Escape(c)).Append("</th>");
        h.Append("</tr>\n");
        var r = 0;
        foreach (var row in rows)
        {
            h.Append(r == bestRow ? "<tr class=\"best\">" : "<tr>");
            for (var i = 0; i < row.Length; i++)
                h.Append(i > 0 && i <= numericColumns ? "<td class=\"num\">" : "<td>").Append(Format.Escape(row[i])).Append("</td>");
            h.Append("</tr>\n");
            r++;
        }
        h.Append("</table>\n");
    }

    /// <summary>Mean of the finite values, or +∞ when there is none.</summary>
    private static double FiniteMean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.PositiveInfinity : finite.Average();
    }
}
