using System.Text.Json.Nodes;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Scenarios.Presets;

namespace Compass.Scenarios.Tests.Presets;

public sealed class HardwareResolverTests
{
    private static readonly ChipletType Chiplet = new()
    {
        Name = "c1", PeArrayRows = 4, PeArrayColumns = 4, ClockGHz = 1,
        Precisions = [new PrecisionRate(8, 16, 0.1)],
        Buffers = [new BufferLevel("global", 1024, 1, 16, 1, 1, "all")],
    };

    private static readonly ChipletType Other = Chiplet with { Name = "c2", ClockGHz = 2 };

    private static readonly PackageDescription Preset = new()
    {
        Name = "p-2x2", MeshWidth = 2, MeshHeight = 2, Slots = ["c1", "c1", "c1", "c1"],
        Link = new LinkSpec("custom", 16, 1, 1),
        DramChannels = [new DramChannel("d", "custom", [new MeshPosition(0, 0)], 8, 5, 1)],
    };

    private static readonly ModelConfig Model = new() { Name = "m-tiny", Layers = 2, Hidden = 64, Heads = 4, KvHeads = 2, HeadDim = 16, FfnHidden = 128, Vocab = 10 };

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void PresetOverridesApplyAfterExpansionAndLeaveTheRestOfThePreset()
    {
        var reference = new PackageReference("p-2x2", null, Json("""{ "link": { "bandwidthGBps": 64 }, "slots": { "3": "c2" } }"""));
        var resolved = HardwareResolver.ResolvePackage(reference, [], [Chiplet, Other], [Preset]);
        Assert.Equal(64, resolved.Description.Link.BandwidthGBps);
        Assert.Equal(Preset.Link.HopLatencyNs, resolved.Description.Link.HopLatencyNs);
        Assert.Equal(["c1", "c1", "c1", "c2"], resolved.Description.Slots);
        Assert.Same(Other, resolved.TypeOf(3));
        Assert.Equal(16, Preset.Link.BandwidthGBps);
    }

    [Fact]
    public void OverriddenPresetIsValidatedUnderTheScenarioPath()
    {
        var reference = new PackageReference("p-2x2", null, Json("""{ "link": { "bandwidthGBps": -3 } }"""));
        var e = Assert.Throws<CompassInputException>(() => HardwareResolver.ResolvePackage(reference, [], [Chiplet], [Preset]));
        Assert.Equal("hardware.package.link.bandwidthGBps: must be > 0, got -3", e.Message);
    }

    [Fact]
    public void IndexBeyondThePresetListIsRefused()
    {
        var reference = new PackageReference("p-2x2", null, Json("""{ "slots": { "9": "c2" } }"""));
        var e = Assert.Throws<CompassInputException>(() => HardwareResolver.ResolvePackage(reference, [], [Chiplet, Other], [Preset]));
        Assert.Equal("hardware.package.slots[9]: is beyond the preset's list of 4 entries", e.Message);
    }

    [Fact]
    public void CatalogChipletTypeWithOverridesReplacesTheCatalogOne()
    {
        var extra = new ChipletTypeReference("c1", null, Json("""{ "clockGHz": 3 }"""));
        var resolved = HardwareResolver.ResolvePackage(new PackageReference("p-2x2", null), [extra], [Chiplet], [Preset]);
        Assert.Equal(3, resolved.TypeOf(0).ClockGHz);
        Assert.Equal(Chiplet.Precisions, resolved.TypeOf(0).Precisions);
    }

    [Fact]
    public void ModelOverridesApplyAndAreValidated()
    {
        Assert.Equal(1, HardwareResolver.ResolveModel(new ModelReference("m-tiny", null, Json("""{ "layers": 1 }""")), [Model]).Layers);
        var e = Assert.Throws<CompassInputException>(() => HardwareResolver.ResolveModel(new ModelReference("m-tiny", null, Json("""{ "kvHeads": 3 }""")), [Model]));
        Assert.Equal("model.kvHeads: must divide heads = 4, got 3", e.Message);
    }

    [Fact]
    public void PresetWithoutOverridesIsTheCatalogEntryItself()
    {
        Assert.Same(Model, HardwareResolver.ResolveModel(new ModelReference("m-tiny", null), [Model]));
        Assert.Same(Preset, HardwareResolver.ResolvePackage(new PackageReference("p-2x2", null), [], [Chiplet], [Preset]).Description);
    }
}
