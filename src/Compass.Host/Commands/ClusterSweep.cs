using System.CommandLine;
using System.Globalization;
using System.Reflection;
using Compass.Abstractions.Plugins;
using Compass.Host.Studies;
using Compass.Studies.Cluster;
using Compass.Studies.Definition;
using Compass.Studies.Points;
using Compass.Studies.Reporting;
using Compass.Studies.Results;

namespace Compass.Host.Commands;

/// <summary>What <c>compass sweep</c> was asked to do with a cluster: submit, run a shard, show the status, resubmit.</summary>
public sealed record ClusterArguments
{
    /// <summary><c>local</c> (default) or <c>slurm</c>.</summary>
    public string Backend { get; init; } = "local";

    /// <summary>How the study is handed to Slurm.</summary>
    public SlurmSettings? Slurm { get; init; }

    /// <summary>Print the batch script, submit nothing, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Run one shard of a submitted study (what the array tasks run).</summary>
    public bool Worker { get; init; }

    /// <summary>The shard a worker runs.</summary>
    public int? Shard { get; init; }

    /// <summary>Show done / running / pending / failed / missing points.</summary>
    public bool Status { get; init; }

    /// <summary>Submit the shards of failed and missing points again.</summary>
    public bool ResubmitMissing { get; init; }
}

