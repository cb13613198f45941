using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Host.Commands;
using Compass.Host.Output;

namespace Compass.Host.Tests;

/// <summary>
/// Hostile inputs and faults of issue #18: whole-trace checks, faithful resume, protected output folders, size caps,
/// overflowing values, exit codes of plugin-raised user errors, results the host re-checks, and chiplet shadowing.
/// Each asserts the exit code and the one error line naming the field (and file and line).
/// </summary>
public sealed class HostileInputTests
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static string[] FixtureExplore(string scenario, string outDir, params string[] extra) =>
        ["explore", "--scenario", scenario, "--plugins", Cli.Fixtures, "--out", outDir, "--quiet", .. extra];

    private static string FixtureRun(int budget = 20)
    {
        var dir = Path.Combine(TestPaths.NewTempDir(), "run");
        var scenario = Cli.Write(Cli.Mutate(Cli.FixtureScenario(), $"budget.evaluations={budget}"));
        var r = Cli.Run(FixtureExplore(scenario, dir));
        Assert.True(r.ExitCode == 0, r.StdErr);
        return dir;
    }

    private static JsonObject DefaultScenario() => JsonNode.Parse(File.ReadAllText(Cli.DefaultScenarioPath))!.AsObject();

    private static CliResult ValidateReal(JsonObject scenario, params string[] extra) =>
        Cli.Run(["validate", "--scenario", Cli.Write(scenario), "--plugins", TestPaths.PluginsDir, .. extra]);

    private static JsonObject WithTraceFile(string path) => Cli.Mutate(DefaultScenario(),
        "workload.trace=" + new JsonObject { ["name"] = "azure-csv", ["options"] = new JsonObject { ["path"] = path } }.ToJsonString(),
        "workload.warmupIterations=0");

    /// <summary>An Azure-format trace of <paramref name="rows"/> good rows followed by <paramref name="lastRow"/>.</summary>
    private static string TraceFile(int rows, string lastRow)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "trace.csv");
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("TIMESTAMP,ContextTokens,GeneratedTokens\n");
        var start = new DateTime(2023, 11, 16, 18, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < rows; i++)
            w.Write(string.Create(C, $"{start.AddTicks(i * 1000L):yyyy-MM-dd HH:mm:ss.fffffff},{100 + i % 400},{1 + i % 50}\n"));
        w.Write(lastRow + "\n");
        return path;
    }

    /// <summary>An Azure-format trace of 600 short requests whose row 300 (line 302: header first) has a 9000-token prompt.</summary>
    private static string OverlongPromptTrace()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "trace.csv");
        var lines = File.ReadAllLines(TraceFile(600, "2023-11-16 18:00:01.0000000,100,1")).ToList();
        lines[301] = lines[301].Split(',')[0] + ",9000,2";
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    /// <summary>Rewrites a finished fixture run's search log with <paramref name="edit"/>, then resumes it.</summary>
    private static CliResult ResumeWithEditedLog(string dir, Func<List<string>, IEnumerable<string>> edit)
    {
        var path = Path.Combine(dir, "search-log.csv");
        File.WriteAllText(path, string.Join('\n', edit(File.ReadAllLines(path).ToList())) + "\n");
        return Cli.Run("explore", "--resume", dir, "--plugins", Cli.Fixtures, "--quiet");
    }

    // 1. Traces: validate and explore read the whole trace with the row checks replay applies.

    [Theory]
    [InlineData("2023-11-17 00:00:00.0000000,twelve,3", "ContextTokens must be a whole number of tokens, got 'twelve'")]
    [InlineData("2023-11-17 00:00:00.0000000,0,3", "ContextTokens must be >= 1, got 0")]
    [InlineData("2023-11-16 18:01:00.0000000,10,3", "goes back in time")]
    public void BadLastRowOfAMillionRowTraceIsRefusedByValidateNamingTheLine(string lastRow, string reason)
    {
        var path = TraceFile(1_000_000, lastRow);
        var clock = Stopwatch.StartNew();
        var r = ValidateReal(WithTraceFile(path));
        Assert.True(r.ExitCode == 2, r.StdErr);
        Assert.StartsWith($"error: {path}:1000002: ", r.Error, StringComparison.Ordinal);
        Assert.Contains(reason, r.Error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ExploreRefusesABadRowFarBeyondItsSample()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var path = TraceFile(5000, "2023-11-17 00:00:00.0000000,twelve,3");
        var r = Cli.Run("explore", "--scenario", Cli.Write(WithTraceFile(path)), "--plugins", TestPaths.PluginsDir, "--out", outDir, "--quiet", "--budget", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: {path}:5002: ContextTokens must be a whole number", r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void PromptLongerThanTheContextWindowIsRefusedNamingTheTraceFileAndLine()
    {
        var path = TraceFile(10, "2023-11-17 00:00:00.0000000,100000,3");
        var r = ValidateReal(WithTraceFile(path));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: {path}:12: request 10 (workload.trace) (arriving at 21600 s) has a 100000-token prompt, longer than the 8192-token context window of model 'llama-3-8b'", r.Error);
    }

    [Fact]
    public void ContextWindowIgnoreServesAnOverlongPromptAndAnUnknownModeIsRefused()
    {
        // The published experiments serve prompts beyond the model's position limit; workload.contextWindow=ignore says so.
        var path = OverlongPromptTrace();
        Assert.Equal(2, ValidateReal(WithTraceFile(path)).ExitCode);
        var ignored = ValidateReal(WithTraceFile(path), "--set", "workload.contextWindow=ignore");
        Assert.True(ignored.ExitCode == 0, ignored.StdErr);
        var bad = ValidateReal(WithTraceFile(path), "--set", "workload.contextWindow=relax");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: workload.contextWindow: ", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ExploreNamesTheLineOfAnOverlongPromptInTheMiddleOfATrace()
    {
        // Row 300 of 600 (line 302: header first) is too long; explore refuses before writing anything.
        var path = OverlongPromptTrace();
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("explore", "--scenario", Cli.Write(WithTraceFile(path)), "--plugins", TestPaths.PluginsDir, "--out", outDir, "--quiet", "--budget", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: {path}:302: request 300 (workload.trace) ", r.Error, StringComparison.Ordinal);
        Assert.EndsWith("has a 9000-token prompt, longer than the 8192-token context window of model 'llama-3-8b'", r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    // 2. Resume is faithful.

    [Fact]
    public void ResumeRefusesAnEditedLatency()
    {
        var r = ResumeWithEditedLog(FixtureRun(), lines =>
        {
            var parts = lines[5].Split(',');
            parts[1] = (double.Parse(parts[1], C) * 0.5).ToString("R", C);
            lines[5] = string.Join(',', parts);
            return lines;
        });
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: search-log.csv:2-21: the rows do not match the digest recorded in checkpoint.json as they were written: a row was edited or comes from another run; cannot resume", r.Error);
    }

    [Fact]
    public void ResumeReEvaluatesRowsTheDigestDoesNotCoverAndNamesAnEditedOne()
    {
        // A log cut below the recorded rows is not covered by the digest: every row is re-evaluated and compared.
        var r = ResumeWithEditedLog(FixtureRun(), lines =>
        {
            var parts = lines[4].Split(',');
            parts[3] = "1e-30";
            lines[4] = string.Join(',', parts);
            return lines.Take(11);
        });
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: search-log.csv:5: logged objective 1E-30, re-evaluated ", r.Error, StringComparison.Ordinal);
        Assert.EndsWith(": the row was edited or comes from another scenario or precision; cannot resume", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumeRefusesRowsBeyondTheBudget()
    {
        var r = ResumeWithEditedLog(FixtureRun(), lines =>
        {
            var last = lines[^1].Split(',');
            for (var i = 20; i < 25; i++) lines.Add(string.Join(',', [i.ToString(C), .. last.Skip(1)]));
            return lines;
        });
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: search-log.csv:22: the log has 25 rows, more than the run's budget of 20 evaluations: rows were added after the run; cannot resume", r.Error);
    }

    [Fact]
    public void ResumeRefusesAChangedScenarioAndAForeignPrecision()
    {
        var dir = FixtureRun();
        var scenario = Path.Combine(dir, "scenario.resolved.json");
        var node = JsonNode.Parse(File.ReadAllText(scenario))!.AsObject();
        node["precision"]!["weightBits"] = 16;
        File.WriteAllText(scenario, node.ToJsonString());
        var r = Cli.Run("explore", "--resume", dir, "--plugins", Cli.Fixtures, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: checkpoint.json.scenarioSha256: scenario.resolved.json was changed after the run started", r.Error, StringComparison.Ordinal);

        // The header itself names a precision that differs from the scenario's.
        var header = new CheckpointHeader { CompassVersion = CheckpointHeader.RunningVersion, ScenarioSha256 = "a", Seed = 7, WeightBits = 16, ActivationBits = 8, KvCacheBits = 8 };
        var e = Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => header.CheckSameRun(header with { WeightBits = 8 }));
        Assert.Equal("checkpoint.json.precision", e.Field);
        Assert.Contains("the run used 16/8/8 weight/activation/KV bits, the scenario now gives 8/8/8", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumeIgnoresCompassEnvironmentVariablesAndSaysSo()
    {
        var dir = FixtureRun();
        var before = File.ReadAllText(Path.Combine(dir, "best-mapping.json"));
        var r = HostProcess.Run(TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["COMPASS_BUDGET__EVALUATIONS"] = "5000", ["COMPASS_PRECISION__WEIGHTBITS"] = "16" },
            "explore", "--resume", dir, "--plugins", Cli.Fixtures, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("warning: --resume ignores the environment variable(s) COMPASS_BUDGET__EVALUATIONS, COMPASS_PRECISION__WEIGHTBITS: the run continues with the scenario it started with (scenario.resolved.json)", Assert.Single(r.ErrorLines));
        Assert.Equal(21, File.ReadAllLines(Path.Combine(dir, "search-log.csv")).Length);
        Assert.Equal(before, File.ReadAllText(Path.Combine(dir, "best-mapping.json")));
    }

    [Fact]
    public void ResumeOnAReplayFolderIsRefused()
    {
        var run = FixtureRun();
        var replay = Path.Combine(TestPaths.NewTempDir(), "replay");
        var r = Cli.Run("replay", "--mapping", Path.Combine(run, "best-mapping.json"), "--plugins", Cli.Fixtures, "--out", replay);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var resumed = Cli.Run("explore", "--resume", replay, "--plugins", Cli.Fixtures);
        Assert.Equal(2, resumed.ExitCode);
        Assert.Equal($"error: --resume: {replay} has no checkpoint.json: it is the output of compass replay, which cannot be resumed", resumed.Error);
    }

    // 3. Output folders.

    [Fact]
    public void AFolderBeingWrittenByALiveRunIsRefusedAndAStaleLockIsTakenOver()
    {
        var dir = Path.Combine(TestPaths.NewTempDir(), "out");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, OutputFolder.LockFile), Environment.ProcessId.ToString(C) + " 0\n");
        var r = Cli.Run(FixtureExplore(TestPaths.FixtureScenario, dir));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: --out: {dir} is being written by another compass run (pid {Environment.ProcessId}); wait for it or choose another folder", r.Error);

        // A lock whose process is gone (a killed run) is taken over, and released at the end.
        File.WriteAllText(Path.Combine(dir, OutputFolder.LockFile), "2147483000 0\n");
        var ok = Cli.Run(FixtureExplore(TestPaths.FixtureScenario, dir));
        Assert.True(ok.ExitCode == 0, ok.StdErr);
        Assert.False(File.Exists(Path.Combine(dir, OutputFolder.LockFile)));
    }

    [Fact]
    public async Task TwoConcurrentExploresIntoOneFolderDoNotBothWriteIt()
    {
        var dir = Path.Combine(TestPaths.NewTempDir(), "out");
        var scenario = Cli.Write(Cli.Mutate(Cli.FixtureScenario(), "budget.evaluations=3000"));
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => HostProcess.Run(TimeSpan.FromSeconds(90), FixtureExplore(scenario, dir)))).ToArray();
        var results = await Task.WhenAll(runs);
        var codes = results.Select(r => r.ExitCode).Order().ToArray();
        Assert.Equal([0, 2], codes);
        var refused = results.Single(r => r.ExitCode == 2);
        Assert.Matches("^error: --out: .* (is being written by another compass run \\(pid [0-9]+\\)|holds an exploration)", Assert.Single(refused.ErrorLines));
        Assert.Equal(3001, File.ReadAllLines(Path.Combine(dir, "search-log.csv")).Length);
    }

    [Fact]
    public void AFolderHoldingAnotherRunIsRefusedUnlessForceClearsIt()
    {
        var dir = FixtureRun();
        File.WriteAllText(Path.Combine(dir, "replay.json"), "{}");
        var r = Cli.Run(FixtureExplore(TestPaths.FixtureScenario, dir));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: --out: {dir} holds an exploration (continue it with compass explore --resume); choose another folder, or add --force to clear it first", r.Error);

        var forced = Cli.Run(FixtureExplore(TestPaths.FixtureScenario, dir, "--force"));
        Assert.True(forced.ExitCode == 0, forced.StdErr);
        Assert.False(File.Exists(Path.Combine(dir, "replay.json")));

        // replay --out into an exploration folder is refused too (it would erase the checkpoint).
        var replay = Cli.Run("replay", "--mapping", Path.Combine(dir, "best-mapping.json"), "--plugins", Cli.Fixtures, "--out", dir);
        Assert.Equal(2, replay.ExitCode);
        Assert.StartsWith($"error: --out: {dir} holds an exploration", replay.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint.json")));
    }

    [Fact]
    public void StaleTemporaryFilesOfAKilledRunAreRemovedOnStart()
    {
        var dir = FixtureRun();
        File.WriteAllText(Path.Combine(dir, ".metrics.json.4242.7.tmp"), "{\"half");
        File.WriteAllText(Path.Combine(dir, ".best-mapping.json.4242.tmp"), "{");
        var r = Cli.Run("explore", "--resume", dir, "--plugins", Cli.Fixtures, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void AFailedCheckpointWriteStopsTheRunWithAClearError()
    {
        // /dev/full answers every write with "No space left on device", like a full disk.
        var dir = Path.Combine(TestPaths.NewTempDir(), "out");
        ExploreCommand.CheckpointStreamFactory.Value = _ => new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
        try
        {
            var r = Cli.Run(FixtureExplore(TestPaths.FixtureScenario, dir));
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith($"error: cannot write the checkpoint {Path.Combine(dir, "search-log.csv")}: No space left on device", r.Error, StringComparison.Ordinal);
            Assert.Contains("the run stopped after", r.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir, "metrics.json")));
        }
        finally
        {
            ExploreCommand.CheckpointStreamFactory.Value = null;
        }
    }

    // 7. Exit codes and one-line messages.

    [Theory]
    [InlineData("file")]
    [InlineData("")]
    [InlineData("/dev/null")]
    [InlineData("/proc/compass-out")]
    public void OutThatCannotBeAFolderIsAUserError(string kind)
    {
        var target = kind == "file" ? Cli.WriteText("{}") : kind;
        var r = Cli.Run(FixtureExplore(TestPaths.FixtureScenario, target));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: --out: ", r.Error, StringComparison.Ordinal);
        Assert.Single(r.ErrorLines);
    }

    [Fact]
    public void PluginRaisedUserErrorsExitWith2()
    {
        var scenario = Cli.Write(Cli.Mutate(DefaultScenario(), "optimizer={\"name\":\"exhaustive\"}"));
        var exhaustive = Cli.Run("explore", "--scenario", scenario, "--plugins", TestPaths.PluginsDir, "--out", Path.Combine(TestPaths.NewTempDir(), "o"), "--quiet");
        Assert.Equal(2, exhaustive.ExitCode);
        Assert.StartsWith("error: optimizer.options.maxSpaceSize: the mapping space has ", exhaustive.Error, StringComparison.Ordinal);

        var cost = Cli.Run("cost", "--chiplet", "compass-os", "--m", "9223372036854775807", "--n", "4", "--plugins", TestPaths.PluginsDir);
        Assert.Equal(2, cost.ExitCode);
        Assert.Equal("error: --m: must be <= 2147483647 (2^31 - 1), got 9223372036854775807", cost.Error);
    }

    [Fact]
    public void SetWithAnEmptyPathSegmentIsNamed()
    {
        var r = Cli.Run("validate", "--scenario", TestPaths.FixtureScenario, "--plugins", Cli.Fixtures, "--set", ".graph.layers=2");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --set: '.graph.layers' is not a field path: write dotted names without empty parts, e.g. --set graph.layers=...", r.Error);
    }

    [Fact]
    public void AHugeEchoedInputIsCutToOneShortLine()
    {
        var header = "TIMESTAMP," + new string('x', 200_000) + ",GeneratedTokens";
        var path = Path.Combine(TestPaths.NewTempDir(), "trace.csv");
        File.WriteAllText(path, header + "\n2023-11-16 18:15:46.6805900,374,44\n");
        var r = ValidateReal(WithTraceFile(path));
        Assert.Equal(2, r.ExitCode);
        Assert.True(r.Error.Length < 1000, $"{r.Error.Length} characters");
        Assert.Contains("header has no column ContextTokens (found: TIMESTAMP,xxxx", r.Error, StringComparison.Ordinal);
        Assert.EndsWith("xxx…)", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void OneLineKeepsStartAndEndOfLongText()
    {
        Assert.Equal("a b", OneLine.Of("a\nb"));
        var cut = OneLine.Of(new string('a', 1000) + "END", 100);
        Assert.StartsWith("aaaa", cut, StringComparison.Ordinal);
        Assert.EndsWith("aEND", cut, StringComparison.Ordinal);
        Assert.Contains("[903 characters cut]", cut, StringComparison.Ordinal);
    }

    // 4. Sizes.

    [Fact]
    public void ScenarioFromDevZeroIsRefusedWithinASecond()
    {
        var r = HostProcess.Run(TimeSpan.FromSeconds(30), "validate", "--scenario", "/dev/zero");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --scenario: /dev/zero is larger than the limit of 8 MiB; is it the right file?", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public void PackageFileLinkedToDevZeroIsRefused()
    {
        var dir = TestPaths.NewTempDir();
        File.CreateSymbolicLink(Path.Combine(dir, "package.json"), "/dev/zero");
        var scenario = Cli.Mutate(Cli.FixtureScenario(), "hardware.package=\"package.json\"");
        var path = Path.Combine(dir, "scenario.json");
        File.WriteAllText(path, scenario.ToJsonString());
        var r = Cli.Run("validate", "--scenario", path, "--plugins", Cli.Fixtures);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: hardware.package: {Path.Combine(dir, "package.json")} is larger than the limit of 8 MiB; is it the right file?", r.Error);
    }

    [Fact]
    public void ScenarioSizeLimitsAreCheckedBeforeBinding()
    {
        var keys = new JsonObject();
        for (var i = 0; i < 5000; i++) keys["k" + i.ToString(C)] = i;
        var r = Cli.Run("validate", "--scenario", Cli.Write(Cli.Mutate(Cli.FixtureScenario(), "plugins={}").AddAndReturn("plugins", new JsonObject { ["Vendor"] = keys })), "--plugins", Cli.Fixtures);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: plugins.Vendor: has more than 1024 keys", r.Error, StringComparison.Ordinal);

        var mesh = Cli.InlinePackage();
        mesh["meshWidth"] = 1000;
        mesh["meshHeight"] = 1000;
        mesh["slots"] = new JsonArray([.. Enumerable.Range(0, 5000).Select(_ => (JsonNode)JsonValue.Create("fx-chiplet"))]);
        var m = Cli.Run("validate", "--scenario", Cli.Write(Cli.FixtureScenario().AddAndReturn("hardware", new JsonObject { ["package"] = mesh })), "--plugins", Cli.Fixtures);
        Assert.Equal(2, m.ExitCode);
        Assert.StartsWith("error: hardware.package.meshWidth: must be <= 64 chiplets, got 1000", m.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkEstimatedToExceedMemoryIsRefusedUpFrontNamingTheDriver()
    {
        // A 100,000-layer model small enough for the package DRAM (4-bit KV cache): its graphs would need about 50 GB.
        var model = new JsonObject { ["name"] = "deep", ["layers"] = 100_000, ["hidden"] = 64, ["heads"] = 4, ["kvHeads"] = 1, ["headDim"] = 16, ["ffnHidden"] = 128, ["vocab"] = 1000 };
        var scenario = DefaultScenario();
        scenario["precision"]!["kvCacheBits"] = 4;
        scenario["model"] = model;
        scenario["graph"]!["layers"] = 100_000;
        // Two sampled iterations (from a pool of 20): the default 10 draw from 100 iterations, and one of them holds more
        // KV cache than this deep model leaves room for, which is refused first under workload.scheduler.options.
        scenario["workload"]!["searchIterations"] = 2;
        var clock = Stopwatch.StartNew();
        var r = ValidateReal(scenario);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches("^error: graph\\.layers: 100000 modelled layers need an estimated [0-9.]+ GB \\(", r.Error);
        Assert.Contains("model fewer layers (graph.layers) or sample fewer iterations (workload.searchIterations)", r.Error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    // 5. Overflowing values are refused before the search, naming the field.

    [Theory]
    [InlineData("hardware.package.dramChannels[0].bandwidthGBps", "1e-300")]
    [InlineData("hardware.package.link.energyPjPerBit", "1e308")]
    public void OverflowingValuesAreRefusedBeforeTheSearchNamingTheField(string field, string value)
    {
        var scenario = Cli.Mutate(DefaultScenario(), $"{field}={value}");
        var r = ValidateReal(scenario);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: {field}: the first heuristic mapping (", r.Error, StringComparison.Ordinal);
        Assert.Contains($"likely cause: {field} = ", r.Error, StringComparison.Ordinal);
    }

    // 8. Results the host checks.

    [Fact]
    public void AnOptimizersUnevaluatedClaimIsReEvaluatedByTheHost()
    {
        var dir = Path.Combine(TestPaths.NewTempDir(), "out");
        var scenario = Cli.Write(Cli.Mutate(Cli.FixtureScenario(), "optimizer={\"name\":\"fx-liar\"}"));
        var r = Cli.Run("explore", "--scenario", scenario, "--plugins", Cli.Fixtures, "--out", dir);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains(r.ErrorLines, l => l.StartsWith("warning: the optimizer reported a best objective of 1E-30, but its mapping evaluates to ", StringComparison.Ordinal));
        Assert.DoesNotContain("100.00 %", r.StdOut, StringComparison.Ordinal);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        var objective = metrics.RootElement.GetProperty("objective").GetDouble();
        Assert.True(objective > 1e-20, $"objective {objective}");
    }

    [Fact]
    public void ReplayUsesTheScenarioTheMappingFileCarries()
    {
        var run = FixtureRun();
        var mapping = Path.Combine(run, "best-mapping.json");
        var r = Cli.Run("replay", "--mapping", mapping, "--plugins", Cli.Fixtures, "--out", Path.Combine(TestPaths.NewTempDir(), "r"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("scenario 'fixture-2x2' (carried by the mapping file)", r.StdOut, StringComparison.Ordinal);

        // A mapping without its scenario is never replayed against the default one silently.
        var node = JsonNode.Parse(File.ReadAllText(mapping))!.AsObject();
        node.Remove("scenario");
        var bare = Cli.WriteText(node.ToJsonString());
        var refused = Cli.Run("replay", "--mapping", bare, "--plugins", Cli.Fixtures, "--out", Path.Combine(TestPaths.NewTempDir(), "r"));
        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("error: --scenario: is required: ", refused.Error, StringComparison.Ordinal);
    }

    // 9. Shadowing and precision.

    [Theory]
    [InlineData("fx-chiplet", null, "hardware.chipletTypes[0].name: 'fx-chiplet' is the name of the catalog chiplet type 'fx-chiplet'")]
    [InlineData("FX-CHIPLET", null, "hardware.chipletTypes[0].name: 'FX-CHIPLET' is the name of the catalog chiplet type 'fx-chiplet'")]
    [InlineData("fx-custom", "fx-custom", "hardware.chipletTypes[0].replaces: there is no catalog chiplet type 'fx-custom' to replace")]
    public void AScenarioChipletTypeMayNotShadowTheCatalogSilently(string name, string? replaces, string expected)
    {
        var type = Cli.InlineChiplet();
        type["name"] = name;
        if (replaces is not null) type["replaces"] = replaces;
        var scenario = Cli.FixtureScenario();
        scenario["hardware"]!["chipletTypes"] = new JsonArray(type);
        var r = Cli.Run("validate", "--scenario", Cli.Write(scenario), "--plugins", Cli.Fixtures);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: " + expected, r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplacingACatalogTypeOnPurposeIsAcceptedAndTwoTypesWithOneNameAreNot()
    {
        var type = Cli.InlineChiplet();
        type["name"] = "fx-chiplet";
        type["replaces"] = "fx-chiplet";
        var scenario = Cli.FixtureScenario();
        scenario["hardware"]!["chipletTypes"] = new JsonArray(type);
        var ok = Cli.Run("validate", "--scenario", Cli.Write(scenario), "--plugins", Cli.Fixtures);
        Assert.True(ok.ExitCode == 0, ok.StdErr);

        var second = Cli.InlineChiplet();
        second["name"] = "FX-Custom";
        scenario["hardware"]!["chipletTypes"] = new JsonArray(Cli.InlineChiplet(), second);
        var twice = Cli.Run("validate", "--scenario", Cli.Write(scenario), "--plugins", Cli.Fixtures);
        Assert.Equal(2, twice.ExitCode);
        Assert.Equal("error: hardware.chipletTypes[1].name: 'FX-Custom' is already defined by hardware.chipletTypes[0] (names are case-insensitive); give each type its own name", twice.Error);
    }

    [Fact]
    public void AChipletLackingTheScenariosPrecisionIsRefused()
    {
        var r = Cli.Run("validate", "--scenario", TestPaths.FixtureScenario, "--plugins", Cli.Fixtures, "--set", "precision.weightBits=32");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: precision: chiplet type 'fx-chiplet' has no 32-bit precision (it has 8-bit, 16-bit)", r.Error, StringComparison.Ordinal);
    }
}

/// <summary>JSON helpers for building scenarios inline.</summary>
internal static class JsonObjectExtensions
{
    /// <summary>Sets <paramref name="key"/> and returns the object.</summary>
    public static JsonObject AddAndReturn(this JsonObject o, string key, JsonNode value)
    {
        o[key] = value;
        return o;
    }
}
