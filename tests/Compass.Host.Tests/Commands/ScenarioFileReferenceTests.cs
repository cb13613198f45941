using System.Collections;
using Compass.Abstractions.Plugins;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;

namespace Compass.Host.Tests;

/// <summary><c>model</c>, <c>hardware.package</c> and <c>hardware.chipletTypes</c> may name a JSON file beside the scenario.</summary>
public sealed class ScenarioFileReferenceTests
{
    private const string Package = """
        { "name": "file-2x1", "meshWidth": 2, "meshHeight": 1, "slots": ["my-chip", "my-chip"],
          "link": { "kind": "custom", "bandwidthGBps": 100, "hopLatencyNs": 0, "energyPjPerBit": 1 },
          "dramChannels": [ { "name": "c0", "kind": "custom", "attachedRouters": [ { "x": 0, "y": 0 } ], "bandwidthGBps": 50, "energyPjPerBit": 8, "capacityGB": 4 } ] }
        """;

    private const string Model = """
        { "name": "file-model", "layers": 2, "hidden": 256, "heads": 4, "kvHeads": 4, "headDim": 64, "ffnHidden": 1024, "vocab": 1000 }
        """;

    private const string ChipletTypes = """
        [ { "name": "my-chip", "peArrayRows": 8, "peArrayColumns": 8, "clockGHz": 1,
            "precisions": [ { "bits": 8, "macsPerCycle": 64, "energyPerMacPj": 0.05 } ],
            "buffers": [ { "name": "global", "capacityBytes": 65536, "instances": 1, "bandwidthBytesPerCycle": 64, "readEnergyPjPerByte": 0.2, "writeEnergyPjPerByte": 0.2, "holds": "all" } ] } ]
        """;

    private static (string Dir, string Scenario) Folder(string model, string package, string types)
    {
        var dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "model.json"), model);
        File.WriteAllText(Path.Combine(dir, "package.json"), package);
        File.WriteAllText(Path.Combine(dir, "types.json"), types);
        var scenario = Path.Combine(dir, "scenario.json");
        File.WriteAllText(scenario, File.ReadAllText(TestPaths.FixtureScenario));
        return (dir, scenario);
    }

    private static Scenario Read(string scenario, string dir)
    {
        Assert.Equal(Path.GetFullPath(dir).TrimEnd('/'), Path.GetDirectoryName(Path.GetFullPath(scenario)));
        return ScenarioLoader.Load(scenario, ["model=model.json", "hardware.package=package.json", "hardware.chipletTypes=types.json"], new Hashtable());
    }

    [Fact]
    public void ModelPackageAndChipletTypesLoadFromFilesBesideTheScenario()
    {
        var (dir, scenario) = Folder(Model, Package, ChipletTypes);
        var s = Read(scenario, dir);
        Assert.Equal("file-model", s.Model.Inline!.Name);
        Assert.Equal(256, s.Model.Inline.Hidden);
        Assert.Equal("file-2x1", s.Package.Inline!.Name);
        Assert.Equal(2, s.Package.Inline.ChipletCount);
        Assert.Equal("my-chip", Assert.Single(s.ExtraChipletTypes).Inline!.Name);
    }

    [Fact]
    public void MissingFileNamesTheFieldAndPath()
    {
        var (dir, scenario) = Folder(Model, Package, ChipletTypes);
        File.Delete(Path.Combine(dir, "model.json"));
        var e = Assert.Throws<CompassInputException>(() => Read(scenario, dir));
        Assert.Equal("model", e.Field);
        Assert.Contains("file not found", e.Message);
        Assert.Contains("model.json", e.Message);
    }

    [Fact]
    public void WrongTypeInsideTheFileNamesTheNestedField()
    {
        var (dir, scenario) = Folder(Model, Package.Replace("\"bandwidthGBps\": 100", "\"bandwidthGBps\": \"fast\"", StringComparison.Ordinal), ChipletTypes);
        var e = Assert.Throws<CompassInputException>(() => Read(scenario, dir));
        Assert.StartsWith("hardware.package.link.bandwidthGBps", e.Field, StringComparison.Ordinal);
        Assert.Contains("package.json", e.Message);
    }
}
