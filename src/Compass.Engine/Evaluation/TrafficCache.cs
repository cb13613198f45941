using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Compass.Abstractions.Costs;

namespace Compass.Engine.Evaluation;

/// <summary>
/// Transfer patterns in the form the evaluator reserves, many packed into one array so that a reservation reads one
/// short run of memory and chases no pointer. Flow f starts at <see cref="Start"/>[f] in <see cref="Data"/>:
/// <list type="bullet">
/// <item>a header of <see cref="HeaderInts"/> ints: the number of resources crossed; the longest path in hops, with the
/// sign bit set when every share is exactly 1; the byte-hops per byte and the DRAM energy per byte (each a double as two ints);</item>
/// <item>the resources crossed (links 0 … L − 1, then DRAM channels L … L + C − 1);</item>
/// <item>unless every share is 1, from the next even index: the ns one transferred byte occupies each resource
/// (share × its ns per byte) and the bytes it carries per byte (its share), as doubles. A flow of unit shares
/// occupies each resource for its own ns per byte, so it stores resources only (a mesh's unicast routes).</item>
/// </list>
/// </summary>
internal sealed class FlowSet
{
    /// <summary>Ints before a flow's resources.</summary>
    public const int HeaderInts = 6;

    private FlowSet(int[] data, int[] start)
    {
        Data = data;
        Start = start;
    }

    /// <summary>Every flow's header, resources and, for flows of non-unit shares, ns per byte and shares.</summary>
    public int[] Data { get; }

    /// <summary>Where each flow starts in <see cref="Data"/> (always even).</summary>
    public int[] Start { get; }

    /// <summary>Flow <paramref name="index"/> of the set.</summary>
    public Flow this[int index] => new(this, Start[index]);

    /// <summary>
    /// Packs <paramref name="patterns"/> in order: a resource's ns per byte is its share × its ns per byte
    /// (<paramref name="resourceNsPerByte"/>, links then channels); a flow's DRAM energy per byte is the share-weighted
    /// sum of its channels' (<paramref name="channelPjPerByte"/>). A pattern that crosses nothing is local (all zero).
    /// </summary>
    public static FlowSet Pack(ReadOnlySpan<TrafficPattern> patterns, double[] resourceNsPerByte, double[] channelPjPerByte, int linkCount)
    {
        var start = new int[patterns.Length];
        var total = 0;
        for (var f = 0; f < patterns.Length; f++)
        {
            start[f] = total;
            total += Size(patterns[f]);
        }
        var data = new int[total];
        for (var f = 0; f < patterns.Length; f++)
        {
            var p = patterns[f];
            var o = start[f];
            var n = p.Links.Length + p.Channels.Length;
            if (n == 0) continue;
            var unit = Unit(p);
            double dramPj = 0;
            for (var k = 0; k < p.Channels.Length; k++) dramPj += p.ChannelShares[k] * channelPjPerByte[p.Channels[k]];
            data[o] = n;
            data[o + 1] = unit ? p.MaxHops | int.MinValue : p.MaxHops;
            var header = MemoryMarshal.Cast<int, double>(data.AsSpan(o + 2, 4));
            header[0] = p.HopBytesPerByte;
            header[1] = dramPj;
            var resources = data.AsSpan(o + HeaderInts, n);
            for (var k = 0; k < p.Links.Length; k++) resources[k] = p.Links[k];
            for (var k = 0; k < p.Channels.Length; k++) resources[p.Links.Length + k] = linkCount + p.Channels[k];
            if (unit) continue;
            var values = MemoryMarshal.Cast<int, double>(data.AsSpan(Even(o + HeaderInts + n), 4 * n));
            for (var k = 0; k < n; k++)
            {
                var share = k < p.Links.Length ? p.LinkShares[k] : p.ChannelShares[k - p.Links.Length];
                values[k] = share * resourceNsPerByte[resources[k]];
                values[n + k] = share;
            }
        }
        return new FlowSet(data, start);
    }

    /// <summary>Whether every share of <paramref name="p"/> is exactly 1.</summary>
    private static bool Unit(TrafficPattern p)
    {
        foreach (var share in p.LinkShares) if (share != 1.0) return false;
        foreach (var share in p.ChannelShares) if (share != 1.0) return false;
        return true;
    }

