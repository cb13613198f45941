using System.CommandLine;
using System.Diagnostics;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Engine;
using Compass.Engine.Replay;
using Compass.Host.Composition;
using Compass.Host.Output;
using Compass.Reporting.Files;
using Compass.Reporting.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Compass.Host.Commands;

/// <summary>Arguments of <c>compass explore</c>.</summary>
/// <param name="Scenario">Scenario arguments.</param>
/// <param name="OutDirectory">Output folder, or null for the default.</param>
/// <param name="Seed">Seed override.</param>
/// <param name="Budget">Evaluation budget override.</param>
/// <param name="Threads">Thread count override.</param>
/// <param name="Quiet">No progress output.</param>
public sealed record ExploreArguments(ScenarioArguments Scenario, string? OutDirectory, int? Seed, int? Budget, int? Threads, bool Quiet)
{
    /// <summary>The dedicated options as overrides (applied after <c>--set</c>).</summary>
    public IEnumerable<string> Overrides()
    {
        if (Seed is { } s) yield return $"seed={s}";
        if (Budget is { } b) yield return $"budget.evaluations={b}";
        if (Threads is { } t) yield return $"search.threads={t}";
    }
}

/// <summary><c>compass explore</c>: one search on one scenario, with every output file.</summary>
public static class ExploreCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var scenario = CompassCli.ScenarioOption();
        var output = CompassCli.OutOption();
        var seed = new Option<int?>("--seed") { Description = "Seed (overrides the scenario's)" };
        var set = CompassCli.SetOption();
        var plugins = CompassCli.PluginsOption();
        var budget = new Option<int?>("--budget") { Description = "Evaluation budget (overrides budget.evaluations)" };
        var threads = new Option<int?>("--threads") { Description = "Worker threads (0 = all cores)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var command = new Command("explore", "Search for a low-EDP mapping of a scenario and write the results to a folder");
        foreach (var o in new Option[] { scenario, output, seed, set, plugins, budget, threads, quiet }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () => Execute(
            new ExploreArguments(
                new ScenarioArguments(pr.GetValue(scenario), pr.GetValue(set) ?? [], pr.GetValue(plugins) ?? []),
                pr.GetValue(output), pr.GetValue(seed), pr.GetValue(budget), pr.GetValue(threads), pr.GetValue(quiet)),
            stdout, stderr)));
        return command;
    }

    /// <summary>Runs an exploration. Validation happens before anything is written.</summary>
    public static int Execute(ExploreArguments args, TextWriter stdout, TextWriter stderr)
    {
        using var setup = ExplorationSetup.Build(args.Scenario, args.Overrides(), args.Quiet ? LogLevel.Error : LogLevel.Warning);
        ReportLoadErrors(setup, stderr);
        var s = setup.Scenario;
        var token = setup.Stop.Token;
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; setup.Stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var clock = Stopwatch.StartNew();
            ExplorationProblem problem;
            try
            {
                var iterations = setup.SampleIterations(s.Seed, s.Workload.SearchIterations, token);
                problem = setup.CreateProblem(iterations, token);
            }
            catch (OperationCanceledException) when (setup.Resilience.Faults.HasFaults)
            {
                throw new PluginFaultException(setup.Resilience.Faults.Faults[0]);
            }
            var outDir = args.OutDirectory ?? CompassCli.DefaultOutDirectory();
            Directory.CreateDirectory(outDir);
            AtomicFile.WriteAllText(Path.Combine(outDir, ReportFiles.ScenarioFile), ResolvedScenario.Build(s, setup.Package, setup.Model).ToJsonString(Configuration.ConfigJson.WriteOptions) + "\n");
            if (!args.Quiet)
                stdout.WriteLine($"Exploring '{s.Name}': {problem.Space.MicroBatchCount} micro-batches × {problem.Space.GeneCount} genes on {problem.Space.ChipletCount} chiplets (10^{problem.Space.Log10Size:F0} mappings), optimizer {s.Optimizer.Name}, budget {s.Budget.MaxEvaluations}, seed {s.Seed}");

            var optimizer = setup.CreateOptimizer(s.Optimizer);
            var counters = new SearchCounters();
            var driver = new SearchDriver(problem, new SearchDriverOptions
            {
                Budget = s.Budget,
                Seed = s.Seed,
                StartFromHeuristics = s.Search.StartFromHeuristics,
                Threads = s.Search.Threads,
                OnEvaluation = counters.OnEvaluation,
                Logger = setup.Runtime.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Compass.Search"),
            });
            SearchRunResult? result = null;
            PluginFaultException? fault = null;
            try
            {
                result = SearchProgress.Run(() => driver.Run(optimizer, token), counters, s.Budget.MaxEvaluations, "search", args.Quiet, stdout);
            }
            catch (PluginFaultException e)
            {
                fault = e;
            }
            catch (AggregateException e) when (e.Flatten().InnerExceptions.OfType<PluginFaultException>().FirstOrDefault() is { } inner)
            {
                fault = inner;
            }
            catch (OperationCanceledException) when (setup.Resilience.Faults.HasFaults)
            {
                fault = new PluginFaultException(setup.Resilience.Faults.Faults[0]);
            }
            if (fault is null && setup.Resilience.ShouldStop && setup.Resilience.Faults.HasFaults)
                fault = new PluginFaultException(setup.Resilience.Faults.Faults[0]);

            var log = counters.Snapshot();
            var rows = RunReportBuilder.Rows(log);
            var scenarioJson = ResolvedScenario.Build(s, setup.Package, setup.Model).ToJsonString(Configuration.ConfigJson.WriteOptions) + "\n";
            RunReportData? report = null;
            if (fault is null && result is not null && result.Outcome.BestFitness.IsValid)
            {
                var (metrics, usage, timeline) = RunReportBuilder.Measure(setup, problem, result.Outcome.Best, result.Outcome.BestFitness, result.Evaluations, result.WallSeconds, result.Cancelled);
                report = new RunReportData
                {
                    Scenario = new ScenarioSummary(s.Name, s.Description, s.Seed, scenarioJson),
                    OptimizerName = s.Optimizer.Name,
                    Best = metrics,
                    Package = usage,
                    SearchLog = rows,
                    Baselines = RunReportBuilder.Baselines(problem),
                    Timeline = timeline,
                    ParetoSet = [.. result.Outcome.ParetoSet.Select(g => problem.Evaluate(g)).Where(f => f.IsValid).Select(f => new ParetoPoint(f.LatencyNs, f.EnergyPj))],
                    Statistics = WithFaultCounts(result.Outcome.Statistics, setup.Resilience.Faults),
                };
                ReportFiles.WriteRun(outDir, report);
                BestMappingFile.From(problem.Space, result.Outcome.Best, s.Name, s.Seed, result.Outcome.BestFitness).Save(Path.Combine(outDir, "best-mapping.json"));
            }
            else
            {
                // A stopped or fruitless run keeps what it has: the resolved scenario and the evaluations done so far.
                Compass.Reporting.Files.SearchLogCsv.Write(Path.Combine(outDir, ReportFiles.SearchLogFile), rows);
            }
            foreach (var f in setup.Resilience.Faults.Faults.Take(5)) stderr.WriteLine("warning: " + f.Describe());
            if (!args.Quiet) PrintSummary(report, log.Count, clock.Elapsed.TotalSeconds, fault is not null ? "stopped by plugin fault" : result is { Cancelled: true } ? "cancelled" : "completed", outDir, stdout);
            if (fault is not null)
            {
                stderr.WriteLine($"error: {fault.Message} (run stopped; outputs so far are in {outDir})");
                return CompassCli.PluginFault;
            }
            return result is { Cancelled: true } ? 130 : 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The optimizer's statistics plus one <c>plugin-faults.&lt;plugin&gt;.&lt;kind&gt;</c> count per kind of plugin fault.</summary>
    public static IReadOnlyDictionary<string, double> WithFaultCounts(IReadOnlyDictionary<string, double> statistics, PluginFaultLog faults)
    {
        var merged = new Dictionary<string, double>(statistics, StringComparer.Ordinal);
        foreach (var (key, count) in faults.Counts()) merged["plugin-faults." + key.Replace(' ', '.')] = count;
        return merged;
    }

    /// <summary>Prints one warning line per plugin that failed to load.</summary>
    public static void ReportLoadErrors(ExplorationSetup setup, TextWriter stderr)
    {
        foreach (var e in setup.Runtime.Catalog.Errors) stderr.WriteLine("warning: " + e);
        foreach (var clash in setup.Runtime.Clashes()) stderr.WriteLine("warning: " + clash);
    }

    private static void PrintSummary(RunReportData? report, int evaluations, double wallSeconds, string status, string outDir, TextWriter stdout)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("status", status);
        table.AddRow("evaluations", evaluations.ToString(c));
        table.AddRow("wall time (s)", wallSeconds.ToString("F2", c));
        if (report is not null)
        {
            var b = report.Best;
            table.AddRow("latency (ms)", SearchProgress.Format(b.LatencyNs * 1e-6));
            table.AddRow("energy (mJ)", SearchProgress.Format(b.EnergyPj * 1e-9));
            table.AddRow("EDP (J·s)", SearchProgress.Format(b.EdpJouleSeconds));
            var bestBaseline = double.PositiveInfinity;
            foreach (var baseline in report.Baselines)
            {
                table.AddRow($"baseline {Markup.Escape(baseline.Name)} EDP (J·s)", SearchProgress.Format(baseline.EdpJouleSeconds));
                bestBaseline = Math.Min(bestBaseline, baseline.EdpJouleSeconds);
            }
            if (double.IsFinite(bestBaseline) && bestBaseline > 0)
                table.AddRow("EDP reduction vs best baseline", ((1 - b.EdpJouleSeconds / bestBaseline) * 100).ToString("F2", c) + " %");
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = SearchProgress.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = SearchProgress.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        console.Write(table);
        stdout.WriteLine($"Results written to {outDir}");
    }
}
