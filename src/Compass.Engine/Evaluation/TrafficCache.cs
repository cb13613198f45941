using System.Collections.Concurrent;
using Compass.Abstractions.Costs;

namespace Compass.Engine.Evaluation;

/// <summary>
/// A transfer pattern in the form the evaluator reserves: the shared resources it crosses (links 0 … L − 1, then DRAM
/// channels L … L + C − 1), for each the ns one transferred byte occupies it (share / bandwidth) and the bytes it
/// carries per byte, plus hop bytes for energy, the longest path for hop latency, and DRAM energy per byte.
/// </summary>
internal sealed class Flow
{
    public static Flow Local { get; } = new() { Hops = [], Shares = [], HopBytesPerByte = 0, MaxHops = 0, DramPjPerByte = 0 };

    /// <summary>Resource and ns per transferred byte, packed together for locality.</summary>
    public required FlowHop[] Hops { get; init; }
    public required double[] Shares { get; init; }
    public required double HopBytesPerByte { get; init; }
    public required int MaxHops { get; init; }
    public required double DramPjPerByte { get; init; }
}

/// <summary>One resource a flow crosses and the ns one transferred byte occupies it.</summary>
internal readonly record struct FlowHop(int Resource, double NsPerByte);

/// <summary>
/// Caches the interconnect's traffic patterns as <see cref="Flow"/>s: DRAM reads and writes per (chiplet, channel or
/// interleaved), built eagerly; unicast per chiplet pair and multicast trees, built on first use (patterns are
/// deterministic, so a race only builds the same flow twice). Also the nearest channel of every chiplet.
/// </summary>
internal sealed class TrafficCache
{
    private readonly IPackageInterconnect _interconnect;
    private readonly int _chiplets;
    private readonly Flow?[] _unicast;
    private readonly double[] _resourceNsPerByte;
    private readonly double[] _channelPjPerByte;
    private readonly ConcurrentDictionary<ulong, MulticastEntry> _multicast = new();

    private sealed record MulticastEntry(int Source, int[] Destinations, Flow Flow);

    public TrafficCache(IPackageInterconnect interconnect, int chiplets)
    {
        _interconnect = interconnect;
        _chiplets = chiplets;
        LinkCount = interconnect.LinkCount;
        ChannelCount = interconnect.ChannelCount;
        _unicast = new Flow?[chiplets * chiplets];
        _resourceNsPerByte = new double[LinkCount + ChannelCount];
        _channelPjPerByte = new double[ChannelCount];
        for (var l = 0; l < LinkCount; l++) _resourceNsPerByte[l] = 1.0 / interconnect.LinkBandwidthGBps(l);
        double aggregate = 0;
        MinDramPjPerByte = ChannelCount == 0 ? 0 : double.PositiveInfinity;
        for (var c = 0; c < ChannelCount; c++)
        {
            var bw = interconnect.ChannelBandwidthGBps(c);
            aggregate += bw;
            _resourceNsPerByte[LinkCount + c] = 1.0 / bw;
            _channelPjPerByte[c] = interconnect.DramEnergyPjPerByte(c);
            MinDramPjPerByte = Math.Min(MinDramPjPerByte, _channelPjPerByte[c]);
        }
        AggregateDramGBps = aggregate;
        var slots = ChannelCount + 1;
        DramRead = new Flow[chiplets * slots];
        DramWrite = new Flow[chiplets * slots];
        Nearest = new int[chiplets];
        for (var c = 0; c < chiplets; c++)
        {
            var best = 0;
            var bestHops = double.PositiveInfinity;
            for (var ch = -1; ch < ChannelCount; ch++)
            {
                var slot = c * slots + (ch < 0 ? ChannelCount : ch);
                DramRead[slot] = ToFlow(interconnect.DramRead(c, ch));
                DramWrite[slot] = ToFlow(interconnect.DramWrite(c, ch));
                if (ch >= 0 && DramRead[slot].HopBytesPerByte < bestHops)
                {
                    bestHops = DramRead[slot].HopBytesPerByte;
                    best = ch;
                }
            }
            Nearest[c] = ChannelCount == 0 ? -1 : best;
        }
        HopEnergyPjPerByte = interconnect.HopEnergyPjPerByte;
        HopLatencyNs = interconnect.HopLatencyNs;
        ChannelOnly = new Flow[ChannelCount];
        ChannelRouter = new int[ChannelCount];
        for (var ch = 0; ch < ChannelCount; ch++)
        {
            var r = LinkCount + ch;
            ChannelOnly[ch] = new Flow { Hops = [new FlowHop(r, _resourceNsPerByte[r])], Shares = [1.0], HopBytesPerByte = 0, MaxHops = 0, DramPjPerByte = _channelPjPerByte[ch] };
            ChannelRouter[ch] = interconnect.ChannelRouter(ch);
        }
    }

