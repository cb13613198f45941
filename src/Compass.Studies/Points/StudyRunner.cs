using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Compass.Reporting.Files;
using Compass.Studies.Results;

namespace Compass.Studies.Points;

/// <summary>What a study run reports after each point.</summary>
/// <param name="Done">Points finished so far (including ones finished by an earlier run).</param>
/// <param name="Total">Points of the study.</param>
/// <param name="Failed">Points that ended without a valid mapping or with an error.</param>
/// <param name="Last">The point that just finished, or null for the initial report.</param>
public sealed record StudyProgress(int Done, int Total, int Failed, PointResult? Last);

/// <summary>
/// Runs a list of points with bounded parallelism, resumable point by point. Layout of a study folder:
/// <c>points/&lt;id&gt;/scenario.json</c> (the point's scenario), <c>points/&lt;id&gt;/run/</c> (the exploration's
/// files), <c>points/&lt;id&gt;/result.json</c> (written by atomic rename when the point ends; its presence with a
/// final status marks the point done). The database is filled from the result files, idempotently. Without a database
/// (a cluster worker: no SQLite over a network file system) only the result files are written.
/// </summary>
public sealed class StudyRunner(IPointExplorer explorer, string studyDirectory, StudyDatabase? database)
{
    /// <summary>Folder of the points inside the study folder.</summary>
    public const string PointsFolder = "points";

    /// <summary>The study folder.</summary>
    public string StudyDirectory { get; } = Path.GetFullPath(studyDirectory);

    /// <summary>Folder of one point.</summary>
    public string PointDirectory(string id) => Path.Combine(StudyDirectory, PointsFolder, id);

    /// <summary>The finished result of a point from an earlier run, or null when it must run.</summary>
    public PointResult? Finished(StudyPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        var r = PointResult.TryLoad(Path.Combine(PointDirectory(point.Id), PointResult.FileName));
        return r is not null && PointStatus.IsFinal(r.Status) ? r : null;
    }

