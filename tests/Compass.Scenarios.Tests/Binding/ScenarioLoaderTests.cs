using System.Collections;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Scenarios.Binding;

namespace Compass.Scenarios.Tests.Binding;

public sealed class ScenarioLoaderTests
{
    private static readonly IDictionary NoEnvironment = new Hashtable();

    private static Scenario Load(string path, params string[] sets) => ScenarioLoader.Load(path, sets, NoEnvironment);

    private static CompassInputException Fails(string path, params string[] sets) => Assert.Throws<CompassInputException>(() => Load(path, sets));

    [Fact]
    public void DefaultsOfEveryDeclaredKeyAreFilled()
    {
        var s = Load(TestFiles.Write(TestFiles.Minimal()));
        Assert.Equal(42, s.Seed);
        Assert.Equal("unnamed", s.Name);
        Assert.Equal(16, s.Precision.WeightBits);
        Assert.Equal(1, s.Graph.Layers);
        Assert.Equal(8, s.Graph.TensorParallel);
        Assert.True(s.Graph.CausalPrefill);
        Assert.Equal(10_000, s.Budget.MaxEvaluations);
        // The default objective averages 10 iterations stratified by phase mix (docs/levers.md).
        Assert.Equal(10, s.Workload.SearchIterations);
        Assert.True(s.Workload.Stratified);
        Assert.False(Load(TestFiles.Write(TestFiles.Minimal()), "workload.sampling=uniform").Workload.Stratified);
        Assert.Equal(60_000, s.Resilience.EvaluationTimeoutMs);
        Assert.Equal(100, s.Search.CheckpointEvery);
        Assert.Null(s.CostModels.Cost);
        Assert.Equal("4", s.Optimizer.Options["batch"]);
        // The bound document holds every declared key, in declared order.
        Assert.Equal(["name", "description", "seed", "hardware", "model", "precision", "graph", "workload", "costModels", "objective", "optimizer", "budget", "search", "resilience", "evaluator", "plugins", "requires"],
            s.Document.Select(p => p.Key));
        Assert.Equal(Compass.Engine.Workload.PaddingOptions.None, s.Workload.Padding);
        Assert.Equal(Compass.Engine.DramPlacement.Nearest, s.Evaluator.Placement);
        Assert.Empty(s.Evaluator.WeightHomes);
        Assert.Empty(s.Requires);
    }

