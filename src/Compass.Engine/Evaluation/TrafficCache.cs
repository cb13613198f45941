using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Compass.Abstractions.Costs;

namespace Compass.Engine.Evaluation;

/// <summary>
/// Transfer patterns in the form the evaluator reserves, many packed into one array so that a reservation reads one
/// short run of memory and chases no pointer. Flow f starts at <see cref="Start"/>[f] in <see cref="Data"/>:
/// <list type="bullet">
/// <item>a header of <see cref="HeaderInts"/> ints: the number of resources crossed; the longest path in hops, with the
/// sign bit set when the hops are packed (below); the byte-hops per byte and the DRAM energy per byte (each a double as
/// two ints);</item>
/// <item>packed: one int per resource crossed (links 0 … L − 1, then DRAM channels L … L + C − 1) in the low
/// <see cref="ResourceBits"/> bits and, above, the index of its share (bytes it carries per byte transferred) in
/// <see cref="Shares"/>; the set's few distinct shares are kept once;</item>
/// <item>otherwise (a share beyond the first 256 distinct ones, or a resource id too large to pack): the resources,
/// then from the next even index the ns one transferred byte occupies each (share × its ns per byte) and the shares,
/// as doubles.</item>
/// </list>
/// A resource is busy share × (its ns per byte) per transferred byte either way, the same product in the same order.
/// </summary>
internal sealed class FlowSet
{
    /// <summary>Ints before a flow's hops.</summary>
    public const int HeaderInts = 6;

    /// <summary>Bits of a packed hop that hold the resource.</summary>
    public const int ResourceBits = 24;

    /// <summary>Mask of the resource in a packed hop.</summary>
    public const int ResourceMask = (1 << ResourceBits) - 1;

    private FlowSet(int[] data, int[] start, double[] shares)
    {
        Data = data;
        Start = start;
        Shares = shares;
    }

    /// <summary>Every flow's header and hops.</summary>
    public int[] Data { get; }

    /// <summary>Where each flow starts in <see cref="Data"/> (always even).</summary>
    public int[] Start { get; }

    /// <summary>The distinct shares of the packed hops (at most 256).</summary>
    public double[] Shares { get; }

    /// <summary>Flow <paramref name="index"/> of the set.</summary>
    public Flow this[int index] => new(this, Start[index]);

    /// <summary>
    /// Packs <paramref name="patterns"/> in order; <paramref name="resourceNsPerByte"/> (links then channels) gives the
    /// explicit hops' ns per byte; a flow's DRAM energy per byte is the share-weighted sum of its channels'
    /// (<paramref name="channelPjPerByte"/>). A pattern that crosses nothing is local (all zero).
    /// </summary>
    public static FlowSet Pack(ReadOnlySpan<TrafficPattern> patterns, double[] resourceNsPerByte, double[] channelPjPerByte, int linkCount)
    {
        var shares = new List<double>();
        var start = new int[patterns.Length];
        var packed = new bool[patterns.Length];
        var total = 0;
        for (var f = 0; f < patterns.Length; f++)
        {
            var p = patterns[f];
            var n = p.Links.Length + p.Channels.Length;
            start[f] = total;
            if (n == 0)
            {
                total += HeaderInts;
                continue;
            }
            packed[f] = Packable(p, resourceNsPerByte.Length, shares);
            total += packed[f] ? Even(HeaderInts + n) : Even(HeaderInts + n) + 4 * n;
        }
        var data = new int[total];
        for (var f = 0; f < patterns.Length; f++)
        {
            var p = patterns[f];
            var o = start[f];
            var n = p.Links.Length + p.Channels.Length;
            if (n == 0) continue;
            double dramPj = 0;
            for (var k = 0; k < p.Channels.Length; k++) dramPj += p.ChannelShares[k] * channelPjPerByte[p.Channels[k]];
            data[o] = n;
            data[o + 1] = packed[f] ? p.MaxHops | int.MinValue : p.MaxHops;
            var header = MemoryMarshal.Cast<int, double>(data.AsSpan(o + 2, 4));
            header[0] = p.HopBytesPerByte;
            header[1] = dramPj;
            var hops = data.AsSpan(o + HeaderInts, n);
            var values = packed[f] ? default : MemoryMarshal.Cast<int, double>(data.AsSpan(Even(o + HeaderInts + n), 4 * n));
            for (var k = 0; k < n; k++)
            {
                var link = k < p.Links.Length;
                var r = link ? p.Links[k] : linkCount + p.Channels[k - p.Links.Length];
                var share = link ? p.LinkShares[k] : p.ChannelShares[k - p.Links.Length];
                if (packed[f])
                {
                    hops[k] = r | (IndexOf(shares, share) << ResourceBits);
                }
                else
                {
                    hops[k] = r;
                    values[k] = share * resourceNsPerByte[r];
                    values[n + k] = share;
                }
            }
        }
        return new FlowSet(data, start, [.. shares]);
    }

