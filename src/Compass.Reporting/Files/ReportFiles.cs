using System.Text.Json;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Analysis;
using Compass.Reporting.Html;
using Compass.Reporting.Model;
using Compass.Reporting.Trace;

namespace Compass.Reporting.Files;

/// <summary>
/// The files of an output folder and how they map to <see cref="RunReportData"/> and <see cref="ComparisonReportData"/>.
/// The host writes a run's files with <see cref="WriteRun"/> (or the individual writers); <c>compass report OUTDIR</c>
/// calls <see cref="RegenerateReport"/>, which reads them back and writes a byte-identical <c>report.html</c>.
/// </summary>
public static class ReportFiles
{
    /// <summary>The resolved scenario, verbatim.</summary>
    public const string ScenarioFile = "scenario.resolved.json";

    /// <summary>Metrics of the best mapping, package usage, baselines (see <see cref="MetricsJson"/>).</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>One row per evaluation (see <see cref="SearchLogCsv"/>).</summary>
    public const string SearchLogFile = "search-log.csv";

    /// <summary>The best mapping's task timeline (see <see cref="TimelineJson"/>).</summary>
    public const string TimelineFile = "timeline.json";

    /// <summary>The schedule for Perfetto / chrome://tracing (see <see cref="ChromeTrace"/>).</summary>
    public const string TraceFile = "schedule.trace.json";

    /// <summary>The report.</summary>
    public const string ReportFile = "report.html";

    /// <summary>A comparison study (see <see cref="ComparisonJson"/>).</summary>
    public const string ComparisonFile = "comparison.json";

    /// <summary>The serving metrics of a replay (<c>compass replay</c>).</summary>
    public const string ReplayFile = "replay.json";

    /// <summary>
    /// Writes every file of a run into <paramref name="directory"/>, each atomically: scenario, metrics, search log,
    /// timeline and trace (when a timeline is present), and report. Returns the report's path.
    /// </summary>
    public static string WriteRun(string directory, RunReportData data)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, ScenarioFile), data.Scenario.ResolvedScenarioJson);
        MetricsJson.Write(Path.Combine(directory, MetricsFile), data);
        // A summarised log (a long run) is already on disk in full, streamed by the run: never replaced by its summary.
        if (data.SearchLogRows == 0) SearchLogCsv.Write(Path.Combine(directory, SearchLogFile), data.SearchLog);
        if (data.Timeline is not null)
        {
            TimelineJson.Write(Path.Combine(directory, TimelineFile), data.Timeline);
            ChromeTrace.Write(Path.Combine(directory, TraceFile), data.Timeline, data.Package, data.Scenario.Name + " · " + data.OptimizerName);
        }
        var report = Path.Combine(directory, ReportFile);
        AtomicFile.WriteAllText(report, HtmlReport.Run(data));
        return report;
    }

    /// <summary>
    /// Reads a run back from <paramref name="directory"/>: <c>metrics.json</c> and <c>scenario.resolved.json</c> are
    /// required; <c>search-log.csv</c> and <c>timeline.json</c> are optional (a replay has no search log).
    /// </summary>
    public static RunReportData ReadRun(string directory)
    {
        var scenarioPath = Path.Combine(directory, ScenarioFile);
        if (!File.Exists(scenarioPath)) throw new CompassInputException(ScenarioFile, "file not found in " + Path.GetFullPath(directory));
        var data = MetricsJson.Read(Path.Combine(directory, MetricsFile), File.ReadAllText(scenarioPath));
        var log = Path.Combine(directory, SearchLogFile);
        var timeline = Path.Combine(directory, TimelineFile);
        var replay = Path.Combine(directory, ReplayFile);
        // Streamed into a bounded summary: a log of millions of rows is read in constant memory.
        var summary = File.Exists(log) ? SearchLogSummary.Of(SearchLogCsv.StreamFile(log)) : null;
        return data with
        {
            SearchLog = summary?.Rows() ?? [],
            SearchLogRows = summary is { IsComplete: false } ? summary.Count : 0,
            Timeline = File.Exists(timeline) ? TimelineJson.Read(timeline) : null,
            Serving = File.Exists(replay) ? ReadServing(replay) : null,
        };
    }

    /// <summary>The serving metrics of a replay folder's <c>replay.json</c> (what <c>compass replay</c> shows in its report).</summary>
    public static ServingSummary ReadServing(string path)
    {
        using var doc = JsonNumbers.Load(path);
        var r = doc.RootElement;
        static PercentileRow? Row(JsonElement e, string name) =>
            e.TryProp(name, out var p) && p.ValueKind == JsonValueKind.Object
                ? new PercentileRow(p.Double("mean", ReplayFile), p.Double("p50", ReplayFile), p.Double("p90", ReplayFile), p.Double("p99", ReplayFile))
                : null;
        double? slo = r.TryProp("sloAttainment", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null;
        var note = r.TryProp("requestMetricsNote", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        return new ServingSummary(r.Array("iterationLatencyNs", ReplayFile).Count(), r.Array("requests", ReplayFile).Count(), r.Int("incompleteRequests", ReplayFile),
            Row(r, "ttft"), Row(r, "tpot"), Row(r, "endToEnd"), r.Double("throughputBusyTokensPerSecond", ReplayFile), r.Double("throughputTraceTokensPerSecond", ReplayFile),
            r.Double("energyPerTokenPj", ReplayFile), slo, ServingSummary.SloTextOf(r.Double("ttftSloMs", ReplayFile), r.Double("tpotSloMs", ReplayFile)), note);
    }

    /// <summary>Writes a study's <c>comparison.json</c> and <c>report.html</c>; returns the report's path.</summary>
    public static string WriteComparison(string directory, ComparisonReportData data)
    {
        Directory.CreateDirectory(directory);
        ComparisonJson.Write(Path.Combine(directory, ComparisonFile), data);
        var report = Path.Combine(directory, ReportFile);
        AtomicFile.WriteAllText(report, HtmlReport.Comparison(data));
        return report;
    }

    /// <summary>Reads a study back.</summary>
    public static ComparisonReportData ReadComparison(string directory) => ComparisonJson.Read(Path.Combine(directory, ComparisonFile));

    /// <summary>
    /// Regenerates <c>report.html</c> (and, for a run with a timeline, <c>schedule.trace.json</c>) from the files of
    /// <paramref name="directory"/>: a study when <c>comparison.json</c> is there, else a run. Returns the report's path.
    /// Throws <see cref="CompassInputException"/> naming the missing or malformed file.
    /// </summary>
    public static string RegenerateReport(string directory)
    {
        if (!Directory.Exists(directory)) throw new CompassInputException("OUTDIR", "folder not found: " + Path.GetFullPath(directory));
        var report = Path.Combine(directory, ReportFile);
        if (File.Exists(Path.Combine(directory, ComparisonFile)))
        {
            AtomicFile.WriteAllText(report, HtmlReport.Comparison(ReadComparison(directory)));
            return report;
        }
        var data = ReadRun(directory);
        if (data.Timeline is not null)
            ChromeTrace.Write(Path.Combine(directory, TraceFile), data.Timeline, data.Package, data.Scenario.Name + " · " + data.OptimizerName);
        AtomicFile.WriteAllText(report, HtmlReport.Run(data));
        return report;
    }
}
