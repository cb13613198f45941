using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Compass.Abstractions.Plugins;
using Compass.Engine.Pipeline;
using Compass.Engine.Replay;
using Compass.Host.Output;
using Compass.Reporting.Charts;
using Compass.Reporting.Files;
using Compass.Reporting.Model;

namespace Compass.Host.Commands;

/// <summary><c>compass replay --mapping FILE [--scenario FILE] [--out DIR]</c>: run a saved mapping on held-out iterations.</summary>
public static class ReplayCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var mapping = new Option<string>("--mapping", "-m") { Description = "best-mapping.json of an earlier run", Required = true };
        var scenario = CompassCli.ScenarioOption();
        var output = CompassCli.OutOption();
        var set = CompassCli.SetOption();
        var plugins = CompassCli.PluginsOption();
        var ttftSlo = new Option<double>("--ttft-slo-ms") { Description = "Time-to-first-token SLO in ms for the SLO attainment (none when not given)" };
        var tpotSlo = new Option<double>("--tpot-slo-ms") { Description = "Time-per-output-token SLO in ms for the SLO attainment (none when not given)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the output folder" };
        var command = new Command("replay", "Run a saved mapping on held-out iterations (another seed) and report its metrics");
        foreach (var o in new Option[] { mapping, scenario, output, set, plugins, ttftSlo, tpotSlo, quiet }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            var (ttft, tpot) = (pr.GetValue(ttftSlo), pr.GetValue(tpotSlo));
            if (!(ttft >= 0) || double.IsInfinity(ttft)) throw new CompassInputException("--ttft-slo-ms", $"must be a finite number >= 0, got {ttft}");
            if (!(tpot >= 0) || double.IsInfinity(tpot)) throw new CompassInputException("--tpot-slo-ms", $"must be a finite number >= 0, got {tpot}");
            var file = BestMappingFile.Load(pr.GetValue(mapping)!);
            using var setup = ExplorationSetup.Build(new ScenarioArguments(pr.GetValue(scenario), pr.GetValue(set) ?? [], pr.GetValue(plugins) ?? []), [], warnings: stderr);
            ExploreCommand.ReportLoadErrors(setup, stderr);
            var s = setup.Scenario;
            var token = setup.Stop.Token;
            var clock = Stopwatch.StartNew();
            // Held-out iterations: the trace read with another seed than the search's, a window of replayIterations.
            // Stages: held-out workload → graph → costing → mapping space; the saved genome read against that space;
            // then replay → results.
            var run = setup.Run(ExplorationPipeline.ReplayProblem(s.Workload.ReplayIterations), unchecked(s.Seed + 1), token);
            var problem = run.Problem!;
            var iterations = run.Iterations!;
            var genome = file.ToGenome(problem.Space, "--mapping");
            run.Best = (genome, problem.Evaluate(genome, token));
            setup.Run(new ExplorationPipeline([PipelineStages.Replay(ttft, tpot), PipelineStages.Results()]), run, token);
            var replay = run.Replay!;
            var outDir = pr.GetValue(output) ?? CompassCli.DefaultOutDirectory();
            var scenarioJson = setup.ResolvedScenarioJson();
            if (run.Measurement is { } measured)
            {
                var (metrics, usage, timeline) = RunReportBuilder.Report(setup, measured, 1, clock.Elapsed.TotalSeconds, false);
                ReportFiles.WriteRun(outDir, new RunReportData
                {
                    Scenario = new ScenarioSummary(s.Name, s.Description, s.Seed, scenarioJson),
                    OptimizerName = "replay",
                    Best = metrics,
                    Package = usage,
                    LowerBound = metrics.Bounds?.AsLowerBound(),
                    Findings = metrics.Bounds is { } bounds ? [bounds.Explanation] : [],
                    Baselines = RunReportBuilder.Baselines(run.Baselines!),
                    Timeline = timeline,
                    Serving = Serving(replay, iterations.Count),
                    PackageCost = RunReportBuilder.PackageCost(setup),
                });
            }
            OutputFile.WriteResultJson(Path.Combine(outDir, "replay.json"), replay);
            if (pr.GetValue(quiet)) stdout.WriteLine(outDir);
            else
            {
                foreach (var line in SummaryLines(file, replay, iterations.Count)) stdout.WriteLine(line);
                stdout.WriteLine($"Results written to {outDir}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The console summary of a replay: iteration results, request metrics (n/a with the reason when none completed), both throughputs, SLO attainment only with an SLO.</summary>
    public static IEnumerable<string> SummaryLines(BestMappingFile file, ReplayReport replay, int iterations)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(replay);
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"replay of {file.ScenarioName} (seed {file.Seed}) on {iterations} held-out iterations: {replay.Requests.Count} requests completed, {replay.IncompleteRequests} incomplete");
        yield return $"  iterations   mean latency {Format.Ms(replay.MeanIterationLatencyNs)} ms, mean energy {Format.MJ(replay.MeanIterationEnergyPj)} mJ, EDP {Format.Number(replay.IterationEdpJs)} J·s";
        yield return Percentiles("TTFT (ms)", replay.Ttft);
        yield return Percentiles("TPOT (ms)", replay.Tpot);
        yield return Percentiles("E2E (ms) ", replay.EndToEnd);
        if (replay.RequestMetricsNote is { } note) yield return "  note: " + note;
        yield return $"  throughput  {Format.Number(replay.ThroughputBusyTokensPerSecond, 5)} tokens/s over busy time ({Format.Ms(replay.BusyNs)} ms), {Format.Number(replay.ThroughputTraceTokensPerSecond, 5)} tokens/s over trace time ({Format.Ms(replay.WallNs)} ms, idle included)";
        yield return $"  energy      {Format.MJ(replay.EnergyPerTokenPj)} mJ per generated token ({replay.GeneratedTokens} tokens)";
        if (SloText(replay) is { Length: > 0 } slo)
            yield return "  SLO         " + slo + ": " + (replay.SloAttainment is { } a ? Format.Percent(a) + " of completed requests" : "n/a (no request completed)");
    }

    private static string Percentiles(string name, PercentileSummary? p) => p is null
        ? $"  {name}  n/a (no completed request{(name.StartsWith("TPOT", StringComparison.Ordinal) ? " with more than one output token" : string.Empty)})"
        : $"  {name}  mean {Format.Number(p.Mean)}  P50 {Format.Number(p.P50)}  P90 {Format.Number(p.P90)}  P99 {Format.Number(p.P99)}";

    private static string SloText(ReplayReport r)
    {
        var parts = new List<string>();
        if (r.TtftSloMs > 0) parts.Add($"TTFT ≤ {Format.Number(r.TtftSloMs)} ms");
        if (r.TpotSloMs > 0) parts.Add($"TPOT ≤ {Format.Number(r.TpotSloMs)} ms");
        return string.Join(", ", parts);
    }

    /// <summary>The replay's serving metrics for its report.</summary>
    public static ServingSummary Serving(ReplayReport r, int iterations)
    {
        ArgumentNullException.ThrowIfNull(r);
        static PercentileRow? Row(PercentileSummary? p) => p is null ? null : new PercentileRow(p.Mean, p.P50, p.P90, p.P99);
        return new ServingSummary(iterations, r.Requests.Count, r.IncompleteRequests, Row(r.Ttft), Row(r.Tpot), Row(r.EndToEnd),
            r.ThroughputBusyTokensPerSecond, r.ThroughputTraceTokensPerSecond, r.EnergyPerTokenPj, r.SloAttainment, SloText(r), r.RequestMetricsNote);
    }
}