/// <summary>
/// The Slurm backend of <c>compass sweep</c>: the study's points are frozen into <c>study-points.json</c>, one
/// <c>sbatch --array</c> job runs them (each task: <c>compass sweep DIR --worker --shard $SLURM_ARRAY_TASK_ID</c>), the
/// workers write one result file per point (atomic rename; no SQLite on the shared file system), and
/// <c>compass results collect DIR</c> merges them into the study database.
/// </summary>
public static class ClusterSweep
{
    /// <summary>The cluster options of <c>compass sweep</c> and a reader for them.</summary>
    public static (IReadOnlyList<Option> Options, Func<ParseResult, ClusterArguments> Read) Options()
    {
        var backend = new Option<string>("--backend") { Description = "Where the points run: local (this machine, default), slurm (one sbatch --array job) or external (freeze the point list for another scheduler; see docs/cluster.md)", DefaultValueFactory = _ => "local" };
        backend.AcceptOnlyFromAmong("local", "slurm", "external");
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (default: the cluster's)" };
        var time = new Option<string?>("--time-limit") { Description = "Slurm time limit per array task (MM, HH:MM:SS, D-HH:MM:SS)" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "CPUs per array task; a worker runs CPUs / threadsPerPoint points at a time (default 1)", DefaultValueFactory = _ => 1 };
        var throttle = new Option<int?>("--array-throttle") { Description = "Most array tasks running at once (sbatch --array=...%N)" };
        var tasks = new Option<int?>("--tasks") { Description = "Array tasks the points are dealt into, round robin (default: one per point)" };
        var sbatch = new Option<string[]>("--sbatch") { Description = "Extra #SBATCH line, e.g. --sbatch --mem=4G (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var setup = new Option<string[]>("--setup") { Description = "Shell line run on the node before the worker, e.g. --setup 'module load dotnet/10' (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var command = new Option<string?>("--worker-command") { Description = "How the nodes start compass (default: the way this compass was started)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the batch script; submit and write nothing" };
        var worker = new Option<bool>("--worker") { Description = "Run one shard of a submitted study (what the array tasks run): compass sweep DIR --worker --shard N" };
        var shard = new Option<int?>("--shard") { Description = "The shard a worker runs (the array task id)" };
        var status = new Option<bool>("--status") { Description = "Show done / running / pending / failed points of a submitted study, from the result files and squeue" };
        var resubmit = new Option<bool>("--resubmit-missing") { Description = "Submit again the array tasks of failed, preempted or never-run points" };
        Option[] all = [backend, partition, time, cpus, throttle, tasks, sbatch, setup, command, dryRun, worker, shard, status, resubmit];
        return (all, pr => new ClusterArguments
        {
            Backend = pr.GetValue(backend) ?? "local",
            Slurm = new SlurmSettings
            {
                Partition = pr.GetValue(partition),
                TimeLimit = pr.GetValue(time),
                CpusPerTask = pr.GetValue(cpus),
                Throttle = pr.GetValue(throttle),
                Tasks = pr.GetValue(tasks),
                ExtraDirectives = pr.GetValue(sbatch) ?? [],
                SetupLines = pr.GetValue(setup) ?? [],
                WorkerCommand = pr.GetValue(command) ?? DefaultWorkerCommand(),
            },
            DryRun = pr.GetValue(dryRun),
            Worker = pr.GetValue(worker),
            Shard = pr.GetValue(shard),
            Status = pr.GetValue(status),
            ResubmitMissing = pr.GetValue(resubmit),
        });
    }

    /// <summary>The way this compass was started, for the nodes: the apphost, or <c>dotnet compass.dll</c>.</summary>
    public static string DefaultWorkerCommand()
    {
        var process = Environment.ProcessPath ?? "compass";
        var name = Path.GetFileNameWithoutExtension(process);
        if (!string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase)) return SlurmScript.Quote(process);
        var dll = Assembly.GetEntryAssembly()?.Location;
        return string.IsNullOrEmpty(dll) ? "compass" : SlurmScript.Quote(process) + " " + SlurmScript.Quote(dll);
    }

    /// <summary>True when the arguments ask for something other than a local sweep.</summary>
    public static bool Applies(ClusterArguments c) =>
        c.Worker || c.Status || c.ResubmitMissing || c.DryRun || c.Shard is not null || !string.Equals(c.Backend, "local", StringComparison.Ordinal);

    /// <summary>Runs what the cluster arguments ask for.</summary>
    public static int Execute(StudyArguments args, ClusterArguments cluster, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(cluster);
        var modes = new[] { cluster.Worker, cluster.Status, cluster.ResubmitMissing }.Count(b => b);
        if (modes > 1) throw new CompassInputException("--worker", "--worker, --status and --resubmit-missing exclude each other");
        if (cluster.Shard is not null && !cluster.Worker) throw new CompassInputException("--shard", "only goes with --worker");
        if (cluster.Worker) return Worker(args, cluster, stdout, stderr);
        if (cluster.Status) return Status(args, stdout);
        cluster.Slurm!.Validate();
        if (string.Equals(cluster.Backend, "external", StringComparison.Ordinal) && !cluster.ResubmitMissing && !cluster.DryRun)
            return Submit(args, cluster, stdout);
        if (!string.Equals(cluster.Backend, "slurm", StringComparison.Ordinal))
            throw new CompassInputException(cluster.ResubmitMissing ? "--resubmit-missing" : "--dry-run", "needs --backend slurm");
        return cluster.ResubmitMissing ? Resubmit(args, cluster, stdout) : Submit(args, cluster, stdout);
    }

    /// <summary>
    /// The study folder an argument names: the folder itself (holding <c>study-points.json</c>), or the folder of a study
    /// file (<c>--out</c>, else <c>compass-studies/&lt;name&gt;</c>).
    /// </summary>
    public static string StudyDirectory(string studyOrFolder, string? outDirectory)
    {
        ArgumentNullException.ThrowIfNull(studyOrFolder);
        if (Directory.Exists(studyOrFolder)) return Path.GetFullPath(studyOrFolder);
        if (outDirectory is not null) return Path.GetFullPath(outDirectory);
        return Path.GetFullPath(Path.Combine("compass-studies", StudyFile.Read(studyOrFolder).Name));
    }

    private static int Submit(StudyArguments args, ClusterArguments cluster, TextWriter stdout)
    {
        var slurm = cluster.Slurm!;
        var study = SweepCommand.Prepare(args);
        var points = StudyGrid.Points(study.Definition, study.Prepared, study.Explorer.Resolve);
        StudyValidation.CheckDistinct(points);
        var manifest = new StudyManifest("sweep", study.Definition, points, slurm.Tasks ?? points.Count);
        var files = new ClusterStudy(study.Directory);
        var runner = new StudyRunner(study.Explorer, study.Directory, null);
        // Shards whose points are all finished (a resumed or partly collected study) are not submitted again.
        var shards = Enumerable.Range(0, manifest.Points.Count).Where(i => runner.Finished(manifest.Points[i]) is null).Select(manifest.ShardOf).Distinct().Order().ToList();
        var script = SlurmScript.Build(slurm, JobName(study.Definition.Name), study.Directory, shards.Count > 0 ? shards : [0], WorkerArguments(study.Directory, args));
        if (cluster.DryRun)
        {
            stdout.Write(script);
            return 0;
        }
        RefuseChangeUnderQueuedTasks(study.Directory, manifest, files);
        manifest.Save(study.Directory);
        if (string.Equals(cluster.Backend, "external", StringComparison.Ordinal))
        {
            stdout.WriteLine($"{points.Count} points in {manifest.Shards} shards frozen into {StudyManifest.PathIn(study.Directory)} ({shards.Count} shards with points to run: {StudyManifest.ArraySpec(shards)}); run for each shard K:");
            stdout.WriteLine($"  {slurm.WorkerCommand} {WorkerArguments(study.Directory, args)} --shard K");
            stdout.WriteLine($"then: compass results collect {study.Directory}");
            return 0;
        }
        if (shards.Count == 0)
        {
            stdout.WriteLine($"all {points.Count} points of '{study.Definition.Name}' are finished in {study.Directory}; nothing submitted. Merge them: compass results collect {study.Directory}");
            return 0;
        }
        var job = files.Submit(script, shards, SlurmCommands.Submit);
        if (args.Quiet)
        {
            stdout.WriteLine(job.JobId);
            return 0;
        }
        stdout.WriteLine($"job {job.JobId}: sweep '{study.Definition.Name}', {points.Count} points in {manifest.Shards} array tasks ({shards.Count} submitted{(slurm.Throttle is { } n ? $", at most {n} at once" : "")}), into {study.Directory}");
        stdout.WriteLine($"status: compass sweep {study.Directory} --status; when done: compass results collect {study.Directory}");
        return 0;
    }

    /// <summary>
    /// Workers read <c>study-points.json</c> when their array task starts. Replacing it with another point list (a changed
    /// study file, another <c>--tasks</c>) while tasks of an earlier job still wait in the queue would make them run
    /// points of the new list under the old shard numbering: refused, naming the jobs. An unchanged list, or one whose
    /// jobs have all left the queue, is replaced as before.
    /// </summary>
    private static void RefuseChangeUnderQueuedTasks(string directory, StudyManifest manifest, ClusterStudy files)
    {
        if (!File.Exists(StudyManifest.PathIn(directory))) return;
        var jobs = files.Jobs();
        if (jobs.Count == 0) return;
        StudyManifest? previous;
        try
        {
            previous = StudyManifest.Load(directory);
        }
        catch (CompassInputException)
        {
            previous = null;
        }
        if (previous is not null && previous.DealsLike(manifest)) return;
        var ids = jobs.Select(j => j.JobId).ToList();
        var queue = SlurmCommands.Queue(ids);
        var where = $"{StudyManifest.PathIn(directory)} holds another point list";
        if (queue is null)
            throw new CompassInputException("study", $"{where} and squeue cannot be asked whether its jobs ({string.Join(", ", ids)}) still have tasks queued; submit the changed study into another folder with --out");
        if (queue.Count > 0)
        {
            var live = string.Join(", ", queue.Select(t => t.JobId).Distinct(StringComparer.Ordinal));
            throw new CompassInputException("study", $"{where} and job {live} still has {queue.Count} array tasks queued or running on it; wait for them, cancel them (scancel {live}), or submit the changed study into another folder with --out");
        }
    }

    private static string JobName(string study) => "compass-" + new string([.. study.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);

    private static string WorkerArguments(string studyDirectory, StudyArguments args)
    {
        var parts = new List<string> { "sweep", studyDirectory, "--worker", "--quiet" };
        foreach (var d in args.PluginDirectories) parts.AddRange(["--plugins", Path.GetFullPath(d)]);
        return string.Join(' ', parts.Select(SlurmScript.Quote));
    }

    private static int Resubmit(StudyArguments args, ClusterArguments cluster, TextWriter stdout)
    {
        var dir = StudyDirectory(args.StudyFile, args.OutDirectory);
        var manifest = StudyManifest.Load(dir);
        var files = new ClusterStudy(dir);
        var jobs = files.Jobs();
        var queue = SlurmCommands.Queue([.. jobs.Select(j => j.JobId)]) ?? throw new CompassInputException("--resubmit-missing", "squeue cannot be asked: resubmitting without knowing what is still queued could run points twice");
        var statuses = files.Status(manifest, queue);
        var shards = statuses.Where(s => s.State is ClusterPointState.Failed or ClusterPointState.Missing).Select(s => s.Shard).Distinct().Order().ToList();
        // A shard with a queued or running task is left alone: that task will reach its points.
        shards.RemoveAll(s => queue.Any(t => t.TaskId == s));
        if (shards.Count == 0)
        {
            stdout.WriteLine($"nothing to resubmit: {statuses.Count(s => s.State == ClusterPointState.Done)} of {statuses.Count} points done, the rest queued or running");
            return 0;
        }
        var script = SlurmScript.Build(cluster.Slurm!, JobName(manifest.Study.Name), dir, shards, WorkerArguments(dir, args));
        if (cluster.DryRun)
        {
            stdout.Write(script);
            return 0;
        }
        var points = statuses.Count(s => shards.Contains(s.Shard) && s.State != ClusterPointState.Done);
        var job = files.Submit(script, shards, SlurmCommands.Submit);
        stdout.WriteLine(args.Quiet ? job.JobId : $"job {job.JobId}: {shards.Count} array tasks resubmitted ({StudyManifest.ArraySpec(shards)}) for {points} failed or missing points");
        return 0;
    }

    private static int Status(StudyArguments args, TextWriter stdout)
    {
        var dir = StudyDirectory(args.StudyFile, args.OutDirectory);
        var manifest = StudyManifest.Load(dir);
        var files = new ClusterStudy(dir);
        var jobs = files.Jobs();
        var queue = SlurmCommands.Queue([.. jobs.Select(j => j.JobId)]);
        var statuses = files.Status(manifest, queue);
        int Count(ClusterPointState s) => statuses.Count(p => p.State == s);
        stdout.WriteLine($"{manifest.Study.Name}: {statuses.Count} points in {manifest.Shards} shards; jobs {(jobs.Count == 0 ? "none" : string.Join(", ", jobs.Select(j => j.JobId)))}{(queue is null ? " (squeue unavailable: queued and running points show as missing or failed)" : $", {queue.Count} array tasks in the queue")}");
        stdout.WriteLine($"  done {Count(ClusterPointState.Done)}, running {Count(ClusterPointState.Running)}, pending {Count(ClusterPointState.Pending)}, failed {Count(ClusterPointState.Failed)}, missing {Count(ClusterPointState.Missing)}");
        foreach (var s in statuses.Where(p => p.State is ClusterPointState.Running or ClusterPointState.Failed or ClusterPointState.Missing || (p.State == ClusterPointState.Done && p.Detail is not null)))
            stdout.WriteLine($"  point {s.Point.Index} [{s.Shard}] {s.Point.Label}: {s.State.ToString().ToLowerInvariant()}{(s.Detail is null ? "" : " — " + s.Detail)}");
        if (Count(ClusterPointState.Failed) + Count(ClusterPointState.Missing) > 0 && queue is not null)
            stdout.WriteLine($"resubmit them: compass sweep {dir} --backend slurm --resubmit-missing");
        if (Count(ClusterPointState.Done) > 0) stdout.WriteLine($"merge the finished points: compass results collect {dir}");
        return 0;
    }

    private static int Worker(StudyArguments args, ClusterArguments cluster, TextWriter stdout, TextWriter stderr)
    {
        if (cluster.Shard is not { } shard) throw new CompassInputException("--shard", "--worker needs --shard N (the array task id)");
        var dir = StudyDirectory(args.StudyFile, args.OutDirectory);
        var manifest = StudyManifest.Load(dir);
        var points = manifest.ShardPoints(shard);
        _ = CompassCli.PluginDirectories(args.PluginDirectories);
        var explorer = new HostPointExplorer(args.PluginDirectories);
        var runner = new StudyRunner(explorer, dir, database: null);
        var files = new ClusterStudy(dir);
        var cpus = int.TryParse(Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : 1;
        var parallel = args.Parallel ?? Math.Max(1, cpus / Math.Max(1, manifest.Study.ThreadsPerPoint));
        var stamp = new WorkerStamp(Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID"), shard, Environment.MachineName, "");
        var failed = 0;
        using var stop = new CancellationTokenSource();
        var interrupted = false;
        SweepCommand.WithInterrupts(stop, () => interrupted = true, () =>
        {
            try
            {
                Parallel.ForEach(points, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = stop.Token }, point =>
                {
                    if (runner.Finished(point) is not null) return;
                    files.Stamp(point, stamp with { StartedAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) });
                    var r = runner.RunPoint(point, manifest.Kind, manifest.Study.Name, null, stop.Token);
                    if (PointStatus.IsFinal(r.Status))
                    {
                        if (!args.Quiet) stdout.WriteLine($"point {point.Index} {point.Label}: {r.Status} ({r.WallSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");
                        return;
                    }
                    Interlocked.Increment(ref failed);
                    // Not final: the file tells --status why; a resubmitted worker runs the point again.
                    if (r.Status != PointStatus.Interrupted) r.Save(Path.Combine(runner.PointDirectory(point.Id), PointResult.FileName));
                    stderr.WriteLine($"warning: point {point.Index} ({point.Label}): {r.Status}{(r.Error is null ? "" : ": " + r.Error)}");
                });
            }
            catch (OperationCanceledException)
            {
                interrupted = true;
            }
            return 0;
        });
        if (interrupted) return CompassCli.Interrupted;
        return failed > 0 ? CompassCli.UnexpectedFailure : 0;
    }

    /// <summary>
    /// The Slurm backend of <c>compass codesign</c>: each batch of independent points (a generation of packages × seeds,
    /// or a rung's promoted packages) becomes the study's point list and one array job; the driver waits (polling the
    /// result files and <c>squeue</c>, 1 s doubling to 30 s) until every point has a final result or the job has left
    /// the queue. The search then reuses the finished points; any the cluster did not finish run here.
    /// </summary>
    public static Action<IReadOnlyList<StudyPoint>, CancellationToken> SlurmBatches(StudyDefinition study, string studyDirectory, SlurmSettings slurm, StudyArguments args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(slurm);
        ArgumentNullException.ThrowIfNull(args);
        return (points, cancellationToken) =>
        {
            if (points.Count == 0) return;
            var manifest = new StudyManifest("codesign", study, points, slurm.Tasks ?? points.Count);
            manifest.Save(studyDirectory);
            var shards = Enumerable.Range(0, manifest.Shards).ToList();
            var files = new ClusterStudy(studyDirectory);
            var job = files.Submit(SlurmScript.Build(slurm, JobName(study.Name), studyDirectory, shards, WorkerArguments(studyDirectory, args)), shards, SlurmCommands.Submit);
            if (!args.Quiet) stdout.WriteLine($"job {job.JobId}: {points.Count} points in {manifest.Shards} array tasks");
            bool Finished(StudyPoint p) => PointResult.TryLoad(Path.Combine(files.PointDirectory(p.Id), PointResult.FileName)) is { } r && PointStatus.IsFinal(r.Status);
            var wait = TimeSpan.FromSeconds(1);
            var blind = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var queue = SlurmCommands.Queue([job.JobId]);
                // Files first, queue second: a task that wrote its last result and left the queue in between is seen done.
                if (points.All(Finished)) return;
                blind = queue is null ? blind + 1 : 0;
                if ((queue is not null && queue.Count == 0) || blind >= 3)
                {
                    var left = points.Count(p => !Finished(p));
                    if (left > 0) stderr.WriteLine($"warning: job {job.JobId} ended with {left} of {points.Count} points unfinished (see {SlurmScript.Folder}/logs/{job.JobId}_*.out); running them here");
                    return;
                }
                cancellationToken.WaitHandle.WaitOne(wait);
                wait = TimeSpan.FromSeconds(Math.Min(30, wait.TotalSeconds * 2));
            }
        };
    }

    /// <summary><c>compass results collect STUDY</c>: merges the result files of a submitted study into its database (idempotent) and writes the report.</summary>
    public static int Collect(string studyOrFolder, string? database, TextWriter stdout)
    {
        var dir = StudyDirectory(studyOrFolder, null);
        var manifest = StudyManifest.Load(dir);
        var dbPath = Path.GetFullPath(database ?? Path.Combine(dir, manifest.Study.Name + ".db"));
        using var db = StudyDatabase.Open(dbPath);
        var merged = new ClusterStudy(dir).Collect(manifest, db);
        var report = StudyReportWriter.Write(dir, manifest.Study.Name, db);
        stdout.WriteLine($"{merged} of {manifest.Points.Count} points merged into {dbPath} ({db.Count()} rows); report {report}");
        if (merged < manifest.Points.Count) stdout.WriteLine($"{manifest.Points.Count - merged} points not finished: compass sweep {dir} --status");
        return 0;
    }
}
