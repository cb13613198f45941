using System.CommandLine;
using System.Globalization;
using System.Text;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Engine;
using Compass.Engine.Pipeline;
using Compass.Host.Composition;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;
using Compass.Host.Output;
using Compass.Engine.Replay;
using Compass.Reporting.Analysis;
using Compass.Reporting.Charts;
using Compass.Reporting.Files;
using Compass.Reporting.Model;
using Microsoft.Extensions.Configuration;

namespace Compass.Host.Commands;

/// <summary><c>compass compare</c>: several optimizers × seeds at an equal evaluation budget on one problem.</summary>
public static class CompareCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var scenario = CompassCli.ScenarioOption();
        var optimizers = new Option<string>("--optimizers") { Description = "Comma-separated optimizer names (ga,sa,random,baseline)", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per optimizer (scenario seed, seed+1, ...)", DefaultValueFactory = _ => 5 };
        var budget = new Option<int?>("--budget") { Description = "Evaluation budget of every run (default: the scenario's)" };
        var output = CompassCli.OutOption();
        var set = CompassCli.SetOption();
        var plugins = CompassCli.PluginsOption();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var db = new Option<string?>("--db") { Description = "Append every run (optimizer × seed) to this results database (SQLite; see compass results)" };
        var command = new Command("compare", "Run several optimizers with several seeds at equal budget and compare their best EDP");
        var force = CompassCli.ForceOption();
        foreach (var o in new Option[] { scenario, optimizers, seeds, budget, output, set, plugins, quiet, db, force }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () => Execute(
            new ScenarioArguments(pr.GetValue(scenario), pr.GetValue(set) ?? [], pr.GetValue(plugins) ?? []),
            pr.GetValue(optimizers)!, pr.GetValue(seeds), pr.GetValue(budget), pr.GetValue(output), pr.GetValue(quiet), stdout, stderr, pr.GetValue(db), pr.GetValue(force))));
        return command;
    }

    /// <summary>Runs the study.</summary>
    public static int Execute(ScenarioArguments scenarioArgs, string optimizerList, int seeds, int? budget, string? outDirectory, bool quiet, TextWriter stdout, TextWriter stderr, string? database = null, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(scenarioArgs);
        if (outDirectory is not null) OutputFolder.CheckPath(outDirectory, "--out");
        if (database is not null)
        {
            using (Compass.Studies.Results.StudyDatabase.Open(database)) { }
        }
        if (seeds < 1 || seeds > 1000) throw new CompassInputException("--seeds", $"must be in [1, 1000], got {seeds}");
        var names = optimizerList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new CompassInputException("--optimizers", "must name at least one optimizer");
        using var setup = ExplorationSetup.Build(scenarioArgs, budget is { } b ? [$"budget.evaluations={b}"] : []);
        ExploreCommand.ReportLoadErrors(setup, stderr);
        var s = setup.Scenario;
        // Every optimizer name is checked before any run starts; the scenario's options apply to the optimizer it
        // names, the others run with their defaults.
        var defaults = InfoCommands.EmptyConfiguration().GetSection("options");
        var choices = names.Select(n => string.Equals(n, s.Optimizer.Name, StringComparison.OrdinalIgnoreCase)
            ? s.Optimizer
            : new ComponentChoice(n, defaults, "--optimizers")).ToList();
        var created = choices.Select(setup.CreateOptimizer).ToList();
        var token = setup.Stop.Token;
        // The problem stages run once (with the preflight checks), so every optimizer and seed searches the same sample.
        var problemRun = Preflight.SearchProblem(setup, token);
        var problem = problemRun.Problem!;
        using var folder = OutputFolder.Open(outDirectory ?? CompassCli.DefaultOutDirectory(), "--out", force);
        var outDir = folder.Path;
        AtomicFile.WriteAllText(Path.Combine(outDir, ReportFiles.ScenarioFile), setup.ResolvedScenarioJson());
        new ExplorationPipeline([PipelineStages.Results()]).Run(problemRun, token);
        var baselines = RunReportBuilder.Baselines(problemRun.Baselines!);
        var bestBaseline = baselines.Where(x => double.IsFinite(x.EdpJouleSeconds)).OrderBy(x => x.EdpJouleSeconds).FirstOrDefault();
        if (!quiet)
            stdout.WriteLine($"Comparing {string.Join(", ", names)} × {seeds} seed(s) at {s.Budget.MaxEvaluations} evaluations each on '{s.Name}'; runs are {(s.Search.StartFromHeuristics ? "seeded from the heuristic mappings" : "unseeded (no heuristic starting points)")}");

        var runs = new List<ComparisonRun>();
        var csv = new StringBuilder("optimizer,seed,best_edp_js,latency_ms,energy_mj,evaluations_to_within_1pct,wall_s,mapping_file\n");
        var (objectiveUnit, objectiveFactor) = Format.ObjectiveUnit(s.Objective.Kind.ToString());
        var convergenceColumn = "best_" + s.Objective.Kind.ToString().ToLowerInvariant() + objectiveUnit switch { "J·s" => "_js", "ms" => "_ms", "mJ" => "_mj", _ => string.Empty };
        for (var o = 0; o < created.Count; o++)
        {
            for (var k = 0; k < seeds; k++)
            {
                var seed = unchecked(s.Seed + k);
                var counters = new SearchCounters(keepLog: true);
                var optimizer = created[o];
                var label = $"{names[o]} seed {seed}";
                var study = ExplorationPipeline.CompareRun(
                    _ => optimizer,
                    run => new SearchDriverOptions
                    {
                        Budget = s.Budget,
                        Seed = run.Seed,
                        StartFromHeuristics = s.Search.StartFromHeuristics,
                        Threads = s.Search.Threads,
                        OnEvaluation = counters.OnEvaluation,
                    },
                    driverRun => SearchProgress.Run(driverRun, counters, s.Budget.MaxEvaluations, label, quiet, stdout));
                var result = setup.Run(study, new PipelineRun(setup.Inputs, seed) { Problem = problem }, token).Search!;
                var rows = RunReportBuilder.Rows(counters.Snapshot());
                var f = result.Outcome.BestFitness;
                string? mappingFile = null;
                if (f.IsValid)
                {
                    // Every run keeps its best mapping: compass replay --mapping loads it, the report links it.
                    mappingFile = $"mappings/{Safe(names[o])}-seed{seed}.json";
                    Directory.CreateDirectory(Path.Combine(outDir, "mappings"));
                    BestMappingFile.From(problem.Space, result.Outcome.Best, s.Name, seed, f).Save(Path.Combine(outDir, mappingFile));
                }
                var run = ComparisonRun.FromSearchLog(names[o], seed, f.IsValid ? f.EdpJouleSeconds : double.PositiveInfinity, f.LatencyNs, f.EnergyPj, result.WallSeconds, rows) with { MappingFile = mappingFile };
                runs.Add(run);
                csv.Append(CultureInfo.InvariantCulture, $"{names[o]},{seed},{Num(run.BestEdpJouleSeconds)},{Num(run.LatencyNs * Format.MsPerNs)},{Num(run.EnergyPj * Format.MjPerPj)},{run.EvaluationsToWithin1Percent},{run.WallSeconds.ToString("F3", CultureInfo.InvariantCulture)},{mappingFile}\n");
                var conv = new StringBuilder("evaluation," + convergenceColumn + "\n");
                foreach (var p in run.Convergence) conv.Append(CultureInfo.InvariantCulture, $"{p.Evaluation},{Num(p.BestObjective * objectiveFactor)}\n");
                AtomicFile.WriteAllText(Path.Combine(outDir, "convergence", $"{Safe(names[o])}-seed{seed}.csv"), conv.ToString());
                SearchLogCsv.Write(Path.Combine(outDir, "logs", $"{Safe(names[o])}-seed{seed}.csv"), rows);
                if (setup.Resilience.ShouldStop && setup.Resilience.Faults.HasFaults)
                    throw new PluginFaultException(setup.Resilience.Faults.Faults[0]);
                if (token.IsCancellationRequested) break;
            }
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, "comparison.csv"), csv.ToString());
        ReportFiles.WriteComparison(outDir, new ComparisonReportData
        {
            StudyName = s.Name,
            Description = s.Description,
            ObjectiveKind = s.Objective.Kind.ToString().ToLowerInvariant(),
            BudgetEvaluations = s.Budget.MaxEvaluations,
            SeededFromHeuristics = s.Search.StartFromHeuristics,
            Runs = runs,
            BestBaseline = bestBaseline,
        });
        if (quiet) stdout.WriteLine(outDir);
        else
        {
            foreach (var line in SummaryLines(runs, bestBaseline, s.Search.StartFromHeuristics)) stdout.WriteLine(line);
            stdout.WriteLine($"Results written to {outDir}");
        }
        if (database is not null)
        {
            Studies.RunDatabase.AppendCompare(database, setup.ResolvedScenarioJson(), outDir, runs, setup.EstimatePackageCost(), s.Budget.MaxEvaluations);
            if (!quiet) stdout.WriteLine($"Appended {runs.Count} runs to {Path.GetFullPath(database)}");
        }
        return 0;
    }

    /// <summary>
    /// Mean ± 95 % CI, spread, reduction against the best baseline and a paired t-test against the optimizer of lowest
    /// mean EDP (seed by seed), one line per optimizer. Exact zeros print as 0.
    /// </summary>
    public static IEnumerable<string> SummaryLines(IReadOnlyList<ComparisonRun> runs, BaselineResult? bestBaseline, bool seeded)
    {
        var c = CultureInfo.InvariantCulture;
        var table = ComparisonTable.Of(runs);
        yield return string.Create(c, $"{"optimizer",-14} {"valid",5} {"mean EDP ± 95% CI (J·s)",-26} {"std",9} {"min",10} {"max",10} {"vs best baseline",16} {"vs " + (table.Reference ?? "best") + " (paired t)",-26} {"evals to 1%",11}");
        foreach (var r in table.Rows)
        {
            var reduction = bestBaseline is { EdpJouleSeconds: > 0 and var be } && double.IsFinite(be) && r.Edp is { } e ? Format.Percent(1 - e.Mean / be) : "-";
            var paired = r.IsReference ? "reference" : r.Paired is { } t
                ? (double.IsNaN(t.PValue) ? $"{Signed(t.MeanDifference)} ({(t.Pairs < 2 ? "one pair" : "no spread")})" : $"{Signed(t.MeanDifference)}, p = {Format.PValue(t.PValue)}")
                : "-";
            var meanCi = r.Edp is { } m ? Format.PlusMinus(m.Mean, m.HalfWidth) : "-";
            yield return string.Create(c, $"{r.Optimizer,-14} {r.ValidSeeds + "/" + r.Seeds,5} {meanCi,-26} {(r.Edp is { } sd ? Format.Number(sd.StandardDeviation, 3) : "-"),9} {Format.Number(r.Min),10} {Format.Number(r.Max),10} {reduction,16} {paired,-26} {Format.Number(r.MeanEvaluationsToWithin1Percent, 4),11}");
        }
        if (bestBaseline is not null)
            yield return $"best baseline: {bestBaseline.Name} at {Format.Number(bestBaseline.EdpJouleSeconds, 5)} J·s (reduction = 1 − mean EDP / baseline EDP)";
        yield return "95% CI: Student's t over the valid seeds; paired t-test: EDP difference to the reference on the same seeds (two-sided p).";
        yield return seeded ? "Runs were seeded from the heuristic mappings." : "Runs were not seeded from heuristics.";
    }

    private static string Signed(double v) => v > 0 ? "+" + Format.Number(v, 3) : Format.Number(v, 3);

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture); // "Infinity" for a run without a valid mapping, as in search-log.csv

    private static string Safe(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name) sb.Append(char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_');
        return sb.ToString();
    }
}
