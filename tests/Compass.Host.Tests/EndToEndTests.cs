using System.Globalization;
using System.Text.Json;

namespace Compass.Host.Tests;

/// <summary>Runs the built host executable as a child process against real plugin folders.</summary>
public sealed class EndToEndTests
{
    private static readonly string[] RealPlugins = ["Compass.Chiplets", "Compass.CostModels", "Compass.Optimizers", "Compass.Workloads"];

    private static string[] Explore(string plugins, string outDir, params string[] extra) =>
        ["explore", "--scenario", TestPaths.FixtureScenario, "--plugins", plugins, "--out", outDir, "--quiet", .. extra];

    [Fact]
    public void PluginsCommandListsTheFourRealPluginsEachInItsOwnContext()
    {
        var r = HostProcess.Run("plugins");
        Assert.Equal(0, r.ExitCode);
        var lines = r.StdOut.Split('\n');
        foreach (var name in RealPlugins)
        {
            var line = Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.Contains($"context: {name} ", line, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(TestPaths.PluginsDir, name), line, StringComparison.Ordinal);
        }
        Assert.Contains("4 plugin(s) loaded, 0 failed", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void PluginsCommandNamesEveryBrokenPluginWithItsReason()
    {
        var dir = TestPaths.PluginSet(true, "ContractNext", "Faulty", "Sample");
        var r = HostProcess.Run("plugins", "--plugins", dir);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("FAILED Faulty: entry point threw InvalidOperationException", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("FAILED Broken: Broken.dll is not a valid .NET assembly", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("FAILED ContractNext: was built against Compass.Abstractions 3.0", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("Sample 1.0.0  package: (none)  context: Sample ", r.StdOut, StringComparison.Ordinal);   // a dropped-in build folder has no package
        // Through the real executable (no test-host binder), the plugin still runs its private 13.0.1 copy.
        Assert.Matches(@"private: Newtonsoft\.Json 13\.0\.1\.", r.StdOut);
        Assert.Contains("5 plugin(s) loaded, 3 failed", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void SameNameFromTwoPluginsIsReportedAsAClash()
    {
        var dir = TestPaths.PluginSet(false, "Sample");
        var copy = Path.Combine(dir, "Sample2");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(Path.Combine(dir, "Sample")))
            File.Copy(f, Path.Combine(copy, Path.GetFileName(f).Replace("Sample.", "Sample2.", StringComparison.Ordinal)));
        var r = HostProcess.Run("plugins", "--plugins", dir);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("CLASH optimizers 'fx-random' is registered by Sample, Sample2; the last one (Sample2) is used", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void ListShowsContributionsWithTheirPlugin()
    {
        var r = HostProcess.Run("list", "models", "--plugins", TestPaths.PluginSet(false, "Sample"));
        Assert.Equal(0, r.ExitCode);
        var line = Assert.Single(r.StdOut.Split('\n'), l => l.StartsWith("fx-tiny", StringComparison.Ordinal));
        Assert.Contains("2 layers, d=256, 4 heads / 4 KV, FFN 1024  [Sample] tiny test model (parsed by Newtonsoft.Json 13.0.1.", line, StringComparison.Ordinal);
        var chiplets = HostProcess.Run("list", "chiplets", "--plugins", TestPaths.PluginSet(false, "Sample"));
        Assert.Contains("fx-chiplet", chiplets.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"fx-chiplet\s+0\.51 TOPS\s+0\.50 MiB buffer", chiplets.StdOut);
    }

    [Fact]
    public void ExploreGoesOnWithAFaultyAndACorruptPluginAndWritesEveryOutput()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = HostProcess.Run(Explore(TestPaths.PluginSet(true, "Faulty", "Sample"), outDir));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains(r.ErrorLines, l => l.StartsWith("warning: plugin Faulty: entry point threw", StringComparison.Ordinal));
        Assert.Contains(r.ErrorLines, l => l.StartsWith("warning: plugin Broken: Broken.dll is not a valid .NET assembly", StringComparison.Ordinal));
        foreach (var f in new[] { "scenario.resolved.json", "best-mapping.json", "metrics.json", "search-log.csv", "report.html" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));

        var log = File.ReadAllLines(Path.Combine(outDir, "search-log.csv"));
        Assert.Equal("index,latency_ms,energy_mj,objective,edp_js,best_objective_so_far,elapsed_s,genome_hash", log[0]);
        Assert.Equal(21, log.Length);
        var best = log.Skip(1).Select(l => double.Parse(l.Split(',')[5], CultureInfo.InvariantCulture)).ToList();
        for (var i = 1; i < best.Count; i++) Assert.True(best[i] <= best[i - 1]);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal(20, root.GetProperty("evaluations").GetInt32());
        Assert.Equal(best[^1], root.GetProperty("objective").GetDouble(), 6);
        var latency = root.GetProperty("latencyNs").GetDouble();
        var energy = root.GetProperty("energyPj").GetDouble();
        Assert.Equal(latency * 1e-9 * energy * 1e-12, root.GetProperty("edpJs").GetDouble(), 15);
        var parts = root.GetProperty("energy").EnumerateObject().Sum(p => p.Value.GetDouble());
        Assert.Equal(energy, parts, 6);

        using var resolved = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "scenario.resolved.json")));
        Assert.Equal(7, resolved.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(2, resolved.RootElement.GetProperty("hardware").GetProperty("package").GetProperty("meshWidth").GetInt32());
    }

    [Fact]
    public void ReportCommandRegeneratesTheSameReportFromTheFiles()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        Assert.Equal(0, HostProcess.Run(Explore(TestPaths.PluginSet(false, "Sample"), outDir)).ExitCode);
        var written = File.ReadAllText(Path.Combine(outDir, "report.html"));
        File.Delete(Path.Combine(outDir, "report.html"));
        var r = HostProcess.Run("report", outDir);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(written, File.ReadAllText(Path.Combine(outDir, "report.html")));
        Assert.Equal(2, HostProcess.Run("report", Path.Combine(outDir, "missing")).ExitCode);
    }

    [Fact]
    public void CompareRunsEveryOptimizerAndSeedAtEqualBudget()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "study");
        var r = HostProcess.Run("compare", "--scenario", TestPaths.FixtureScenario, "--plugins", TestPaths.PluginSet(false, "Sample"),
            "--optimizers", "fx-random", "--seeds", "2", "--budget", "8", "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var rows = File.ReadAllLines(Path.Combine(outDir, "comparison.csv"));
        Assert.Equal("optimizer,seed,best_edp_js,latency_ms,energy_mj,evaluations_to_within_1pct,wall_s,mapping_file", rows[0]);
        Assert.Equal(["fx-random,7", "fx-random,8"], rows.Skip(1).Select(l => string.Join(',', l.Split(',')[..2])));
        foreach (var row in rows.Skip(1))
        {
            var c = row.Split(',');
            var edp = double.Parse(c[2], CultureInfo.InvariantCulture);
            // ms × mJ = 1e-3 s × 1e-3 J.
            Assert.Equal(double.Parse(c[3], CultureInfo.InvariantCulture) * 1e-3 * double.Parse(c[4], CultureInfo.InvariantCulture) * 1e-3, edp, 15);
            Assert.InRange(int.Parse(c[5], CultureInfo.InvariantCulture), 1, 8);
            // Every run keeps its best mapping, and it replays.
            Assert.Equal($"mappings/fx-random-seed{c[1]}.json", c[7]);
            Assert.True(File.Exists(Path.Combine(outDir, c[7])), c[7]);
        }
        Assert.Equal("evaluation,best_edp_js", File.ReadLines(Path.Combine(outDir, "convergence", "fx-random-seed7.csv")).First());
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
        // --quiet prints the output folder and nothing else.
        Assert.Equal(outDir, r.StdOut.Trim());

        var loud = HostProcess.Run("compare", "--scenario", TestPaths.FixtureScenario, "--plugins", TestPaths.PluginSet(false, "Sample"),
            "--optimizers", "fx-random,baseline", "--seeds", "2", "--budget", "8", "--out", outDir + "-2");
        Assert.True(loud.ExitCode == 0, loud.StdErr);
        Assert.Contains("Runs were seeded from the heuristic mappings.", loud.StdOut, StringComparison.Ordinal);
        Assert.Contains("best baseline:", loud.StdOut, StringComparison.Ordinal);
        Assert.Contains("mean EDP ± 95% CI (J·s)", loud.StdOut, StringComparison.Ordinal);
        Assert.Contains("reference", loud.StdOut, StringComparison.Ordinal);
        Assert.Contains($"Results written to {outDir}-2", loud.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("E-18", loud.StdOut, StringComparison.Ordinal);
        // The baseline optimizer gives the same mapping for every seed: its spread and interval are exactly 0.
        var baselineRow = Assert.Single(loud.StdOut.Split('\n'), l => l.StartsWith("baseline ", StringComparison.Ordinal) && !l.StartsWith("baseline seed", StringComparison.Ordinal));
        Assert.Contains(" ± 0 ", baselineRow, StringComparison.Ordinal);
        // Every progress report ends with a closing line, also for a run that stops below its budget.
        Assert.Contains("baseline seed 7: done, ", loud.StdOut, StringComparison.Ordinal);
        Assert.Contains("fx-random seed 8: done, 8 evaluations", loud.StdOut, StringComparison.Ordinal);
        var replay = HostProcess.Run("replay", "--mapping", Path.Combine(outDir, "mappings", "fx-random-seed7.json"), "--scenario", TestPaths.FixtureScenario,
            "--plugins", TestPaths.PluginSet(false, "Sample"), "--out", outDir + "-replay", "--quiet");
        Assert.True(replay.ExitCode == 0, replay.StdErr);
        Assert.Equal(outDir + "-replay", replay.StdOut.Trim());
        // The replay report carries the serving metrics, and compass report regenerates it byte for byte from replay.json.
        var replayReport = Path.Combine(outDir + "-replay", "report.html");
        var written = File.ReadAllText(replayReport);
        Assert.Contains("request metric (ms)", written, StringComparison.Ordinal);
        Assert.Contains("throughput over trace time, idle included (tokens/s)", written, StringComparison.Ordinal);
        Assert.Contains("SLO attainment</td><td class=\"num\">n/a: no SLO given", written, StringComparison.Ordinal);
        File.Delete(replayReport);
        Assert.Equal(0, HostProcess.Run("report", outDir + "-replay").ExitCode);
        Assert.Equal(written, File.ReadAllText(replayReport));
    }

    [Fact]
    public void EmbeddedDefaultScenarioRunsOnTheRealPlugins()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = HostProcess.Run(TimeSpan.FromSeconds(90), "explore", "--budget", "20", "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Empty(r.ErrorLines);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal(20, metrics.RootElement.GetProperty("evaluations").GetInt32());
        Assert.True(metrics.RootElement.GetProperty("edpJs").GetDouble() > 0);
        using var resolved = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "scenario.resolved.json")));
        Assert.Equal(20, resolved.RootElement.GetProperty("budget").GetProperty("evaluations").GetInt32());
        Assert.Equal(42, resolved.RootElement.GetProperty("seed").GetInt32());
    }

    [Fact]
    public void PaddedGeminiRunWritesThePaddingWasteSeparatelyInMetrics()
    {
        var dir = TestPaths.NewTempDir();
        var outDir = Path.Combine(dir, "out");
        var scenario = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "scenarios", "default.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        scenario["optimizer"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "gemini" };
        scenario["workload"]!["padding"] = "batch-max";
        var path = Path.Combine(dir, "padded-gemini.json");
        File.WriteAllText(path, scenario.ToJsonString());
        var r = HostProcess.Run(TimeSpan.FromSeconds(90), "explore", "--scenario", path, "--budget", "30", "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal("gemini", root.GetProperty("optimizer").GetString());
        var padding = root.GetProperty("padding");
        Assert.Equal("batch-max", padding.GetProperty("mode").GetString());
        Assert.True(padding.GetProperty("paddedHistoryTokens").GetInt64() > padding.GetProperty("realHistoryTokens").GetInt64());
        var wastedNs = padding.GetProperty("wastedLatencyNs").GetDouble();
        var wastedPj = padding.GetProperty("wastedEnergyPj").GetDouble();
        Assert.True(wastedNs > 0 && wastedPj > 0, "padded tokens cost time and energy");
        // The run's latency and energy are the padded ones: real + wasted.
        Assert.Equal(root.GetProperty("latencyNs").GetDouble(), padding.GetProperty("realLatencyNs").GetDouble() + wastedNs, 6);
        Assert.Equal(root.GetProperty("energyPj").GetDouble(), padding.GetProperty("realEnergyPj").GetDouble() + wastedPj, 3);
        using var best = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "best-mapping.json")));
        var rows = best.RootElement.GetProperty("assignment").EnumerateArray().Select(row => row.GetRawText()).ToList();
        Assert.True(rows.Count > 1);
        Assert.Single(rows.Distinct()); // Gemini's mapping is coupled: every micro-batch row is the same
        using var resolved = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "scenario.resolved.json")));
        Assert.Equal("batch-max", resolved.RootElement.GetProperty("workload").GetProperty("padding").GetString());
    }

    [Fact]
    public void SameSeedGivesTheSameSearchAndTheResolvedScenarioReruns()
    {
        var plugins = TestPaths.PluginSet(false, "Sample");
        var first = Path.Combine(TestPaths.NewTempDir(), "a");
        var second = Path.Combine(TestPaths.NewTempDir(), "b");
        Assert.Equal(0, HostProcess.Run(Explore(plugins, first, "--threads", "2")).ExitCode);
        var rerun = HostProcess.Run("explore", "--scenario", Path.Combine(first, "scenario.resolved.json"), "--plugins", plugins, "--out", second, "--quiet");
        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        static IEnumerable<string> WithoutTime(string dir) =>
            File.ReadAllLines(Path.Combine(dir, "search-log.csv")).Select(l => { var c = l.Split(','); return string.Join(',', c[..6]) + "," + c[7]; });
        Assert.Equal(WithoutTime(first), WithoutTime(second));
        Assert.Equal(File.ReadAllText(Path.Combine(first, "best-mapping.json")), File.ReadAllText(Path.Combine(second, "best-mapping.json")));
    }

    [Fact]
    public void SpinningCostModelIsCancelledAtTheTimeoutAndTheRunExitsInsteadOfHanging()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = HostProcess.Run(TimeSpan.FromSeconds(45), Explore(TestPaths.PluginSet(false, "Hang", "Sample"), outDir,
            "--set", "costModels.compute.name=fx-spin", "--set", "resilience.evaluationTimeoutMs=200"));
        Assert.Equal(3, r.ExitCode);
        var error = Assert.Single(r.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal("error: plugin Hang: compute 'fx-spin' timed out after 200 ms and was cancelled", error);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(30), $"took {r.Elapsed}");
    }

    [Fact]
    public void ContinuePolicyTimeoutsEverywhereAreRefusedBeforeTheSearch()
    {
        // Under "continue" every estimate times out and costs ∞: the first heuristic mapping is not finite, so the
        // scenario is refused before any search, naming the fault, instead of running the budget to no valid mapping.
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = HostProcess.Run(TimeSpan.FromSeconds(45), Explore(TestPaths.PluginSet(false, "Hang", "Sample"), outDir,
            "--set", "costModels.compute.name=fx-spin", "--set", "resilience.evaluationTimeoutMs=50", "--set", "resilience.onPluginFault=continue", "--budget", "4"));
        Assert.Equal(2, r.ExitCode);
        var error = Assert.Single(r.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith("error: costModels.compute: the first heuristic mapping (", error, StringComparison.Ordinal);
        Assert.EndsWith("plugin Hang: compute 'fx-spin' timed out after 50 ms and was cancelled", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    public static TheoryData<string, string[], string> BadInputs() => new()
    {
        { "malformed JSON", ["--scenario", "{bad}"], "error: scenario.json: malformed JSON at line 3" },
        { "unknown optimizer", ["--set", "optimizer.name=hill-climb"], "error: optimizer.name: unknown optimizers component 'hill-climb' (known: " },
        { "negative bandwidth", ["--scenario", "{negative}"], "error: hardware.package.link.bandwidthGBps: must be > 0, got -3" },
        { "missing field", ["--scenario", "{missing}"], "error: optimizer.name: is required" },
        { "wrong type", ["--set", "budget.evaluations=many"], "error: budget.evaluations: must be a whole number, got 'many'" },
        { "unknown model", ["--set", "model=gpt-9"], "error: model: unknown model 'gpt-9' (known: " },
        { "micro-batch larger than batch", ["--set", "graph.microBatchSize=64"], "error: graph.microBatchSize: must be <= workload.maxBatchRequests (4), got 64" },
        { "bad component option", ["--set", "optimizer.options.batch=0"], "error: optimizer.options.batch: must be in [1, 1024], got 0" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputExitsWithTwoAndOneLineNamingTheFieldAndWritesNothing(string what, string[] args, string expected)
    {
        var dir = TestPaths.NewTempDir();
        var fixture = File.ReadAllText(TestPaths.FixtureScenario);
        var files = new Dictionary<string, string>
        {
            ["{bad}"] = "{\n  \"name\": \"x\",\n  \"seed\": 1,,\n}",
            ["{negative}"] = fixture.Replace("\"package\": \"fx-2x2\"", """
                "package": { "name": "neg", "meshWidth": 2, "meshHeight": 1, "slots": ["fx-chiplet", "fx-chiplet"],
                             "link": { "kind": "custom", "bandwidthGBps": -3, "hopLatencyNs": 1, "energyPjPerBit": 1 },
                             "dramChannels": [ { "name": "d", "kind": "custom", "attachedRouters": [ { "x": 0, "y": 0 } ], "bandwidthGBps": 8, "energyPjPerBit": 5, "capacityGB": 1 } ] }
                """, StringComparison.Ordinal),
            ["{missing}"] = fixture.Replace("\"optimizer\": { \"name\": \"fx-random\", \"options\": { \"batch\": 4 } },", "", StringComparison.Ordinal),
        };
        var resolved = args.Select(a =>
        {
            if (!files.TryGetValue(a, out var content)) return a;
            var path = Path.Combine(dir, "scenario.json");
            File.WriteAllText(path, content);
            return path;
        }).ToList();
        if (!resolved.Contains("--scenario")) resolved.InsertRange(0, ["--scenario", TestPaths.FixtureScenario]);
        var outDir = Path.Combine(dir, "out");
        var r = HostProcess.Run(["explore", .. resolved, "--plugins", TestPaths.PluginSet(false, "Sample"), "--out", outDir, "--quiet"]);
        Assert.True(r.ExitCode == 2, $"{what}: exit {r.ExitCode}, stderr {r.StdErr}");
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), $"{what}: the output folder must not be created");
    }

    [Fact]
    public void ParseErrorsExitWithTwo()
    {
        var r = HostProcess.Run("explore", "--no-such-option");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: Unrecognized command or argument '--no-such-option'", Assert.Single(r.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(2, HostProcess.Run("list", "gizmos").ExitCode);
    }

    [Fact]
    public void ValidateAcceptsTheFixtureScenarioWithoutWritingAnything()
    {
        var r = HostProcess.Run("validate", "--scenario", TestPaths.FixtureScenario, "--plugins", TestPaths.PluginSet(false, "Sample"));
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("fixture-2x2: valid (2 micro-batches × 20 genes, fx-2x2 2x2, model fx-tiny, optimizer fx-random, budget 20, seed 7)", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void CostCommandEstimatesOneGemm()
    {
        var r = HostProcess.Run("cost", "--chiplet", "fx-chiplet", "--op", "gemm", "--m", "16", "--k", "256", "--n", "256", "--precision", "8", "--model", "fx-roofline", "--json", "--plugins", TestPaths.PluginSet(false, "Sample"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        // 16·256·256 MACs at 256 MACs/cycle and 1 GHz = 4096 ns; operands 4 KiB + 64 KiB + 4 KiB at 64 B/ns = 1152 ns.
        Assert.Equal(4096, doc.RootElement.GetProperty("timeNs").GetDouble(), 9);
        Assert.Equal(16 * 256 * 256 * 0.2, doc.RootElement.GetProperty("macEnergyPj").GetDouble(), 6);
    }
}
