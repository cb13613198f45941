using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Reporting.Files;
using Compass.Studies.Points;
using Compass.Studies.Results;

namespace Compass.Studies.Cluster;

/// <summary>A job submitted for a study (one line of <c>slurm/jobs.json</c>).</summary>
/// <param name="JobId">Slurm job id of the array.</param>
/// <param name="Shards">The array indices (shards) it runs.</param>
/// <param name="Script">The batch script's path.</param>
/// <param name="SubmittedAt">UTC, ISO 8601.</param>
public sealed record SubmittedJob(string JobId, IReadOnlyList<int> Shards, string Script, string SubmittedAt);

/// <summary>Where one point of a study handed to a cluster stands.</summary>
public enum ClusterPointState
{
    /// <summary>A result file with a final status exists.</summary>
    Done,

    /// <summary>A worker is exploring it now.</summary>
    Running,

    /// <summary>Its array task is queued, or running and not at this point yet.</summary>
    Pending,

    /// <summary>It failed (a non-final result file), or its task left the queue after starting it without a result (killed, preempted, out of time).</summary>
    Failed,

    /// <summary>No result and no task of a known job will run it (never submitted, or cancelled before it started).</summary>
    Missing,
}

/// <summary>One point's state with what explains it.</summary>
/// <param name="Point">The point.</param>
/// <param name="Shard">Its shard (array index).</param>
/// <param name="State">Its state.</param>
/// <param name="Result">Its result file, when there is one.</param>
/// <param name="Detail">The error, or the job and task running it.</param>
public sealed record ClusterPointStatus(StudyPoint Point, int Shard, ClusterPointState State, PointResult? Result, string? Detail);

/// <summary>What a worker records when it starts a point (<c>points/&lt;id&gt;/worker.json</c>), so a point whose task vanished can be told from one never started.</summary>
/// <param name="JobId">Slurm job id (<c>SLURM_ARRAY_JOB_ID</c>), or null outside Slurm.</param>
/// <param name="TaskId">Array task id.</param>
/// <param name="Host">The node.</param>
/// <param name="StartedAt">UTC, ISO 8601.</param>
public sealed record WorkerStamp(string? JobId, int TaskId, string Host, string StartedAt);

/// <summary>
/// A study folder run by a cluster's scheduler: the point list (<see cref="StudyManifest"/>), the submitted jobs
/// (<c>slurm/jobs.json</c>), the per-point result files written by the workers, and the merge of those files into the
/// study database (<see cref="Collect"/>). Workers write files only; the database is written by one process.
/// </summary>
public sealed class ClusterStudy(string studyDirectory)
{
    /// <summary>The worker stamp's file name inside a point folder.</summary>
    public const string StampFileName = "worker.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The study folder.</summary>
    public string Directory { get; } = Path.GetFullPath(studyDirectory);

    /// <summary>The job record file.</summary>
    public string JobsFile => Path.Combine(Directory, SlurmScript.Folder, "jobs.json");

    /// <summary>The jobs submitted so far, oldest first.</summary>
    public IReadOnlyList<SubmittedJob> Jobs() =>
        File.Exists(JobsFile) ? JsonSerializer.Deserialize<List<SubmittedJob>>(File.ReadAllText(JobsFile), Json) ?? [] : [];

