using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Chiplets.Catalog;
using Compass.Chiplets.Validation;

namespace Compass.Chiplets.Tests.Validation;

public sealed class HardwareValidatorTests
{
    private static readonly PackageDescription Good = PackagePresets.Compass6x6Os;

    private static CompassInputException Fails(PackageDescription p) =>
        Assert.Throws<CompassInputException>(() => HardwareValidator.Validate(p, ChipletCatalog.ByName));

    private static CompassInputException Fails(ChipletType t) =>
        Assert.Throws<CompassInputException>(() => HardwareValidator.Validate(t));

    [Fact]
    public void EveryPresetValidates()
    {
        foreach (var p in PackagePresets.All) HardwareValidator.Validate(p, ChipletCatalog.ByName);
        Assert.Equal(PackagePresets.All.Count, PackagePresets.ByName.Count);
    }

    [Fact]
    public void NegativeLinkBandwidthNamesTheField()
    {
        var e = Fails(Good with { Link = Good.Link with { BandwidthGBps = -3 } });
        Assert.Equal("package.link.bandwidthGBps: must be > 0, got -3", e.Message);
        Assert.Equal("package.link.bandwidthGBps", Fails(Good with { Link = Good.Link with { BandwidthGBps = 0 } }).Field);
        Assert.Equal("package.link.bandwidthGBps", Fails(Good with { Link = Good.Link with { BandwidthGBps = double.NaN } }).Field);
        Assert.Equal("package.link.energyPjPerBit", Fails(Good with { Link = Good.Link with { EnergyPjPerBit = -1 } }).Field);
        Assert.Equal("package.link.hopLatencyNs", Fails(Good with { Link = Good.Link with { HopLatencyNs = -1 } }).Field);
    }

    [Fact]
    public void DramChannelOffTheMeshNamesTheRouter()
    {
        var channels = Good.DramChannels.ToList();
        channels[2] = channels[2] with { AttachedRouters = [new MeshPosition(5, 0), new MeshPosition(6, 1)] };
        var e = Fails(Good with { DramChannels = channels });
        Assert.Equal("package.dramChannels[2].attachedRouters[1]", e.Field);
        Assert.Contains("(6, 1) is off the 6x6 mesh", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DramChannelValuesAndPresenceAreChecked()
    {
        var channels = Good.DramChannels.ToList();
        channels[0] = channels[0] with { BandwidthGBps = 0 };
        Assert.Equal("package.dramChannels[0].bandwidthGBps", Fails(Good with { DramChannels = channels }).Field);
        channels = Good.DramChannels.ToList();
        channels[1] = channels[1] with { CapacityGB = -4 };
        Assert.Equal("package.dramChannels[1].capacityGB", Fails(Good with { DramChannels = channels }).Field);
        channels = Good.DramChannels.ToList();
        channels[3] = channels[3] with { AttachedRouters = [] };
        Assert.Equal("package.dramChannels[3].attachedRouters", Fails(Good with { DramChannels = channels }).Field);
        Assert.Equal("package.dramChannels", Fails(Good with { DramChannels = [] }).Field);
    }

    [Fact]
    public void SlotCountAndUnknownTypesAreNamed()
    {
        var e = Fails(Good with { MeshHeight = 5 });
        Assert.Equal("package.slots", e.Field);
        Assert.Contains("30", e.Reason, StringComparison.Ordinal);
        var slots = Good.Slots.ToArray();
        slots[7] = "compass-xs";
        e = Fails(Good with { Slots = slots });
        Assert.Equal("package.slots[7]", e.Field);
        Assert.Contains("unknown chiplet type 'compass-xs' at (1, 1)", e.Reason, StringComparison.Ordinal);
        Assert.Equal("package.meshWidth", Fails(Good with { MeshWidth = 0 }).Field);
    }

    [Fact]
    public void ChipletTypeFieldsAreNamed()
    {
        var t = ChipletCatalog.CompassOs;
        Assert.Equal("chipletType.clockGHz: must be > 0, got 0", Fails(t with { ClockGHz = 0 }).Message);
        Assert.Equal("chipletType.precisions", Fails(t with { Precisions = [] }).Field);
        Assert.Equal("chipletType.buffers", Fails(t with { Buffers = [] }).Field);
        Assert.Equal("chipletType.precisions[0].energyPerMacPj", Fails(t with { Precisions = [new PrecisionRate(8, 1024, -0.1)] }).Field);
        Assert.Equal("chipletType.precisions[0].macsPerCycle", Fails(t with { Precisions = [new PrecisionRate(8, 1000, 0.009)] }).Field);
        Assert.Equal("chipletType.buffers[4].readEnergyPjPerByte",
            Fails(t with { Buffers = [.. t.Buffers.Take(4), t.Buffers[4] with { ReadEnergyPjPerByte = -1 }] }).Field);
        Assert.Equal("chipletType.buffers[0].holds", Fails(t with { Buffers = [t.Buffers[0] with { Holds = "psums" }] }).Field);
        Assert.Equal("chipletType.peArrayRows", Fails(t with { PeArrayRows = 0 }).Field);
        Assert.Equal("chipletType.staticPowerW", Fails(t with { StaticPowerW = -1 }).Field);
    }

    [Fact]
    public void InvalidTypeInsideAPackageIsNamedByTypeName()
    {
        var broken = ChipletCatalog.CompassOs with { ClockGHz = -1 };
        var types = new Dictionary<string, ChipletType>(ChipletCatalog.ByName, StringComparer.OrdinalIgnoreCase) { ["compass-os"] = broken };
        var e = Assert.Throws<CompassInputException>(() => HardwareValidator.Validate(Good, types));
        Assert.Equal("chipletTypes[compass-os].clockGHz", e.Field);
    }
}
