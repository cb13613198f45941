using System.CommandLine;
using System.Diagnostics;
using Compass.Abstractions.Plugins;
using Compass.Engine.Replay;
using Compass.Host.Output;
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
        var force = CompassCli.ForceOption();
        var command = new Command("replay", "Run a saved mapping on held-out iterations (another seed) and report its metrics; the scenario is the one the mapping file carries unless --scenario is given");
        foreach (var o in new Option[] { mapping, scenario, output, set, plugins, force }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
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
                setup = ExplorationSetup.Build(new ScenarioArguments(scenarioPath, pr.GetValue(set) ?? [], pr.GetValue(plugins) ?? []), [], warnings: stderr);
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
            var seed = unchecked(s.Seed + 1);
            var requests = setup.ReadTrace(seed, token);
            foreach (var request in requests) Preflight.CheckRequest(setup, request, setup.Model.MaxPosition);
            var iterations = setup.HeldOutIterations(requests, seed, s.Workload.ReplayIterations, token);
            var problem = setup.CreateProblem(iterations, token);
            var genome = file.ToGenome(problem.Space, "--mapping");
            var evaluated = BestMappingFile.WithRows(genome, problem.Space.MicroBatchCount);
            var fitness = problem.Evaluate(evaluated, token);
            if (!ExploreCommand.IsSound(fitness))
                throw new CompassInputException("--mapping", $"the mapping is not valid on the held-out iterations of scenario '{s.Name}': {problem.ExplainInvalid(evaluated) ?? "its EDP overflows"}");
            var replay = ReplayRunner.Run(problem, genome, requests, 0, 0, token);
            using var folder = OutputFolder.Open(requestedOut ?? CompassCli.DefaultOutDirectory(), "--out", pr.GetValue(force));
            var outDir = folder.Path;
            var scenarioJson = setup.ResolvedScenarioJson();
            var (metrics, usage, timeline) = RunReportBuilder.Measure(setup, problem, evaluated, fitness, 1, clock.Elapsed.TotalSeconds, false);
            ReportFiles.WriteRun(outDir, new RunReportData
            {
                Scenario = new ScenarioSummary(s.Name, s.Description, s.Seed, scenarioJson),
                OptimizerName = "replay",
                Best = metrics,
                Package = usage,
                Baselines = RunReportBuilder.Baselines(problem),
                Timeline = timeline,
            });
            OutputFile.WriteResultJson(Path.Combine(outDir, "replay.json"), replay);
            var c = System.Globalization.CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(c, $"replay of the mapping searched on {file.ScenarioName} (seed {file.Seed}) against scenario '{s.Name}'{(carried is null ? "" : " (carried by the mapping file)")} on {iterations.Count} held-out iterations, {replay.Requests.Count} completed requests ({replay.IncompleteRequests} incomplete)"));
            stdout.WriteLine(string.Create(c, $"  iterations: mean latency {replay.MeanIterationLatencyNs * 1e-6:G5} ms, mean energy {replay.MeanIterationEnergyPj * 1e-9:G5} mJ, EDP {replay.IterationEdpJs:G5} J·s"));
            stdout.WriteLine(string.Create(c, $"  TTFT ms   mean {replay.Ttft.Mean:G4}  P50 {replay.Ttft.P50:G4}  P90 {replay.Ttft.P90:G4}  P99 {replay.Ttft.P99:G4}"));
            stdout.WriteLine(string.Create(c, $"  TPOT ms   mean {replay.Tpot.Mean:G4}  P50 {replay.Tpot.P50:G4}  P90 {replay.Tpot.P90:G4}  P99 {replay.Tpot.P99:G4}"));
            stdout.WriteLine(string.Create(c, $"  E2E ms    mean {replay.EndToEnd.Mean:G4}  P50 {replay.EndToEnd.P50:G4}  P90 {replay.EndToEnd.P90:G4}  P99 {replay.EndToEnd.P99:G4}"));
            stdout.WriteLine(string.Create(c, $"  throughput {replay.ThroughputTokensPerSecond:G5} tokens/s, energy {replay.EnergyPerTokenPj * 1e-6:G5} µJ/token"));
            stdout.WriteLine($"Results written to {outDir}");
            return 0;
        }));
        return command;
    }
}
