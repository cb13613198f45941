using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Compass.Host.Studies;
using Compass.Studies.Definition;
using Compass.Studies.Points;
using Compass.Studies.Reporting;
using Compass.Studies.Results;
using Spectre.Console;

namespace Compass.Host.Commands;

/// <summary>Arguments of <c>compass sweep</c> and <c>compass codesign</c>.</summary>
/// <param name="StudyFile">The study file.</param>
/// <param name="OutDirectory">Study folder, or null for <c>compass-studies/&lt;name&gt;</c>.</param>
/// <param name="Database">Database file, or null for <c>&lt;out&gt;/&lt;name&gt;.db</c>.</param>
/// <param name="Parallel">Points at a time (overrides the study's <c>parallel</c>).</param>
/// <param name="PluginDirectories">Extra plugin folders.</param>
/// <param name="Quiet">No progress output.</param>
public sealed record StudyArguments(string StudyFile, string? OutDirectory, string? Database, int? Parallel, IReadOnlyList<string> PluginDirectories, bool Quiet);

/// <summary>
/// <c>compass sweep STUDY.json</c>: every point of a study's grid (axes crossed or zipped × seeds) explored through the
/// same pipeline as <c>compass explore</c>, a bounded number at a time, resumable point by point; every result in the
/// study's SQLite database and an HTML report over the axes.
/// </summary>
public static class SweepCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var (command, read) = StudyCommand("sweep", "Explore every point of a study (axes over any scenario path × seeds) into one results database and report, here or as a Slurm job array");
        var (clusterOptions, readCluster) = ClusterSweep.Options();
        foreach (var o in clusterOptions) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            var args = read(pr);
            var cluster = readCluster(pr);
            return ClusterSweep.Applies(cluster) ? ClusterSweep.Execute(args, cluster, stdout, stderr) : Execute(args, stdout, stderr);
        }));
        return command;
    }

    /// <summary>The options shared by <c>sweep</c> and <c>codesign</c>.</summary>
    public static (Command Command, Func<ParseResult, StudyArguments> Read) StudyCommand(string name, string description)
    {
        var study = new Argument<string>("study") { Description = "Study file (JSON; see README, \"Studies\"); with --worker, --status or --resubmit-missing also the study folder" };
        var output = new Option<string?>("--out", "-o") { Description = "Study folder (default ./compass-studies/<name>); rerun with the same folder to resume" };
        var db = new Option<string?>("--db") { Description = "Results database (default <out>/<name>.db)" };
        var parallel = new Option<int?>("--parallel", "-j") { Description = "Points explored at the same time (default: the study's parallel, else cores / threadsPerPoint)" };
        var plugins = CompassCli.PluginsOption();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress output" };
        var command = new Command(name, description);
        command.Arguments.Add(study);
        foreach (var o in new Option[] { output, db, parallel, plugins, quiet }) command.Options.Add(o);
        return (command, pr => new StudyArguments(pr.GetValue(study)!, pr.GetValue(output), pr.GetValue(db), pr.GetValue(parallel), pr.GetValue(plugins) ?? [], pr.GetValue(quiet)));
    }

    /// <summary>A study read, its base scenario resolved, its axes validated: everything checked before any point runs.</summary>
    public sealed record PreparedStudy(StudyDefinition Definition, HostPointExplorer Explorer, JsonObject Prepared, string Directory, string DatabasePath, int Parallel);

    /// <summary>Reads and checks the study (exit 2 on any problem, naming the field or the axis).</summary>
    public static PreparedStudy Prepare(StudyArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var study = StudyFile.Read(args.StudyFile);
        if (args.Parallel is < 1) throw new Abstractions.Plugins.CompassInputException("--parallel", $"must be >= 1, got {args.Parallel}");
        _ = CompassCli.PluginDirectories(args.PluginDirectories);
        var explorer = new HostPointExplorer(args.PluginDirectories);
        var baseScenario = explorer.ResolveFile(study.ScenarioPath);
        var prepared = StudyPoint.Prepare(study, baseScenario, explorer.Resolve);
        StudyValidation.ValidateAxes(study, prepared, explorer);
        var dir = Path.GetFullPath(args.OutDirectory ?? Path.Combine("compass-studies", study.Name));
        var db = Path.GetFullPath(args.Database ?? Path.Combine(dir, study.Name + ".db"));
        return new PreparedStudy(study, explorer, prepared, dir, db, args.Parallel ?? study.EffectiveParallel(Environment.ProcessorCount));
    }

    /// <summary>Runs the sweep.</summary>
    public static int Execute(StudyArguments args, TextWriter stdout, TextWriter stderr)
    {
        var study = Prepare(args);
        var points = StudyGrid.Points(study.Definition, study.Prepared, study.Explorer.Resolve);
        StudyValidation.CheckDistinct(points);
        using var db = StudyDatabase.Open(study.DatabasePath);
        db.RecordStudy(study.Definition, "sweep");
        if (!args.Quiet)
            stdout.WriteLine($"Sweep '{study.Definition.Name}': {points.Count} points ({string.Join(" × ", study.Definition.Axes.Select(a => $"{a.Name} {a.Values.Count}"))}{(study.Definition.Seeds.Count > 1 ? $" × {study.Definition.Seeds.Count} seeds" : "")}), {study.Parallel} at a time, into {study.Directory}");
        using var stop = new CancellationTokenSource();
        var interrupted = false;
        var results = WithInterrupts(stop, () => interrupted = true, () =>
            StudyProgressView.Run(args.Quiet, stdout, points.Count, "points", report =>
                new StudyRunner(study.Explorer, study.Directory, db).Run(points, "sweep", study.Definition.Name, study.Parallel, report, null, stop.Token)));
        var reportPath = StudyReportWriter.Write(study.Directory, study.Definition.Name, db);
        return Finish(args, stdout, stderr, study, db, results, points.Count, interrupted || stop.IsCancellationRequested, reportPath, "sweep");
    }

    /// <summary>Prints the closing lines and picks the exit code (130 when interrupted; 0 otherwise, failed points are in the database).</summary>
    public static int Finish(StudyArguments args, TextWriter stdout, TextWriter stderr, PreparedStudy study, StudyDatabase db, IReadOnlyList<PointResult> results, int total, bool interrupted, string reportPath, string command)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(study);
        var completed = results.Count(r => r.Status == PointStatus.Completed);
        var failed = results.Where(r => r.Status != PointStatus.Completed).ToList();
        if (!args.Quiet)
        {
            stdout.WriteLine($"{completed} of {total} points completed, {failed.Count} without a valid mapping or failed; database {db.Path} ({db.Count()} rows)");
            if (results.Where(r => r.Status == PointStatus.Completed && r.Metrics is { EdpJs: var e } && double.IsFinite(e)).MinBy(r => r.Metrics!.EdpJs) is { } best)
                stdout.WriteLine($"lowest EDP {best.Metrics!.EdpJs.ToString("G4", CultureInfo.InvariantCulture)} J·s at {Describe(best)}");
            stdout.WriteLine($"report {reportPath}; table: compass results {db.Path} --csv");
        }
        foreach (var f in failed.Take(5)) stderr.WriteLine($"warning: point {f.Index} ({Describe(f)}): {f.Status}{(f.Error is null ? "" : ": " + f.Error)}");
        if (interrupted)
        {
            stderr.WriteLine($"error: interrupted after {results.Count} of {total} points; rerun the same command to continue: compass {command} {args.StudyFile}{(args.OutDirectory is null ? "" : " --out " + args.OutDirectory)}");
            return CompassCli.Interrupted;
        }
        return 0;
    }

    private static string Describe(PointResult r) =>
        string.Join(' ', r.Values.Select(kv => $"{kv.Key}={(kv.Value is null ? "null" : AxisAssignment.ValueLabel(kv.Value))}").Append($"seed={r.Seed}"));

    /// <summary>Runs <paramref name="work"/> with Ctrl-C / SIGTERM cancelling <paramref name="stop"/> (no new points start).</summary>
    public static T WithInterrupts<T>(CancellationTokenSource stop, Action onInterrupt, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(stop);
        ArgumentNullException.ThrowIfNull(work);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            onInterrupt();
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var term = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            onInterrupt();
            stop.Cancel();
        });
        try
        {
            return work();
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

/// <summary>A live progress bar over the points of a study (plain lines when redirected or with NO_COLOR).</summary>
public static class StudyProgressView
{
    /// <summary>Runs <paramref name="work"/>, giving it a progress callback that drives the view.</summary>
    public static T Run<T>(bool quiet, TextWriter stdout, int total, string unit, Func<Action<StudyProgress>, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(stdout);
        if (quiet) return work(_ => { });
        if (Output.SearchProgress.Interactive && ReferenceEquals(stdout, Console.Out))
        {
            T result = default!;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"{unit} 0/{total}", maxValue: Math.Max(1, total));
                    result = work(p =>
                    {
                        task.Value = p.Done;
                        task.Description = $"{unit} {p.Done}/{p.Total}{(p.Failed > 0 ? $" ({p.Failed} failed)" : "")}";
                    });
                });
            return result;
        }
        return work(p =>
        {
            if (p.Last is not { } r)
            {
                if (p.Done > 0) stdout.WriteLine($"{p.Done} of {p.Total} {unit} already finished (resumed)");
                return;
            }
            var what = r.Status == PointStatus.Completed && r.Metrics is { } m ? $"EDP {m.EdpJs.ToString("G4", CultureInfo.InvariantCulture)} J·s{(m.CostUsd is { } c ? $", {c.ToString("F0", CultureInfo.InvariantCulture)} USD" : "")}" : r.Status + (r.Error is null ? "" : ": " + r.Error);
            var values = string.Join(' ', r.Values.Select(kv => $"{kv.Key}={(kv.Value is null ? "null" : AxisAssignment.ValueLabel(kv.Value))}"));
            stdout.WriteLine($"[{p.Done}/{p.Total}] {values} seed={r.Seed}{(r.Rung is { } rung ? $" rung={rung}" : "")}: {what} ({r.WallSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
        });
    }
}
