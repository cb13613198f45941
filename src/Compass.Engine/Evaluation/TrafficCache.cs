using Compass.Abstractions.Costs;

namespace Compass.Engine.Evaluation;

/// <summary>
/// The DRAM traffic of one chiplet in a form the evaluator reduces in a few operations: the links its DRAM read and
/// write patterns load (sorted, with ns per byte read or written), and the upper-right convex hulls of the points
/// (read ns/B, write ns/B) over links and over channels. For a task reading a bytes and writing b bytes the
/// busiest link (or channel) time max_l a·r_l + b·w_l is attained at a hull vertex, because a, b ≥ 0.
/// </summary>
internal sealed class DramProfile
{
    public required int[] Links { get; init; }
    public required double[] ReadNs { get; init; }
    public required double[] WriteNs { get; init; }
    public required double[] LinkHullRead { get; init; }
    public required double[] LinkHullWrite { get; init; }
    public required double[] ChannelHullRead { get; init; }
    public required double[] ChannelHullWrite { get; init; }

    /// <summary>max over links of (a·read + b·write) ns.</summary>
    public double LinkMaxNs(double a, double b) => HullMax(LinkHullRead, LinkHullWrite, a, b);

    /// <summary>max over channels of (a·read + b·write) ns.</summary>
    public double ChannelMaxNs(double a, double b) => HullMax(ChannelHullRead, ChannelHullWrite, a, b);

    /// <summary>ns per byte read and written on <paramref name="link"/> (0 when the patterns do not use it).</summary>
    public (double Read, double Write) On(int link)
    {
        var i = Array.BinarySearch(Links, link);
        return i >= 0 ? (ReadNs[i], WriteNs[i]) : (0, 0);
    }

    private static double HullMax(double[] x, double[] y, double a, double b)
    {
        double max = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var v = (a > 0 ? a * x[i] : 0) + (b > 0 ? b * y[i] : 0);
            if (v > max || double.IsNaN(v)) max = v;
        }
        return max;
    }

    public static DramProfile Build(TrafficPattern read, TrafficPattern write, double[] linkNs, double[] channelNs)
    {
        var links = new SortedDictionary<int, (double R, double W)>();
        for (var k = 0; k < read.Links.Length; k++)
        {
            var l = read.Links[k];
            var cur = links.GetValueOrDefault(l);
            links[l] = (cur.R + read.LinkShares[k] * linkNs[l], cur.W);
        }
        for (var k = 0; k < write.Links.Length; k++)
        {
            var l = write.Links[k];
            var cur = links.GetValueOrDefault(l);
            links[l] = (cur.R, cur.W + write.LinkShares[k] * linkNs[l]);
        }
        var channels = new SortedDictionary<int, (double R, double W)>();
        for (var k = 0; k < read.Channels.Length; k++)
        {
            var c = read.Channels[k];
            var cur = channels.GetValueOrDefault(c);
            channels[c] = (cur.R + read.ChannelShares[k] * channelNs[c], cur.W);
        }
        for (var k = 0; k < write.Channels.Length; k++)
        {
            var c = write.Channels[k];
            var cur = channels.GetValueOrDefault(c);
            channels[c] = (cur.R, cur.W + write.ChannelShares[k] * channelNs[c]);
        }
        var (lr, lw) = Hull(links.Values);
        var (cr, cw) = Hull(channels.Values);
        return new DramProfile
        {
            Links = [.. links.Keys],
            ReadNs = [.. links.Values.Select(v => v.R)],
            WriteNs = [.. links.Values.Select(v => v.W)],
            LinkHullRead = lr,
            LinkHullWrite = lw,
            ChannelHullRead = cr,
            ChannelHullWrite = cw,
        };
    }

    /// <summary>Vertices of the upper-right convex hull of non-negative points (the only candidates for max a·x + b·y with a, b ≥ 0).</summary>
    public static (double[] X, double[] Y) Hull(IEnumerable<(double R, double W)> points)
    {
        var sorted = points.OrderByDescending(p => p.R).ThenByDescending(p => p.W).ToList();
        // Pareto frontier: scanning x descending, keep points whose y beats every point to their right.
        var frontier = new List<(double X, double Y)>();
        var bestY = double.NegativeInfinity;
        foreach (var (x, y) in sorted)
        {
            if (double.IsNaN(x) || double.IsNaN(y) || double.IsInfinity(x) || double.IsInfinity(y))
            {
                frontier.Add((x, y));
                continue;
            }
            if (y > bestY) { frontier.Add((x, y)); bestY = y; }
        }
        frontier.Reverse(); // x ascending, y descending
        var hull = new List<(double X, double Y)>();
        foreach (var p in frontier)
        {
            while (hull.Count >= 2 && Cross(hull[^2], hull[^1], p) >= 0) hull.RemoveAt(hull.Count - 1);
            hull.Add(p);
        }
        return ([.. hull.Select(h => h.X)], [.. hull.Select(h => h.Y)]);
    }

    private static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) =>
        (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);
}

