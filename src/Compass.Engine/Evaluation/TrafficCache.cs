using Compass.Abstractions.Costs;

namespace Compass.Engine.Evaluation;

/// <summary>
/// A transfer pattern in the form the evaluator reserves: the shared resources it crosses (links 0 … L − 1, then DRAM
/// channels L … L + C − 1), for each the ns one transferred byte occupies it (share / bandwidth) and the bytes it
/// carries per byte, plus hop bytes for energy, the longest path for hop latency, and DRAM energy per byte.
/// </summary>
internal sealed class Flow
{
    public static Flow Local { get; } = new() { Resources = [], NsPerByte = [], Shares = [], HopBytesPerByte = 0, MaxHops = 0, DramPjPerByte = 0 };

    public required int[] Resources { get; init; }
    public required double[] NsPerByte { get; init; }
    public required double[] Shares { get; init; }
    public required double HopBytesPerByte { get; init; }
    public required int MaxHops { get; init; }
    public required double DramPjPerByte { get; init; }
}

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
        var resources = new int[n];
        var ns = new double[n];
        var shares = new double[n];
        double dramPj = 0;
        for (var k = 0; k < p.Links.Length; k++)
        {
            resources[k] = p.Links[k];
            shares[k] = p.LinkShares[k];
            ns[k] = p.LinkShares[k] * _resourceNsPerByte[p.Links[k]];
        }
        for (var k = 0; k < p.Channels.Length; k++)
        {
            var r = LinkCount + p.Channels[k];
            resources[p.Links.Length + k] = r;
            shares[p.Links.Length + k] = p.ChannelShares[k];
            ns[p.Links.Length + k] = p.ChannelShares[k] * _resourceNsPerByte[r];
            dramPj += p.ChannelShares[k] * _channelPjPerByte[p.Channels[k]];
        }
        return new Flow { Resources = resources, NsPerByte = ns, Shares = shares, HopBytesPerByte = p.HopBytesPerByte, MaxHops = p.MaxHops, DramPjPerByte = dramPj };
    }
}
