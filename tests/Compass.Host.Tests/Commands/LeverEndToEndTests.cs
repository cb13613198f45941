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
}
