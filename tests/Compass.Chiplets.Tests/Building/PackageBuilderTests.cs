using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Chiplets.Building;
using Compass.Chiplets.Catalog;

namespace Compass.Chiplets.Tests.Building;

public sealed class PackageBuilderTests
{
    [Fact]
    public void HeteroCompassPutsOutputStationaryInRowsZeroToTwo()
    {
        var p = PackagePresets.Compass6x6Hetero;
        for (var i = 0; i < 36; i++)
        {
            var pos = p.PositionOf(i);
            Assert.Equal(pos.Y < 3 ? "compass-os" : "compass-ws", p.Slots[i]);
        }
        Assert.Equal(18, p.Slots.Count(s => s == "compass-os"));
    }

    [Fact]
    public void LeftRightHalvesSplitColumns()
    {
        var slots = PackageBuilder.Halves(5, 2, "a", "b", HalfSplit.LeftRight);
        Assert.Equal(["a", "a", "b", "b", "b", "a", "a", "b", "b", "b"], slots);
    }

    [Fact]
    public void CheckerboardAlternatesWithEvenAtOrigin()
    {
        var p = PackagePresets.Mixtral8x8Hetero;
        for (var i = 0; i < 64; i++)
        {
            var pos = p.PositionOf(i);
            Assert.Equal((pos.X + pos.Y) % 2 == 0 ? "tpu-like-4k" : "ascend-like-4k", p.Slots[i]);
        }
    }

    [Fact]
    public void ByRowsAndExplicitMapPlaceEachSlot()
    {
        Assert.Equal(["x", "x", "y", "y", "z", "z"], PackageBuilder.ByRows(2, ["x", "y", "z"]));
        var map = PackageBuilder.FromMap(["AB.", "..B"], new Dictionary<char, string> { ['A'] = "tpu-like-1k", ['B'] = "ascend-like-1k", ['.'] = "tesla-like-1k" });
        Assert.Equal(["tpu-like-1k", "ascend-like-1k", "tesla-like-1k", "tesla-like-1k", "tesla-like-1k", "ascend-like-1k"], map);
        var e = Assert.Throws<CompassInputException>(() => PackageBuilder.FromMap(["AB", "A"], new Dictionary<char, string> { ['A'] = "a", ['B'] = "b" }));
        Assert.Equal("package.slots[row 1]", e.Field);
        e = Assert.Throws<CompassInputException>(() => PackageBuilder.FromMap(["AQ"], new Dictionary<char, string> { ['A'] = "a" }));
        Assert.Contains("'Q'", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CompassSixBySixFourChannelsServeRowsZeroToTwoAndThreeToFiveOnEachSide()
    {
        var channels = PackagePresets.Compass6x6Os.DramChannels;
        Assert.Equal(4, channels.Count);
        (int X, int[] Rows)[] expected = [(0, [0, 1, 2]), (0, [3, 4, 5]), (5, [0, 1, 2]), (5, [3, 4, 5])];
        for (var c = 0; c < 4; c++)
        {
            Assert.Equal(expected[c].Rows.Select(y => new MeshPosition(expected[c].X, y)), channels[c].AttachedRouters);
            Assert.Equal(64.0, channels[c].BandwidthGBps);
            Assert.Equal(10.5, channels[c].EnergyPjPerBit);
            Assert.Equal("gddr6x", channels[c].Kind);
        }
    }

    [Fact]
    public void OddChannelCountPutsTheExtraChannelOnTheLeft()
    {
        // floor(3/2) = 1 channel on the right, 2 on the left.
        var channels = PackageBuilder.DramOnEdges(4, 5, 3, MemoryKinds.Gddr6x);
        Assert.Equal([new(0, 0), new(0, 1)], channels[0].AttachedRouters);
        Assert.Equal([new(0, 2), new(0, 3), new(0, 4)], channels[1].AttachedRouters);
        Assert.Equal(Enumerable.Range(0, 5).Select(y => new MeshPosition(3, y)), channels[2].AttachedRouters);
    }

    [Fact]
    public void TopBottomPlacementUsesEdgeRows()
    {
        var channels = PackageBuilder.DramOnEdges(4, 3, 2, MemoryKinds.Hbm3, DramEdges.TopBottom);
        Assert.Equal(Enumerable.Range(0, 4).Select(x => new MeshPosition(x, 0)), channels[0].AttachedRouters);
        Assert.Equal(Enumerable.Range(0, 4).Select(x => new MeshPosition(x, 2)), channels[1].AttachedRouters);
    }

    [Theory]
    [InlineData("tpu-16x16", 16, 6553.6)]
    [InlineData("tesla-32x32", 32, 13107.2)]
    [InlineData("ascend-8x8", 8, 3276.8)]
    public void LargeMeshesAttachHbmChannelsToEveryEdgeRouterOnce(string name, int side, double totalGBps)
    {
        var p = PackagePresets.ByName[name];
        var routers = p.DramChannels.SelectMany(c => c.AttachedRouters).ToList();
        Assert.Equal(2 * side, routers.Count);
        Assert.Equal(2 * side, routers.Distinct().Count());
        Assert.All(routers, r => Assert.True(r.X == 0 || r.X == side - 1));
        Assert.All(p.DramChannels, c => Assert.Equal("hbm3", c.Kind));
        Assert.Equal(totalGBps, p.DramChannels.Sum(c => c.BandwidthGBps), 6);
        Assert.Equal(side * side, p.Slots.Count);
    }

    [Fact]
    public void MoreChannelsThanEdgeRoutersIsRejected()
    {
        var e = Assert.Throws<CompassInputException>(() => PackageBuilder.DramOnEdges(2, 2, 6, MemoryKinds.Gddr6x));
        Assert.Equal("package.dramChannels", e.Field);
    }

    [Fact]
    public void ResolveIndexesDistinctTypesInFirstUseOrder()
    {
        var r = PackageBuilder.Resolve(PackagePresets.Compass6x6Hetero, ChipletCatalog.ByName);
        Assert.Equal(["compass-os", "compass-ws"], r.ChipletTypes.Select(t => t.Name));
        Assert.Equal(0, r.SlotTypeIndex[17]);
        Assert.Equal(1, r.SlotTypeIndex[18]);
        Assert.Equal(256.0, r.TotalDramBandwidthGBps);
        Assert.Equal(16e9, r.TotalDramCapacityBytes);
    }

    [Fact]
    public void MeshSidesUpToSixtyFourAreAccepted()
    {
        var p = PackageBuilder.Mesh("big", 64, 32, "tpu-like-1k", LinkKinds.UcieAdvanced.ToSpec(), MemoryKinds.Hbm3, 8);
        Assert.Equal(2048, p.ChipletCount);
        var e = Assert.Throws<CompassInputException>(() => PackageBuilder.Homogeneous(65, 1, "x"));
        Assert.Equal("package.meshWidth", e.Field);
    }
}