    /// <summary>
    /// Runs every point not finished yet, <paramref name="parallel"/> at a time, in index order, and returns every
    /// point's result in index order (points not run because of cancellation are left out).
    /// </summary>
    /// <param name="points">The points.</param>
    /// <param name="kind">The <c>kind</c> column (<c>sweep</c>, <c>codesign</c>).</param>
    /// <param name="study">Study name.</param>
    /// <param name="parallel">Points at a time.</param>
    /// <param name="progress">Called after each point (from worker threads, one at a time).</param>
    /// <param name="decorate">Adds kind-specific fields (the rung of a co-exploration) to a result before it is saved.</param>
    /// <param name="cancellationToken">Stops starting points; running ones are cancelled and rerun on resume.</param>
    public IReadOnlyList<PointResult> Run(IReadOnlyList<StudyPoint> points, string kind, string study, int parallel,
        Action<StudyProgress>? progress, Func<StudyPoint, PointResult, PointResult>? decorate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        var results = new PointResult?[points.Count];
        var done = new List<PointResult>();
        for (var i = 0; i < points.Count; i++)
        {
            if (Finished(points[i]) is { } r)
            {
                // Same physics, same id: reuse the finished result, re-labelled for this study's index and axes.
                results[i] = Label(r, points[i], kind, study, decorate);
                done.Add(results[i]!);
            }
        }
        database?.UpsertMany(done);
        var gate = new Lock();
        var doneCount = done.Count;
        var failed = done.Count(r => r.Status != PointStatus.Completed);
        progress?.Invoke(new StudyProgress(doneCount, points.Count, failed, null));
        var pending = Enumerable.Range(0, points.Count).Where(i => results[i] is null).ToList();
        try
        {
            Parallel.ForEach(
                System.Collections.Concurrent.Partitioner.Create(pending, loadBalance: true),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = cancellationToken },
                i =>
                {
                    var r = RunPoint(points[i], kind, study, decorate, cancellationToken);
                    results[i] = r;
                    lock (gate)
                    {
                        if (PointStatus.IsFinal(r.Status)) database?.Upsert(r);
                        doneCount++;
                        if (r.Status != PointStatus.Completed) failed++;
                        progress?.Invoke(new StudyProgress(doneCount, points.Count, failed, r));
                    }
                });
        }
        catch (OperationCanceledException)
        {
            // Points not started stay pending; a resumed run picks them up.
        }
        return [.. results.Where(r => r is not null)!];
    }

    /// <summary>A finished result re-labelled for <paramref name="point"/> of this study (index, kind, study name, axis values): the same physics reused.</summary>
    public static PointResult Label(PointResult r, StudyPoint point, string kind, string study) => Label(r, point, kind, study, null);

    private static PointResult Label(PointResult r, StudyPoint point, string kind, string study, Func<StudyPoint, PointResult, PointResult>? decorate)
    {
        var labelled = r with { Index = point.Index, Kind = kind, Study = study, Values = Values(point) };
        return decorate is null ? labelled : decorate(point, labelled);
    }

    private static JsonObject Values(StudyPoint point)
    {
        var o = new JsonObject();
        foreach (var v in point.Values) o[v.Axis] = v.Value.DeepClone();
        return o;
    }

    /// <summary>Records a point that is decided without an exploration (a package over the cost limit): result file and database row.</summary>
    public PointResult Record(StudyPoint point, string kind, string study, string status, string? error, PointMetrics? metrics, Func<StudyPoint, PointResult, PointResult>? decorate)
    {
        ArgumentNullException.ThrowIfNull(point);
        var result = new PointResult
        {
            Id = point.Id,
            Index = point.Index,
            Kind = kind,
            Study = study,
            Seed = point.Seed,
            Values = Values(point),
            ScenarioJson = point.ScenarioJson,
            Status = status,
            Error = error,
            Metrics = metrics,
            FinishedAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
        if (decorate is not null) result = decorate(point, result);
        Directory.CreateDirectory(PointDirectory(point.Id));
        result.Save(Path.Combine(PointDirectory(point.Id), PointResult.FileName));
        database?.Upsert(result);
        return result;
    }

    /// <summary>Runs one point now (whatever earlier runs left) and saves its result file.</summary>
    public PointResult RunPoint(StudyPoint point, string kind, string study, Func<StudyPoint, PointResult, PointResult>? decorate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(point);
        var folder = PointDirectory(point.Id);
        // A run folder a killed attempt left behind is the explorer's to clear (after it takes the folder's lock).
        var run = Path.Combine(folder, "run");
        Directory.CreateDirectory(folder);
        var scenarioFile = Path.Combine(folder, "scenario.json");
        AtomicFile.WriteAllText(scenarioFile, JsonNode.Parse(point.ScenarioJson)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        var clock = Stopwatch.StartNew();
        PointOutcome outcome;
        try
        {
            outcome = explorer.Explore(scenarioFile, run, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            outcome = new PointOutcome(PointStatus.Failed, $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", null, null, null);
        }
        var result = new PointResult
        {
            Id = point.Id,
            Index = point.Index,
            Kind = kind,
            Study = study,
            Seed = point.Seed,
            Values = Values(point),
            ScenarioJson = point.ScenarioJson,
            Optimizer = outcome.Optimizer,
            BudgetEvaluations = outcome.BudgetEvaluations,
            Status = outcome.Status,
            Error = outcome.Error,
            Metrics = outcome.Metrics,
            WallSeconds = clock.Elapsed.TotalSeconds,
            OutputDirectory = Path.GetRelativePath(StudyDirectory, run),
            FinishedAt = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
        if (decorate is not null) result = decorate(point, result);
        if (PointStatus.IsFinal(result.Status)) result.Save(Path.Combine(folder, PointResult.FileName));
        return result;
    }
}