    [Fact]
    public void PaddingEvaluatorAndRequiresBindFromOverrides()
    {
        var s = Load(TestFiles.Write(TestFiles.Minimal()), "workload.padding=fixed", "workload.paddedLength=512", "evaluator.placement=Interleaved",
            "evaluator.weightHomes.L0.ffn_up.3=1", "evaluator.collective=Direct", "requires.Acme.Photonic=>=1.2");
        Assert.Equal(new Compass.Engine.Workload.PaddingOptions(Compass.Engine.Workload.PaddingMode.Fixed, 512), s.Workload.Padding);
        Assert.Equal(Compass.Engine.DramPlacement.Interleaved, s.Evaluator.Placement);
        Assert.Equal(Compass.Engine.CollectiveAlgorithm.Direct, s.Evaluator.Collective);
        Assert.Equal(Compass.Engine.CollectiveAlgorithm.Ring, Load(TestFiles.Write(TestFiles.Minimal())).Evaluator.Collective);
        // Gene and package names hold dots: an override nests them, binding joins them back.
        Assert.Equal(1, Assert.Single(s.Evaluator.WeightHomes, h => h.Key == "L0.ffn_up.3").Value);
        Assert.Equal(">=1.2", s.Requires["Acme.Photonic"]);
        Assert.Equal("interleaved", s.Document["evaluator"]!["placement"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("workload.padding=fixed", "workload.paddedLength: must be >= 1 when workload.padding is fixed, got 0")]
    [InlineData("workload.padding=bucket", "workload.padding: must be one of none, batch-max, fixed, got 'bucket'")]
    [InlineData("evaluator.placement=random", "evaluator.placement: must be one of nearest, interleaved, search, got 'random'")]
    [InlineData("evaluator.collective=tree", "evaluator.collective: must be one of ring, direct, got 'tree'")]
    [InlineData("evaluator.weightHomes.L0.qkv=-1", "evaluator.weightHomes.L0.qkv: must be in [0, 4095], got -1")]
    [InlineData("requires.Acme=", "requires.Acme: is required (an empty string was given)")]
    public void NewFieldsAreCheckedByTheirDeclaredRule(string set, string expected)
    {
        var e = Fails(TestFiles.Write(TestFiles.Minimal()), set);
        Assert.Equal(expected, $"{e.Field}: {e.Reason}");
    }

    [Theory]
    [InlineData("\"seed\": 1, \"seed\": 2", "seed: is given twice, at lines")]
    [InlineData("\"graph\": { \"layers\": 1, \"Layers\": 2 }", "graph.Layers: is given twice (as 'layers' and 'Layers'; keys match regardless of case)")]
    [InlineData("\"seed\": null", "seed: must not be null")]
    [InlineData("\"plugins\": { \"Vendor\": { \"levels\": [ 1, null ] } }", "plugins.Vendor.levels[1]: must not be null")]
    [InlineData("\"objective\": { \"kind\": \"latency,energy\" }", "objective.kind: must be one of edp, latency, energy, weighted, got 'latency,energy'")]
    [InlineData("\"objective\": { \"kind\": \"3\" }", "objective.kind: must be one of edp, latency, energy, weighted, got '3'")]
    [InlineData("\"resilience\": { \"onPluginFault\": 1 }", "resilience.onPluginFault: must be one of stop, continue, got 1")]
    [InlineData("\"seed\": \"11\"", "seed: must be a whole number, got '11'")]
    [InlineData("\"seed\": 1.5", "seed: must be a whole number, got 1.5")]
    [InlineData("\"graph\": { \"layerz\": 2 }", "graph.layerz: is not a known field (known: layers, tensorParallel")]
    [InlineData("\"optimiser\": \"ga\"", "optimiser: is not a known scenario field")]
    [InlineData("\"budget\": 5", "budget: has the wrong type (expected an object), got 5")]
    [InlineData("\"precision\": { \"weightBits\": 12 }", "precision.weightBits: must be 4, 8, 16 or 32 bits, got 12")]
    [InlineData("\"graph\": { \"microBatchSize\": 8 }", "graph.microBatchSize: must be <= workload.maxBatchRequests (4), got 8")]
    public void BadFileValuesAreRefusedNamingTheField(string extra, string expected)
    {
        // Keys given in Minimal() and again in extra are duplicates, so the cases only add keys Minimal lacks.
        var e = Fails(TestFiles.Write(TestFiles.Minimal(extra)));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("seed=abc", "seed: must be a whole number, got 'abc'")]
    [InlineData("budget.evaluations=0", "budget.evaluations: must be in [1, 2147483647], got 0")]
    [InlineData("objective.kind=latency,energy", "objective.kind: must be one of edp, latency, energy, weighted, got 'latency,energy'")]
    [InlineData("search.startFrom=somewhere", "search.startFrom: must be one of heuristics, none, got 'somewhere'")]
    [InlineData("graph.causalPrefill=maybe", "graph.causalPrefill: must be true or false, got 'maybe'")]
    [InlineData("hardware.package.lnk.x=1", "hardware.package.lnk: is not a known field (known: preset, name,")]
    [InlineData("model.layerz=1", "model.layerz: is not a known field")]
    [InlineData("hardware.package.link.bandwidthGBps=fast", "hardware.package.link.bandwidthGBps: must be a number, got 'fast'")]
    [InlineData("hardware.chipletTypes.0.clockGHz=1", "hardware.chipletTypes[0]: is beyond the list of 0 entries")]
    [InlineData("seed.x=1", "seed.x: is not a known field")]
    public void BadOverridesAreRefusedNamingTheField(string set, string expected)
    {
        var e = Fails(TestFiles.Write(TestFiles.Minimal()), set);
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverridesApplyInOrderFileThenEnvironmentThenSet()
    {
        var env = new Hashtable { ["COMPASS_BUDGET__EVALUATIONS"] = "33", ["COMPASS_SEED"] = "11", ["UNRELATED"] = "x" };
        var s = ScenarioLoader.Load(TestFiles.Write(TestFiles.Minimal()), ["budget.evaluations=20000", "optimizer.options.batch=16"], env);
        Assert.Equal(20000, s.Budget.MaxEvaluations);
        Assert.Equal(11, s.Seed);
        Assert.Equal("16", s.Optimizer.Options["batch"]);
    }

    [Fact]
    public void SetOnAPresetFieldKeepsThePresetAndRecordsTheOverride()
    {
        var s = Load(TestFiles.Write(TestFiles.Minimal()), "hardware.package.link.bandwidthGBps=64", "hardware.package.slots.3=other", "model.layers=1");
        Assert.Equal("p-2x2", s.Package.PresetName);
        Assert.Equal(64.0, s.Package.Overrides!["link"]!["bandwidthGBps"]!.GetValue<double>());
        Assert.Equal("other", s.Package.Overrides["slots"]!["3"]!.GetValue<string>());
        Assert.Equal("m-tiny", s.Model.PresetName);
        Assert.Equal(1, s.Model.Overrides!["layers"]!.GetValue<long>());
    }

    [Fact]
    public void EnvironmentVariableReachesAPresetField()
    {
        var env = new Hashtable { ["COMPASS_HARDWARE__PACKAGE__LINK__BANDWIDTHGBPS"] = "32" };
        var s = ScenarioLoader.Load(TestFiles.Write(TestFiles.Minimal()), [], env);
        Assert.Equal(32.0, s.Package.Overrides!["link"]!["bandwidthGBps"]!.GetValue<double>());
    }

    [Fact]
    public void PresetWithOverridesCanBeWrittenInTheFile()
    {
        var path = TestFiles.Write(TestFiles.Minimal().Replace("\"package\": \"p-2x2\"", "\"package\": { \"preset\": \"p-2x2\", \"Link\": { \"bandwidthGBps\": 8 } }", StringComparison.Ordinal));
        var s = Load(path);
        Assert.Equal("p-2x2", s.Package.PresetName);
        Assert.Equal(8.0, s.Package.Overrides!["link"]!["bandwidthGBps"]!.GetValue<double>());
    }

    [Fact]
    public void UnknownKeyUnderAPresetInTheFileIsRefused()
    {
        var path = TestFiles.Write(TestFiles.Minimal().Replace("\"model\": \"m-tiny\"", "\"model\": { \"preset\": \"m-tiny\", \"layerz\": 1 }", StringComparison.Ordinal));
        Assert.StartsWith("model.layerz: is not a known field", Fails(path).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StrayCompassEnvironmentVariablesAreIgnoredWithOneWarningEach()
    {
        var warnings = new List<string>();
        var env = new Hashtable { ["COMPASS_HOME"] = "/opt/compass", ["COMPASS_BUDGET__COLOUR"] = "red", ["COMPASS_SEED__X"] = "1", ["COMPASS_BUDGET__EVALUATIONS"] = "9" };
        var s = ScenarioLoader.Load(TestFiles.Write(TestFiles.Minimal()), [], env, warnings.Add);
        Assert.Equal(9, s.Budget.MaxEvaluations);
        Assert.Equal(
            ["warning: ignoring environment variable COMPASS_BUDGET__COLOUR: 'BUDGET.COLOUR' is not a scenario field",
             "warning: ignoring environment variable COMPASS_HOME: 'HOME' is not a scenario field",
             "warning: ignoring environment variable COMPASS_SEED__X: 'SEED.X' is not a scenario field"],
            warnings.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("budget:evaluations", true)]
    [InlineData("search:checkpointEvery", true)]
    [InlineData("optimizer:options:populationSize", true)]
    [InlineData("plugins:Vendor:key", true)]
    [InlineData("model", true)]
    [InlineData("model:layers", true)]
    [InlineData("hardware:package:link:bandwidthGBps", true)]
    [InlineData("hardware:package:lnk", false)]
    [InlineData("home", false)]
    [InlineData("budget:colour", false)]
    [InlineData("seed:x", false)]
    [InlineData("", false)]
    public void ScenarioFieldsAreRecognisedByPath(string key, bool expected) =>
        Assert.Equal(expected, ScenarioLoader.IsScenarioField(key));

    [Fact]
    public void MalformedJsonNamesLineAndPosition()
    {
        var e = Fails(TestFiles.Write("{\n  \"name\": \"x\",\n  \"seed\": ,\n}"));
        Assert.StartsWith("scenario.json: malformed JSON at line 3, position", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredFieldsAreNamed()
    {
        Assert.StartsWith("optimizer.name: is required", Fails(TestFiles.Write("""{ "hardware": { "package": "p" }, "model": "m", "workload": { "trace": "t", "scheduler": "s" }, "costModels": { "compute": "c", "network": "n" } }""")).Message, StringComparison.Ordinal);
        Assert.StartsWith("hardware.package: is required", Fails(TestFiles.Write("""{ "model": "m" }""")).Message, StringComparison.Ordinal);
        Assert.StartsWith("workload.scheduler.name: is required", Fails(TestFiles.Write("""{ "hardware": { "package": "p" }, "model": "m", "workload": { "trace": "t" } }""")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InlineRecordsAreCheckedKeyByKey()
    {
        var wrongType = Fails(TestFiles.Write("""{ "hardware": { "package": "p" }, "model": { "name": "m", "layers": "two", "hidden": 1, "heads": 1, "kvHeads": 1, "headDim": 1, "ffnHidden": 1, "vocab": 1 } }"""));
        Assert.Equal("model.layers: must be a whole number, got 'two'", wrongType.Message);
        var missing = Fails(TestFiles.Write("""{ "hardware": { "package": { "name": "x", "meshWidth": 2 } } }"""));
        Assert.StartsWith("hardware.package.meshHeight: is required", missing.Message, StringComparison.Ordinal);
        var badEnum = Fails(TestFiles.Write(TestFiles.Minimal("\"hardware\": 1").Replace("\"hardware\": { \"package\": \"p-2x2\" },", "", StringComparison.Ordinal)));
        Assert.StartsWith("hardware: has the wrong type (expected an object), got 1", badEnum.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaKeyAtTheTopIsAcceptedAndDropped()
    {
        var s = Load(TestFiles.Write(TestFiles.Minimal("\"$schema\": \"./scenario.schema.json\"")));
        Assert.False(s.Document.ContainsKey("$schema"));
    }

    [Fact]
    public void ComponentGivenByNameAndByObjectBindTheSame()
    {
        var s = Load(TestFiles.Write(TestFiles.Minimal()), "workload.trace.options.count=3");
        Assert.Equal("t", s.Workload.Trace.Name);
        Assert.Equal("3", s.Workload.Trace.Options["count"]);
        Assert.Equal("workload.trace", s.Workload.Trace.Path);
    }
}
