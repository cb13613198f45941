using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Chiplets.Catalog;
using Compass.Scenarios;
using Compass.Scenarios.Presets;

namespace Compass.Chiplets.Tests.Catalog;

/// <summary>The catalog against the one validator of packages and chiplet types (the host's <see cref="HardwareResolver"/>).</summary>
public sealed class CatalogValidationTests
{
    private static readonly PackageDescription Good = PackagePresets.Compass6x6Os;

    private static CompassInputException Fails(PackageDescription p) =>
        Assert.Throws<CompassInputException>(() => HardwareResolver.ResolvePackage(new PackageReference(null, p), [], ChipletCatalog.All, []));

    private static CompassInputException Fails(ChipletType t) =>
        Assert.Throws<CompassInputException>(() => HardwareResolver.ValidateChiplet(t, "chipletType"));

    [Fact]
    public void EveryPresetAndTypeValidates()
    {
        foreach (var p in PackagePresets.All)
        {
            var resolved = HardwareResolver.ResolvePackage(new PackageReference(p.Name, null), [], ChipletCatalog.All, PackagePresets.All);
            Assert.Equal(p.Slots.Count, resolved.SlotTypeIndex.Length);
        }
        foreach (var t in ChipletCatalog.All) HardwareResolver.ValidateChiplet(t, t.Name);
        Assert.Equal(PackagePresets.All.Count, PackagePresets.ByName.Count);
    }

    [Fact]
    public void NegativeLinkBandwidthNamesTheField()
    {
        var e = Fails(Good with { Link = Good.Link with { BandwidthGBps = -3 } });
        Assert.Equal("hardware.package.link.bandwidthGBps: must be > 0, got -3", e.Message);
        Assert.Equal("hardware.package.link.bandwidthGBps", Fails(Good with { Link = Good.Link with { BandwidthGBps = 0 } }).Field);
        Assert.Equal("hardware.package.link.bandwidthGBps", Fails(Good with { Link = Good.Link with { BandwidthGBps = double.NaN } }).Field);
        Assert.Equal("hardware.package.link.energyPjPerBit", Fails(Good with { Link = Good.Link with { EnergyPjPerBit = -1 } }).Field);
        Assert.Equal("hardware.package.link.hopLatencyNs", Fails(Good with { Link = Good.Link with { HopLatencyNs = -1 } }).Field);
        Assert.Equal("hardware.package.link.kind", Fails(Good with { Link = Good.Link with { Kind = " " } }).Field);
    }

    [Fact]
    public void DramChannelOffTheMeshNamesTheRouter()
    {
        var channels = Good.DramChannels.ToList();
        channels[2] = channels[2] with { AttachedRouters = [new MeshPosition(5, 0), new MeshPosition(6, 1)] };
        var e = Fails(Good with { DramChannels = channels });
        Assert.Equal("hardware.package.dramChannels[2].attachedRouters[1]", e.Field);
        Assert.Contains("(6,1) is off the 6×6 mesh", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DramChannelValuesNamesAndPresenceAreChecked()
    {
        var channels = Good.DramChannels.ToList();
        channels[0] = channels[0] with { BandwidthGBps = 0 };
        Assert.Equal("hardware.package.dramChannels[0].bandwidthGBps", Fails(Good with { DramChannels = channels }).Field);
        channels = Good.DramChannels.ToList();
        channels[1] = channels[1] with { CapacityGB = -4 };
        Assert.Equal("hardware.package.dramChannels[1].capacityGB", Fails(Good with { DramChannels = channels }).Field);
        channels = Good.DramChannels.ToList();
        channels[3] = channels[3] with { AttachedRouters = [] };
        Assert.Equal("hardware.package.dramChannels[3].attachedRouters", Fails(Good with { DramChannels = channels }).Field);
        channels = Good.DramChannels.ToList();
        channels[1] = channels[1] with { Name = channels[0].Name.ToUpperInvariant() };
        Assert.Equal("hardware.package.dramChannels[1].name", Fails(Good with { DramChannels = channels }).Field);
        Assert.Equal("hardware.package.dramChannels", Fails(Good with { DramChannels = [] }).Field);
    }

    [Fact]
    public void SlotCountAndUnknownTypesAreNamed()
    {
        var e = Fails(Good with { MeshHeight = 5 });
        Assert.Equal("hardware.package.slots", e.Field);
        Assert.Contains("30", e.Reason, StringComparison.Ordinal);
        var slots = Good.Slots.ToArray();
        slots[7] = "compass-xs";
        e = Fails(Good with { Slots = slots });
        Assert.Equal("hardware.package.slots[7]", e.Field);
        Assert.Contains("unknown chiplet type 'compass-xs'", e.Reason, StringComparison.Ordinal);
        Assert.Equal("hardware.package.meshWidth", Fails(Good with { MeshWidth = 0 }).Field);
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
        Assert.Equal("chipletType.precisions[1].bits", Fails(t with { Precisions = [t.Precisions[0], t.Precisions[0]] }).Field);
        Assert.Equal("chipletType.buffers[4].readEnergyPjPerByte",
            Fails(t with { Buffers = [.. t.Buffers.Take(4), t.Buffers[4] with { ReadEnergyPjPerByte = -1 }] }).Field);
        Assert.Equal("chipletType.buffers[0].holds", Fails(t with { Buffers = [t.Buffers[0] with { Holds = "psums" }] }).Field);
        Assert.Equal("chipletType.peArrayRows", Fails(t with { PeArrayRows = 0 }).Field);
        Assert.Equal("chipletType.staticPowerW", Fails(t with { StaticPowerW = -1 }).Field);
        Assert.Equal("chipletType.processNm", Fails(t with { ProcessNm = 0 }).Field);
    }

    [Fact]
    public void InvalidCatalogTypeInsideAPackageIsNamedByTypeName()
    {
        var broken = ChipletCatalog.CompassOs with { ClockGHz = -1 };
        var types = ChipletCatalog.All.Select(t => t.Name == broken.Name ? broken : t).ToList();
        var e = Assert.Throws<CompassInputException>(() => HardwareResolver.ResolvePackage(new PackageReference(Good.Name, null), [], types, PackagePresets.All));
        Assert.Equal("chiplet type 'compass-os'.clockGHz", e.Field);
    }
}
