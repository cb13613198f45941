using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.CostModels.Interconnect;

namespace Compass.CostModels.Tests;

public class MeshInterconnectTests
{
    private const double MiB = 1024 * 1024;

    private static MeshInterconnect Build(MeshRouting routing = MeshRouting.Xy)
        => (MeshInterconnect)new MeshInterconnectModel(new MeshModelOptions(routing))
            .Build(TestHardware.Resolve(TestHardware.Compass6x6(), TestHardware.Compass(Dataflow.OutputStationary)));

    private static double BusiestLinkNs(MeshInterconnect net, TrafficPattern p, double bytes)
    {
        var worst = 0.0;
        for (var i = 0; i < p.Links.Length; i++) worst = Math.Max(worst, bytes * p.LinkShares[i] / net.LinkBandwidthGBps(p.Links[i]));
        return worst;
    }

    [Fact]
    public void UnicastCornerToCornerMatchesWorkedExample()
    {
        // docs/reference/formulas.md §9: 1 MiB from (0,0) to (5,5) = 10 hops, 167.8 µJ, 8,192 cycles (ns at 1 GHz).
        var net = Build();
        var p = net.Unicast(0, 35);
        Assert.Equal(10, p.MaxHops);
        Assert.Equal(10, p.HopBytesPerByte);
        Assert.Equal(167.77216, MiB * p.HopBytesPerByte * net.HopEnergyPjPerByte / 1e6, 6);
        Assert.Equal(8192, BusiestLinkNs(net, p, MiB), 9);
        Assert.Equal("(0,0)→(1,0)", net.DescribeLink(p.Links[0]));
        Assert.Contains(p.Links, l => net.DescribeLink(l) == "(5,4)→(5,5)");
    }

    [Fact]
    public void DramReadIntoCentreMatchesWorkedExample()
    {
        // docs/reference/formulas.md §9: 1 MiB read into (3,3): 4 MiB·hop (67.1 µJ) + 88.1 µJ DRAM; busiest link 512 KiB; 256 KiB per channel.
        var net = Build();
        var p = net.DramRead(3 * 6 + 3, -1);
        Assert.Equal(4.0, p.HopBytesPerByte, 12);
        Assert.Equal(67.108864, MiB * p.HopBytesPerByte * net.HopEnergyPjPerByte / 1e6, 6);
        var dramPj = 0.0;
        for (var i = 0; i < p.Channels.Length; i++)
        {
            Assert.Equal(256 * 1024, MiB * p.ChannelShares[i], 6);
            Assert.Equal(4096, MiB * p.ChannelShares[i] / net.ChannelBandwidthGBps(p.Channels[i]), 9);
            dramPj += MiB * p.ChannelShares[i] * net.DramEnergyPjPerByte(p.Channels[i]);
        }
        Assert.Equal(4, p.Channels.Length);
        Assert.Equal(88.080384, dramPj / 1e6, 6);
        Assert.Equal(512 * 1024, MiB * p.LinkShares.Max(), 6);
        Assert.Equal(4096, BusiestLinkNs(net, p, MiB), 9);
    }

    [Fact]
    public void DramWriteMirrorsDramRead()
    {
        var net = Build();
        var r = net.DramRead(8, -1);
        var w = net.DramWrite(8, -1);
        Assert.Equal(r.HopBytesPerByte, w.HopBytesPerByte, 12);
        Assert.Equal(r.ChannelShares, w.ChannelShares);
        Assert.Equal(r.MaxHops, w.MaxHops);
    }

    [Fact]
    public void PinnedChannelCostsFewerHopsThanInterleaved()
    {
        // (0,0) reading from the left-top channel, routers (0,0..2): 0 + 1 + 2 hops / 3 = 1 hop per byte; interleaved
        // over all four channels it averages (1 + 4 + 6 + 9) / 4 = 5 hops (the right channels are 5 columns away).
        var net = Build();
        var p = net.DramRead(0, 2);
        Assert.Single(p.Channels);
        Assert.Equal(2, p.Channels[0]);
        Assert.Equal(1.0, p.ChannelShares[0]);
        Assert.Equal(1.0, p.HopBytesPerByte, 12);
        Assert.Equal(0, net.ChannelRouter(2));
        Assert.Equal(5.0, net.DramRead(0, -1).HopBytesPerByte, 12);
    }

