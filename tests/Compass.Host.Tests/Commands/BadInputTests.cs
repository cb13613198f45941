using System.Text.Json.Nodes;

namespace Compass.Host.Tests;

/// <summary>
/// Bad inputs through the command line's entry point, in process: each must end with exit code 2, exactly one
/// <c>error: field.path: reason</c> line naming the field, and no output folder.
/// </summary>
public sealed class BadInputTests
{
    /// <summary>
    /// Case name, edits to the fixture scenario (<c>path=json</c> or <c>-path</c>; <c>$PKG</c>, <c>$CHIP</c> and
    /// <c>$MODEL</c> stand for valid inline descriptions, edited by later entries), and the field the error must name.
    /// </summary>
    public static TheoryData<string, string[], string> ScenarioCases { get; } = new()
    {
        { "unknown top-level key", ["budgett={\"evaluations\":5}"], "budgett: is not a known scenario field" },
        { "seed of the wrong type", ["seed=\"abc\""], "seed: must be a whole number, got 'abc'" },
        { "budget zero", ["budget.evaluations=0"], "budget.evaluations: must be in [1, " },
        { "budget negative", ["budget.evaluations=-5"], "budget.evaluations: must be in [1, " },
        { "wall seconds negative", ["budget.wallSeconds=-1"], "budget.wallSeconds: must be in [0, " },
        { "object given a string", ["budget=\"many\""], "budget: has the wrong type (expected an object)" },
        { "precision 3 bits", ["precision.weightBits=3"], "precision.weightBits: must be 4, 8, 16 or 32 bits, got 3" },
        { "precision wrong type", ["precision.kvCacheBits=\"eight\""], "precision.kvCacheBits: must be a whole number" },
        { "micro-batch larger than batch", ["graph.microBatchSize=8"], "graph.microBatchSize: must be <= workload.maxBatchRequests (4), got 8" },
        { "tensor parallel not dividing hidden", ["graph.tensorParallel=3", "graph.headGroups=2"], "graph.tensorParallel: must divide the model's hidden size 256, got 3" },
        { "head groups not dividing heads", ["graph.headGroups=3"], "graph.headGroups: must divide the model's 4 attention heads" },
        { "tensor parallel not dividing heads", ["graph.tensorParallel=4", "graph.headGroups=0", "model=$MODEL", "model.heads=6", "model.kvHeads=6"], "graph.tensorParallel: must divide the model's 6 attention heads" },
        { "more layers than the model", ["graph.layers=5"], "graph.layers: must be <= the model's 2 layers, got 5" },
        { "boolean of the wrong type", ["graph.causalPrefill=\"maybe\""], "graph.causalPrefill" },
        { "batch of zero requests", ["workload.maxBatchRequests=0"], "workload.maxBatchRequests: must be in [1, " },
        { "zero search iterations", ["workload.searchIterations=0"], "workload.searchIterations: must be in [1, " },
        { "unknown padding", ["workload.padding=\"pad\""], "workload.padding: must be one of none, batch-max, fixed, got 'pad'" },
        { "fixed padding without a length", ["workload.padding=\"fixed\""], "workload.paddedLength: must be >= 1 when workload.padding is fixed, got 0" },
        { "unknown trace", ["workload.trace.name=\"nope\""], "workload.trace.name: unknown traces component 'nope'" },
        { "unknown scheduler", ["workload.scheduler.name=\"nope\""], "workload.scheduler.name: unknown schedulers component 'nope'" },
        { "unknown compute model", ["costModels.compute.name=\"nope\""], "costModels.compute.name: unknown compute component 'nope' (known: fx-nan, fx-roofline)" },
        { "unknown network model", ["costModels.network.name=\"nope\""], "costModels.network.name: unknown network component 'nope'" },
        { "unknown cost model", ["costModels.cost={\"name\":\"nope\"}"], "costModels.cost.name: unknown cost component 'nope'" },
        { "unknown optimizer", ["optimizer.name=\"nope\""], "optimizer.name: unknown optimizers component 'nope' (known: fx-crash, fx-liar, fx-random)" },
        { "unknown package preset", ["hardware.package=\"nope\""], "hardware.package: unknown package 'nope' (known: fx-2x2)" },
        { "unknown model", ["model=\"nope\""], "model: unknown model 'nope' (known: fx-tiny)" },
        { "optimizer option out of range", ["optimizer.options.batch=0"], "optimizer.options.batch: must be in [1, 1024], got 0" },
        { "unknown optimizer option", ["optimizer.options.colour=1"], "optimizer.options.colour: is not a known option" },
        { "trace of zero requests", ["workload.trace.options.count=0"], "workload.trace.options.count: must be in [1, 1000000], got 0" },
        { "huge trace", ["workload.trace.options.count=2000000000"], "workload.trace.options.count: must be in [1, 1000000], got 2000000000" },
        { "unknown fault policy", ["resilience.onPluginFault=\"explode\""], "resilience.onPluginFault" },
        { "time-out zero", ["resilience.evaluationTimeoutMs=0"], "resilience.evaluationTimeoutMs: must be in [10, " },
        { "negative threads", ["search.threads=-1"], "search.threads: must be in [0, 1024], got -1" },
        { "unknown start", ["search.startFrom=\"middle\""], "search.startFrom" },
        { "checkpoint every zero", ["search.checkpointEvery=0"], "search.checkpointEvery: must be in [1, 1000000], got 0" },
        { "unknown objective", ["objective.kind=\"speed\""], "objective.kind" },
        { "negative exponent", ["objective.energyExponent=-1"], "objective.energyExponent: must be in [0, 100], got -1" },
        { "missing optimizer", ["-optimizer"], "optimizer.name: is required" },
        { "missing model", ["-model"], "model: is required" },
        { "negative link bandwidth", ["hardware.package=$PKG", "hardware.package.link.bandwidthGBps=-3"], "hardware.package.link.bandwidthGBps: must be > 0, got -3" },
        { "package without DRAM", ["hardware.package=$PKG", "hardware.package.dramChannels=[]"], "hardware.package.dramChannels: must list at least one DRAM channel" },
        { "DRAM bandwidth zero", ["hardware.package=$PKG", "hardware.package.dramChannels[1].bandwidthGBps=0"], "hardware.package.dramChannels[1].bandwidthGBps: must be > 0, got 0" },
        { "DRAM router off the mesh", ["hardware.package=$PKG", "hardware.package.dramChannels[0].attachedRouters[1]={\"x\":0,\"y\":7}"], "hardware.package.dramChannels[0].attachedRouters[1]: router (0,7) is off the 2×2 mesh" },
        { "unknown chiplet type in a slot", ["hardware.package=$PKG", "hardware.package.slots[2]=\"fx-nope\""], "hardware.package.slots[2]: unknown chiplet type 'fx-nope'" },
        { "slot count off the mesh", ["hardware.package=$PKG", "-hardware.package.slots[3]"], "hardware.package.slots: must have meshWidth × meshHeight = 4 entries, got 3" },
        { "package field of the wrong type", ["hardware.package=$PKG", "hardware.package.meshWidth=\"wide\""], "hardware.package.meshWidth: must be a whole number, got 'wide'" },
        { "package field unknown", ["hardware.package=$PKG", "hardware.package.colour=\"red\""], "hardware.package.colour: is not a known field" },
        { "chiplet buffer of zero bytes", ["hardware.chipletTypes=[$CHIP]", "hardware.chipletTypes[0].buffers[0].capacityBytes=0"], "hardware.chipletTypes[0].buffers[0].capacityBytes: must be > 0, got 0" },
        { "chiplet precision 3 bits", ["hardware.chipletTypes=[$CHIP]", "hardware.chipletTypes[0].precisions[0].bits=3"], "hardware.chipletTypes[0].precisions[0].bits: must be 4, 8, 16 or 32, got 3" },
        { "chiplet clock zero", ["hardware.chipletTypes=[$CHIP]", "hardware.chipletTypes[0].clockGHz=0"], "hardware.chipletTypes[0].clockGHz: must be > 0, got 0" },
        { "model without heads", ["model=$MODEL", "model.heads=0"], "model.heads: must be >= 1, got 0" },
        { "model KV heads not dividing heads", ["model=$MODEL", "model.kvHeads=3"], "model.kvHeads: must divide heads = 4, got 3" },
        { "weights do not fit DRAM", ["hardware.package=$PKG", "hardware.package.dramChannels[0].capacityGB=0.0000001", "hardware.package.dramChannels[1].capacityGB=0.0000001"], "model: weights 0.001 GB + KV cache 0 GB do not fit package DRAM 0 GB" },
        { "KV cache does not fit DRAM", ["hardware.package=$PKG", "hardware.package.dramChannels[0].capacityGB=0.001", "hardware.package.dramChannels[1].capacityGB=0.001", "workload.trace.options.prompt=1000000"], "model: weights 0.001 GB + KV cache" },
    };