    /// <summary>Whether every hop of <paramref name="p"/> packs: a resource id below 2^24 and a share among the first 256 distinct ones (added to <paramref name="shares"/>).</summary>
    private static bool Packable(TrafficPattern p, int resources, List<double> shares)
    {
        if (resources > ResourceMask + 1) return false;
        var added = 0;
        for (var k = 0; k < p.Links.Length + p.Channels.Length; k++)
        {
            var share = k < p.Links.Length ? p.LinkShares[k] : p.ChannelShares[k - p.Links.Length];
            if (IndexOf(shares, share) >= 0) continue;
            if (shares.Count == 256)
            {
                shares.RemoveRange(shares.Count - added, added);
                return false;
            }
            shares.Add(share);
            added++;
        }
        return true;
    }

    /// <summary>Index of the share with exactly the bits of <paramref name="share"/>, or −1.</summary>
    private static int IndexOf(List<double> shares, double share)
    {
        for (var i = 0; i < shares.Count; i++) if (BitConverter.DoubleToInt64Bits(shares[i]) == BitConverter.DoubleToInt64Bits(share)) return i;
        return -1;
    }

    /// <summary>The next even index (doubles stay 8-byte aligned).</summary>
    public static int Even(int i) => (i + 1) & ~1;
}

/// <summary>The flow at <see cref="Offset"/> of <see cref="Set"/>'s data.</summary>
internal readonly record struct Flow(FlowSet Set, int Offset)
{
    /// <summary>Resources crossed.</summary>
    public int Count => Set.Data[Offset];

    /// <summary>Whether the hops are packed (resource and share index in one int).</summary>
    public bool Packed => Set.Data[Offset + 1] < 0;

    /// <summary>Longest path in hops (for per-hop latency).</summary>
    public int MaxHops => Set.Data[Offset + 1] & int.MaxValue;

    /// <summary>Byte-hops per transferred byte (for hop energy).</summary>
    public double HopBytesPerByte => MemoryMarshal.Cast<int, double>(Set.Data.AsSpan(Offset + 2, 2))[0];

    /// <summary>DRAM energy per transferred byte, pJ.</summary>
    public double DramPjPerByte => MemoryMarshal.Cast<int, double>(Set.Data.AsSpan(Offset + 4, 2))[0];

    /// <summary>The hops: packed, or (explicit) the resources.</summary>
    public ReadOnlySpan<int> Hops => Set.Data.AsSpan(Offset + FlowSet.HeaderInts, Count);

    /// <summary>Explicit hops: the ns one transferred byte occupies each resource.</summary>
    public ReadOnlySpan<double> NsPerByte
    {
        get
        {
            var n = Count;
            return MemoryMarshal.Cast<int, double>(Set.Data.AsSpan(FlowSet.Even(Offset + FlowSet.HeaderInts + n), 2 * n));
        }
    }

    /// <summary>Explicit hops: the bytes each resource carries per transferred byte.</summary>
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
