using System.Collections;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;
using Compass.Host.Output;

namespace Compass.Host.Tests;

public sealed class ScenarioTests
{
    private static readonly IDictionary NoEnvironment = new Hashtable();

    private static string Write(string json)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "scenario.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static Scenario Read(string path, params string[] sets) => ScenarioLoader.Load(path, sets, NoEnvironment);

    private static CompassInputException Fails(string path, params string[] sets) =>
        Assert.Throws<CompassInputException>(() => Read(path, sets));

    [Fact]
    public void FixtureScenarioReadsEveryValue()
    {
        var s = Read(TestPaths.FixtureScenario);
        Assert.Equal("fixture-2x2", s.Name);
        Assert.Equal(7, s.Seed);
        Assert.Equal("fx-2x2", s.Package.PresetName);
        Assert.Equal("fx-tiny", s.Model.PresetName);
        Assert.Equal(8, s.Precision.WeightBits);
        Assert.Equal(2, s.Graph.MicroBatchSize);
        Assert.Equal("fx-fixed", s.Workload.Trace.Name);
        Assert.Equal("4", s.Workload.Trace.Options["count"]);
        Assert.Equal("fx-random", s.Optimizer.Name);
        Assert.Equal(20, s.Budget.MaxEvaluations);
        Assert.Equal(5000, s.Resilience.EvaluationTimeoutMs);
        Assert.Equal(PluginFaultPolicy.Stop, s.Resilience.OnPluginFault);
        Assert.True(s.Search.StartFromHeuristics);
    }

    [Fact]
    public void OverridesApplyInOrderFileThenEnvironmentThenSet()
    {
        var env = new Hashtable { ["COMPASS_BUDGET__EVALUATIONS"] = "33", ["COMPASS_SEED"] = "11", ["UNRELATED"] = "x" };
        var s = ScenarioLoader.Load(TestPaths.FixtureScenario, ["budget.evaluations=20000", "optimizer.options.batch=16"], env);
        Assert.Equal(20000, s.Budget.MaxEvaluations);
        Assert.Equal(11, s.Seed);
        Assert.Equal("16", s.Optimizer.Options["batch"]);
    }

