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
        var force = CompassCli.ForceOption();
        var command = new Command("replay", "Run a saved mapping on held-out iterations (another seed) and report its metrics; the scenario is the one the mapping file carries unless --scenario is given");
        foreach (var o in new Option[] { mapping, scenario, output, set, plugins, ttftSlo, tpotSlo, quiet, force }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            var (ttft, tpot) = (pr.GetValue(ttftSlo), pr.GetValue(tpotSlo));
            if (!(ttft >= 0) || double.IsInfinity(ttft)) throw new CompassInputException("--ttft-slo-ms", $"must be a finite number >= 0, got {ttft}");
            if (!(tpot >= 0) || double.IsInfinity(tpot)) throw new CompassInputException("--tpot-slo-ms", $"must be a finite number >= 0, got {tpot}");
            var mappingPath = pr.GetValue(mapping)!;
            var file = BestMappingFile.Load(mappingPath);
            var requestedOut = pr.GetValue(output);
            if (requestedOut is not null) OutputFolder.CheckPath(requestedOut, "--out");
            var scenarioPath = pr.GetValue(scenario);
            string? carried = null;
            if (scenarioPath is null)
            {
                // Never silently replay against the default scenario: the mapping's own scenario, or an explicit one.
                if (file.Scenario is null)
                    throw new CompassInputException("--scenario", $"is required: {mappingPath} carries no scenario (written by an older Compass); pass the scenario it was searched on");
                carried = Path.Combine(Path.GetTempPath(), $"compass-replay-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
                File.WriteAllText(carried, file.Scenario.ToJsonString());
                scenarioPath = carried;
            }
            ExplorationSetup setup;
            try
            {
                setup = ExplorationSetup.Build(new ScenarioArguments(scenarioPath, pr.GetValue(set) ?? [], pr.GetValue(plugins) ?? []), []);
            }
            finally
            {
                if (carried is not null) File.Delete(carried);
            }
            using var _ = setup;
            ExploreCommand.ReportLoadErrors(setup, stderr);
            var s = setup.Scenario;
            var token = setup.Stop.Token;
            var clock = Stopwatch.StartNew();
            // Held-out iterations: the trace read with another seed than the search's, a window of replayIterations.
            // Stages: held-out workload (every request checked against the model) → graph → costing → mapping space; the
            // saved genome read against that space; then replay → results.
            var run = setup.Run(ExplorationPipeline.ReplayProblem(s.Workload.ReplayIterations), unchecked(s.Seed + 1), token);
            var problem = run.Problem!;
            var iterations = run.Iterations!;
            var genome = file.ToGenome(problem.Space, "--mapping");
            // Rows are reused b mod rows (the replay rule), also for the metrics of the held-out iterations.
            var evaluated = BestMappingFile.WithRows(genome, problem.Space.MicroBatchCount);
            var fitness = problem.Evaluate(evaluated, token);
            if (!ExploreCommand.IsSound(fitness))
                throw new CompassInputException("--mapping", $"the mapping is not valid on the held-out iterations of scenario '{s.Name}': {problem.ExplainInvalid(evaluated) ?? "its EDP overflows"}");
            run.Best = (genome, fitness);
            setup.Run(new ExplorationPipeline([PipelineStages.Replay(ttft, tpot), PipelineStages.Results()]), run, token);
            var replay = run.Replay!;
            var measured = run.Measurement!;
            using var folder = OutputFolder.Open(requestedOut ?? CompassCli.DefaultOutDirectory(), "--out", pr.GetValue(force));
            var outDir = folder.Path;
            var scenarioJson = setup.ResolvedScenarioJson();
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
            });
            OutputFile.WriteResultJson(Path.Combine(outDir, "replay.json"), replay);
            if (pr.GetValue(quiet)) stdout.WriteLine(outDir);
            else
            {
                stdout.WriteLine($"scenario '{s.Name}'{(carried is null ? $" ({pr.GetValue(scenario)})" : " (carried by the mapping file)")}");
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

    private static string SloText(ReplayReport r) => ServingSummary.SloTextOf(r.TtftSloMs, r.TpotSloMs);

    /// <summary>The replay's serving metrics for its report.</summary>
    public static ServingSummary Serving(ReplayReport r, int iterations)
    {
        ArgumentNullException.ThrowIfNull(r);
        static PercentileRow? Row(PercentileSummary? p) => p is null ? null : new PercentileRow(p.Mean, p.P50, p.P90, p.P99);
        return new ServingSummary(iterations, r.Requests.Count, r.IncompleteRequests, Row(r.Ttft), Row(r.Tpot), Row(r.EndToEnd),
            r.ThroughputBusyTokensPerSecond, r.ThroughputTraceTokensPerSecond, r.EnergyPerTokenPj, r.SloAttainment, SloText(r), r.RequestMetricsNote);
    }
}