    [Fact]
    public void YxAndAdaptiveRoutesAreMinimal()
    {
        var xy = Build().Unicast(1, 6 * 4 + 5);
        var yx = Build(MeshRouting.Yx).Unicast(1, 6 * 4 + 5);
        var ad = Build(MeshRouting.Adaptive).Unicast(1, 6 * 4 + 5);
        Assert.Equal(8, xy.HopBytesPerByte);
        Assert.Equal(8, yx.HopBytesPerByte);
        Assert.Equal(8, ad.HopBytesPerByte, 12);
        Assert.Equal(0.5, ad.LinkShares.Max());
        Assert.Equal(16, ad.Links.Length);
        Assert.Empty(xy.Links.Intersect(yx.Links));
    }

    [Fact]
    public void MulticastTreeLoadsEachLinkOnce()
    {
        var net = Build();
        // From (0,0) to (2,0), (2,2), (0,2): X segment (0,0)→(2,0), Y segments down columns 2 and 0: 6 links.
        var p = net.Multicast(0, [2, 2 * 6 + 2, 2 * 6]);
        Assert.Equal(6, p.Links.Length);
        Assert.All(p.LinkShares, s => Assert.Equal(1.0, s));
        Assert.Equal(6, p.HopBytesPerByte);
        Assert.Equal(4, p.MaxHops);
        var unicastSum = net.Unicast(0, 2).HopBytesPerByte + net.Unicast(0, 14).HopBytesPerByte + net.Unicast(0, 12).HopBytesPerByte;
        Assert.True(p.HopBytesPerByte < unicastSum);
        Assert.Same(p, net.Multicast(0, [2 * 6, 2, 2 * 6 + 2, 0]));
        Assert.Same(TrafficPattern.Local, net.Multicast(3, [3]));
    }

    [Fact]
    public void LinkIdsAreDenseAndRoundTrip()
    {
        var net = Build();
        Assert.Equal(120, net.LinkCount);
        var seen = new HashSet<string>();
        for (var l = 0; l < net.LinkCount; l++)
        {
            var (x, y, x2, y2) = net.Endpoints(l);
            Assert.Equal(1, Math.Abs(x - x2) + Math.Abs(y - y2));
            Assert.Equal(l, net.LinkId(x, y, x2, y2));
            Assert.True(seen.Add(net.DescribeLink(l)));
        }
    }

    [Fact]
    public void PatternsAreCachedAndThreadSafe()
    {
        var net = Build();
        var patterns = new TrafficPattern[36 * 36];
        Parallel.For(0, 36 * 36 * 4, i => patterns[i % (36 * 36)] = net.Unicast(i % (36 * 36) / 36, i % 36));
        for (var i = 0; i < patterns.Length; i++) Assert.Same(patterns[i], net.Unicast(i / 36, i % 36));
        Assert.Same(TrafficPattern.Local, net.Unicast(5, 5));
    }

    [Fact]
    public void RouterOffTheMeshIsRejectedWithItsPath()
    {
        var package = TestHardware.Compass6x6() with
        {
            DramChannels =
            [
                new DramChannel("a", "gddr6x", [new MeshPosition(0, 0)], 64, 10.5, 4),
                new DramChannel("b", "gddr6x", [new MeshPosition(5, 0), new MeshPosition(5, 1), new MeshPosition(6, 2)], 64, 10.5, 4),
            ],
        };
        var ex = Assert.Throws<CompassInputException>(() => new MeshInterconnectModel().Build(TestHardware.Resolve(package, TestHardware.Compass(Dataflow.OutputStationary))));
        Assert.Equal("package.dramChannels[1].attachedRouters[2]", ex.Field);
    }
}

public class DramCapacityTests
{
    [Fact]
    public void WeightsPlusKvCacheMustFitTheChannels()
    {
        // Four 4 GB channels = 16 GB.
        var package = TestHardware.Resolve(TestHardware.Compass6x6(), TestHardware.Compass(Compass.Abstractions.Hardware.Dataflow.OutputStationary));
        Assert.Equal(16e9 - 13.4e9 - 1e9, Compass.CostModels.Interconnect.DramCapacity.HeadroomBytes(package, 13.4e9, 1e9), 3);
        Compass.CostModels.Interconnect.DramCapacity.EnsureFits(package, 13.4e9, 2.6e9);
        var ex = Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => Compass.CostModels.Interconnect.DramCapacity.EnsureFits(package, 13.4e9, 2.7e9));
        Assert.Equal("package.dramChannels", ex.Field);
    }
}
