using Compass.Abstractions.Hardware;

namespace Compass.Abstractions.Costs;

/// <summary>
/// How one byte of a transfer loads the package: the links it crosses and the DRAM channels it touches, each with
/// a share (bytes on that resource per byte transferred). The evaluator multiplies shares by the transfer size.
/// </summary>
public sealed class TrafficPattern
{
    /// <summary>Creates a pattern.</summary>
    public TrafficPattern(int[] links, double[] linkShares, int[] channels, double[] channelShares, double hopBytesPerByte, int maxHops)
    {
        if (links.Length != linkShares.Length) throw new ArgumentException("one share per link", nameof(linkShares));
        if (channels.Length != channelShares.Length) throw new ArgumentException("one share per channel", nameof(channelShares));
        Links = links;
        LinkShares = linkShares;
        Channels = channels;
        ChannelShares = channelShares;
        HopBytesPerByte = hopBytesPerByte;
        MaxHops = maxHops;
    }

    /// <summary>The empty pattern (a transfer that stays on the chiplet).</summary>
    public static TrafficPattern Local { get; } = new([], [], [], [], 0, 0);

    /// <summary>Directed link ids crossed.</summary>
    public int[] Links { get; }

    /// <summary>Bytes on each link per byte transferred.</summary>
    public double[] LinkShares { get; }

    /// <summary>DRAM channels touched.</summary>
    public int[] Channels { get; }

    /// <summary>Bytes on each channel per byte transferred.</summary>
    public double[] ChannelShares { get; }

    /// <summary>Byte-hops per byte transferred (for hop energy): the sum of link shares.</summary>
    public double HopBytesPerByte { get; }

    /// <summary>Longest path in hops (for per-hop latency).</summary>
    public int MaxHops { get; }
}

/// <summary>
/// The network-on-package and memory system of one package: links, DRAM channels and how transfers load them.
/// Built once per package by an <see cref="IInterconnectModel"/>; must be thread-safe for reads.
/// </summary>
public interface IPackageInterconnect
{
    /// <summary>Directed links (ids 0 … count − 1).</summary>
    int LinkCount { get; }

    /// <summary>DRAM channels (ids 0 … count − 1).</summary>
    int ChannelCount { get; }

    /// <summary>Bandwidth of link <paramref name="link"/>, GB/s (bytes per ns).</summary>
    double LinkBandwidthGBps(int link);

    /// <summary>Bandwidth of channel <paramref name="channel"/>, GB/s.</summary>
    double ChannelBandwidthGBps(int channel);

    /// <summary>Energy per byte per hop on the network, pJ/B.</summary>
    double HopEnergyPjPerByte { get; }

    /// <summary>Energy per byte of DRAM access on channel <paramref name="channel"/>, pJ/B.</summary>
    double DramEnergyPjPerByte(int channel);

    /// <summary>Latency per hop, ns.</summary>
    double HopLatencyNs { get; }

    /// <summary>Readable name of a link (<c>(2,3)→(3,3)</c>).</summary>
    string DescribeLink(int link);

    /// <summary>Pattern of a chiplet-to-chiplet transfer (empty when source equals destination).</summary>
    TrafficPattern Unicast(int source, int destination);

    /// <summary>Pattern of one transfer delivered to several chiplets (each tree link loaded once).</summary>
    TrafficPattern Multicast(int source, ReadOnlySpan<int> destinations);

    /// <summary>
    /// Pattern of a read from DRAM into <paramref name="chiplet"/>: the channel (or, for a negative
    /// <paramref name="channel"/>, every channel interleaved, 1/n each) plus the links from its routers to the chiplet.
    /// </summary>
    TrafficPattern DramRead(int chiplet, int channel);

    /// <summary>Pattern of a write from <paramref name="chiplet"/> to DRAM channel <paramref name="channel"/> (negative: interleaved over every channel).</summary>
    TrafficPattern DramWrite(int chiplet, int channel);

    /// <summary>Mesh slot of the router through which channel <paramref name="channel"/> multicasts a read to several chiplets (the first of its routers).</summary>
    int ChannelRouter(int channel);
}

/// <summary>Builds the interconnect model of a package (named <c>mesh-xy</c>, ...).</summary>
public interface IInterconnectModel
{
    /// <summary>Builds the model; throws <c>CompassInputException</c> for an impossible package (a channel off the mesh).</summary>
    IPackageInterconnect Build(ResolvedPackage package);
}