    /// <summary>The channel alone (no links): the DRAM side of a read that is then multicast from the channel's router.</summary>
    public Flow[] ChannelOnly { get; }

    /// <summary>Mesh slot through which each channel multicasts.</summary>
    public int[] ChannelRouter { get; }

    /// <summary>
    /// The tree flow from <paramref name="source"/> to <paramref name="destinations"/> (sorted, distinct; each tree link
    /// loaded once). Cached by a hash of the set and checked against it, so a hit allocates nothing and a collision
    /// only costs a rebuild.
    /// </summary>
    public Flow Multicast(int source, ReadOnlySpan<int> destinations)
    {
        var hash = 14695981039346656037UL;
        hash = (hash ^ (ulong)source) * 1099511628211UL;
        foreach (var d in destinations) hash = (hash ^ (ulong)(d + 1)) * 1099511628211UL;
        if (_multicast.TryGetValue(hash, out var entry) && entry.Source == source && destinations.SequenceEqual(entry.Destinations)) return entry.Flow;
        var built = new MulticastEntry(source, destinations.ToArray(), ToFlow(_interconnect.Multicast(source, destinations)));
        var stored = _multicast.GetOrAdd(hash, built);
        return stored.Source == source && destinations.SequenceEqual(stored.Destinations) ? stored.Flow : built.Flow;
    }

    /// <summary>Read flows, index chiplet × (channels + 1) + channel; the last slot of a chiplet is the interleaved read.</summary>
    public Flow[] DramRead { get; }

    /// <summary>Write flows, indexed like <see cref="DramRead"/>.</summary>
    public Flow[] DramWrite { get; }

    /// <summary>The channel fewest mean hops from each chiplet (ties: the lowest index).</summary>
    public int[] Nearest { get; }

    public double HopEnergyPjPerByte { get; }

    public double HopLatencyNs { get; }

    public int LinkCount { get; }

    public int ChannelCount { get; }

    /// <summary>Links then channels.</summary>
    public int ResourceCount => LinkCount + ChannelCount;

    /// <summary>Sum of every channel's bandwidth, GB/s.</summary>
    public double AggregateDramGBps { get; }

    /// <summary>The cheapest channel's energy per byte, pJ.</summary>
    public double MinDramPjPerByte { get; }

    /// <summary>Bandwidth of resource <paramref name="r"/> (link or channel), GB/s.</summary>
    public double BandwidthGBps(int r) => 1.0 / _resourceNsPerByte[r];

    /// <summary>Readable name of a resource.</summary>
    public string Describe(int r) => r < LinkCount ? $"link {_interconnect.DescribeLink(r)}" : $"DRAM channel {r - LinkCount}";

    /// <summary>Slot of (chiplet, channel) in <see cref="DramRead"/> / <see cref="DramWrite"/>; a negative channel is the interleaved slot.</summary>
    public int DramSlot(int chiplet, int channel) => chiplet * (ChannelCount + 1) + (channel < 0 ? ChannelCount : channel);

    /// <summary>The unicast flow from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public Flow Unicast(int source, int destination)
    {
        var index = source * _chiplets + destination;
        var flow = Volatile.Read(ref _unicast[index]);
        if (flow is not null) return flow;
        flow = source == destination ? Flow.Local : ToFlow(_interconnect.Unicast(source, destination));
        Interlocked.CompareExchange(ref _unicast[index], flow, null);
        return _unicast[index]!;
    }

    private Flow ToFlow(TrafficPattern p)
    {
        var n = p.Links.Length + p.Channels.Length;
        if (n == 0) return Flow.Local;
        var hops = new FlowHop[n];
        var shares = new double[n];
        double dramPj = 0;
        for (var k = 0; k < p.Links.Length; k++)
        {
            shares[k] = p.LinkShares[k];
            hops[k] = new FlowHop(p.Links[k], p.LinkShares[k] * _resourceNsPerByte[p.Links[k]]);
        }
        for (var k = 0; k < p.Channels.Length; k++)
        {
            var r = LinkCount + p.Channels[k];
            shares[p.Links.Length + k] = p.ChannelShares[k];
            hops[p.Links.Length + k] = new FlowHop(r, p.ChannelShares[k] * _resourceNsPerByte[r]);
            dramPj += p.ChannelShares[k] * _channelPjPerByte[p.Channels[k]];
        }
        return new Flow { Hops = hops, Shares = shares, HopBytesPerByte = p.HopBytesPerByte, MaxHops = p.MaxHops, DramPjPerByte = dramPj };
    }
}