    /// <summary>
    /// Writes the batch script for <paramref name="shards"/>, submits it with <c>sbatch</c> and records the job.
    /// Returns the job.
    /// </summary>
    public SubmittedJob Submit(string script, IReadOnlyList<int> shards, Func<string, string> submit)
    {
        ArgumentNullException.ThrowIfNull(submit);
        var folder = Path.Combine(Directory, SlurmScript.Folder);
        System.IO.Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var jobs = Jobs().ToList();
        var scriptPath = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"submit-{jobs.Count + 1}.sbatch"));
        AtomicFile.WriteAllText(scriptPath, script);
        var id = submit(scriptPath);
        var job = new SubmittedJob(id, shards, scriptPath, Now());
        jobs.Add(job);
        AtomicFile.WriteAllText(JobsFile, JsonSerializer.Serialize(jobs, Json) + "\n");
        return job;
    }

    /// <summary>Path of a point's folder.</summary>
    public string PointDirectory(string id) => Path.Combine(Directory, StudyRunner.PointsFolder, id);

    /// <summary>Records that a worker started a point.</summary>
    public void Stamp(StudyPoint point, WorkerStamp stamp)
    {
        ArgumentNullException.ThrowIfNull(point);
        System.IO.Directory.CreateDirectory(PointDirectory(point.Id));
        AtomicFile.WriteAllText(Path.Combine(PointDirectory(point.Id), StampFileName), JsonSerializer.Serialize(stamp, Json) + "\n");
    }

    private WorkerStamp? ReadStamp(string id)
    {
        var path = Path.Combine(PointDirectory(id), StampFileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<WorkerStamp>(File.ReadAllText(path), Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every point's state from the result files, the worker stamps and the queue (<paramref name="queue"/>: the
    /// study's array tasks still queued, or null when the queue cannot be asked; points are then done, failed or missing).
    /// </summary>
    public IReadOnlyList<ClusterPointStatus> Status(StudyManifest manifest, IReadOnlyList<QueuedTask>? queue)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var live = (queue ?? []).GroupBy(t => t.TaskId).ToDictionary(g => g.Key, g => g.ToList());
        var list = new List<ClusterPointStatus>();
        for (var i = 0; i < manifest.Points.Count; i++)
        {
            var point = manifest.Points[i];
            var shard = manifest.ShardOf(i);
            var result = PointResult.TryLoad(Path.Combine(PointDirectory(point.Id), PointResult.FileName));
            var tasks = live.GetValueOrDefault(shard) ?? [];
            var stamp = ReadStamp(point.Id);
            ClusterPointStatus Of(ClusterPointState s, string? detail) => new(point, shard, s, result, detail);
            if (result is not null && PointStatus.IsFinal(result.Status))
            {
                list.Add(Of(ClusterPointState.Done, result.Status == PointStatus.Completed ? null : result.Status + (result.Error is null ? "" : ": " + result.Error)));
                continue;
            }
            var running = tasks.FirstOrDefault(t => t.State is "RUNNING" or "COMPLETING" or "CONFIGURING");
            if (running is not null && stamp is not null && stamp.JobId == running.JobId && (result is null || string.CompareOrdinal(result.FinishedAt, stamp.StartedAt) < 0))
                list.Add(Of(ClusterPointState.Running, $"job {running.JobId}_{running.TaskId} on {stamp.Host} since {stamp.StartedAt}"));
            else if (tasks.Count > 0)
                list.Add(Of(ClusterPointState.Pending, $"job {tasks[0].JobId}_{tasks[0].TaskId} {tasks[0].State.ToLowerInvariant()}"));
            else if (result is not null)
                list.Add(Of(ClusterPointState.Failed, result.Status + (result.Error is null ? "" : ": " + result.Error)));
            else if (stamp is not null)
                list.Add(Of(ClusterPointState.Failed, $"started by job {stamp.JobId}_{stamp.TaskId} on {stamp.Host} at {stamp.StartedAt}, no result (task killed, preempted or out of time; see {SlurmScript.Folder}/logs/{stamp.JobId}_{stamp.TaskId}.out)"));
            else
                list.Add(Of(ClusterPointState.Missing, null));
        }
        return list;
    }

    /// <summary>
    /// Merges every final result file of the manifest's points into <paramref name="database"/> (rows keyed by point id,
    /// replaced: running it twice changes nothing) and returns how many rows it wrote.
    /// </summary>
    public int Collect(StudyManifest manifest, StudyDatabase database)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(database);
        database.RecordStudy(manifest.Study, manifest.Kind);
        var results = new List<PointResult>();
        foreach (var point in manifest.Points)
        {
            var r = PointResult.TryLoad(Path.Combine(PointDirectory(point.Id), PointResult.FileName));
            if (r is null || !PointStatus.IsFinal(r.Status)) continue;
            // Same physics, same id: a result another study left in this folder is re-labelled for this point.
            results.Add(r.Index == point.Index && r.Kind == manifest.Kind && r.Study == manifest.Study.Name ? r : StudyRunner.Label(r, point, manifest.Kind, manifest.Study.Name));
        }
        database.UpsertMany(results);
        return results.Count;
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
