using System.Diagnostics;
using System.Text.Json.Nodes;
using Compass.Studies.Results;

namespace Compass.Host.Tests;

/// <summary>End-to-end tests of <c>compass sweep</c>, <c>compass results</c> and <c>--db</c> on the shipped default scenario with small budgets.</summary>
public sealed class StudyCommandTests
{
    /// <summary>Small fixed settings so that a point takes about a second: 60 evaluations, a short trace.</summary>
    private const string SmallSet = """{ "budget.evaluations": 60, "budget.wallSeconds": 0, "workload.trace.options.requests": 400, "workload.warmupIterations": 20, "costModels.cost.name": "chiplet-actuary" }""";

    internal static string WriteStudy(string axes, string extra = "")
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "study.json");
        File.WriteAllText(path, $$"""{ "name": "t", "scenario": {{JsonValue.Create(Cli.DefaultScenarioPath).ToJsonString()}}, "set": {{SmallSet}}, "axes": {{axes}}{{extra}} }""");
        return path;
    }

    internal const string BandwidthAxis = """[ { "name": "linkGBps", "path": "hardware.package.link.bandwidthGBps", "values": [4, 128] } ]""";

    [Fact]
    public void LinkBandwidthSweepChangesTheResolvedScenarioAndTheEdpAndFillsOneRowPerPoint()
    {
        var study = WriteStudy(BandwidthAxis, """, "seeds": [1, 2], "parallel": 2""");
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("sweep", study, "--out", outDir, "--quiet", "--plugins", TestPaths.PluginsDir);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var db = StudyDatabase.Open(Path.Combine(outDir, "t.db"));
        var points = db.Points();
        Assert.Equal(4, db.Count());
        Assert.All(points, p => Assert.Equal(PointStatus.Completed, p.Status));

        var slow = points.Single(p => p.Seed == 1 && p.Values["linkGBps"]!.GetValue<int>() == 4);
        var fast = points.Single(p => p.Seed == 1 && p.Values["linkGBps"]!.GetValue<int>() == 128);
        double Bandwidth(PointResult p) => JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, p.OutputDirectory!, "scenario.resolved.json")))!["hardware"]!["package"]!["link"]!["bandwidthGBps"]!.GetValue<double>();
        Assert.Equal(4, Bandwidth(slow));
        Assert.Equal(128, Bandwidth(fast));
        // 32 times less link bandwidth cannot be faster, and on this mesh it is clearly slower.
        Assert.True(slow.Metrics!.LatencyNs > fast.Metrics!.LatencyNs * 1.05, $"{slow.Metrics.LatencyNs} vs {fast.Metrics.LatencyNs}");
        Assert.NotEqual(slow.Metrics.EdpJs, fast.Metrics.EdpJs);
        // Energy is the sum of its parts, and the Chiplet Actuary cost model priced every package.
        foreach (var p in points)
        {
            var m = p.Metrics!;
            Assert.Equal(m.EnergyPj, m.MacPj + m.BufferPj + m.VectorPj + m.NopPj + m.DramPj + m.StaticPj, m.EnergyPj * 1e-9);
            Assert.Equal(m.LatencyNs * 1e-9 * m.EnergyPj * 1e-12, m.EdpJs, m.EdpJs * 1e-9);
            Assert.Equal("chiplet-actuary", m.CostModel);
            Assert.True(m.CostUsd > 0);
            // The evaluator's lower bounds reach the database, and no mapping beats them.
            Assert.True(m.LowerBoundLatencyNs is > 0 && m.LowerBoundLatencyNs <= m.LatencyNs, $"{m.LowerBoundLatencyNs} vs {m.LatencyNs}");
            Assert.True(m.LowerBoundEnergyPj is > 0 && m.LowerBoundEnergyPj <= m.EnergyPj, $"{m.LowerBoundEnergyPj} vs {m.EnergyPj}");
        }
        // Wider links need bigger routers and PHYs: the package costs more.
        Assert.True(fast.Metrics.CostUsd > slow.Metrics.CostUsd);
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("EDP against linkGBps", html, StringComparison.Ordinal);
        Assert.Contains("EDP against package cost", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var csv = Cli.Run("results", Path.Combine(outDir, "t.db"), "--csv");
        Assert.Equal(0, csv.ExitCode);
        var lines = csv.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("point_id,point_index,kind,study,seed,linkGBps,status", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AKilledSweepResumesToTheSameDatabaseAsAnUninterruptedOne()
    {
        var study = WriteStudy("""[ { "name": "linkGBps", "path": "hardware.package.link.bandwidthGBps", "values": [8, 32, 128] }, { "name": "flow", "path": "hardware.package.slots.*", "values": ["compass-os", "compass-ws"] } ]""", """, "parallel": 1""");
        var whole = Path.Combine(TestPaths.NewTempDir(), "whole");
        Assert.Equal(0, Cli.Run("sweep", study, "--out", whole, "--quiet", "--plugins", TestPaths.PluginsDir).ExitCode);

        var killed = Path.Combine(TestPaths.NewTempDir(), "killed");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { TestPaths.HostDll, "sweep", study, "--out", killed, "--quiet" }) psi.ArgumentList.Add(a);
        using (var process = Process.Start(psi)!)
        {
            var clock = Stopwatch.StartNew();
            while (ResultFiles(killed) < 2 && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(50);
            Assert.False(process.HasExited, "the sweep ended before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var before = ResultFiles(killed);
        Assert.InRange(before, 2, 5);
        var resumed = Cli.Run("sweep", study, "--out", killed, "--plugins", TestPaths.PluginsDir);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"{before} of 6 points already finished (resumed)", resumed.StdOut, StringComparison.Ordinal);
        Assert.Equal(Rows(Path.Combine(whole, "t.db")), Rows(Path.Combine(killed, "t.db")));
    }

    [Fact]
    public void APointRerunIntoAPartialFolderClearsWhatAKilledRunLeftButNeverAFolderALiveRunHolds()
    {
        var study = WriteStudy(BandwidthAxis);
        var whole = Path.Combine(TestPaths.NewTempDir(), "whole");
        Assert.Equal(0, Cli.Run("sweep", study, "--out", whole, "--quiet", "--plugins", TestPaths.PluginsDir).ExitCode);
        var dir = Path.Combine(TestPaths.NewTempDir(), "partial");
        Assert.Equal(0, Cli.Run("sweep", study, "--out", dir, "--quiet", "--plugins", TestPaths.PluginsDir).ExitCode);
        List<PointResult> points;
        using (var db = StudyDatabase.Open(Path.Combine(dir, "t.db"))) points = [.. db.Points().OrderBy(p => p.Index)];
        string Run(PointResult p) => Path.Combine(dir, "points", p.Id, "run");

        // Point 0 as a killed run leaves it: no result, a half-written metrics.json, a lock of a process that is gone.
        File.Delete(Path.Combine(dir, "points", points[0].Id, PointResult.FileName));
        var metrics = Path.Combine(Run(points[0]), "metrics.json");
        File.WriteAllText(metrics, File.ReadAllText(metrics)[..40]);
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            gone.WaitForExit();
            File.WriteAllText(Path.Combine(Run(points[0]), Output.OutputFolder.LockFile), $"{gone.Id} 0\n");
        }
        // Point 1's folder is held by a live run (this test process), its result gone.
        File.Delete(Path.Combine(dir, "points", points[1].Id, PointResult.FileName));
        var heldMetrics = File.ReadAllText(Path.Combine(Run(points[1]), "metrics.json"));
        using (Output.OutputFolder.Open(Run(points[1]), "--out", force: false, resume: true))
        {
            var r = HostProcess.Run(TimeSpan.FromSeconds(120), "sweep", study, "--out", dir, "--plugins", TestPaths.PluginsDir);
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Contains("being written by another compass run", r.StdErr, StringComparison.Ordinal);
            // The held folder is untouched and its point is not done; the partial one ran again from scratch.
            Assert.Equal(heldMetrics, File.ReadAllText(Path.Combine(Run(points[1]), "metrics.json")));
            Assert.False(File.Exists(Path.Combine(dir, "points", points[1].Id, PointResult.FileName)));
            Assert.Equal(PointStatus.Completed, PointResult.TryLoad(Path.Combine(dir, "points", points[0].Id, PointResult.FileName))!.Status);
            Assert.False(File.Exists(Path.Combine(Run(points[0]), Output.OutputFolder.LockFile)), "the run left its lock behind");
        }
        // Once the holder is gone the point runs, and the study is the uninterrupted one, bit for bit.
        var again = Cli.Run("sweep", study, "--out", dir, "--quiet", "--plugins", TestPaths.PluginsDir);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Equal(Rows(Path.Combine(whole, "t.db")), Rows(Path.Combine(dir, "t.db")));
    }

    private static int ResultFiles(string dir) => Directory.Exists(Path.Combine(dir, "points")) ? Directory.GetFiles(Path.Combine(dir, "points"), "result.json", SearchOption.AllDirectories).Length : 0;

    /// <summary>Every column of every row except wall time and finishing time, as text with round-trip doubles.</summary>
    internal static List<string> Rows(string dbPath)
    {
        using var db = StudyDatabase.Open(dbPath);
        var (columns, rows) = db.Table(includeScenario: true);
        var keep = columns.Select((c, i) => (c, i)).Where(x => x.c is not "wall_seconds" and not "finished_at").Select(x => x.i).ToList();
        return [.. rows.Select(r => string.Join('|', keep.Select(i => r[i] is double d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : r[i]?.ToString())))];
    }

    [Theory]
    [InlineData("""[ { "name": "bw", "path": "hardware.package.lnk.bandwidthGBps", "values": [64] } ]""", "axes[0] ('bw' = 64)", "has no field 'lnk'")]
    [InlineData("""[ { "name": "bw", "path": "hardware.package.link.bandwidthGBps", "values": [] } ]""", "axes[0] ('bw')", "empty")]
    [InlineData("""[ { "name": "bw", "path": "hardware.package.link.bandwidthGBps", "values": [64, -3] } ]""", "axes[0] ('bw' = -3)", "bandwidthGBps")]
    [InlineData("""[ { "name": "flow", "path": "hardware.package.slots.*", "values": ["compass-os", "no-such-chiplet"] } ]""", "axes[0] ('flow' = no-such-chiplet)", "no-such-chiplet")]
    [InlineData("""[ { "name": "opt", "path": "optimizer.options.populationSize", "values": [0] } ]""", "axes[0] ('opt' = 0)", "populationSize")]
    public void BadStudiesAreRefusedBeforeAnyRunWithExitTwoNamingTheAxis(string axes, string axis, string reason)
    {
        var study = WriteStudy(axes);
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("sweep", study, "--out", outDir, "--plugins", TestPaths.PluginsDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(axis, r.Error, StringComparison.Ordinal);
        Assert.Contains(reason, r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), "nothing may be written before the study is checked");
    }

    [Fact]
    public void ExploreAndCompareAppendToADatabase()
    {
        var db = Path.Combine(TestPaths.NewTempDir(), "runs.db");
        var set = new[] { "--set", "workload.trace.options.requests=400", "--set", "workload.warmupIterations=20", "--set", "budget.wallSeconds=0" };
        var explore = Cli.Run(["explore", "--scenario", Cli.DefaultScenarioPath, "--budget", "40", "--quiet", "--out", Path.Combine(TestPaths.NewTempDir(), "e"), "--db", db, "--plugins", TestPaths.PluginsDir, .. set]);
        Assert.True(explore.ExitCode == 0, explore.StdErr);
        var compare = Cli.Run(["compare", "--scenario", Cli.DefaultScenarioPath, "--optimizers", "ga,random", "--seeds", "2", "--budget", "40", "--quiet", "--out", Path.Combine(TestPaths.NewTempDir(), "c"), "--db", db, "--plugins", TestPaths.PluginsDir, .. set]);
        Assert.True(compare.ExitCode == 0, compare.StdErr);
        using var database = StudyDatabase.Open(db);
        var points = database.Points();
        Assert.Equal(5, points.Count);
        Assert.Single(points, p => p.Kind == "explore");
        Assert.Equal(4, points.Count(p => p.Kind == "compare"));
        Assert.All(points, p => Assert.True(p.Metrics!.EdpJs > 0));
        // The same exploration again replaces its row.
        Assert.Equal(0, Cli.Run(["explore", "--scenario", Cli.DefaultScenarioPath, "--budget", "40", "--quiet", "--out", Path.Combine(TestPaths.NewTempDir(), "e"), "--db", db, "--plugins", TestPaths.PluginsDir, .. set]).ExitCode);
        Assert.Equal(5, database.Count());
    }
}

/// <summary>End-to-end tests of <c>compass codesign</c> with a tiny search.</summary>
public sealed class CodesignCommandTests
{
    /// <summary>A small co-exploration study over mesh (3x3, 4x4) × link bandwidth (32, 128) on the default scenario.</summary>
    internal static string WriteStudy(string dir, string seeds, string codesign)
    {
        var study = Path.Combine(dir, "codesign-small.json");
        File.WriteAllText(study, $$"""
            {
              "name": "cd",
              "scenario": {{JsonValue.Create(Cli.DefaultScenarioPath).ToJsonString()}},
              "set": { "budget.wallSeconds": 0, "workload.trace.options.requests": 400, "workload.warmupIterations": 20, "costModels.cost.name": "chiplet-actuary" },
              "axes": [
                { "name": "mesh", "path": "hardware.package.mesh", "values": ["3x3", "4x4"] },
                { "name": "linkGBps", "path": "hardware.package.link.bandwidthGBps", "values": [32, 128] }
              ],
              "seeds": {{seeds}},
              "codesign": {{codesign}}
            }
            """);
        return study;
    }

    [Fact]
    public void CodesignSearchesEveryPackageAtEverySeedAndRanksItByTheMeanOverSeeds()
    {
        var dir = TestPaths.NewTempDir();
        var study = WriteStudy(dir, "[1, 2]", """{ "hardwarePoints": 4, "populationSize": 2, "rungBudgets": [30] }""");
        var outDir = Path.Combine(dir, "out");
        var r = Cli.Run("codesign", study, "--out", outDir, "--quiet", "--plugins", TestPaths.PluginsDir);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var db = StudyDatabase.Open(Path.Combine(outDir, "cd.db"));
        var points = db.Points();
        // 4 packages × 2 seeds, each package at both seeds.
        Assert.Equal(8, points.Count);
        var packages = points.GroupBy(p => p.Values.ToJsonString()).ToList();
        Assert.Equal(4, packages.Count);
        Assert.All(packages, g => Assert.Equal([1, 2], g.Select(p => p.Seed).Order()));
        Assert.All(points, p => Assert.Equal(PointStatus.Completed, p.Status));
        // The seeds sample different iterations, so they differ; the Pareto set carries each package's mean.
        Assert.All(packages, g => Assert.NotEqual(g.First().Metrics!.EdpJs, g.Last().Metrics!.EdpJs));
        var pareto = File.ReadAllLines(Path.Combine(outDir, "pareto.csv"));
        Assert.InRange(pareto.Length - 1, 1, 4);
        foreach (var line in pareto.Skip(1))
        {
            var c = line.Split(',');
            var seeds = points.Where(p => p.Values["mesh"]!.GetValue<string>() == c[0] && p.Values["linkGBps"]!.GetValue<int>().ToString(System.Globalization.CultureInfo.InvariantCulture) == c[1]).ToList();
            Assert.Equal(2, seeds.Count);
            Assert.Equal((seeds[0].Metrics!.EdpJs + seeds[1].Metrics!.EdpJs) / 2, double.Parse(c[^4], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(seeds.Single(p => p.Seed == 1).Id, c[^1]);
        }
    }

    [Fact]
    public void CodesignProposesDistinctPackagesPromotesTheBestAndWritesAParetoSetWithinTheCostLimit()
    {
        var dir = TestPaths.NewTempDir();
        var study = Path.Combine(dir, "codesign.json");
        File.WriteAllText(study, $$"""
            {
              "name": "cd",
              "scenario": {{JsonValue.Create(Cli.DefaultScenarioPath).ToJsonString()}},
              "set": { "budget.wallSeconds": 0, "workload.trace.options.requests": 400, "workload.warmupIterations": 20, "costModels.cost.name": "chiplet-actuary" },
              "axes": [
                { "name": "mesh", "path": "hardware.package.mesh", "values": ["3x3", "4x4", "8x8"] },
                { "name": "mix", "path": "hardware.package.regions", "values": [["compass-os"], ["compass-os", "compass-ws"]] },
                { "name": "linkGBps", "path": "hardware.package.link.bandwidthGBps", "values": [32, 128] }
              ],
              "codesign": { "hardwarePoints": 6, "populationSize": 4, "rungBudgets": [30, 90], "eta": 3, "costLimitUsd": 250 }
            }
            """);
        var outDir = Path.Combine(dir, "out");
        var r = Cli.Run("codesign", study, "--out", outDir, "--quiet", "--plugins", TestPaths.PluginsDir);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var db = StudyDatabase.Open(Path.Combine(outDir, "cd.db"));
        var points = db.Points();
        var rung0 = points.Where(p => p.Rung == 0).ToList();
        var rung1 = points.Where(p => p.Rung == 1).ToList();
        Assert.Equal(6, rung0.Count);
        Assert.Equal(6, rung0.Select(p => p.Values.ToJsonString()).Distinct().Count());
        Assert.Equal(2, rung1.Count);
        Assert.All(rung0, p => Assert.Equal(30, p.BudgetEvaluations));
        Assert.All(rung1, p => Assert.Equal(90, p.BudgetEvaluations));
        // Every package is priced; those above the limit are recorded without a search.
        Assert.All(points, p => Assert.True(p.Metrics?.CostUsd > 0));
        Assert.All(points.Where(p => p.Metrics!.CostUsd > 250), p => Assert.Equal(PointStatus.OverCostLimit, p.Status));
        Assert.All(rung1, p => Assert.True(p.Metrics!.CostUsd <= 250));
        // The Pareto set: within the limit, and no member dominated by another final package.
        var pareto = File.ReadAllLines(Path.Combine(outDir, "pareto.csv"));
        Assert.StartsWith("mesh,mix,linkGBps,rung,budget_evaluations,cost_usd,edp_js", pareto[0], StringComparison.Ordinal);
        Assert.InRange(pareto.Length - 1, 1, 6);
        // Columns from the end: cost_usd, edp_js, latency_ns, energy_pj, point_id (the mix column may hold quoted commas).
        var front = pareto.Skip(1).Select(l => l.Split(',')).Select(c => (Cost: double.Parse(c[^5], System.Globalization.CultureInfo.InvariantCulture), Edp: double.Parse(c[^4], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.All(front, f => Assert.True(f.Cost <= 250));
        for (var i = 1; i < front.Count; i++) Assert.True(front[i].Cost > front[i - 1].Cost && front[i].Edp < front[i - 1].Edp, "the front trades cost for EDP");
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));

        // A rerun reuses every point: nothing new in the database, the same Pareto set.
        var again = Cli.Run("codesign", study, "--out", outDir, "--quiet", "--plugins", TestPaths.PluginsDir);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(points.Count, db.Count());
        Assert.Equal(pareto, File.ReadAllLines(Path.Combine(outDir, "pareto.csv")));
    }
}