    [Fact]
    public void MalformedJsonNamesLineAndPosition()
    {
        var e = Fails(Write("{\n  \"name\": \"x\",\n  \"seed\": ,\n}"));
        Assert.StartsWith("scenario.json: malformed JSON at line 3, position", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTopLevelKeyIsRejected()
    {
        var e = Fails(TestPaths.FixtureScenario, "optimiser.name=ga");
        Assert.StartsWith("optimiser: is not a known scenario field", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed=abc", "seed: must be a whole number")]
    [InlineData("budget.evaluations=0", "budget.evaluations: must be in [1,")]
    [InlineData("precision.weightBits=12", "precision.weightBits: must be 4, 8, 16 or 32 bits, got 12")]
    [InlineData("graph.microBatchSize=8", "graph.microBatchSize: must be <= workload.maxBatchRequests (4)")]
    [InlineData("resilience.onPluginFault=ignore", "resilience.onPluginFault: must be one of stop, continue, got 'ignore'")]
    [InlineData("search.startFrom=somewhere", "search.startFrom: must be one of heuristics, none")]
    [InlineData("graph.causalPrefill=maybe", "graph.causalPrefill: must be true or false")]
    [InlineData("graph.layerz=2", "graph.layerz: is not a known field (known: layers, tensorParallel, headGroups, microBatchSize, prefillMicroBatchSize, tensorParallelGroups, causalPrefill)")]
    public void BadValuesNameTheirField(string set, string expected)
    {
        var e = Fails(TestPaths.FixtureScenario, set);
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredFieldsAreNamed()
    {
        Assert.StartsWith("optimizer.name: is required", Fails(Write("""{ "hardware": { "package": "p" }, "model": "m", "workload": { "trace": "t", "scheduler": "s" }, "costModels": { "compute": "c", "network": "n" } }""")).Message, StringComparison.Ordinal);
        Assert.StartsWith("hardware.package: is required", Fails(Write("""{ "model": "m" }""")).Message, StringComparison.Ordinal);
        Assert.StartsWith("workload.scheduler.name: is required", Fails(Write("""{ "hardware": { "package": "p" }, "model": "m", "workload": { "trace": "t" } }""")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectFieldGivenAScalarIsAWrongType()
    {
        Assert.StartsWith("budget: has the wrong type (expected an object)", Fails(TestPaths.FixtureScenario, "budget=5").Message, StringComparison.Ordinal);
    }

    private static readonly ChipletType Chiplet = new()
    {
        Name = "c1", PeArrayRows = 4, PeArrayColumns = 4, ClockGHz = 1,
        Precisions = [new PrecisionRate(8, 16, 0.1)],
        Buffers = [new BufferLevel("global", 1024, 1, 16, 1, 1, "all")],
    };

    private static string InlinePackage(string link = "\"bandwidthGBps\": 16", string router = "{ \"x\": 0, \"y\": 0 }", string slots = "\"c1\", \"c1\"") => Write($$"""
        {
          "hardware": { "package": { "name": "inline", "meshWidth": 2, "meshHeight": 1, "slots": [ {{slots}} ],
                                     "link": { "kind": "custom", {{link}}, "hopLatencyNs": 1, "energyPjPerBit": 1 },
                                     "dramChannels": [ { "name": "d", "kind": "custom", "attachedRouters": [ {{router}} ], "bandwidthGBps": 8, "energyPjPerBit": 5, "capacityGB": 1 } ] } },
          "model": "m", "workload": { "trace": "t", "scheduler": "s" }, "costModels": { "compute": "c", "network": "n" }, "optimizer": "o"
        }
        """);

    private static ResolvedPackage Resolve(string path) =>
        HardwareResolver.ResolvePackage(Read(path).Package, [], [Chiplet], []);

    [Fact]
    public void InlinePackageResolvesEverySlot()
    {
        var p = Resolve(InlinePackage());
        Assert.Equal(2, p.Description.ChipletCount);
        Assert.Same(Chiplet, p.TypeOf(1));
        Assert.Equal(8, p.TotalDramBandwidthGBps);
    }

    [Fact]
    public void NegativeLinkBandwidthIsRejected()
    {
        var e = Assert.Throws<CompassInputException>(() => Resolve(InlinePackage(link: "\"bandwidthGBps\": -3")));
        Assert.Equal("hardware.package.link.bandwidthGBps: must be > 0, got -3", e.Message);
    }

    [Fact]
    public void DramChannelOffTheMeshIsRejected()
    {
        var e = Assert.Throws<CompassInputException>(() => Resolve(InlinePackage(router: "{ \"x\": 5, \"y\": 0 }")));
        Assert.StartsWith("hardware.package.dramChannels[0].attachedRouters[0]: router (5,0) is off the 2×1 mesh", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownChipletTypeInASlotListsTheKnownOnes()
    {
        var e = Assert.Throws<CompassInputException>(() => Resolve(InlinePackage(slots: "\"c1\", \"c9\"")));
        Assert.Equal("hardware.package.slots[1]: unknown chiplet type 'c9' (known: c1)", e.Message);
    }

    [Fact]
    public void SlotCountMustMatchTheMesh()
    {
        var e = Assert.Throws<CompassInputException>(() => Resolve(InlinePackage(slots: "\"c1\"")));
        Assert.StartsWith("hardware.package.slots: must have meshWidth × meshHeight = 2 entries, got 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InlinePackageFieldWithWrongTypeIsNamed()
    {
        var e = Fails(InlinePackage(link: "\"bandwidthGBps\": \"fast\""));
        Assert.Equal("hardware.package.link.bandwidthGBps: must be a number, got 'fast'", e.Message);
    }

    [Fact]
    public void WrongTypeOfAPlainNumberNamesTheExpectedType()
    {
        var e = Fails(Write("""{ "hardware": { "package": "p" }, "model": { "name": "m", "layers": "two", "hidden": 1, "heads": 1, "kvHeads": 1, "headDim": 1, "ffnHidden": 1, "vocab": 1 } }"""));
        Assert.Equal("model.layers: must be a whole number, got 'two'", e.Message);
    }

    [Fact]
    public void EmptyDramChannelListIsRejected()
    {
        var path = Write("""
            { "hardware": { "package": { "name": "x", "meshWidth": 1, "meshHeight": 1, "slots": [ "c1" ],
                                         "link": { "kind": "custom", "bandwidthGBps": 1, "hopLatencyNs": 1, "energyPjPerBit": 1 }, "dramChannels": [] } },
              "model": "m", "workload": { "trace": "t", "scheduler": "s" }, "costModels": { "compute": "c", "network": "n" }, "optimizer": "o" }
            """);
        var e = Assert.Throws<CompassInputException>(() => Resolve(path));
        Assert.StartsWith("hardware.package.dramChannels: must list at least one DRAM channel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InlinePackageWithMissingFieldIsNamed()
    {
        var e = Fails(Write("""{ "hardware": { "package": { "name": "x", "meshWidth": 2 } } }"""));
        Assert.Equal("hardware.package.meshHeight: is required", e.Message);
    }

    [Fact]
    public void PresetPackageUnknownNameListsKnown()
    {
        var e = Assert.Throws<CompassInputException>(() => HardwareResolver.ResolvePackage(new PackageReference("nope", null), [], [Chiplet], []));
        Assert.Equal("hardware.package: unknown package 'nope' (known: none registered)", e.Message);
    }

    [Fact]
    public void ModelValidationNamesTheField()
    {
        var m = new Compass.Abstractions.Workload.ModelConfig { Name = "bad", Layers = 2, Hidden = 64, Heads = 4, KvHeads = 3, HeadDim = 16, FfnHidden = 128, Vocab = 10 };
        var e = Assert.Throws<CompassInputException>(() => HardwareResolver.ResolveModel(new ModelReference(null, m), []));
        Assert.Equal("model.kvHeads: must divide heads = 4, got 3", e.Message);
    }

    [Fact]
    public void ResolvedScenarioRoundTripsThroughTheLoader()
    {
        var s = Read(InlinePackage());
        var package = HardwareResolver.ResolvePackage(s.Package, [], [Chiplet], []);
        var model = new Compass.Abstractions.Workload.ModelConfig { Name = "m", Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, HeadDim = 16, FfnHidden = 128, Vocab = 10, GatedMlp = true };
        var json = ResolvedScenario.Build(s, package, model).ToJsonString(ConfigJson.WriteOptions);
        var again = Read(Write(json));
        Assert.Equal(package.Description.Slots, again.Package.Inline!.Slots);
        Assert.Equal(package.Description.Link, again.Package.Inline.Link);
        Assert.Equal(package.Description.DramChannels[0].AttachedRouters, again.Package.Inline.DramChannels[0].AttachedRouters);
        Assert.Equal(model, again.Model.Inline);
        Assert.Equal(Chiplet.Name, Assert.Single(again.ExtraChipletTypes).Inline!.Name);
        Assert.Equal(Chiplet.Precisions, again.ExtraChipletTypes[0].Inline!.Precisions);
        Assert.Equal(s.Seed, again.Seed);
        Assert.Equal(s.Budget, again.Budget);
        Assert.Equal(s.Graph, again.Graph);
    }
}
