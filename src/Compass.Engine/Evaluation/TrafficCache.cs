using System.Collections.Concurrent;
using Compass.Abstractions.Costs;

namespace Compass.Engine.Evaluation;

/// <summary>
/// Transfer patterns in the form the evaluator reserves, many to one object so that a reservation reads two dense
/// arrays and chases no pointer: flow f crosses the shared resources <see cref="Hops"/>[Info[f].Start …
/// Info[f].Start + Info[f].Count) (links 0 … L − 1, then DRAM channels L … L + C − 1), each with the ns one
/// transferred byte occupies it (share / bandwidth), and carries <see cref="Shares"/> bytes on each per byte.
/// </summary>
internal sealed class FlowSet
{
    private FlowSet(FlowInfo[] info, FlowHop[] hops, double[] shares)
    {
        Info = info;
        Hops = hops;
        Shares = shares;
    }

    /// <summary>Where each flow's hops are, and its hop bytes, longest path and DRAM energy.</summary>
    public FlowInfo[] Info { get; }

    /// <summary>Resource and ns per transferred byte of every flow's hops, packed together for locality.</summary>
    public FlowHop[] Hops { get; }

    /// <summary>Bytes carried per transferred byte, beside <see cref="Hops"/> (read only when intervals are recorded).</summary>
    public double[] Shares { get; }

    /// <summary>
    /// Packs <paramref name="patterns"/> in order: a resource's ns per byte is its share × its ns per byte
    /// (<paramref name="resourceNsPerByte"/>, links then channels); a flow's DRAM energy per byte is the share-weighted
    /// sum of its channels' (<paramref name="channelPjPerByte"/>). A pattern that crosses nothing is local (all zero).
    /// </summary>
    public static FlowSet Pack(ReadOnlySpan<TrafficPattern> patterns, double[] resourceNsPerByte, double[] channelPjPerByte, int linkCount)
    {
        var total = 0;
        foreach (var p in patterns) total += p.Links.Length + p.Channels.Length;
        var info = new FlowInfo[patterns.Length];
        var hops = new FlowHop[total];
        var shares = new double[total];
        var at = 0;
        for (var f = 0; f < patterns.Length; f++)
        {
            var p = patterns[f];
            var n = p.Links.Length + p.Channels.Length;
            if (n == 0)
            {
                info[f] = new FlowInfo(at, 0, 0, 0, 0);
                continue;
            }
            double dramPj = 0;
            for (var k = 0; k < p.Links.Length; k++)
            {
                shares[at + k] = p.LinkShares[k];
                hops[at + k] = new FlowHop(p.Links[k], p.LinkShares[k] * resourceNsPerByte[p.Links[k]]);
            }
            for (var k = 0; k < p.Channels.Length; k++)
            {
                var r = linkCount + p.Channels[k];
                shares[at + p.Links.Length + k] = p.ChannelShares[k];
                hops[at + p.Links.Length + k] = new FlowHop(r, p.ChannelShares[k] * resourceNsPerByte[r]);
                dramPj += p.ChannelShares[k] * channelPjPerByte[p.Channels[k]];
            }
            info[f] = new FlowInfo(at, n, p.MaxHops, p.HopBytesPerByte, dramPj);
            at += n;
        }
        return new FlowSet(info, hops, shares);
    }
}

/// <summary>Where a flow's hops are in its <see cref="FlowSet"/>, its byte-hops and DRAM energy per byte, and its longest path in hops.</summary>
internal readonly record struct FlowInfo(int Start, int Count, int MaxHops, double HopBytesPerByte, double DramPjPerByte);

/// <summary>One resource a flow crosses and the ns one transferred byte occupies it.</summary>
internal readonly record struct FlowHop(int Resource, double NsPerByte);

/// <summary>Flow <see cref="Index"/> of <see cref="Set"/>.</summary>
internal readonly record struct Flow(FlowSet Set, int Index)
{
    /// <summary>Byte-hops per transferred byte (for hop energy).</summary>
    public double HopBytesPerByte => Set.Info[Index].HopBytesPerByte;

    /// <summary>DRAM energy per transferred byte, pJ.</summary>
    public double DramPjPerByte => Set.Info[Index].DramPjPerByte;
}

/// <summary>
/// Caches the interconnect's traffic patterns as <see cref="Flow"/>s: DRAM reads and writes per (chiplet, channel or
/// interleaved), built eagerly; unicast flows from a chiplet to every chiplet, built together on the first send from
/// it; multicast trees, built on first use (patterns are deterministic, so a race only builds the same flows twice).
/// Also the nearest channel of every chiplet.
/// </summary>
internal sealed class TrafficCache
{
    private readonly IPackageInterconnect _interconnect;
    private readonly int _chiplets;
    private readonly FlowSet?[] _unicast;
    private readonly double[] _resourceNsPerByte;
    private readonly double[] _channelPjPerByte;
    private readonly ConcurrentDictionary<ulong, MulticastEntry> _multicast = new();

