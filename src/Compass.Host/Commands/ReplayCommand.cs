using System.CommandLine;
using System.Diagnostics;
using Compass.Engine.Pipeline;
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
        var command = new Command("replay", "Run a saved mapping on held-out iterations (another seed) and report its metrics");
        foreach (var o in new Option[] { mapping, scenario, output, set, plugins }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
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
            setup.Run(new ExplorationPipeline([PipelineStages.Replay(), PipelineStages.Results()]), run, token);
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
                    Baselines = RunReportBuilder.Baselines(run.Baselines!),
                    Timeline = timeline,
                });
            }
            OutputFile.WriteResultJson(Path.Combine(outDir, "replay.json"), replay);
            var c = System.Globalization.CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(c, $"replay of {file.ScenarioName} (seed {file.Seed}) on {iterations.Count} held-out iterations, {replay.Requests.Count} completed requests ({replay.IncompleteRequests} incomplete)"));
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
