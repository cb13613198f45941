using System.Globalization;
using System.Text;
using System.Text.Json;
using Compass.Reporting.Analysis;
using Compass.Reporting.Charts;
using Compass.Reporting.Files;
using Compass.Reporting.Model;
using Compass.Results;

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
        p.headline{font-size:17px;margin:10px 0;padding:10px 14px;background:#fff;border-left:4px solid #4e79a7}
        div.cols{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}div.cols>div{flex:1 1 480px;min-width:0}
        ul.findings{font-size:14px;margin:8px 0;padding-left:20px}ul.findings li{margin:3px 0}
        table.summary{font-size:13px}
        section{margin-bottom:12px}svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #e0e0e0;display:block;margin:6px 0}
        pre{background:#fff;border:1px solid #ddd;padding:8px;font-size:12px;overflow:auto;max-height:420px}
        details summary{cursor:pointer;color:#4e79a7;font-size:13px;margin-top:6px}
        footer{margin-top:32px;color:#777;font-size:12px}
        """;

    /// <summary>
    /// The report of one exploration or replay. It answers first: a one-screen summary (best mapping against the
    /// baselines and any lower bound, what bounds the iteration, energy parts, the levers' values), then the charts,
    /// then the full scenario and optimizer settings folded away. Times in ms, energies in mJ, EDP in J·s.
    /// </summary>
    public static string Run(RunReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var h = new StringBuilder();
        var m = data.Best;
        Begin(h, "Compass report: " + data.Scenario.Name, data.Scenario.Description,
            Inv($"optimizer {data.OptimizerName} · seed {data.Scenario.Seed} · {data.Best.Evaluations} evaluations") + (data.GeneratedAt is null ? string.Empty : " · " + data.GeneratedAt),
            [("summary", "Summary"), ("convergence", "Convergence"), ("pareto", "Latency–energy"), ("energy", "Energy"), ("utilisation", "Utilisation"),
             ("schedule", "Schedule"), ("scenario", "Scenario and settings")]);

        Section(h, "summary", "Summary");
        SummaryBlock(h, data);
        h.Append("</section>\n");

        Section(h, "convergence", "Convergence");
        var curve = Convergence.FromSearchLog(data.SearchLog);
        var (objUnit, objFactor) = Format.ObjectiveUnit(m.ObjectiveKind);
        if (curve.Count == 0) Note(h, "No search log (a replay, or no valid evaluation).");
        else
        {
            var values = curve.Select(p => p.BestObjective * objFactor).ToList();
            h.Append(SvgCharts.LineChart(new LineChartSpec("Best-so-far objective over evaluations", "evaluation", "best " + KindLabel(m.ObjectiveKind) + " (" + objUnit + ")",
                [new LineSeries(Inv($"{data.OptimizerName}, seed {data.Scenario.Seed}"), curve.Select(p => new ChartPoint(p.Evaluation, p.BestObjective * objFactor)).ToList(), Step: true, Markers: curve.Count <= 60)],
                LogY: WideRange(values))));
        }
        h.Append("</section>\n");

        Section(h, "pareto", "Latency versus energy");
        var evaluated = data.SearchLog.Where(r => r.IsValid).Select(r => new ChartPoint(r.LatencyNs * Format.MsPerNs, r.EnergyPj * Format.MjPerPj)).ToList();
        if (evaluated.Count == 0 && data.ParetoSet.Count == 0) Note(h, "No evaluated mappings to plot.");
        else
        {
            var front = ParetoFront.Of(data.SearchLog.Where(r => r.IsValid).Select(r => new ParetoPoint(r.LatencyNs, r.EnergyPj)).Concat(data.ParetoSet))
                .Select(p => new ChartPoint(p.LatencyNs * Format.MsPerNs, p.EnergyPj * Format.MjPerPj)).ToList();
            var highlights = new List<NamedPoint> { new("best (" + data.OptimizerName + ")", new ChartPoint(m.LatencyNs * Format.MsPerNs, m.EnergyPj * Format.MjPerPj)) };
            highlights.AddRange(data.Baselines.Select(b => new NamedPoint(b.Name, new ChartPoint(b.LatencyNs * Format.MsPerNs, b.EnergyPj * Format.MjPerPj))));
            var all = evaluated.Concat(highlights.Select(x => x.Point)).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            h.Append("<p class=\"note\">Every evaluated mapping is a faint grey dot; the Pareto front (no other mapping is both faster and more frugal) is the orange line. Diamonds: the best mapping and the baselines.</p>\n");
            var cloud = data.SearchLogRows > data.SearchLog.Count
                ? Inv($"{evaluated.Count:N0} of the {data.SearchLogRows:N0} evaluated mappings (an evenly thinned sample plus every improvement and the front; the whole log is search-log.csv)")
                : Inv($"{evaluated.Count:N0} evaluated mappings");
            h.Append(SvgCharts.Scatter(new ScatterChartSpec(cloud + Inv($" and the Pareto front ({front.Count} points)"), "latency per iteration (ms)", "energy per iteration (mJ)",
                evaluated, front, highlights, LogX: WideRange(all.Select(p => p.X).ToList()), LogY: WideRange(all.Select(p => p.Y).ToList()))));
        }
        h.Append("</section>\n");

        Section(h, "energy", "Energy breakdown");
        var parts = EnergyParts(m);
        h.Append(SvgCharts.BarChart(new BarChartSpec("Energy of one iteration by part (best mapping)", "energy (mJ)", parts.Select(p => p.Name).ToList(),
            [new BarSeries("best mapping", parts.Select(p => p.Value * Format.MjPerPj).ToList())])));
        h.Append("</section>\n");

        Section(h, "utilisation", "Per-chiplet utilisation");
        h.Append("<p class=\"note\">Busy time over the iteration latency, laid out as the mesh (x to the right, y down; chiplet id = y × width + x). Hover a cell for its chiplet type.</p>\n");
        h.Append(SvgCharts.Heatmap(HeatmapOf(data.Package)));
        h.Append("</section>\n");

        Section(h, "schedule", "Schedule of one iteration");
        if (data.Timeline is null || data.Timeline.Tasks.Count == 0) Note(h, "No task timeline was recorded.");
        else
        {
            h.Append("<p class=\"note\">Chiplets as rows; solid bars are prefill micro-batches, hatched bars decode, cross-hatched mixed. Hover a bar for its details. The full schedule is in <code>schedule.trace.json</code> (open it in Perfetto).</p>\n");
            h.Append(SvgCharts.Gantt(GanttOf(data.Timeline, data.Package)));
        }
        h.Append("</section>\n");

        Section(h, "scenario", "Scenario and settings");
        var scenarioRows = ScenarioRows(data.Scenario).ToList();
        h.Append("<details><summary>").Append(Inv($"Every scenario value ({scenarioRows.Count} settings)")).Append("</summary>\n");
        Table(h, ["field", "value"], scenarioRows, numericColumns: 0);
        h.Append("</details>\n<details><summary>Resolved scenario file (scenario.resolved.json)</summary><pre>").Append(Format.Escape(data.Scenario.ResolvedScenarioJson)).Append("</pre></details>\n");
        var runRows = new List<string[]>
        {
            new[] { "objective (" + m.ObjectiveKind + ", " + objUnit + ")", Format.Number(m.Objective * objFactor, 6) },
            new[] { "evaluations", m.Evaluations.ToString(CultureInfo.InvariantCulture) },
            new[] { "search wall time (s)", Format.Number(m.WallSeconds, 4) },
        };
        foreach (var (name, value) in data.Statistics.OrderBy(kv => kv.Key, StringComparer.Ordinal)) runRows.Add([name, Format.Number(value, 6)]);
        h.Append("<details><summary>").Append(Inv($"Search and optimizer statistics ({runRows.Count} values)")).Append("</summary>\n");
        Table(h, ["value", ""], runRows, numericColumns: 1);
        h.Append("</details>\n</section>\n");
        End(h, "metrics.json, search-log.csv, timeline.json, schedule.trace.json, scenario.resolved.json");
        return h.ToString();
    }

    /// <summary>The one-screen summary: headline, best vs baselines vs lower bound, what bounds the iteration, energy parts, levers.</summary>
    private static void SummaryBlock(StringBuilder h, RunReportData data)
    {
        var m = data.Best;
        var bestBaseline = data.Baselines.Where(b => double.IsFinite(b.EdpJouleSeconds) && b.EdpJouleSeconds > 0).OrderBy(b => b.EdpJouleSeconds).FirstOrDefault();
        h.Append("<p class=\"headline\">EDP <b>").Append(Format.Number(m.EdpJouleSeconds, 4)).Append(" J·s</b>");
        if (bestBaseline is not null)
        {
            var r = (bestBaseline.EdpJouleSeconds - m.EdpJouleSeconds) / bestBaseline.EdpJouleSeconds;
            if (Math.Abs(r) < 0.0005) h.Append(", <b>the same</b> as the best baseline (").Append(Format.Escape(bestBaseline.Name)).Append(')');
            else h.Append(", <b>").Append(Format.Percent(Math.Abs(r))).Append(r >= 0 ? " lower" : " higher").Append("</b> than the best baseline (").Append(Format.Escape(bestBaseline.Name)).Append(')');
        }
        h.Append(" · latency <b>").Append(Format.Ms(m.LatencyNs)).Append(" ms</b> · energy <b>").Append(Format.MJ(m.EnergyPj)).Append(" mJ</b> per iteration</p>\n");
        if (m.Cancelled) Note(h, "The search stopped early: this is the best mapping found so far.");
        h.Append("<div class=\"cols\"><div>\n");

        var rows = new List<string[]> { new[] { "best (" + data.OptimizerName + ")", Format.Ms(m.LatencyNs, 5), Format.MJ(m.EnergyPj, 5), Format.Number(m.EdpJouleSeconds, 5), "–" } };
        foreach (var b in data.Baselines.OrderBy(b => b.EdpJouleSeconds))
            rows.Add([b.Name, Format.Ms(b.LatencyNs, 5), Format.MJ(b.EnergyPj, 5), Format.Number(b.EdpJouleSeconds, 5), Reduction(b.EdpJouleSeconds, m.EdpJouleSeconds)]);
        if (data.LowerBound is { } lb)
            rows.Add(["lower bound" + (lb.Name.Length > 0 && lb.Name != "lower bound" ? " (" + lb.Name + ")" : string.Empty), Format.Ms(lb.LatencyNs, 5), Format.MJ(lb.EnergyPj, 5), Format.Number(lb.EdpJouleSeconds, 5),
                lb.EdpJouleSeconds > 0 && double.IsFinite(lb.EdpJouleSeconds) ? Inv($"best is {Format.Number(m.EdpJouleSeconds / lb.EdpJouleSeconds, 3)}× the bound") : "–"]);
        if (data.Baselines.Count == 0 && data.LowerBound is null) Note(h, "No baselines were evaluated for this run.");
        Table(h, ["mapping", "latency (ms)", "energy (mJ)", "EDP (J·s)", "best's EDP reduction"], rows, numericColumns: 4, bestRow: 0, cssClass: "summary");
        if (data.Baselines.Count > 0) h.Append("<p class=\"note\">EDP reduction = (baseline EDP − best EDP) / baseline EDP; positive means the search beat the baseline.</p>\n");

        if (data.Serving is { } serving) ServingBlock(h, serving);
        if (data.PackageCost is { } cost) PackageCostBlock(h, cost);
        var findings = new List<string>(data.Findings);
        // The evaluator's own finding on what bounds the iteration comes first; the timeline's reading only stands in for it.
        if (findings.Count == 0 && data.Timeline is { Tasks.Count: > 0 } timeline && BoundSentence(timeline) is { } sentence) findings.Add(sentence);
        if (findings.Count > 0)
        {
            h.Append("<ul class=\"findings\">");
            foreach (var f in findings) h.Append("<li>").Append(Format.Escape(f)).Append("</li>");
            h.Append("</ul>\n");
        }
        h.Append("</div><div>\n");
        var parts = EnergyParts(m);
        Table(h, ["energy part", "mJ", "share"], parts.Select(p => new[] { p.Name, Format.MJ(p.Value, 4), Format.Percent(m.EnergyPj > 0 ? p.Value / m.EnergyPj : double.NaN) }).ToList(), numericColumns: 2, cssClass: "summary");
        var levers = Levers(data).ToList();
        if (levers.Count > 0) Table(h, ["lever", "value"], levers, numericColumns: 0, cssClass: "summary");
        h.Append("</div></div>\n");
    }

    private static void ServingBlock(StringBuilder h, ServingSummary s)
    {
        static string[] Row(string name, PercentileRow? r) => r is null
            ? [name, "n/a", "n/a", "n/a", "n/a"]
            : [name, Format.Number(r.Mean), Format.Number(r.P50), Format.Number(r.P90), Format.Number(r.P99)];
        Note(h, Inv($"Serving metrics over {s.Iterations} held-out iterations: {s.CompletedRequests} requests completed inside the window, {s.IncompleteRequests} incomplete."));
        Table(h, ["request metric (ms)", "mean", "P50", "P90", "P99"], [Row("TTFT", s.TtftMs), Row("TPOT", s.TpotMs), Row("E2E", s.EndToEndMs)], numericColumns: 4, cssClass: "summary");
        if (s.Note is not null) Note(h, s.Note);
        Table(h, ["throughput and energy", "value"],
        [
            ["throughput over busy time (tokens/s)", Format.Number(s.ThroughputBusyTokensPerSecond, 5)],
            ["throughput over trace time, idle included (tokens/s)", Format.Number(s.ThroughputTraceTokensPerSecond, 5)],
            ["energy per generated token (mJ)", Format.MJ(s.EnergyPerTokenPj)],
            ["SLO attainment" + (s.SloText.Length > 0 ? " (" + s.SloText + ")" : string.Empty), s.SloAttainment is { } a ? Format.Percent(a) : s.SloText.Length == 0 ? "n/a: no SLO given" : "n/a: no request completed"],
        ], numericColumns: 1, cssClass: "summary");
    }

    /// <summary>
    /// What bounds the iteration, read from the timeline of one iteration: how busy the busiest chiplet is and how the
    /// tasks' time splits into compute, network-on-package and DRAM. A busiest chiplet idle most of the iteration means
    /// the schedule waits on dependencies between chiplets (pipeline fill and drain) rather than on one resource.
    /// </summary>
    public static string? BoundSentence(ScheduleTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        var tasks = timeline.Tasks.Where(t => t.Iteration == timeline.Iteration).ToList();
        if (tasks.Count == 0) return null;
        var end = tasks.Max(t => t.EndNs);
        var start = Math.Min(0, tasks.Min(t => t.StartNs));
        var span = end - start;
        if (!(span > 0)) return null;
        var busyByChiplet = tasks.GroupBy(t => t.Chiplet).Select(g => (Chiplet: g.Key, Busy: g.Sum(t => t.EndNs - t.StartNs))).OrderByDescending(x => x.Busy).ThenBy(x => x.Chiplet).First();
        double compute = 0, nop = 0, dram = 0;
        foreach (var t in tasks)
        {
            compute += t.ComputeNs;
            nop += t.NopNs;
            dram += t.DramNs;
        }
        var parts = compute + nop + dram;
        var busyShare = busyByChiplet.Busy / span;
        var text = Inv($"Sampled iteration {timeline.Iteration} (the schedule below) takes {Format.Ms(span)} ms; the busiest chiplet ({busyByChiplet.Chiplet}) works {Format.Percent(busyShare)} of it");
        if (parts <= 0) return text + ".";
        var (name, share) = compute >= nop && compute >= dram ? ("compute", compute) : nop >= dram ? ("NoP transfers", nop) : ("DRAM traffic", dram);
        var split = Inv($"the tasks' time is {Format.Percent(compute / parts)} compute, {Format.Percent(nop / parts)} NoP, {Format.Percent(dram / parts)} DRAM");
        return busyShare < 0.5
            ? text + Inv($", so the iteration is bound by waiting between chiplets (dependencies, pipeline fill and drain) more than by any one resource; {split}.")
            : text + Inv($"; {split}: {name} bound{(share / parts < 0.5 ? " (weakly)" : string.Empty)}.");
    }

    /// <summary>The key levers of the run, from the resolved scenario: model, package, layers, TP degree, head groups, micro-batch size, batch, precision.</summary>
    private static IEnumerable<string[]> Levers(RunReportData data)
    {
        JsonDocument? doc = null;
        try
        {
            doc = JsonDocument.Parse(data.Scenario.ResolvedScenarioJson);
        }
        catch (JsonException)
        {
            // No levers without a readable scenario; the raw text is still in the details below.
        }
        if (doc is null) yield break;
        using (doc)
        {
            var root = doc.RootElement;
            (string Label, string Path)[] levers =
            [
                ("model", "model"), ("package", "hardware.package"), ("layers modelled (0 = all)", "graph.layers"), ("tensor-parallel degree", "graph.tensorParallel"),
                ("head groups", "graph.headGroups"), ("micro-batch size (requests)", "graph.microBatchSize"), ("max batch (requests)", "workload.maxBatchRequests"),
                ("scheduler", "workload.scheduler.name"), ("weight / activation / KV bits", "precision"), ("optimizer", "optimizer.name"), ("budget (evaluations)", "budget.evaluations"),
            ];
            foreach (var (label, path) in levers)
            {
                if (Find(root, path) is not { } e) continue;
                var text = path == "precision" && e.ValueKind == JsonValueKind.Object
                    ? string.Join(" / ", new[] { "weightBits", "activationBits", "kvCacheBits" }.Select(k => e.TryGetProperty(k, out var v) ? v.GetRawText() : "?"))
                    : e.ValueKind switch
                    {
                        JsonValueKind.String => e.GetString() ?? string.Empty,
                        JsonValueKind.Object => e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() ?? string.Empty : "(unnamed)",
                        _ => e.GetRawText(),
                    };
                yield return [label, text];
            }
        }
        var used = data.Package.Chiplets.Count(c => c.Utilisation > 0);
        yield return ["chiplets used", Inv($"{used} of {data.Package.ChipletCount}")];
        if (data.Timeline is { } t) yield return ["micro-batches", t.MicroBatchPhases.Count.ToString(CultureInfo.InvariantCulture)];
    }

    private static JsonElement? Find(JsonElement root, string path)
    {
        var e = root;
        foreach (var part in path.Split('.'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e)) return null;
        }
        return e;
    }

    /// <summary>The report of a comparison study: mean ± 95 % CI per optimizer, a paired t-test against the best, convergence bands, box plot, runs.</summary>
    public static string Comparison(ComparisonReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var h = new StringBuilder();
        var optimizers = data.Runs.Select(r => r.Optimizer).Distinct().ToList();
        Begin(h, "Compass comparison: " + data.StudyName, data.Description,
            Inv($"{optimizers.Count} optimizers · {data.Runs.Count} runs · budget {data.BudgetEvaluations} evaluations per run · ")
            + (data.SeededFromHeuristics ? "seeded from the heuristic mappings" : "unseeded") + (data.GeneratedAt is null ? string.Empty : " · " + data.GeneratedAt),
            [("reduction", "Summary"), ("convergence", "Convergence"), ("final", "Final EDP"), ("runs", "Runs")]);

        Section(h, "reduction", "EDP per optimizer");
        if (data.BestBaseline is { } best)
            h.Append("<p class=\"note\">Best baseline: <b>").Append(Format.Escape(best.Name)).Append("</b>, EDP ").Append(Format.Number(best.EdpJouleSeconds, 5))
             .Append(" J·s. Reduction = (baseline EDP − EDP) / baseline EDP.</p>\n");
        var table = ComparisonTable.Of(data.Runs);
        var rows = table.Rows.Select(r => new[]
        {
            r.Optimizer, Inv($"{r.ValidSeeds}/{r.Seeds}"), r.Edp is { } e ? Format.PlusMinus(e.Mean, e.HalfWidth) : "–", r.Edp is { } e2 ? Format.Number(e2.StandardDeviation, 3) : "–",
            Format.Number(r.Min, 5), Format.Number(r.Max, 5), Reduction(data.BestBaseline?.EdpJouleSeconds ?? double.NaN, r.Edp?.Mean ?? double.NaN),
            Reduction(data.BestBaseline?.EdpJouleSeconds ?? double.NaN, r.Min), PairedText(r), Format.Number(r.MeanEvaluationsToWithin1Percent, 4), Format.Number(r.MeanWallSeconds, 4),
        }).ToList();
        Table(h, ["optimizer", "valid seeds", "mean EDP ± 95 % CI (J·s)", "std (J·s)", "min (J·s)", "max (J·s)", "reduction (mean)", "reduction (min)",
            "vs " + (table.Reference ?? "best") + " (paired t-test)", "evaluations to within 1 %", "wall s (mean)"], rows, numericColumns: 10,
            bestRow: table.Reference is null ? -1 : table.Rows.FindIndex(r => r.Optimizer == table.Reference));
        h.Append("<p class=\"note\">The 95 % confidence interval uses Student's t with n − 1 degrees of freedom over the seeds that found a valid mapping. "
            + "The paired t-test compares each optimizer with the one of lowest mean EDP seed by seed (same seed, same starting points): mean EDP difference and two-sided p; p &lt; 0.05 marks a difference unlikely to be seed noise. "
            + "With few seeds the test has little power: a large p is not evidence of equality.</p>\n");
        h.Append("</section>\n");

        Section(h, "convergence", "Convergence");
        var (unit, factor) = Format.ObjectiveUnit(data.ObjectiveKind);
        h.Append("<p class=\"note\">Median best-so-far objective across seeds, with the min–max band of the seeds shaded.</p>\n");
        var series = optimizers.Select((name, i) => SpreadSeries(name, i, data.Runs.Where(r => r.Optimizer == name).Select(r => r.Convergence).ToList(), factor)).ToList();
        var allValues = data.Runs.SelectMany(r => r.Convergence).Select(p => p.BestObjective * factor).Where(double.IsFinite).ToList();
        h.Append(SvgCharts.LineChart(new LineChartSpec("Best-so-far objective over evaluations", "evaluation", "best " + KindLabel(data.ObjectiveKind) + " (" + unit + ")",
            series, LogY: WideRange(allValues), Layout: ChartLayout.WithLegend)));
        h.Append("</section>\n");

        Section(h, "final", "Final EDP across seeds");
        var groups = optimizers.Select(name => new BoxGroup(name, data.Runs.Where(r => r.Optimizer == name).Select(r => r.BestEdpJouleSeconds).ToList())).ToList();
        var edps = groups.SelectMany(g => g.Values).Where(v => double.IsFinite(v) && v > 0).ToList();
        h.Append(SvgCharts.BoxPlot(new BoxPlotSpec("Best EDP per run (box: quartiles, line: median, whiskers: min–max)", "EDP (J·s)", groups, LogY: WideRange(edps),
            ReferenceLine: data.BestBaseline is { } bb ? new NamedPoint("best baseline: " + bb.Name, new ChartPoint(0, bb.EdpJouleSeconds)) : null)));
        h.Append("</section>\n");

        Section(h, "runs", "Runs");
        Table(h, ["optimizer", "seed", "EDP (J·s)", "latency (ms)", "energy (mJ)", "evaluations to within 1 %", "wall s", "best mapping"],
            data.Runs.Select(r => new[] { r.Optimizer, r.Seed.ToString(CultureInfo.InvariantCulture), Format.Number(r.BestEdpJouleSeconds, 5), Format.Ms(r.LatencyNs, 6),
                Format.MJ(r.EnergyPj, 6), r.EvaluationsToWithin1Percent.ToString(CultureInfo.InvariantCulture), Format.Number(r.WallSeconds, 4), r.MappingFile ?? "–" }).ToList(), numericColumns: 6);
        h.Append("</section>\n");
        End(h, "comparison.json, comparison.csv, mappings/, convergence/, logs/");
        return h.ToString();
    }

    private static string PairedText(ComparisonRow row)
    {
        if (row.IsReference) return "reference";
        if (row.Paired is not { } t) return "–";
        var diff = Format.Number(t.MeanDifference, 3);
        if (t.MeanDifference > 0 && !diff.StartsWith('+')) diff = "+" + diff;
        return double.IsNaN(t.PValue) ? diff + (t.Pairs < 2 ? " (one pair)" : " (no spread)") : diff + ", p = " + Format.PValue(t.PValue);
    }

    /// <summary>The mesh heatmap of per-chiplet utilisation.</summary>
    public static HeatmapSpec HeatmapOf(PackageUsage package)
    {
        var byId = new Dictionary<int, ChipletUsage>();
        foreach (var c in package.Chiplets) byId[c.Chiplet] = c;
        var cells = new HeatmapCell[package.ChipletCount];
        for (var id = 0; id < cells.Length; id++)
        {
            var found = byId.TryGetValue(id, out var usage);
            cells[id] = new HeatmapCell(found ? usage.Utilisation : 0, package.MeshWidth <= 8 ? Inv($"c{id} ({id % package.MeshWidth},{id / package.MeshWidth})") : Inv($"c{id}"),
                found ? Format.Percent(usage.Utilisation) : "idle", package.TypeName(id));
        }
        return new HeatmapSpec(Inv($"Utilisation of the {package.MeshWidth}×{package.MeshHeight} mesh"), package.MeshWidth, package.MeshHeight, cells,
            CellSizePx: package.MeshWidth <= 8 ? 96 : Math.Max(48, 960.0 / package.MeshWidth));
    }

    /// <summary>
    /// Most tasks a Gantt chart draws one by one (each with its tooltip); beyond it, a chiplet's tasks closer than a
    /// pixel are merged (and the chart says so), and the merge distance doubles until at most <see cref="MaxMergedGanttBars"/> bars remain.
    /// </summary>
    public const int MaxGanttBars = SvgCharts.GanttCompactAbove;

    /// <summary>Most bars of a merged Gantt chart.</summary>
    public const int MaxMergedGanttBars = 40000;

    /// <summary>
    /// The Gantt chart of a timeline, time in ms. Colour: by layer group (at most ten groups of consecutive layers) when
    /// there are several layers, else by operator kind; pattern by phase. Above <see cref="MaxGanttBars"/> tasks, the tasks
    /// of a chiplet that lie within one pixel of each other are drawn as one bar coloured by its longest task.
    /// </summary>
    public static GanttSpec GanttOf(ScheduleTimeline timeline, PackageUsage package)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(package);
        var tasks = timeline.Tasks.Where(t => t.Iteration == timeline.Iteration).ToList();
        if (tasks.Count == 0) tasks = timeline.Tasks.ToList();
        var used = tasks.Select(t => t.Chiplet).Distinct().Order().ToList();
        var rows = package.ChipletCount is > 0 and <= 64 ? Enumerable.Range(0, Math.Max(package.ChipletCount, used.Count == 0 ? 0 : used[^1] + 1)).ToList() : used;
        var rowOf = new Dictionary<int, int>();
        for (var i = 0; i < rows.Count; i++) rowOf[rows[i]] = i;
        var layers = tasks.Select(t => timeline.GeneOf(t).Layer).Distinct().Order().ToList();
        var byLayer = layers.Count > 1;
        var maxLayer = layers.Count == 0 ? 0 : layers[^1];
        var groupSize = Math.Max(1, (maxLayer + 10) / 10);
        int KeyOf(in TaskRecord t) => byLayer ? timeline.GeneOf(t).Layer / groupSize : (int)OpKindOf(timeline.GeneOf(t).Stage);
        TaskKey keyOf = KeyOf;
        var maxEnd = tasks.Count == 0 ? 0 : tasks.Max(t => t.EndNs);
        var bars = new List<GanttBar>(Math.Min(tasks.Count, MaxGanttBars));
        var merged = tasks.Count > MaxGanttBars;
        var mergeNs = 0.0;
        if (!merged)
        {
            foreach (var t in tasks)
            {
                var gene = timeline.GeneOf(t);
                var phase = timeline.PhaseOf(t.MicroBatch);
                var tooltip = Inv($"{gene.Name} · micro-batch {t.MicroBatch} ({TimelineJson.PhaseName(phase)}) · chiplet {t.Chiplet} · {Format.Ms(t.StartNs, 6)}–{Format.Ms(t.EndNs, 6)} ms · compute {Format.Ms(t.ComputeNs)} ms, NoP {Format.Ms(t.NopNs)} ms, DRAM {Format.Ms(t.DramNs)} ms · {Format.MJ(t.EnergyPj)} mJ")
                    + (t.WeightsLoaded ? " · weights loaded" : string.Empty);
                bars.Add(new GanttBar(rowOf[t.Chiplet], t.StartNs * Format.MsPerNs, t.EndNs * Format.MsPerNs, KeyOf(t), PatternOf(phase), tooltip));
            }
        }
        else
        {
            // Start at one pixel of a 1,000-pixel time axis (tasks closer than that cannot be told apart anyway) and
            // widen the merge distance until the chart stays under the bar limit.
            var byChiplet = tasks.GroupBy(t => t.Chiplet).OrderBy(g => g.Key).Select(g => g.OrderBy(t => t.StartNs).ToList()).ToList();
            mergeNs = maxEnd / 1000;
            while (true)
            {
                bars.Clear();
                foreach (var list in byChiplet) MergeRow(list, mergeNs, timeline, rowOf, keyOf, bars);
                if (bars.Count <= MaxMergedGanttBars || mergeNs >= maxEnd) break;
                mergeNs *= 2;
            }
        }
        var legend = new List<LegendEntry>();
        foreach (var key in tasks.Select(t => KeyOf(t)).Distinct().Order())
        {
            var name = !byLayer ? OpKindName((OpKind)key)
                : groupSize == 1 ? "layer " + key.ToString(CultureInfo.InvariantCulture)
                : Inv($"layers {key * groupSize}–{Math.Min(maxLayer, (key + 1) * groupSize - 1)}");
            legend.Add(new LegendEntry(name, key));
        }
        foreach (var phase in tasks.Select(t => timeline.PhaseOf(t.MicroBatch)).Distinct().Order())
            legend.Add(new LegendEntry(TimelineJson.PhaseName(phase), -1, PatternOf(phase)));
        var colouring = !byLayer ? "operator kind" : groupSize == 1 ? "layer" : Inv($"layer group ({groupSize} layers each)");
        var title = Inv($"Iteration {timeline.Iteration}: {tasks.Count:N0} tasks on {used.Count} chiplets, coloured by {colouring}");
        var note = merged ? Inv($"Aggregated: a chiplet's tasks less than {Format.Ms(mergeNs, 2)} ms apart are drawn as one bar coloured by its longest task ({bars.Count:N0} bars for {tasks.Count:N0} tasks)") : string.Empty;
        var rowHeight = rows.Count <= 64 ? 18.0 : Math.Max(4.0, 1152.0 / rows.Count);
        return new GanttSpec(title, "time (ms)",
            rows.Select(c => new GanttRow(Inv($"chiplet {c} ({c % Math.Max(1, package.MeshWidth)},{c / Math.Max(1, package.MeshWidth)})"))).ToList(),
            bars, legend, Width: 1200, RowHeightPx: rowHeight, Note: note);
    }

    private delegate int TaskKey(in TaskRecord task);

    /// <summary>Merges one chiplet's tasks (sorted by start) that lie less than <paramref name="mergeNs"/> apart into bars coloured by their longest task.</summary>
    private static void MergeRow(List<TaskRecord> list, double mergeNs, ScheduleTimeline timeline, Dictionary<int, int> rowOf, TaskKey keyOf, List<GanttBar> bars)
    {
        var k = 0;
        while (k < list.Count)
        {
            var first = list[k];
            var end = first.EndNs;
            var longest = first;
            var n = 1;
            int minLayer = timeline.GeneOf(first).Layer, topLayer = minLayer;
            while (k + n < list.Count && list[k + n].StartNs - end <= mergeNs)
            {
                var t = list[k + n];
                end = Math.Max(end, t.EndNs);
                if (t.EndNs - t.StartNs > longest.EndNs - longest.StartNs) longest = t;
                var layer = timeline.GeneOf(t).Layer;
                minLayer = Math.Min(minLayer, layer);
                topLayer = Math.Max(topLayer, layer);
                n++;
            }
            var tooltip = n == 1
                ? Inv($"{timeline.GeneOf(first).Name} · {Format.Ms(first.StartNs, 5)}–{Format.Ms(first.EndNs, 5)} ms")
                : Inv($"{n} tasks · L{minLayer}–{topLayer} · {Format.Ms(first.StartNs, 5)}–{Format.Ms(end, 5)} ms");
            bars.Add(new GanttBar(rowOf[first.Chiplet], first.StartNs * Format.MsPerNs, end * Format.MsPerNs, keyOf(longest), PatternOf(timeline.PhaseOf(longest.MicroBatch)), tooltip));
            k += n;
        }
    }

    /// <summary>Operator kinds the Gantt chart colours by when a run models one layer.</summary>
    private enum OpKind
    {
        QkvProjection,
        Attention,
        OutputProjection,
        NormAndResidual,
        Ffn,
        Moe,
    }

    private static OpKind OpKindOf(Abstractions.Mapping.NodeStage stage) => stage switch
    {
        Abstractions.Mapping.NodeStage.QkvProjection => OpKind.QkvProjection,
        Abstractions.Mapping.NodeStage.AttentionScore or Abstractions.Mapping.NodeStage.AttentionSoftmax or Abstractions.Mapping.NodeStage.AttentionValue => OpKind.Attention,
        Abstractions.Mapping.NodeStage.OutputProjection => OpKind.OutputProjection,
        Abstractions.Mapping.NodeStage.Residual or Abstractions.Mapping.NodeStage.Norm => OpKind.NormAndResidual,
        Abstractions.Mapping.NodeStage.MoeRouter or Abstractions.Mapping.NodeStage.MoeExpert => OpKind.Moe,
        _ => OpKind.Ffn,
    };

    private static string OpKindName(OpKind kind) => kind switch
    {
        OpKind.QkvProjection => "QKV projection",
        OpKind.Attention => "attention",
        OpKind.OutputProjection => "output projection",
        OpKind.NormAndResidual => "norm / residual",
        OpKind.Moe => "MoE router / experts",
        _ => "FFN",
    };

    private static BarPattern PatternOf(MicroBatchPhase phase) => phase switch
    {
        MicroBatchPhase.Prefill => BarPattern.Solid,
        MicroBatchPhase.Decode => BarPattern.Hatched,
        _ => BarPattern.CrossHatched,
    };

    private static LineSeries SpreadSeries(string name, int index, List<IReadOnlyList<ConvergencePoint>> seeds, double factor)
    {
        var grid = seeds.SelectMany(s => s.Select(p => p.Evaluation)).Distinct().Order().ToList();
        var line = new List<ChartPoint>(grid.Count);
        var band = new List<BandPoint>(grid.Count);
        foreach (var x in grid)
        {
            var values = seeds.Select(s => Convergence.ValueAt(s, x) * factor).Where(double.IsFinite).Order().ToList();
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

    private static string KindLabel(string kind) => string.Equals(kind, "edp", StringComparison.OrdinalIgnoreCase) ? "EDP" : kind;

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

    /// <summary>The package's monetary cost by the scenario's cost model (<c>costModels.cost</c>): dies, packaging, memory, total.</summary>
    private static void PackageCostBlock(StringBuilder h, PackageCostSummary cost)
    {
        var r = cost.Report;
        Table(h, ["package cost (" + cost.Model + ")", "USD", "area (mm²)"],
        [
            ["compute dies", Format.Number(r.ComputeDieCostUsd, 5), Format.Number(r.ComputeDieAreaMm2, 5)],
            ["I/O dies", Format.Number(r.IoDieCostUsd, 5), Format.Number(r.IoDieAreaMm2, 5)],
            ["packaging (substrate)", Format.Number(r.PackagingCostUsd, 5), Format.Number(r.SubstrateAreaMm2, 5)],
            ["memory devices", Format.Number(r.MemoryCostUsd, 5), "–"],
            ["total", Format.Number(r.TotalCostUsd, 5), "–"],
        ], numericColumns: 2, cssClass: "summary");
    }

    private static void Table(StringBuilder h, string[] header, IEnumerable<string[]> rows, int numericColumns, int bestRow = -1, string? cssClass = null)
    {
        h.Append(cssClass is null ? "<table>\n<tr>" : "<table class=\"" + cssClass + "\">\n<tr>");
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
}