    [Theory]
    [MemberData(nameof(ScenarioCases))]
    public void BadScenarioFailsWithExitCode2NamingTheField(string name, string[] edits, string expected)
    {
        var scenario = Cli.Mutate(Cli.FixtureScenario(), [.. edits.Select(Expand)]);
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("explore", "--scenario", Cli.Write(scenario), "--plugins", Cli.Fixtures, "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 2, $"{name}: exit {r.ExitCode}\n{r.StdErr}");
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), $"{name}: the output folder was created");
    }

    private static string Expand(string edit) => edit
        .Replace("$PKG", Cli.InlinePackage().ToJsonString(), StringComparison.Ordinal)
        .Replace("$CHIP", Cli.InlineChiplet().ToJsonString(), StringComparison.Ordinal)
        .Replace("$MODEL", Cli.InlineModel().ToJsonString(), StringComparison.Ordinal);

    [Fact]
    public void MalformedJsonNamesTheFileLineAndPosition()
    {
        var r = Cli.Run("validate", "--scenario", Cli.WriteText("{\n  \"name\": \"x\",\n  \"seed\": ,\n}"), "--plugins", Cli.Fixtures);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: scenario.json: malformed JSON at line 3, position", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonArrayInsteadOfAnObjectIsRejected()
    {
        var r = Cli.Run("validate", "--scenario", Cli.WriteText("[1, 2]"), "--plugins", Cli.Fixtures);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: scenario.json: must be a JSON object, got array", r.Error);
    }

    [Fact]
    public void MissingScenarioFileIsNamed()
    {
        var r = Cli.Run("validate", "--scenario", "/nonexistent/compass.json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --scenario: file not found: /nonexistent/compass.json", r.Error);
    }

    [Fact]
    public void MissingPluginFolderIsNamed()
    {
        var r = Cli.Run("validate", "--scenario", TestPaths.FixtureScenario, "--plugins", "/nonexistent/plugins");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --plugins: folder not found: /nonexistent/plugins", r.Error);
    }

    [Fact]
    public void SetWithoutAnEqualsSignIsNamed()
    {
        var r = Cli.Run("validate", "--scenario", TestPaths.FixtureScenario, "--plugins", Cli.Fixtures, "--set", "budget.evaluations");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --set: expected key=value, got 'budget.evaluations'", r.Error);
    }

    [Fact]
    public void UnknownOptionIsAUserError()
    {
        var r = Cli.Run("explore", "--budgets", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--budgets", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenDllInAPluginFolderIsReportedAndTheRunContinues()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("explore", "--scenario", TestPaths.FixtureScenario, "--plugins", TestPaths.PluginSet(true, "Sample"), "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains(r.ErrorLines, l => l.StartsWith("warning: plugin Broken: Broken.dll is not a valid .NET assembly", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(outDir, "best-mapping.json")));
    }

    // Real plugins: trace files read by the Workloads plugin, its catalog, and its optimizers.
    private static CliResult RealExplore(string outDir, params string[] sets)
    {
        var args = new List<string> { "explore", "--scenario", Cli.DefaultScenarioPath, "--plugins", TestPaths.PluginsDir, "--out", outDir, "--quiet", "--budget", "5" };
        foreach (var s in sets) args.AddRange(["--set", s]);
        return Cli.Run([.. args]);
    }

    /// <summary>Explores the default scenario with its trace replaced by an Azure-format CSV file holding <paramref name="text"/>.</summary>
    private static CliResult ExploreTraceFile(string outDir, string text)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "trace.csv");
        File.WriteAllText(path, text);
        var scenario = Cli.Mutate(JsonNode.Parse(File.ReadAllText(Cli.DefaultScenarioPath))!.AsObject(),
            "workload.trace=" + new JsonObject { ["name"] = "azure-csv", ["options"] = new JsonObject { ["path"] = path } }.ToJsonString(),
            "workload.warmupIterations=0");
        return Cli.Run("explore", "--scenario", Cli.Write(scenario), "--plugins", TestPaths.PluginsDir, "--out", outDir, "--quiet", "--budget", "5");
    }

    [Fact]
    public void TraceFileWithABadRowNamesFileAndLine()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = ExploreTraceFile(outDir, "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.5000000,twelve,3\n");
        Assert.True(r.ExitCode == 2, r.StdErr);
        Assert.EndsWith("/trace.csv:3: ContextTokens must be a whole number of tokens, got 'twelve'", r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void TraceFileWithOnlyAHeaderIsAnEmptyTrace()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = ExploreTraceFile(outDir, "TIMESTAMP,ContextTokens,GeneratedTokens\n");
        Assert.True(r.ExitCode == 2, r.StdErr);
        Assert.Equal("error: workload.trace: trace 'azure-csv' produced no request (empty trace or zero requests); nothing to schedule", r.Error);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void EmptyTraceFileIsNamed()
    {
        var r = ExploreTraceFile(Path.Combine(TestPaths.NewTempDir(), "out"), "");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("trace.csv", r.Error, StringComparison.Ordinal);
        Assert.Contains("empty", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CatalogModelThatDoesNotFitThePackageIsInfeasible()
    {
        var r = RealExplore(Path.Combine(TestPaths.NewTempDir(), "out"), "model=llama-3-70b", "graph.layers=80", "graph.tensorParallel=8", "graph.headGroups=8");
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"^error: model: weights [0-9.]+ GB \+ KV cache 0 GB do not fit package DRAM 16 GB$", r.Error);
    }

    [Fact]
    public void UnknownRealOptimizerListsTheKnownOnes()
    {
        var r = RealExplore(Path.Combine(TestPaths.NewTempDir(), "out"), "optimizer.name=gaa");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: optimizer.name: unknown optimizers component 'gaa' (known: ", r.Error, StringComparison.Ordinal);
        Assert.Contains("ga,", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeGeneratedTraceIsStreamedNotLoaded()
    {
        // Two billion requests: the trace is generated lazily, so only the iterations the sample needs are produced.
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = RealExplore(outDir, "workload.trace.options.requests=2000000000");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(6, File.ReadAllLines(Path.Combine(outDir, "search-log.csv")).Length);
    }
}