    private static int Size(TrafficPattern p)
    {
        var n = p.Links.Length + p.Channels.Length;
        if (n == 0) return HeaderInts;
        var size = HeaderInts + n;
        return Even(Unit(p) ? size : Even(size) + 4 * n);
    }

    /// <summary>The next even index (doubles stay 8-byte aligned).</summary>
    public static int Even(int i) => (i + 1) & ~1;
}

/// <summary>The flow at <see cref="Offset"/> of <see cref="Set"/>'s data.</summary>
internal readonly record struct Flow(FlowSet Set, int Offset)
{
    /// <summary>Resources crossed.</summary>
    public int Count => Set.Data[Offset];

    /// <summary>Whether every share is exactly 1 (no ns-per-byte or share values stored).</summary>
    public bool UnitShares => Set.Data[Offset + 1] < 0;

    /// <summary>Longest path in hops (for per-hop latency).</summary>
    public int MaxHops => Set.Data[Offset + 1] & int.MaxValue;

    /// <summary>Byte-hops per transferred byte (for hop energy).</summary>
    public double HopBytesPerByte => MemoryMarshal.Cast<int, double>(Set.Data.AsSpan(Offset + 2, 2))[0];

    /// <summary>DRAM energy per transferred byte, pJ.</summary>
    public double DramPjPerByte => MemoryMarshal.Cast<int, double>(Set.Data.AsSpan(Offset + 4, 2))[0];

    /// <summary>The resources crossed.</summary>
    public ReadOnlySpan<int> Resources => Set.Data.AsSpan(Offset + FlowSet.HeaderInts, Count);

    /// <summary>For a flow of non-unit shares: the ns one transferred byte occupies each resource.</summary>
    public ReadOnlySpan<double> NsPerByte
    {
        get
        {
            var n = Count;
            return MemoryMarshal.Cast<int, double>(Set.Data.AsSpan(FlowSet.Even(Offset + FlowSet.HeaderInts + n), 2 * n));
        }
    }

    /// <summary>For a flow of non-unit shares: the bytes each resource carries per transferred byte.</summary>
    public ReadOnlySpan<double> Shares
    {
        get
        {
            var n = Count;
            return MemoryMarshal.Cast<int, double>(Set.Data.AsSpan(FlowSet.Even(Offset + FlowSet.HeaderInts + n) + 2 * n, 2 * n));
        }
    }
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
                var hops = DramReads[c * slots + ch].HopBytesPerByte;
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
    public Flow ChannelOnly(int channel) => ChannelOnlySet[channel];

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
        if (_multicast.TryGetValue(hash, out var entry) && entry.Source == source && destinations.SequenceEqual(entry.Destinations)) return entry.Flow[0];
        var built = new MulticastEntry(source, destinations.ToArray(), Pack([_interconnect.Multicast(source, destinations)]));
        var stored = _multicast.GetOrAdd(hash, built);
        return (stored.Source == source && destinations.SequenceEqual(stored.Destinations) ? stored.Flow : built.Flow)[0];
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

    /// <summary>The ns one byte occupies each resource (links then channels): a unit-share flow's ns per byte.</summary>
    public double[] ResourceNsPerByte => _resourceNsPerByte;

    /// <summary>Bandwidth of resource <paramref name="r"/> (link or channel), GB/s.</summary>
    public double BandwidthGBps(int r) => 1.0 / _resourceNsPerByte[r];

    /// <summary>Readable name of a resource.</summary>
    public string Describe(int r) => r < LinkCount ? $"link {_interconnect.DescribeLink(r)}" : $"DRAM channel {r - LinkCount}";

    /// <summary>Slot of (chiplet, channel) in <see cref="DramReads"/> / <see cref="DramWrites"/>; a negative channel is the interleaved slot.</summary>
    public int DramSlot(int chiplet, int channel) => chiplet * (ChannelCount + 1) + (channel < 0 ? ChannelCount : channel);

    /// <summary>The unicast flow from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public Flow Unicast(int source, int destination) => (Volatile.Read(ref _unicast[source]) ?? UnicastFrom(source))[destination];

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