/// <summary>One link of a route: its id, the bytes it carries per byte sent, and the destination's DRAM read and write ns per byte on it.</summary>
internal readonly record struct RouteLink(int Link, double Share, double ReadNs, double WriteNs);

/// <summary>A chiplet-to-chiplet route, packed in one array for locality.</summary>
internal sealed class UnicastRoute
{
    public static UnicastRoute Local { get; } = new() { Hops = [], HopBytesPerByte = 0, MaxHops = 0 };

    public required RouteLink[] Hops { get; init; }
    public required double HopBytesPerByte { get; init; }
    public required int MaxHops { get; init; }
}

/// <summary>
/// Caches the interconnect's traffic patterns: DRAM read and write patterns per chiplet (built eagerly) and
/// unicast patterns per chiplet pair (built on first use; patterns are deterministic, so a race only builds the
/// same pattern twice). Also holds per-link and per-channel inverse bandwidths and per-chiplet DRAM energies.
/// </summary>
internal sealed class TrafficCache
{
    private readonly IPackageInterconnect _interconnect;
    private readonly int _chiplets;
    private readonly UnicastRoute?[] _unicast;

    public TrafficCache(IPackageInterconnect interconnect, int chiplets)
    {
        _interconnect = interconnect;
        _chiplets = chiplets;
        _unicast = new UnicastRoute?[chiplets * chiplets];
        DramRead = new TrafficPattern[chiplets];
        DramWrite = new TrafficPattern[chiplets];
        DramReadEnergyPjPerByte = new double[chiplets];
        DramWriteEnergyPjPerByte = new double[chiplets];
        LinkNsPerByte = new double[interconnect.LinkCount];
        ChannelNsPerByte = new double[interconnect.ChannelCount];
        var channelPjPerByte = new double[interconnect.ChannelCount];
        for (var l = 0; l < LinkNsPerByte.Length; l++) LinkNsPerByte[l] = 1.0 / interconnect.LinkBandwidthGBps(l);
        for (var c = 0; c < ChannelNsPerByte.Length; c++)
        {
            ChannelNsPerByte[c] = 1.0 / interconnect.ChannelBandwidthGBps(c);
            channelPjPerByte[c] = interconnect.DramEnergyPjPerByte(c);
        }
        for (var c = 0; c < chiplets; c++)
        {
            DramRead[c] = interconnect.DramRead(c);
            DramWrite[c] = interconnect.DramWrite(c);
            DramReadEnergyPjPerByte[c] = ChannelEnergy(DramRead[c], channelPjPerByte);
            DramWriteEnergyPjPerByte[c] = ChannelEnergy(DramWrite[c], channelPjPerByte);
        }
        Dram = new DramProfile[chiplets];
        for (var c = 0; c < chiplets; c++) Dram[c] = DramProfile.Build(DramRead[c], DramWrite[c], LinkNsPerByte, ChannelNsPerByte);
        HopEnergyPjPerByte = interconnect.HopEnergyPjPerByte;
        HopLatencyNs = interconnect.HopLatencyNs;
    }

    public TrafficPattern[] DramRead { get; }

    /// <summary>Reduced DRAM traffic of every chiplet.</summary>
    public DramProfile[] Dram { get; }

    public TrafficPattern[] DramWrite { get; }

    /// <summary>DRAM access energy per byte read into a chiplet (Σ channel share × channel energy).</summary>
    public double[] DramReadEnergyPjPerByte { get; }

    /// <summary>DRAM access energy per byte written from a chiplet.</summary>
    public double[] DramWriteEnergyPjPerByte { get; }

    public double[] LinkNsPerByte { get; }

    public double[] ChannelNsPerByte { get; }

    public double HopEnergyPjPerByte { get; }

    public double HopLatencyNs { get; }

    public int LinkCount => LinkNsPerByte.Length;

    public int ChannelCount => ChannelNsPerByte.Length;

    /// <summary>The unicast route from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public UnicastRoute Unicast(int source, int destination)
    {
        var index = source * _chiplets + destination;
        var route = Volatile.Read(ref _unicast[index]);
        if (route is not null) return route;
        if (source == destination)
        {
            route = UnicastRoute.Local;
        }
        else
        {
            var p = _interconnect.Unicast(source, destination);
            var hops = new RouteLink[p.Links.Length];
            for (var k = 0; k < hops.Length; k++)
            {
                var (read, write) = Dram[destination].On(p.Links[k]);
                hops[k] = new RouteLink(p.Links[k], p.LinkShares[k], read, write);
            }
            route = new UnicastRoute { Hops = hops, HopBytesPerByte = p.HopBytesPerByte, MaxHops = p.MaxHops };
        }
        Interlocked.CompareExchange(ref _unicast[index], route, null);
        return _unicast[index]!;
    }

    private static double ChannelEnergy(TrafficPattern p, double[] channelPjPerByte)
    {
        double e = 0;
        for (var i = 0; i < p.Channels.Length; i++) e += p.ChannelShares[i] * channelPjPerByte[p.Channels[i]];
        return e;
    }
}
