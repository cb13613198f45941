using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Studies.Points;

namespace Compass.Studies.Tests;

public sealed class ScenarioPathsTests
{
    /// <summary>A resolved scenario's shape in miniature: a 2 × 2 package with one DRAM channel per edge.</summary>
    private static JsonObject Scenario() => JsonNode.Parse("""
        {
          "seed": 1,
          "hardware": {
            "package": {
              "name": "p", "meshWidth": 2, "meshHeight": 2, "slots": ["a", "a", "b", "b"],
              "link": { "kind": "x", "bandwidthGBps": 128 },
              "dramChannels": [
                { "name": "l", "attachedRouters": [ { "x": 0, "y": 0 }, { "x": 0, "y": 1 } ] },
                { "name": "r", "attachedRouters": [ { "x": 1, "y": 0 }, { "x": 1, "y": 1 } ] }
              ]
            }
          },
          "optimizer": { "name": "ga", "options": { } }
        }
        """)!.AsObject();

    [Fact]
    public void WritesALeafCaseInsensitively()
    {
        var s = ScenarioPaths.Apply(Scenario(), "hardware.package.link.BandwidthGBps", JsonValue.Create(64));
        Assert.Equal(64, s["hardware"]!["package"]!["link"]!["bandwidthGBps"]!.GetValue<int>());
    }

    [Fact]
    public void StarAndSliceSelectArrayElements()
    {
        var s = ScenarioPaths.Apply(Scenario(), "hardware.package.slots.*", JsonValue.Create("w"));
        Assert.Equal("[\"w\",\"w\",\"w\",\"w\"]", s["hardware"]!["package"]!["slots"]!.ToJsonString());
        s = ScenarioPaths.Apply(Scenario(), "hardware.package.slots.0:2", JsonValue.Create("w"));
        Assert.Equal("[\"w\",\"w\",\"b\",\"b\"]", s["hardware"]!["package"]!["slots"]!.ToJsonString());
        s = ScenarioPaths.Apply(Scenario(), "hardware.package.dramChannels.*.attachedRouters.0.y", JsonValue.Create(1));
        Assert.Equal(1, s["hardware"]!["package"]!["dramChannels"]![1]!["attachedRouters"]![0]!["y"]!.GetValue<int>());
    }

    [Fact]
    public void UnknownFieldIsRefusedWithTheKnownOnes()
    {
        var e = Assert.Throws<CompassInputException>(() => ScenarioPaths.Apply(Scenario(), "hardware.package.lnk.bandwidthGBps", JsonValue.Create(1)));
        Assert.Contains("'hardware.package' has no field 'lnk'", e.Message, StringComparison.Ordinal);
        Assert.Contains("link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsSectionsAreOpenEnded()
    {
        var s = ScenarioPaths.Apply(Scenario(), "optimizer.options.populationSize", JsonValue.Create(8));
        Assert.Equal(8, s["optimizer"]!["options"]!["populationSize"]!.GetValue<int>());
    }

    [Fact]
    public void IndexOutsideTheArrayIsRefused()
    {
        var e = Assert.Throws<CompassInputException>(() => ScenarioPaths.Apply(Scenario(), "hardware.package.slots.4", JsonValue.Create("w")));
        Assert.Contains("index 4 is outside the 4 elements", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PresetNameInThePathIsExpandedFirst()
    {
        var scenario = Scenario();
        scenario["hardware"]!["package"] = "some-preset";
        var expanded = 0;
        var s = ScenarioPaths.Apply(scenario, "hardware.package.link.bandwidthGBps", JsonValue.Create(32), _ =>
        {
            expanded++;
            return Scenario();
        });
        Assert.Equal(1, expanded);
        Assert.Equal(32, s["hardware"]!["package"]!["link"]!["bandwidthGBps"]!.GetValue<int>());
        Assert.Throws<CompassInputException>(() => ScenarioPaths.Apply(scenario, "hardware.package.link.bandwidthGBps", JsonValue.Create(32)));
    }

    [Fact]
    public void MeshResizeKeepsRegionsAndEdgeChannels()
    {
        var s = ScenarioPaths.Apply(Scenario(), ScenarioPaths.MeshPath, JsonValue.Create("4x4"));
        var p = s["hardware"]!["package"]!;
        Assert.Equal(4, p["meshWidth"]!.GetValue<int>());
        Assert.Equal(4, p["meshHeight"]!.GetValue<int>());
        // Top half stays type a, bottom half type b.
        Assert.Equal(string.Concat(Enumerable.Repeat("a", 8)) + string.Concat(Enumerable.Repeat("b", 8)), string.Concat(p["slots"]!.AsArray().Select(x => x!.GetValue<string>())));
        // The left channel stays on column 0, the right one moves to the new right edge (column 3), rows to the edges.
        Assert.Equal("[{\"x\":0,\"y\":0},{\"x\":0,\"y\":3}]", p["dramChannels"]![0]!["attachedRouters"]!.ToJsonString());
        Assert.Equal("[{\"x\":3,\"y\":0},{\"x\":3,\"y\":3}]", p["dramChannels"]![1]!["attachedRouters"]!.ToJsonString());
    }

    [Theory]
    [InlineData("4")]
    [InlineData("0x3")]
    [InlineData("axb")]
    public void BadMeshSizeIsRefused(string value)
    {
        var e = Assert.Throws<CompassInputException>(() => ScenarioPaths.Apply(Scenario(), ScenarioPaths.MeshPath, JsonValue.Create(value)));
        Assert.Contains("WxH", e.Message, StringComparison.Ordinal);
    }
}

public sealed class RegionFillTests
{
    [Fact]
    public void BandsSplitTheRowsEvenly()
    {
        var package = new JsonObject { ["meshWidth"] = 2, ["meshHeight"] = 3, ["slots"] = new JsonArray("a", "a", "a", "a", "a", "a") };
        var scenario = new JsonObject { ["hardware"] = new JsonObject { ["package"] = package } };
        ScenarioPaths.Apply(scenario, ScenarioPaths.RegionsPath, new JsonArray("os", "ws"));
        // Row y of 3 gets type ⌊y·2/3⌋: rows 0 and 1 the first type, row 2 the second.
        Assert.Equal("[\"os\",\"os\",\"os\",\"os\",\"ws\",\"ws\"]", package["slots"]!.ToJsonString());
        ScenarioPaths.Apply(scenario, ScenarioPaths.RegionsPath, JsonValue.Create("tpu"));
        Assert.Equal("[\"tpu\",\"tpu\",\"tpu\",\"tpu\",\"tpu\",\"tpu\"]", package["slots"]!.ToJsonString());
        Assert.Throws<CompassInputException>(() => ScenarioPaths.Apply(scenario, ScenarioPaths.RegionsPath, new JsonArray("a", "b", "c", "d")));
    }
}
