using System.Text.Json;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Chiplets.Catalog;
using Compass.Chiplets.Serialization;

namespace Compass.Chiplets.Tests.Serialization;

public sealed class HardwareJsonTests
{
    public static TheoryData<string> PresetNames() => [.. PackagePresets.All.Select(p => p.Name)];

    public static TheoryData<string> TypeNames() => [.. ChipletCatalog.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(PresetNames))]
    public void PackageRoundTripsUnchanged(string name)
    {
        var package = PackagePresets.ByName[name];
        var json = HardwareJson.Serialize(package);
        var back = HardwareJson.DeserializePackage(json);
        TestHelpers.SameContents(package, back);
        Assert.Equal(json, HardwareJson.Serialize(back));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void ChipletTypeRoundTripsUnchanged(string name)
    {
        var type = ChipletCatalog.ByName[name];
        var json = HardwareJson.Serialize(type);
        var back = HardwareJson.DeserializeChipletType(json);
        TestHelpers.SameContents(type, back);
        Assert.Equal(json, HardwareJson.Serialize(back));
    }

    [Fact]
    public void PlainSystemTextJsonRoundTripsAPackage()
    {
        var package = PackagePresets.Compass6x6Hetero;
        var json = JsonSerializer.Serialize(package);
        var back = JsonSerializer.Deserialize<PackageDescription>(json)!;
        TestHelpers.SameContents(package, back);
        Assert.Equal(json, JsonSerializer.Serialize(back));
    }

    [Fact]
    public void JsonUsesCamelCaseFieldNamesWithUnits()
    {
        var json = HardwareJson.Serialize(PackagePresets.Compass6x6Os);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(6, root.GetProperty("meshWidth").GetInt32());
        Assert.Equal(128.0, root.GetProperty("link").GetProperty("bandwidthGBps").GetDouble());
        var router = root.GetProperty("dramChannels")[2].GetProperty("attachedRouters")[0];
        Assert.Equal(5, router.GetProperty("x").GetInt32());
        var typeJson = HardwareJson.Serialize(ChipletCatalog.CompassWs);
        Assert.Contains("\"dataflow\": \"weightStationary\"", typeJson, StringComparison.Ordinal);
    }

    [Fact]
    public void UserPackageFromHandWrittenJsonReadsAndMissingFieldsAreNamed()
    {
        const string json = """
            {
              "name": "my-2x1",
              "meshWidth": 2, "meshHeight": 1,
              "slots": ["tpu-like-1k", "ascend-like-1k"],
              "link": { "kind": "ucie-advanced", "bandwidthGBps": 256, "hopLatencyNs": 2, "energyPjPerBit": 0.3 },
              "dramChannels": [ { "name": "d0", "kind": "hbm3", "attachedRouters": [ { "x": 0, "y": 0 } ],
                                  "bandwidthGBps": 819.2, "energyPjPerBit": 5.5, "capacityGB": 16 } ]
            }
            """;
        var p = HardwareJson.DeserializePackage(json);
        Assert.Equal(["tpu-like-1k", "ascend-like-1k"], p.Slots);
        Assert.Equal(new LinkSpec("ucie-advanced", 256, 2, 0.3), p.Link);
        Compass.Scenarios.Presets.HardwareResolver.ResolvePackage(new Compass.Scenarios.PackageReference(null, p), [], ChipletCatalog.All, []);

        var e = Assert.Throws<CompassInputException>(() => HardwareJson.DeserializePackage("""{ "name": "x", "meshWidth": 2 }"""));
        Assert.StartsWith("package", e.Field, StringComparison.Ordinal);
        e = Assert.Throws<CompassInputException>(() => HardwareJson.DeserializePackage("""{ "name": "x", "meshWidth": "two" }"""));
        Assert.Equal("package.meshWidth", e.Field);
    }
}
