using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Compass.Scenarios.Binding;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Engine;
using Compass.Engine.Pipeline;
using Compass.Engine.Replay;
using Compass.Host.Composition;
using Compass.Host.Output;
using Compass.Reporting.Analysis;
using Compass.Reporting.Charts;
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
    /// <summary>Output folder of an interrupted run to continue (<c>--resume OUTDIR</c>), or null for a new run.</summary>
    public string? ResumeDirectory { get; init; }

    /// <summary>
    /// Leave out the per-task files (<c>timeline.json</c>, <c>schedule.trace.json</c> and the report's Gantt chart):
    /// the points of a study keep metrics, mapping, search log and report, a few hundred KB instead of tens of MB.
    /// </summary>
    public bool Lean { get; init; }

    /// <summary>Results database to append the run to (<c>--db FILE</c>), or null.</summary>
    public string? Database { get; init; }

    /// <summary>Clear an output folder that holds another run's results before writing (<c>--force</c>).</summary>
    public bool Force { get; init; }

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
        var db = new Option<string?>("--db") { Description = "Append the run to this results database (SQLite; created when missing; see compass results)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the interrupted run in this output folder (its scenario.resolved.json, checkpoint.json and search-log.csv); ends with the result of an uninterrupted run" };
        var force = CompassCli.ForceOption();
        var command = new Command("explore", "Search for a low-EDP mapping of a scenario and write the results to a folder");
        foreach (var o in new Option[] { scenario, output, seed, set, plugins, budget, threads, quiet, resume, db, force }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () => ExecuteWithDatabase(
            new ExploreArguments(
                new ScenarioArguments(pr.GetValue(scenario), pr.GetValue(set) ?? [], pr.GetValue(plugins) ?? []),
                pr.GetValue(output), pr.GetValue(seed), pr.GetValue(budget), pr.GetValue(threads), pr.GetValue(quiet))
            { ResumeDirectory = pr.GetValue(resume), Database = pr.GetValue(db), Force = pr.GetValue(force) },
            stdout, stderr)));
        return command;
    }

    /// <summary>Runs <see cref="Execute"/>, then appends the run to <see cref="ExploreArguments.Database"/> when one is given.</summary>
    public static int ExecuteWithDatabase(ExploreArguments args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Database is null) return Execute(args, stdout, stderr);
        // The database is opened before the run, so a bad --db fails before any work.
        using (Compass.Studies.Results.StudyDatabase.Open(args.Database)) { }
        var run = args.OutDirectory is null && args.ResumeDirectory is null ? args with { OutDirectory = CompassCli.DefaultOutDirectory() } : args;
        var clock = Stopwatch.StartNew();
        var code = Execute(run, stdout, stderr);
        Studies.RunDatabase.AppendExplore(args.Database, run.ResumeDirectory ?? run.OutDirectory!, code, clock.Elapsed.TotalSeconds);
        if (!args.Quiet) stdout.WriteLine($"Appended to {Path.GetFullPath(args.Database)}");
        return code;
    }

    /// <summary>What a resumed run starts from.</summary>
    private sealed record ResumePlan(string Directory, string ScenarioText, CheckpointHeader Header);

    /// <summary>
    /// Runs an exploration. Everything is validated before anything is written. The search log is streamed to the
    /// output folder as the checkpoint; whatever ends the run (budget, Ctrl-C / SIGTERM, a plugin fault, an
    /// unexpected failure), the files of the best mapping so far are written.
    /// </summary>
    public static int Execute(ExploreArguments args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var resume = args.ResumeDirectory is null ? null : PrepareResume(args, stderr);
        if (resume is null && args.OutDirectory is { } requested) OutputFolder.CheckPath(requested, "--out");
        var scenarioArgs = resume is null ? args.Scenario : args.Scenario with { ScenarioPath = Path.Combine(resume.Directory, ReportFiles.ScenarioFile), Overrides = [], IgnoreEnvironment = true };
        IEnumerable<string> overrides = resume is null ? args.Overrides() : args.Threads is { } t ? [$"search.threads={t}"] : [];
        using var setup = ExplorationSetup.Build(scenarioArgs, overrides, args.Quiet ? LogLevel.Error : LogLevel.Warning);
        ReportLoadErrors(setup, stderr);
        var s = setup.Scenario;
        var token = setup.Stop.Token;
        string? interruptedBy = null;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interruptedBy ??= "Ctrl-C (SIGINT)";
            setup.Stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = RegisterSignal(PosixSignal.SIGTERM, () =>
        {
            interruptedBy ??= "SIGTERM";
            setup.Stop.Cancel();
        });
        try
        {
            var clock = Stopwatch.StartNew();
            // Stages workload → graph → costing → mapping space with the preflight checks; then search → results on the same run.
            var run = Preflight.SearchProblem(setup, token);
            var problem = run.Problem!;
            var scenarioJson = resume?.ScenarioText ?? setup.ResolvedScenarioJson();
            var header = CheckpointHeader.ForRun(scenarioJson, s.Seed, s.Precision, s.Budget.MaxEvaluations, s.Optimizer.Name);
            using var folder = OutputFolder.Open(resume?.Directory ?? args.OutDirectory ?? CompassCli.DefaultOutDirectory(), resume is null ? "--out" : "--resume", args.Force, resume: resume is not null);
            var outDir = folder.Path;
            CheckpointLog.ResumeState? resumeLog = null;
            var covered = 0;
            if (resume is not null)
            {
                // Under the folder's lock: the checkpoint must describe this run, and its rows must be the ones written.
                resume.Header.CheckSameRun(header);
                resumeLog = CheckpointLog.ReadForResume(Path.Combine(outDir, ReportFiles.SearchLogFile), s.Budget.MaxEvaluations);
                if (resume.Header.Rows <= resumeLog.Rows.Count)
                {
                    CheckpointLog.VerifyDigest(resumeLog, resume.Header, ReportFiles.SearchLogFile);
                    covered = resume.Header.Rows;
                }
            }
            else
            {
                AtomicFile.WriteAllText(Path.Combine(outDir, ReportFiles.ScenarioFile), scenarioJson);
                header.Save(outDir);
            }
            var previousRows = resumeLog?.Rows ?? [];
            if (!args.Quiet)
            {
                stdout.WriteLine($"Exploring '{s.Name}': {problem.Space.MicroBatchCount} micro-batches × {problem.Space.GeneCount} genes on {problem.Space.ChipletCount} chiplets (10^{problem.Space.Log10Size:F0} mappings), optimizer {s.Optimizer.Name}, budget {s.Budget.MaxEvaluations}, seed {s.Seed}");
                if (resumeLog is not null)
                {
                    stdout.WriteLine($"Resuming from {previousRows.Count} logged evaluation(s){(resumeLog.DroppedTornLine ? " (a torn last line was dropped)" : "")}");
                    if (covered < previousRows.Count) stdout.WriteLine($"Re-evaluating {previousRows.Count - covered} logged evaluation(s) the checkpoint digest does not cover, to check them");
                }
            }

            var optimizer = setup.CreateOptimizer(s.Optimizer);
            var counters = new SearchCounters();
            // What the host keeps of the log: a bounded summary (the full log is streamed to disk), so a search of any
            // length runs in bounded memory.
            var logSummary = new SearchLogSummary();
            foreach (var row in previousRows) logSummary.Add(row);
            var logPath = Path.Combine(outDir, ReportFiles.SearchLogFile);
            string? divergence = null;
            string? writeFailure = null;
            void OnFlushed(int rows, string digest) => (header with { Rows = rows, RowsSha256 = digest }).Save(outDir);
            void OnWriteFailed(Exception e)
            {
                writeFailure ??= $"cannot write the checkpoint {logPath}: {e.Message}";
                setup.Stop.Cancel();
            }
            using var checkpoint = resumeLog is { ValidLength: > 0 }
                ? CheckpointLog.Append(logPath, resumeLog.ValidLength, s.Search.CheckpointEvery, resumeLog.RowBytes, resumeLog.Rows.Count, OnFlushed, OnWriteFailed)
                : CheckpointLog.Create(CheckpointStream(logPath), s.Search.CheckpointEvery, OnFlushed, OnWriteFailed);
            void OnEvaluation(EvaluationLogEntry e)
            {
                counters.OnEvaluation(e);
                if (e.Index < previousRows.Count)
                {
                    // A served evaluation must be the mapping the interrupted run logged, or the resume is not faithful.
                    if (e.GenomeHash != previousRows[e.Index].GenomeHash && divergence is null)
                    {
                        divergence = $"{ReportFiles.SearchLogFile}:{e.Index + 2}: the resumed search evaluated another mapping at evaluation {e.Index} (hash {e.GenomeHash:x16}, logged {previousRows[e.Index].GenomeHash:x16}): the optimizer is not deterministic for its seed or the plugins changed; cannot resume";
                        setup.Stop.Cancel();
                    }
                    // A re-evaluated row (one the digest does not cover) must give the logged numbers bit for bit.
                    else if (e.Index >= covered && divergence is null && DiffersFromLog(e.Fitness, previousRows[e.Index]) is { } what)
                    {
                        divergence = $"{ReportFiles.SearchLogFile}:{e.Index + 2}: {what}: the row was edited or comes from another scenario or precision; cannot resume";
                        setup.Stop.Cancel();
                    }
                    return;
                }
                if (divergence is null)
                {
                    var row = RunReportBuilder.Row(e);
                    checkpoint.Write(row);
                    logSummary.Add(row);
                }
            }
            var options = new SearchDriverOptions
            {
                Budget = s.Budget,
                Seed = s.Seed,
                StartFromHeuristics = s.Search.StartFromHeuristics,
                Threads = s.Search.Threads,
                OnEvaluation = OnEvaluation,
                PreviousEvaluations = resumeLog is null ? null : [.. resumeLog.Fitnesses.Take(covered)],
                Logger = setup.Runtime.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Compass.Search"),
            };
            var search = new ExplorationPipeline([PipelineStages.Search(_ => optimizer, _ => options, driverRun => SearchProgress.Run(driverRun, counters, s.Budget.MaxEvaluations, "search", args.Quiet, stdout))]);
            SearchRunResult? result = null;
            PluginFaultException? fault = null;
            Exception? failure = null;
            try
            {
                result = search.Run(run, token).Search;
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
            catch (Exception e) when (e is not CompassInputException and not OperationCanceledException)
            {
                // Not the input, not a plugin: still keep what the search produced before reporting it.
                failure = e;
            }
            if (fault is null && setup.Resilience.ShouldStop && setup.Resilience.Faults.HasFaults)
                fault = new PluginFaultException(setup.Resilience.Faults.Faults[0]);
            checkpoint.Dispose();
            if (divergence is not null)
            {
                stderr.WriteLine("error: " + OneLine.Of(divergence));
                return CompassCli.UserError;
            }
            if (writeFailure is not null)
            {
                stderr.WriteLine($"error: {OneLine.Of(writeFailure)}; the run stopped after {counters.Done} evaluations (the rows written so far are kept; free space and continue with: compass explore --resume {outDir})");
                return CompassCli.UserError;
            }

            var rows = logSummary.Rows();
            var evaluations = logSummary.Count;
            string? incomplete = fault is not null ? "stopped by a plugin fault: " + fault.Message
                : failure is not null ? $"stopped by an unexpected {failure.GetType().Name}: {OneLine.Of(failure.Message)}"
                : interruptedBy is not null ? "interrupted by " + interruptedBy
                : result is { Cancelled: true } ? "cancelled" : null;

            // The host's own evaluation decides the best (an optimizer may misreport); then the results stage measures it.
            run.Best = CheckedBest(problem, result, optimizer.BestSoFar?.Best, stderr);
            new ExplorationPipeline([PipelineStages.Results()]).Run(run, CancellationToken.None);
            RunReportData? report = null;
            string? invalidReason = null;
            if (run.Measurement is { } measured)
            {
                var b = run.Best!.Value;
                var wall = result?.WallSeconds ?? clock.Elapsed.TotalSeconds;
                var (metrics, usage, timeline) = RunReportBuilder.Report(setup, measured, evaluations, wall, incomplete is not null);
                if (IsSound(metrics))
                {
                    var statistics = new Dictionary<string, double>(WithFaultCounts(result?.Outcome.Statistics ?? new Dictionary<string, double>(), setup.Resilience.Faults), StringComparer.Ordinal);
                    if (incomplete is not null) statistics["run.incomplete"] = 1;
                    report = new RunReportData
                    {
                        Scenario = new ScenarioSummary(s.Name, s.Description, s.Seed, scenarioJson),
                        OptimizerName = s.Optimizer.Name,
                        Best = metrics,
                        Package = usage,
                        LowerBound = metrics.Bounds?.AsLowerBound(),
                        Findings = metrics.Bounds is { } bounds ? [bounds.Explanation] : [],
                        SearchLog = rows,
                        SearchLogRows = logSummary.IsComplete ? 0 : logSummary.Count,
                        Baselines = RunReportBuilder.Baselines(run.Baselines!),
                        Timeline = args.Lean ? null : timeline,
                        PackageCost = setup.EstimatePackageCost(),
                        ParetoSet = result is null ? [] : [.. result.Outcome.ParetoSet.Select(g => problem.Evaluate(g)).Where(IsSound).Select(f => new ParetoPoint(f.LatencyNs, f.EnergyPj))],
                        Statistics = statistics,
                        Padding = RunReportBuilder.Padding(problem, b.Genome, token),
                    };
                    ReportFiles.WriteRun(outDir, report);
                    if (incomplete is not null) MarkIncomplete(Path.Combine(outDir, ReportFiles.MetricsFile), incomplete);
                    BestMappingFile.From(problem.Space, b.Genome, s.Name, s.Seed, b.Fitness, JsonNode.Parse(scenarioJson) as JsonObject).Save(Path.Combine(outDir, "best-mapping.json"));
                }
                else
                {
                    invalidReason = "the best mapping's metrics overflowed (a non-finite latency, energy or EDP)";
                }
            }
            if (report is null)
            {
                // A stopped or fruitless run keeps what it has: the resolved scenario and the evaluations done so far
                // (the log streamed to disk; rewritten only when the summary is the whole log, to drop a torn line).
                if (logSummary.IsComplete) SearchLogCsv.Write(logPath, rows);
                invalidReason ??= ExplainNoValidMapping(problem, evaluations);
            }
            foreach (var f in setup.Resilience.Faults.Faults.Take(5)) stderr.WriteLine("warning: " + f.Describe());
            var status = fault is not null ? "stopped by plugin fault" : failure is not null ? "failed" : incomplete is not null ? "interrupted" : report is null ? "no valid mapping" : "completed";
            if (!args.Quiet) PrintSummary(report, evaluations, result?.WallSeconds ?? clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, status, outDir, stdout);
            else stdout.WriteLine(outDir);
            if (fault is not null)
            {
                stderr.WriteLine($"error: {fault.Message} (run stopped after {evaluations} evaluations; results so far are in {outDir})");
                return CompassCli.PluginFault;
            }
            if (failure is not null)
            {
                stderr.WriteLine($"error: unexpected {failure.GetType().Name}: {OneLine.Of(failure.Message)} (run stopped after {evaluations} evaluations; results so far are in {outDir})");
                return CompassCli.UnexpectedFailure;
            }
            if (incomplete is not null)
            {
                stderr.WriteLine($"error: {incomplete} after {evaluations} evaluations; results so far are in {outDir}; continue with: compass explore --resume {outDir}");
                return CompassCli.Interrupted;
            }
            if (report is null)
            {
                stderr.WriteLine($"error: no valid mapping in {evaluations} evaluations: {invalidReason} (search log kept in {outDir})");
                return CompassCli.UserError;
            }
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Checks the <c>--resume</c> arguments and reads the interrupted run's checkpoint header and scenario (before
    /// anything starts). The resumed run uses exactly the recorded scenario: <c>COMPASS_*</c> environment variables
    /// are ignored (one warning line says so), and options that would change the run are refused.
    /// </summary>
    private static ResumePlan PrepareResume(ExploreArguments args, TextWriter stderr)
    {
        var dir = args.ResumeDirectory!;
        if (string.IsNullOrWhiteSpace(dir)) throw new CompassInputException("--resume", "must name the output folder of an interrupted run, got an empty path");
        if (!Directory.Exists(dir)) throw new CompassInputException("--resume", File.Exists(dir) ? $"{dir} is a file, not an output folder" : $"folder not found: {dir}");
        if (args.Scenario.ScenarioPath is not null) throw new CompassInputException("--scenario", $"cannot be combined with --resume: the run's {ReportFiles.ScenarioFile} is used");
        if (args.Scenario.Overrides.Count > 0) throw new CompassInputException("--set", "cannot be combined with --resume: the resumed run must use the same scenario");
        if (args.Seed is not null) throw new CompassInputException("--seed", "cannot be combined with --resume: the resumed run must use the same seed");
        if (args.Budget is not null) throw new CompassInputException("--budget", "cannot be combined with --resume: the resumed run must use the same budget");
        if (args.Force) throw new CompassInputException("--force", "cannot be combined with --resume: it would clear the run to continue");
        if (args.OutDirectory is { } o && !string.Equals(Path.GetFullPath(o).TrimEnd('/', '\\'), Path.GetFullPath(dir).TrimEnd('/', '\\'), StringComparison.Ordinal))
            throw new CompassInputException("--out", "cannot differ from the --resume folder: a resumed run appends to its own log");
        var header = CheckpointHeader.Load(dir);
        var scenarioPath = Path.Combine(dir, ReportFiles.ScenarioFile);
        if (!File.Exists(scenarioPath)) throw new CompassInputException("--resume", $"{dir} has no {ReportFiles.ScenarioFile}: not the output folder of compass explore");
        var ignored = Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(ScenarioLoader.IsOverrideVariable).Order(StringComparer.Ordinal).ToList();
        if (ignored.Count > 0)
            stderr.WriteLine($"warning: --resume ignores the environment variable(s) {string.Join(", ", ignored)}: the run continues with the scenario it started with ({ReportFiles.ScenarioFile})");
        return new ResumePlan(dir, InputFiles.ReadText(scenarioPath, InputFiles.MaxScenarioBytes, "--resume"), header);
    }

    /// <summary>How a re-evaluated fitness differs from the logged row, bit for bit, or null when it is the same.</summary>
    private static string? DiffersFromLog(Fitness evaluated, SearchLogRow row)
    {
        var logged = CheckpointLog.ToFitness(row);
        if (!evaluated.IsValid && !logged.IsValid) return null;
        if (evaluated.IsValid != logged.IsValid) return $"logged as {(logged.IsValid ? "valid" : "invalid")}, re-evaluated as {(evaluated.IsValid ? "valid" : "invalid")}";
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (BitConverter.DoubleToInt64Bits(evaluated.LatencyNs) != BitConverter.DoubleToInt64Bits(logged.LatencyNs))
            return string.Create(c, $"logged latency {logged.LatencyNs:R} ns, re-evaluated {evaluated.LatencyNs:R} ns");
        if (BitConverter.DoubleToInt64Bits(evaluated.EnergyPj) != BitConverter.DoubleToInt64Bits(logged.EnergyPj))
            return string.Create(c, $"logged energy {logged.EnergyPj:R} pJ, re-evaluated {evaluated.EnergyPj:R} pJ");
        if (BitConverter.DoubleToInt64Bits(evaluated.Objective) != BitConverter.DoubleToInt64Bits(logged.Objective))
            return string.Create(c, $"logged objective {logged.Objective:R}, re-evaluated {evaluated.Objective:R}");
        return null;
    }

    /// <summary>
    /// The best mapping to report, checked by the host: whatever the optimizer reports as its best is re-evaluated
    /// (an optimizer may report a mapping it never evaluated, with any objective), and the better of it and the
    /// best mapping actually evaluated during the run wins. A reported fitness that the re-evaluation contradicts
    /// gets one warning line.
    /// </summary>
    public static (Genome Genome, Fitness Fitness)? CheckedBest(ExplorationProblem problem, SearchRunResult? result, (Genome Genome, Fitness Fitness)? tracked, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(stderr);
        (Genome Genome, Fitness Fitness)? best = tracked is { } t && IsSound(t.Fitness) ? (t.Genome, problem.Evaluate(t.Genome)) : null;
        if (best is { } b0 && !IsSound(b0.Fitness)) best = null;
        if (result?.Outcome.Best is { } reported && reported.GeneCount == problem.Space.GeneCount && problem.Space.IsValid(reported, out _))
        {
            var claimed = result.Outcome.BestFitness;
            var actual = problem.Evaluate(reported);
            if (claimed.IsValid && (!actual.IsValid || BitConverter.DoubleToInt64Bits(actual.Objective) != BitConverter.DoubleToInt64Bits(claimed.Objective)))
                stderr.WriteLine($"warning: the optimizer reported a best objective of {claimed.Objective.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}, but its mapping evaluates to {(actual.IsValid ? actual.Objective.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) : "invalid")}; the host's evaluation is used");
            if (IsSound(actual) && (best is not { } b || actual.Objective < b.Fitness.Objective)) best = (reported, actual);
        }
        return best;
    }

    /// <summary>Test seam: wraps the stream of a new checkpoint log (a test injects a failing one); null outside tests.</summary>
    internal static AsyncLocal<Func<string, FileStream>?> CheckpointStreamFactory { get; } = new();

    private static FileStream CheckpointStream(string path) =>
        CheckpointStreamFactory.Value?.Invoke(path) ?? new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);

    /// <summary>Registers a POSIX signal handler that cancels the run instead of killing the process (null where unsupported).</summary>
    private static PosixSignalRegistration? RegisterSignal(PosixSignal signal, Action onSignal)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                onSignal();
            });
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>True when every number of <paramref name="f"/> is finite and non-negative and it is valid.</summary>
    public static bool IsSound(Fitness f) => PipelineStages.IsSound(f);

    /// <summary>
    /// True when every number that goes into <c>metrics.json</c> is finite (a finite total energy implies finite parts:
    /// an infinite or NaN part makes the sum infinite or NaN).
    /// </summary>
    public static bool IsSound(Compass.Reporting.Model.RunMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return double.IsFinite(m.LatencyNs) && double.IsFinite(m.EnergyPj) && double.IsFinite(m.EdpJouleSeconds) && double.IsFinite(m.Objective);
    }

    /// <summary>Adds <c>"incomplete": true</c> and <c>"incompleteReason"</c> to a written <c>metrics.json</c> (atomically).</summary>
    public static void MarkIncomplete(string metricsPath, string reason)
    {
        var node = JsonNode.Parse(File.ReadAllText(metricsPath))!.AsObject();
        node["incomplete"] = true;
        node["incompleteReason"] = reason;
        AtomicFile.WriteAllText(metricsPath, node.ToJsonString(Compass.Scenarios.Binding.ConfigJson.WriteOptions) + "\n");
    }

    private static string ExplainNoValidMapping(ExplorationProblem problem, int evaluations)
    {
        if (evaluations == 0) return "no mapping was evaluated";
        foreach (var start in problem.Heuristics.Standard())
        {
            if (problem.ExplainInvalid(start.Genome) is { } why) return $"e.g. heuristic mapping '{start.Name}': {why}";
        }
        return "every evaluated mapping was invalid";
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

    private static void PrintSummary(RunReportData? report, int evaluations, double searchSeconds, double totalSeconds, string status, string outDir, TextWriter stdout)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        stdout.WriteLine($"{status}: {evaluations.ToString(c)} evaluations, search {searchSeconds.ToString("F2", c)} s (as in metrics.json), {totalSeconds.ToString("F2", c)} s in total with set-up and reporting");
        var table = new Table().AddColumn("Mapping").AddColumn(new TableColumn("Latency (ms)").RightAligned()).AddColumn(new TableColumn("Energy (mJ)").RightAligned())
            .AddColumn(new TableColumn("EDP (J·s)").RightAligned()).AddColumn(new TableColumn("Reduction").RightAligned());
        if (report is not null)
        {
            var b = report.Best;
            table.AddRow(Markup.Escape($"best ({report.OptimizerName})"), Format.Ms(b.LatencyNs), Format.MJ(b.EnergyPj), Format.Number(b.EdpJouleSeconds), "–");
            foreach (var baseline in report.Baselines.OrderBy(x => x.EdpJouleSeconds))
            {
                var reduction = baseline.EdpJouleSeconds > 0 && double.IsFinite(baseline.EdpJouleSeconds) ? Format.Percent(1 - b.EdpJouleSeconds / baseline.EdpJouleSeconds) : "–";
                table.AddRow(Markup.Escape(baseline.Name), Format.Ms(baseline.LatencyNs), Format.MJ(baseline.EnergyPj), Format.Number(baseline.EdpJouleSeconds), reduction);
            }
            if (report.LowerBound is { } lb)
                table.AddRow("lower bound", Format.Ms(lb.LatencyNs), Format.MJ(lb.EnergyPj), Format.Number(lb.EdpJouleSeconds), "–");
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = SearchProgress.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = SearchProgress.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!SearchProgress.Interactive) console.Profile.Width = 120;
        if (report is not null)
        {
            console.Write(table);
            var parts = report.Best.Energy;
            stdout.WriteLine($"energy parts (mJ): MAC {Format.MJ(parts.MacPj)}, buffer {Format.MJ(parts.BufferPj)}, vector {Format.MJ(parts.VectorPj)}, NoP {Format.MJ(parts.NopPj)}, DRAM {Format.MJ(parts.DramPj)}, static {Format.MJ(parts.StaticPj)}");
            if (report.Best.Levers is { } levers) stdout.WriteLine($"levers of the best mapping: {levers}");
            if (report.Best.EdpStandardErrorJs is { } se && report.Best.Iterations > 1)
                stdout.WriteLine($"EDP standard error over {report.Best.Iterations.ToString(c)} sampled iterations: {Format.Number(se)} J·s ({Format.Percent(report.Best.EdpJouleSeconds > 0 ? se / report.Best.EdpJouleSeconds : 0)} of the EDP)");
            foreach (var f in report.Findings) stdout.WriteLine(f);
            if (report.Findings.Count == 0 && report.Timeline is { } timeline && Compass.Reporting.Html.HtmlReport.BoundSentence(timeline) is { } bound) stdout.WriteLine(bound);
        }
        stdout.WriteLine($"Results written to {outDir}");
    }
}
