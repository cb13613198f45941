using System.Diagnostics;
using System.Text.RegularExpressions;
using Compass.Studies.Results;

namespace Compass.Host.Tests;

/// <summary>
/// <c>compass sweep --backend slurm</c> against a real single-node Slurm cluster (<see cref="SlurmCluster"/>): submit,
/// wait for the array, collect, and compare with the local backend bit for bit; then lose a point and resubmit it.
/// </summary>
public sealed class SlurmBackendTests
{
    [Fact]
    public void ASweepRunAsASlurmJobArrayCollectsToTheSameDatabaseAsTheLocalBackendAndResubmitsALostPoint()
    {
        // 2 link bandwidths × 2 seeds = 4 points, dealt into 3 array tasks: task 0 runs points 0 and 3.
        var study = StudyCommandTests.WriteStudy(StudyCommandTests.BandwidthAxis, """, "seeds": [1, 2]""");
        var root = TestPaths.NewTempDir();
        var local = Path.Combine(root, "local");
        var remote = Path.Combine(root, "remote");
        var l = Cli.Run("sweep", study, "--out", local, "--quiet", "--plugins", TestPaths.PluginsDir);
        Assert.True(l.ExitCode == 0, l.StdErr);

        using var cluster = SlurmCluster.Start();
        HostResult Compass(params string[] args) => HostProcess.Run(TimeSpan.FromSeconds(60), cluster.Environment, args);
        string[] submit = ["sweep", study, "--out", remote, "--backend", "slurm", "--tasks", "3", "--array-throttle", "2", "--partition", SlurmCluster.Partition, "--time-limit", "10", "--setup", "echo worker on $(hostname)", "--plugins", TestPaths.PluginsDir];

        // --dry-run prints the batch script and writes nothing.
        var dry = Compass([.. submit, "--dry-run"]);
        Assert.True(dry.ExitCode == 0, dry.StdErr);
        Assert.Contains("#SBATCH --array=0-2%2\n", dry.StdOut, StringComparison.Ordinal);
        Assert.Contains($"#SBATCH --partition={SlurmCluster.Partition}\n", dry.StdOut, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --time=10\n", dry.StdOut, StringComparison.Ordinal);
        Assert.Contains("--worker --quiet", dry.StdOut, StringComparison.Ordinal);
        Assert.Contains("--shard \"$SLURM_ARRAY_TASK_ID\"", dry.StdOut, StringComparison.Ordinal);
        Assert.False(Directory.Exists(remote), "--dry-run wrote the study folder");

        var submitted = Compass([.. submit, "--quiet"]);
        Assert.True(submitted.ExitCode == 0, submitted.StdErr);
        var job = submitted.StdOut.Trim();
        Assert.Matches("^[0-9]+$", job);
        WaitUntilSettled(cluster, Compass, remote, 4);

        var first = Compass("results", "collect", remote);
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("4 of 4 points merged", first.StdOut, StringComparison.Ordinal);
        var db = Path.Combine(remote, "t.db");
        var afterFirst = AllColumns(db);
        // Idempotent: collecting again changes nothing, not even wall times.
        Assert.Equal(0, Compass("results", "collect", remote).ExitCode);
        Assert.Equal(afterFirst, AllColumns(db));
        // The same rows, bit for bit, as the local backend (wall time and finishing time aside).
        Assert.Equal(StudyCommandTests.Rows(Path.Combine(local, "t.db")), StudyCommandTests.Rows(db));
        // Every point ran under the array job, in its own array task's log.
        Assert.True(File.Exists(Path.Combine(remote, "slurm", "logs", $"{job}_0.out")), "no log of task 0");
        Assert.Contains("worker on", File.ReadAllText(Path.Combine(remote, "slurm", "logs", $"{job}_0.out")), StringComparison.Ordinal);

        // A preempted task: point 3's result is lost after its worker started it. --status calls it failed and
        // --resubmit-missing submits task 0 only, whose worker skips point 0 (finished) and runs point 3 again.
        using (var dbr = StudyDatabase.Open(db))
        {
            var lost = dbr.Points().Single(p => p.Index == 3);
            File.Delete(Path.Combine(remote, "points", lost.Id, PointResult.FileName));
        }
        var status = Compass("sweep", remote, "--status");
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Contains("done 3, running 0, pending 0, failed 1, missing 0", status.StdOut, StringComparison.Ordinal);
        var resubmitted = Compass("sweep", remote, "--backend", "slurm", "--resubmit-missing", "--partition", SlurmCluster.Partition, "--plugins", TestPaths.PluginsDir);
        Assert.True(resubmitted.ExitCode == 0, resubmitted.StdErr);
        Assert.Matches(@"^job [0-9]+: 1 array tasks resubmitted \(0\) for 1 failed or missing points", resubmitted.StdOut);
        Assert.Contains("#SBATCH --array=0\n", File.ReadAllText(Path.Combine(remote, "slurm", "submit-2.sbatch")), StringComparison.Ordinal);
        WaitUntilSettled(cluster, Compass, remote, 4);
        Assert.Equal(0, Compass("results", "collect", remote).ExitCode);
        Assert.Equal(StudyCommandTests.Rows(Path.Combine(local, "t.db")), StudyCommandTests.Rows(db));
        Assert.Equal("nothing to resubmit", Compass("sweep", remote, "--backend", "slurm", "--resubmit-missing").StdOut[..19]);
    }

    [Fact]
    public void CodesignRunsEachBatchOfInnerSearchesAsAJobArrayAndEndsWithTheLocalBackendsDatabase()
    {
        var dir = TestPaths.NewTempDir();
        var study = CodesignCommandTests.WriteStudy(dir, "[1]", """{ "hardwarePoints": 4, "populationSize": 2, "rungBudgets": [30, 60], "eta": 2 }""");
        var local = Path.Combine(dir, "local");
        var remote = Path.Combine(dir, "remote");
        var l = Cli.Run("codesign", study, "--out", local, "--quiet", "--plugins", TestPaths.PluginsDir);
        Assert.True(l.ExitCode == 0, l.StdErr);

        using var cluster = SlurmCluster.Start();
        var r = HostProcess.Run(TimeSpan.FromSeconds(240), cluster.Environment, "codesign", study, "--out", remote, "--backend", "slurm", "--partition", SlurmCluster.Partition, "--plugins", TestPaths.PluginsDir);
        Assert.True(r.ExitCode == 0, r.StdErr + cluster.Logs());
        // Two generations of two packages, then the best half again at the larger budget: one array job each.
        Assert.True(Regex.Count(r.StdOut, @"^job [0-9]+: [0-9]+ points in [0-9]+ array tasks$", RegexOptions.Multiline) >= 3, r.StdOut);
        Assert.DoesNotContain("running them here", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(StudyCommandTests.Rows(Path.Combine(local, "cd.db")), StudyCommandTests.Rows(Path.Combine(remote, "cd.db")));
        Assert.Equal(File.ReadAllLines(Path.Combine(local, "pareto.csv")), File.ReadAllLines(Path.Combine(remote, "pareto.csv")));
        Assert.True(Directory.GetFiles(Path.Combine(remote, "slurm", "logs")).Length >= 5, "the inner searches did not run as array tasks");
        // --status reads the last batch the driver submitted: every point of it done.
        var status = HostProcess.Run(TimeSpan.FromSeconds(60), cluster.Environment, "codesign", remote, "--status");
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Matches(@"done [1-9][0-9]*, running 0, pending 0, failed 0, missing 0", status.StdOut);
    }

    [Fact]
    public void AChangedStudyIsNotSubmittedIntoAFolderWhoseTasksAreStillQueued()
    {
        // Workers read study-points.json when their task starts: replacing it under a held job would make that job's
        // tasks run other points under the old shard numbering.
        var study = StudyCommandTests.WriteStudy(StudyCommandTests.BandwidthAxis, """, "seeds": [1]""");
        var remote = Path.Combine(TestPaths.NewTempDir(), "remote");
        using var cluster = SlurmCluster.Start();
        HostResult Compass(params string[] args) => HostProcess.Run(TimeSpan.FromSeconds(60), cluster.Environment, args);
        string[] submit = ["sweep", study, "--out", remote, "--backend", "slurm", "--partition", SlurmCluster.Partition, "--plugins", TestPaths.PluginsDir, "--quiet"];
        var held = Compass([.. submit, "--sbatch", "--hold"]);
        Assert.True(held.ExitCode == 0, held.StdErr + cluster.Logs());
        var job = held.StdOut.Trim();
        var manifest = File.ReadAllText(Path.Combine(remote, "study-points.json"));

        // The same points dealt into 1 task instead of 2: refused while the held job waits, the frozen list untouched.
        var changed = Compass([.. submit, "--tasks", "1"]);
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains($"scancel {job}", changed.StdErr, StringComparison.Ordinal);
        Assert.Single(changed.StdErr.Trim().Split('\n'));
        Assert.Equal(manifest, File.ReadAllText(Path.Combine(remote, "study-points.json")));
        Assert.Single(new Compass.Studies.Cluster.ClusterStudy(remote).Jobs());

        // Once the job has left the queue the changed study replaces the list.
        cluster.Cancel(job);
        var after = Compass([.. submit, "--tasks", "1", "--sbatch", "--hold"]);
        Assert.True(after.ExitCode == 0, after.StdErr);
        Assert.NotEqual(manifest, File.ReadAllText(Path.Combine(remote, "study-points.json")));
    }

    /// <summary>Polls <c>--status</c> until every point is done (at most 3 minutes); fails with the status, the task logs and the daemons' logs.</summary>
    private static void WaitUntilSettled(SlurmCluster cluster, Func<string[], HostResult> compass, string dir, int points)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            var s = compass(["sweep", dir, "--status"]);
            last = s.StdOut + s.StdErr;
            if (Regex.IsMatch(last, $@"done {points}, running 0, pending 0, failed 0, missing 0")) return;
            if (Regex.IsMatch(last, @"running 0, pending 0, failed [1-9]") || Regex.IsMatch(last, @"missing [1-9]")) break;
            Thread.Sleep(1000);
        }
        var logs = Directory.Exists(Path.Combine(dir, "slurm", "logs"))
            ? string.Join("\n", Directory.GetFiles(Path.Combine(dir, "slurm", "logs")).Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"))
            : "(no task logs)";
        Assert.Fail($"the array did not finish every point:\n{last}\n{logs}\n{cluster.Logs()}");
    }

    private static List<string> AllColumns(string dbPath)
    {
        using var db = StudyDatabase.Open(dbPath);
        var (_, rows) = db.Table(includeScenario: true);
        return [.. rows.Select(r => string.Join('|', r.Select(v => v is double d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : v?.ToString())))];
    }
}

/// <summary><c>--backend external</c>: the frozen point list run by hand, shard by shard, as any other scheduler would.</summary>
public sealed class ExternalBackendTests
{
    [Fact]
    public void WorkersStartedByHandOnEveryShardCollectToTheLocalBackendsRows()
    {
        var study = StudyCommandTests.WriteStudy(StudyCommandTests.BandwidthAxis, """, "seeds": [3]""");
        var root = TestPaths.NewTempDir();
        var local = Path.Combine(root, "local");
        var shared = Path.Combine(root, "shared");
        Assert.Equal(0, Cli.Run("sweep", study, "--out", local, "--quiet", "--plugins", TestPaths.PluginsDir).ExitCode);
        var prepared = Cli.Run("sweep", study, "--out", shared, "--backend", "external", "--tasks", "2", "--plugins", TestPaths.PluginsDir);
        Assert.True(prepared.ExitCode == 0, prepared.StdErr);
        Assert.Contains("2 points in 2 shards frozen into", prepared.StdOut, StringComparison.Ordinal);
        Assert.Contains("--worker --quiet --plugins", prepared.StdOut, StringComparison.Ordinal);
        // Before any worker ran: nothing to collect, and the status says so without squeue.
        Assert.Contains("0 of 2 points merged", Cli.Run("results", "collect", shared).StdOut, StringComparison.Ordinal);
        Assert.Contains("done 0, running 0, pending 0, failed 0, missing 2", Cli.Run("sweep", shared, "--status").StdOut, StringComparison.Ordinal);
        foreach (var shard in new[] { "1", "0" })
        {
            var w = Cli.Run("sweep", shared, "--worker", "--shard", shard, "--quiet", "--plugins", TestPaths.PluginsDir);
            Assert.True(w.ExitCode == 0, w.StdErr);
        }
        var bad = Cli.Run("sweep", shared, "--worker", "--shard", "2");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--shard", bad.StdErr, StringComparison.Ordinal);
        Assert.Contains("2 of 2 points merged", Cli.Run("results", "collect", shared).StdOut, StringComparison.Ordinal);
        Assert.Equal(StudyCommandTests.Rows(Path.Combine(local, "t.db")), StudyCommandTests.Rows(Path.Combine(shared, "t.db")));
    }
}
