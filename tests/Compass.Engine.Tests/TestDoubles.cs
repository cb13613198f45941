using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Workload;
using Compass.Engine;

namespace Compass.Engine.Tests;

/// <summary>Time = MACs / peak rate (GEMM) or ops / vector rate; energy = MACs × pJ/MAC, ops × pJ/op; no buffer energy.</summary>
internal sealed class LinearCostModel : IComputeCostModel
{
    public int Calls;

    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (op.Kind == OperatorKind.Gemm)
        {
            var rate = chiplet.RateFor(op.InputBits);
            return new OperatorCost(op.Macs / (rate.MacsPerCycle * chiplet.ClockGHz), op.Macs * rate.EnergyPerMacPj, 0, 0, 1, 0, string.Empty);
        }
        return new OperatorCost(op.Macs / (chiplet.VectorOpsPerCycle * chiplet.ClockGHz), 0, 0, op.Macs * chiplet.VectorEnergyPerOpPj, 1, 0, string.Empty);
    }
}

/// <summary>Two chiplets side by side: link 0 is 0→1, link 1 is 1→0; one DRAM channel wired to both chiplets without links.</summary>
internal sealed class TwoChipletInterconnect(double linkGBps, double channelGBps) : IPackageInterconnect
{
    public int LinkCount => 2;
    public int ChannelCount => 1;
    public double HopEnergyPjPerByte => 2;
    public double HopLatencyNs => 1;
    public double LinkBandwidthGBps(int link) => linkGBps;
    public double ChannelBandwidthGBps(int channel) => channelGBps;
    public double DramEnergyPjPerByte(int channel) => 10;
    public string DescribeLink(int link) => link == 0 ? "0→1" : "1→0";
    public TrafficPattern Unicast(int source, int destination) =>
        source == destination ? TrafficPattern.Local : new TrafficPattern([source == 0 ? 0 : 1], [1.0], [], [], 1, 1);
    public TrafficPattern Multicast(int source, ReadOnlySpan<int> destinations) =>
        destinations.Contains(1 - source) ? Unicast(source, 1 - source) : TrafficPattern.Local;
    public TrafficPattern DramRead(int chiplet, int channel) => new([], [], [0], [1.0], 0, 0);
    public TrafficPattern DramWrite(int chiplet, int channel) => new([], [], [0], [1.0], 0, 0);
    public int ChannelRouter(int channel) => 0;
}

/// <summary>A W×H mesh with XY routing; two DRAM channels at routers (0,0) (channel 0) and (W−1,H−1) (channel 1); channel −1 interleaves over both.</summary>
internal sealed class MeshInterconnect(int width, int height, double linkGBps, double channelGBps) : IPackageInterconnect
{
    public int LinkCount => width * height * 4;
    public int ChannelCount => 2;
    public double HopEnergyPjPerByte => 16;
    public double HopLatencyNs => 2;
    public double LinkBandwidthGBps(int link) => linkGBps;
    public double ChannelBandwidthGBps(int channel) => channelGBps;
    public double DramEnergyPjPerByte(int channel) => 84;
    public string DescribeLink(int link) => $"{link / 4}:{link % 4}";

    public TrafficPattern Unicast(int source, int destination)
    {
        if (source == destination) return TrafficPattern.Local;
        var links = Route(source, destination);
        return new TrafficPattern([.. links], [.. links.Select(_ => 1.0)], [], [], links.Count, links.Count);
    }

    /// <summary>The union of the XY routes to every destination, each link once (an XY tree).</summary>
    public TrafficPattern Multicast(int source, ReadOnlySpan<int> destinations)
    {
        var set = new SortedSet<int>();
        var maxHops = 0;
        foreach (var d in destinations)
        {
            var path = Route(source, d);
            maxHops = Math.Max(maxHops, path.Count);
            set.UnionWith(path);
        }
        if (set.Count == 0) return TrafficPattern.Local;
        return new TrafficPattern([.. set], [.. set.Select(_ => 1.0)], [], [], set.Count, maxHops);
    }

    public TrafficPattern DramRead(int chiplet, int channel) => Dram(chiplet, channel, toChiplet: true);

    public TrafficPattern DramWrite(int chiplet, int channel) => Dram(chiplet, channel, toChiplet: false);

    public int ChannelRouter(int channel) => channel == 0 ? 0 : width * height - 1;

    private TrafficPattern Dram(int chiplet, int channel, bool toChiplet)
    {
        int[] channels = channel < 0 ? [0, 1] : [channel];
        var share = 1.0 / channels.Length;
        var shares = new Dictionary<int, double>();
        var maxHops = 0;
        foreach (var ch in channels)
        {
            var r = ChannelRouter(ch);
            var path = toChiplet ? Route(r, chiplet) : Route(chiplet, r);
            maxHops = Math.Max(maxHops, path.Count);
            foreach (var l in path) shares[l] = shares.GetValueOrDefault(l) + share;
        }
        var keys = shares.Keys.Order().ToArray();
        return new TrafficPattern(keys, [.. keys.Select(k => shares[k])], channels, [.. channels.Select(_ => share)], shares.Values.Sum(), maxHops);
    }

