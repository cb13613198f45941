using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Studies.Cluster;
using Compass.Studies.Definition;
using Compass.Studies.Points;
using Compass.Studies.Results;

namespace Compass.Studies.Tests;

/// <summary>The cluster side of studies without a cluster: the point list, shards, script, status from files and a given queue, and collect.</summary>
public sealed class ClusterStudyTests
{
    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "compass-studies-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A 5-point study (bw 32, 64, 128, 256, 512) with tiny scenarios.</summary>
    private static StudyManifest Manifest(int shards)
    {
        var study = StudyFile.Parse("""{ "name": "c", "axes": [ { "name": "bw", "path": "link.bw", "values": [32, 64, 128, 256, 512] } ], "seeds": [7] }""", "c.json", Path.GetTempPath());
        var points = study.Axes[0].Values.Select((v, i) =>
        {
            var scenario = new JsonObject { ["link"] = new JsonObject { ["bw"] = v!.DeepClone() }, ["seed"] = 7 }.ToJsonString();
            return new StudyPoint(i, StudyPoint.IdOf(scenario), 7, [new AxisAssignment("bw", v!.DeepClone())], scenario);
        }).ToList();
        return new StudyManifest("sweep", study, points, shards);
    }

    private static PointResult Result(StudyPoint p, string status, double edp = 1e-3) => new()
    {
        Id = p.Id,
        Index = p.Index,
        Kind = "sweep",
        Study = "c",
        Seed = p.Seed,
        Values = new JsonObject { ["bw"] = p.Values[0].Value.DeepClone() },
        ScenarioJson = p.ScenarioJson,
        Status = status,
        Error = status == PointStatus.Completed ? null : "boom",
        Metrics = status == PointStatus.Completed ? new PointMetrics { LatencyNs = 1e6 / (p.Index + 1), EnergyPj = 3e9, EdpJs = edp, Objective = edp } : null,
        WallSeconds = 0.25 + p.Index,
        FinishedAt = "2026-01-01T00:00:00.000Z",
    };

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 7, 0, 2, 3, 9, 10, 3 }, "0,2-3,7,9-10")]
    [InlineData(new[] { 5 }, "5")]
    public void ArraySpecFoldsRuns(int[] indices, string spec) => Assert.Equal(spec, StudyManifest.ArraySpec(indices));

    [Fact]
    public void PointsAreDealtRoundRobinAndEveryPointIsInExactlyOneShard()
    {
        var m = Manifest(2);
        Assert.Equal([0, 2, 4], m.ShardPoints(0).Select(p => p.Index));
        Assert.Equal([1, 3], m.ShardPoints(1).Select(p => p.Index));
        // More shards than points: one point per shard.
        Assert.Equal(5, Manifest(9).Shards);
        var e = Assert.Throws<CompassInputException>(() => m.ShardPoints(2));
        Assert.Equal("--shard", e.Field);
    }

    [Fact]
    public void TheManifestRoundTripsAndRefusesAnEditedScenario()
    {
        var dir = TempDir();
        var m = Manifest(3);
        m.Save(dir);
        var back = StudyManifest.Load(dir);
        Assert.Equal(3, back.Shards);
        Assert.Equal("c", back.Study.Name);
        Assert.Equal(m.Points.Select(p => (p.Index, p.Id, p.Seed, p.ScenarioJson, p.Label)), back.Points.Select(p => (p.Index, p.Id, p.Seed, p.ScenarioJson, p.Label)));
        File.WriteAllText(StudyManifest.PathIn(dir), File.ReadAllText(StudyManifest.PathIn(dir)).Replace("512", "513", StringComparison.Ordinal));
        Assert.Contains("does not match", Assert.Throws<CompassInputException>(() => StudyManifest.Load(dir)).Message, StringComparison.Ordinal);
        Assert.Contains("submit the study", Assert.Throws<CompassInputException>(() => StudyManifest.Load(TempDir())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheScriptRunsTheWorkerOnItsArrayTaskWithEveryOption()
    {
        var settings = new SlurmSettings { Partition = "short", TimeLimit = "0-01:00:00", CpusPerTask = 4, Throttle = 3, ExtraDirectives = ["--mem=8G", "#SBATCH --account=x"], SetupLines = ["module load dotnet/10"], WorkerCommand = "compass" };
        var script = SlurmScript.Build(settings, "compass-c", "/shared/c", [0, 1, 2, 5], "sweep /shared/c --worker --quiet");
        Assert.StartsWith("#!/bin/bash\n", script, StringComparison.Ordinal);
        foreach (var line in new[] { "#SBATCH --array=0-2,5%3", "#SBATCH --partition=short", "#SBATCH --time=0-01:00:00", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=8G", "#SBATCH --account=x", "#SBATCH --output=/shared/c/slurm/logs/%A_%a.out", "module load dotnet/10" })
            Assert.Contains(line + "\n", script, StringComparison.Ordinal);
        Assert.EndsWith("exec compass sweep /shared/c --worker --quiet --shard \"$SLURM_ARRAY_TASK_ID\"\n", script, StringComparison.Ordinal);
        // Setup lines come after every directive: sbatch stops reading #SBATCH at the first command.
        Assert.True(script.IndexOf("module load", StringComparison.Ordinal) > script.LastIndexOf("#SBATCH", StringComparison.Ordinal));
        Assert.Equal("'a b'", SlurmScript.Quote("a b"));
        Assert.Equal("'it'\\''s'", SlurmScript.Quote("it's"));
        Assert.Equal("/x/compass.dll", SlurmScript.Quote("/x/compass.dll"));
        Assert.Equal("--time-limit", Assert.Throws<CompassInputException>(() => (settings with { TimeLimit = "1 hour" }).Validate()).Field);
        Assert.Equal("--array-throttle", Assert.Throws<CompassInputException>(() => (settings with { Throttle = 0 }).Validate()).Field);
        Assert.Equal("--sbatch", Assert.Throws<CompassInputException>(() => (settings with { ExtraDirectives = ["--mem=1G\nrm -rf /"] }).Validate()).Field);
    }

    [Fact]
    public void StatusComesFromTheResultFilesTheWorkerStampsAndTheQueue()
    {
        var dir = TempDir();
        var m = Manifest(5);
        var files = new ClusterStudy(dir);
        var p = m.Points;
        Directory.CreateDirectory(files.PointDirectory(p[0].Id));
        Result(p[0], PointStatus.Completed).Save(Path.Combine(files.PointDirectory(p[0].Id), PointResult.FileName));
        // Point 1: started by job 10's task 1, which is still running.
        files.Stamp(p[1], new WorkerStamp("10", 1, "node1", "2026-01-01T00:00:00.000Z"));
        // Point 2: its task is still pending. Point 3: started by a task that has left the queue, no result (killed).
        files.Stamp(p[3], new WorkerStamp("10", 3, "node2", "2026-01-01T00:00:00.000Z"));
        // Point 4: its worker wrote a failure.
        Directory.CreateDirectory(files.PointDirectory(p[4].Id));
        Result(p[4], PointStatus.Failed).Save(Path.Combine(files.PointDirectory(p[4].Id), PointResult.FileName));
        var queue = new[] { new QueuedTask("10", 1, "RUNNING"), new QueuedTask("10", 2, "PENDING") };
        var s = files.Status(m, queue);
        Assert.Equal([ClusterPointState.Done, ClusterPointState.Running, ClusterPointState.Pending, ClusterPointState.Failed, ClusterPointState.Failed], s.Select(x => x.State));
        Assert.Contains("node2", s[3].Detail, StringComparison.Ordinal);
        Assert.Contains("boom", s[4].Detail, StringComparison.Ordinal);
        // Without the queue, a point nobody started is missing; a running one looks failed (stamped, no result).
        var blind = files.Status(m, null);
        Assert.Equal([ClusterPointState.Done, ClusterPointState.Failed, ClusterPointState.Missing, ClusterPointState.Failed, ClusterPointState.Failed], blind.Select(x => x.State));
    }

    [Fact]
    public void CollectMergesOnlyFinalResultsAndTwiceChangesNothing()
    {
        var dir = TempDir();
        var m = Manifest(2);
        var files = new ClusterStudy(dir);
        for (var i = 0; i < 4; i++)
        {
            Directory.CreateDirectory(files.PointDirectory(m.Points[i].Id));
            Result(m.Points[i], i == 3 ? PointStatus.Failed : i == 2 ? PointStatus.NoValidMapping : PointStatus.Completed, edp: 1.0 / (3 + i)).Save(Path.Combine(files.PointDirectory(m.Points[i].Id), PointResult.FileName));
        }
        using var db = StudyDatabase.Open(Path.Combine(dir, "c.db"));
        Assert.Equal(3, files.Collect(m, db));
        var first = db.Table(includeScenario: true).Rows.Select(r => string.Join('|', r)).ToList();
        Assert.Equal(3, files.Collect(m, db));
        Assert.Equal(first, db.Table(includeScenario: true).Rows.Select(r => string.Join('|', r)).ToList());
        Assert.Equal(3, db.Count());
        Assert.Equal(1.0 / 3, db.Points().Single(r => r.Index == 0).Metrics!.EdpJs);
        Assert.Equal("sweep", db.Meta("kind"));
        Assert.Equal("5", db.Meta("grid_size"));
    }
}