    private sealed record MulticastEntry(int Source, int[] Destinations, FlowSet Flow);

    public TrafficCache(IPackageInterconnect interconnect, int chiplets)
    {
        _interconnect = interconnect;
        _chiplets = chiplets;
        LinkCount = interconnect.LinkCount;
        ChannelCount = interconnect.ChannelCount;
        _unicast = new FlowSet?[chiplets];
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
        var reads = new TrafficPattern[chiplets * slots];
        var writes = new TrafficPattern[chiplets * slots];
        for (var c = 0; c < chiplets; c++)
        {
            for (var ch = -1; ch < ChannelCount; ch++)
            {
                var slot = c * slots + (ch < 0 ? ChannelCount : ch);
                reads[slot] = interconnect.DramRead(c, ch);
                writes[slot] = interconnect.DramWrite(c, ch);
            }
        }
        DramReads = Pack(reads);
        DramWrites = Pack(writes);
        Nearest = new int[chiplets];
        for (var c = 0; c < chiplets; c++)
        {
            var best = 0;
            var bestHops = double.PositiveInfinity;
            for (var ch = 0; ch < ChannelCount; ch++)
            {
                var hops = DramReads.Info[c * slots + ch].HopBytesPerByte;
                if (hops < bestHops)
                {
                    bestHops = hops;
                    best = ch;
                }
            }
            Nearest[c] = ChannelCount == 0 ? -1 : best;
        }
        HopEnergyPjPerByte = interconnect.HopEnergyPjPerByte;
        HopLatencyNs = interconnect.HopLatencyNs;
        var channelOnly = new TrafficPattern[ChannelCount];
        ChannelRouter = new int[ChannelCount];
        for (var ch = 0; ch < ChannelCount; ch++)
        {
            channelOnly[ch] = new TrafficPattern([], [], [ch], [1.0], 0, 0);
            ChannelRouter[ch] = interconnect.ChannelRouter(ch);
        }
        ChannelOnlySet = Pack(channelOnly);
    }

    /// <summary>The channel alone (no links), one flow per channel: the DRAM side of a read that is then multicast from the channel's router.</summary>
    public FlowSet ChannelOnlySet { get; }

    /// <summary>Mesh slot through which each channel multicasts.</summary>
    public int[] ChannelRouter { get; }

    /// <summary>The channel <paramref name="channel"/> alone (no links).</summary>
    public Flow ChannelOnly(int channel) => new(ChannelOnlySet, channel);

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
        if (_multicast.TryGetValue(hash, out var entry) && entry.Source == source && destinations.SequenceEqual(entry.Destinations)) return new Flow(entry.Flow, 0);
        var built = new MulticastEntry(source, destinations.ToArray(), Pack([_interconnect.Multicast(source, destinations)]));
        var stored = _multicast.GetOrAdd(hash, built);
        return new Flow(stored.Source == source && destinations.SequenceEqual(stored.Destinations) ? stored.Flow : built.Flow, 0);
    }

    /// <summary>Read flows, index chiplet × (channels + 1) + channel; the last slot of a chiplet is the interleaved read.</summary>
    public FlowSet DramReads { get; }

    /// <summary>Write flows, indexed like <see cref="DramReads"/>.</summary>
    public FlowSet DramWrites { get; }

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

    /// <summary>Slot of (chiplet, channel) in <see cref="DramReads"/> / <see cref="DramWrites"/>; a negative channel is the interleaved slot.</summary>
    public int DramSlot(int chiplet, int channel) => chiplet * (ChannelCount + 1) + (channel < 0 ? ChannelCount : channel);

    /// <summary>The unicast flow from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public Flow Unicast(int source, int destination) => new(Volatile.Read(ref _unicast[source]) ?? UnicastFrom(source), destination);

    /// <summary>The unicast flows from <paramref name="source"/> to every chiplet, indexed by destination (the source itself: local).</summary>
    public FlowSet UnicastFrom(int source)
    {
        var set = Volatile.Read(ref _unicast[source]);
        if (set is not null) return set;
        var patterns = new TrafficPattern[_chiplets];
        for (var d = 0; d < _chiplets; d++) patterns[d] = d == source ? TrafficPattern.Local : _interconnect.Unicast(source, d);
        set = Pack(patterns);
        return Interlocked.CompareExchange(ref _unicast[source], set, null) ?? set;
    }

    private FlowSet Pack(ReadOnlySpan<TrafficPattern> patterns) => FlowSet.Pack(patterns, _resourceNsPerByte, _channelPjPerByte, LinkCount);
}