    private List<int> Route(int source, int destination)
    {
        var links = new List<int>();
        int x = source % width, y = source / width;
        int dx = destination % width, dy = destination / width;
        while (x != dx)
        {
            var dir = dx > x ? 0 : 1;
            links.Add((y * width + x) * 4 + dir);
            x += dx > x ? 1 : -1;
        }
        while (y != dy)
        {
            var dir = dy > y ? 2 : 3;
            links.Add((y * width + x) * 4 + dir);
            y += dy > y ? 1 : -1;
        }
        return links;
    }
}

internal static class Fixtures
{
    /// <summary>1 MAC/cycle at 1 GHz, 1 pJ/MAC, 1 vector op/cycle at 1 pJ/op, global buffer writes 0.5 pJ/B.</summary>
    public static ChipletType UnitChiplet(long bufferBytes = 1 << 20, double staticW = 0, int macs = 1, int vector = 1) => new()
    {
        Name = "unit",
        PeArrayRows = 1,
        PeArrayColumns = macs,
        ClockGHz = 1,
        Precisions = [new PrecisionRate(8, macs, 1.0)],
        Buffers = [new BufferLevel("global", bufferBytes, 1, 64, 0.1, 0.5, "all")],
        VectorOpsPerCycle = vector,
        VectorEnergyPerOpPj = 1.0,
        StaticPowerW = staticW,
    };

    public static ResolvedPackage Package(int width, int height, ChipletType type, int channels = 1, double channelGBps = 1) => new(
        new PackageDescription
        {
            Name = "test",
            MeshWidth = width,
            MeshHeight = height,
            Slots = [.. Enumerable.Repeat(type.Name, width * height)],
            Link = new LinkSpec("custom", 1, 1, 1),
            DramChannels = [.. Enumerable.Range(0, channels).Select(i => new DramChannel($"ch{i}", "custom", [new MeshPosition(0, 0)], channelGBps, 10, 1000))],
        },
        [type],
        new int[width * height]);

    /// <summary>d 4, one head of 4, F 8, 2 layers, pre-norm, 2-matrix MLP.</summary>
    public static ModelConfig TinyModel(int layers = 2) => new()
    {
        Name = "tiny",
        Family = "llama",
        Layers = layers,
        Hidden = 4,
        Heads = 1,
        KvHeads = 1,
        HeadDim = 4,
        FfnHidden = 8,
        Vocab = 16,
        Attention = AttentionKind.Mha,
    };

    public static PrecisionConfig Int8 { get; } = new(8, 8, 8);

    public static Iteration Decode(params int[] histories) =>
        new(0, [.. histories.Select((h, i) => new ScheduledRequest(i, RequestPhase.Decode, 1, h))]);

    public static ProblemDefinition TwoChipletDefinition(ModelConfig model, IReadOnlyList<Iteration> iterations, GraphOptions graph, IComputeCostModel? cost = null) => new()
    {
        Package = Package(2, 1, UnitChiplet()),
        Interconnect = new TwoChipletInterconnect(1, 1),
        ComputeModel = cost ?? new LinearCostModel(),
        Model = model,
        Precision = Int8,
        Graph = graph,
        Iterations = iterations,
    };

    /// <summary>A 2×2 mesh, tiny 2-layer model split two ways, 1 prefill + 3 decodes in micro-batches of one.</summary>
    public static ProblemDefinition MeshDefinition(double bandwidthScale = 1)
    {
        var model = new ModelConfig
        {
            Name = "small", Family = "llama", Layers = 2, Hidden = 32, Heads = 4, KvHeads = 2, HeadDim = 8,
            FfnHidden = 64, Vocab = 16, GatedMlp = true, Attention = AttentionKind.Gqa,
        };
        var type = UnitChiplet(bufferBytes: 4096, staticW: 0.01, macs: 16, vector: 4);
        return new ProblemDefinition
        {
            Package = Package(2, 2, type, channels: 2, channelGBps: 4 * bandwidthScale),
            Interconnect = new MeshInterconnect(2, 2, 8 * bandwidthScale, 4 * bandwidthScale),
            ComputeModel = new LinearCostModel(),
            Model = model,
            Precision = Int8,
            Graph = new GraphOptions { TensorParallel = 2, HeadGroups = 2, MicroBatchSize = 1 },
            Iterations =
            [
                new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, 6, 0), new ScheduledRequest(1, RequestPhase.Decode, 1, 20), new ScheduledRequest(2, RequestPhase.Decode, 1, 9), new ScheduledRequest(3, RequestPhase.Decode, 1, 40)]),
                new Iteration(1, [new ScheduledRequest(1, RequestPhase.Decode, 1, 21), new ScheduledRequest(2, RequestPhase.Decode, 1, 10)]),
            ],
        };
    }
}
