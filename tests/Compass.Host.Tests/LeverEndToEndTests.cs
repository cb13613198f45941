using System.Text.Json.Nodes;

namespace Compass.Host.Tests;

/// <summary>Issue 16 end to end: a shipped <c>*-levers</c> scenario explored and replayed by the real command line and plugins.</summary>
public sealed class LeverEndToEndTests
{
    [Fact]
    public void ALeversScenarioSearchesThePlanRecordsItAndReplaysIt()
    {
        var outDir = TestPaths.NewTempDir();
        var scenario = Path.Combine(TestPaths.RepoRoot, "scenarios", "compass-6x6-mixed-levers.json");
        // The shipped scenario, made small: two sampled iterations, 2 × 2 × 2 plans, 60 evaluations.
        var r = Cli.Run("explore", "--scenario", scenario, "--plugins", TestPaths.PluginsDir, "--out", outDir, "--budget", "60",
            "--set", "workload.searchIterations=2", "--set", "workload.replayIterations=2", "--set", "graph.microBatchSize=16,64",
            "--set", "graph.tensorParallel=16,32", "--set", "graph.prefillMicroBatchSize=1,2");
        Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
        Assert.Contains("levers of the best mapping: microBatchSize=", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("EDP standard error over 2 sampled iterations", r.StdOut, StringComparison.Ordinal);

        var mapping = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "best-mapping.json")))!.AsObject();
        var levers = mapping["levers"]!.AsObject();
        Assert.Contains(levers["graph.microBatchSize"]!.GetValue<int>(), new[] { 16, 64 });
        Assert.Contains(levers["graph.tensorParallel"]!.GetValue<int>(), new[] { 16, 32 });
        Assert.Contains(levers["graph.prefillMicroBatchSize"]!.GetValue<int>(), new[] { 1, 2 });

        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")))!.AsObject();
        var edp = metrics["edpJs"]!.GetValue<double>();
        Assert.True(metrics["edpStandardErrorJs"]!.GetValue<double>() >= 0);
        Assert.Equal(2, metrics["iterations"]!.GetValue<int>());
        var sweep = metrics["baselines"]!.AsArray().Single(b => b!["name"]!.GetValue<string>().StartsWith("plan-sweep best (", StringComparison.Ordinal))!;
        Assert.True(edp <= sweep["edpJs"]!.GetValue<double>(), $"searched {edp} vs plan sweep {sweep["edpJs"]}");
        Assert.Equal($"microBatchSize={levers["graph.microBatchSize"]} prefillMicroBatchSize={levers["graph.prefillMicroBatchSize"]} tensorParallel={levers["graph.tensorParallel"]}",
            metrics["levers"]!.GetValue<string>());

        // Replay runs the mapping on its own plan: the held-out iterations' EDP is positive and finite.
        var replayDir = TestPaths.NewTempDir();
        var replay = Cli.Run("replay", "--mapping", Path.Combine(outDir, "best-mapping.json"), "--plugins", TestPaths.PluginsDir, "--out", replayDir);
        Assert.True(replay.ExitCode == 0, replay.StdErr + replay.StdOut);
        var replayed = JsonNode.Parse(File.ReadAllText(Path.Combine(replayDir, "replay.json")))!.ToJsonString();
        Assert.Contains("edp", replayed, StringComparison.OrdinalIgnoreCase);

        // A listed tensor-parallel degree that does not split the model is refused, naming the candidate.
        var bad = Cli.Run("validate", "--scenario", scenario, "--plugins", TestPaths.PluginsDir, "--set", "graph.tensorParallel=8,12");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: graph.tensorParallel[1]: must divide the model's hidden size 4096, got 12", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void LayerGroupDegreesAndThePlacementAreSearchedRecordedReplayedAndResumedBitForBit()
    {
        // The default scenario (two Llama-3-8B layers): a TP degree per layer and the DRAM placement, 2 × 2 × 2 plans.
        var outDir = TestPaths.NewTempDir();
        string[] levers = ["--set", "workload.searchIterations=2", "--set", "workload.replayIterations=2", "--set", "graph.tensorParallel=4,8",
            "--set", "graph.tensorParallelGroups=2", "--set", "evaluator.placement=search", "--set", "search.threads=1", "--set", "search.checkpointEvery=5"];
        var r = Cli.Run(["explore", "--plugins", TestPaths.PluginsDir, "--out", outDir, "--budget", "40", .. levers]);
        Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
        var mapping = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "best-mapping.json")))!.AsObject();
        var chosen = mapping["levers"]!.AsObject();
        Assert.Equal(["evaluator.placement", "graph.tensorParallel.group0", "graph.tensorParallel.group1"], chosen.Select(p => p.Key));
        Assert.Contains(chosen["graph.tensorParallel.group0"]!.GetValue<int>(), new[] { 4, 8 });
        Assert.Contains(chosen["graph.tensorParallel.group1"]!.GetValue<int>(), new[] { 4, 8 });
        var placement = chosen["evaluator.placement"]!.GetValue<int>();
        Assert.Contains(placement, new[] { 0, 1 });
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")))!.AsObject();
        Assert.EndsWith($"placement={(placement == 0 ? "nearest" : "interleaved")}", metrics["levers"]!.GetValue<string>(), StringComparison.Ordinal);

        // Replay runs the mapping on its own plan.
        var replayDir = TestPaths.NewTempDir();
        var replay = Cli.Run("replay", "--mapping", Path.Combine(outDir, "best-mapping.json"), "--plugins", TestPaths.PluginsDir, "--out", replayDir);
        Assert.True(replay.ExitCode == 0, replay.StdErr + replay.StdOut);

        // A run cut after 25 logged evaluations (as a kill leaves it) and resumed ends with the uninterrupted run's bits.
        var cut = TestPaths.NewTempDir();
        var again = Cli.Run(["explore", "--plugins", TestPaths.PluginsDir, "--out", cut, "--budget", "40", .. levers]);
        Assert.True(again.ExitCode == 0, again.StdErr + again.StdOut);
        var lines = File.ReadAllLines(Path.Combine(cut, "search-log.csv"));
        File.WriteAllText(Path.Combine(cut, "search-log.csv"), string.Join('\n', lines.Take(26)) + "\n");
        foreach (var f in new[] { "best-mapping.json", "metrics.json", "report.html" }) File.Delete(Path.Combine(cut, f));
        var resumed = Cli.Run("explore", "--resume", cut, "--plugins", TestPaths.PluginsDir);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr + resumed.StdOut);
        static string[] Key(string dir) =>
            [File.ReadAllText(Path.Combine(dir, "best-mapping.json")), .. File.ReadAllLines(Path.Combine(dir, "search-log.csv")).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 6)))];
        Assert.Equal(Key(outDir), Key(cut));
    }
}
