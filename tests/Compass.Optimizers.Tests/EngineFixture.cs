using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Workload;
using Compass.Engine;

namespace Compass.Optimizers.Tests;

/// <summary>Compute cost = MACs / peak rate (GEMM) or ops / vector rate; energy = MACs × pJ/MAC or ops × pJ/op.</summary>
internal sealed class PeakRateCostModel : IComputeCostModel
{
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        if (op.Kind == OperatorKind.Gemm)
        {
            var rate = chiplet.RateFor(op.InputBits);
            return new OperatorCost(op.Macs / (rate.MacsPerCycle * chiplet.ClockGHz), op.Macs * rate.EnergyPerMacPj, 0, 0, 1, 0, string.Empty);
        }
        return new OperatorCost(op.Macs / (chiplet.VectorOpsPerCycle * chiplet.ClockGHz), 0, 0, op.Macs * chiplet.VectorEnergyPerOpPj, 1, 0, string.Empty);
    }
}

/// <summary>
/// A W × H mesh with XY routing (four directed links per router: +x, −x, +y, −y) and one DRAM channel on the left and
/// one on the right edge, each attached to the router of its row 0 (channel −1 splits traffic evenly between them). Energies are
/// the published Compass constants: 16 pJ per byte-hop, 84 pJ per DRAM byte (docs/reference/compass-method.md §5.3).
/// </summary>
internal sealed class XyMesh(int width, int height, double linkGBps, double channelGBps) : IPackageInterconnect
{
    public int LinkCount => width * height * 4;
    public int ChannelCount => 2;
    public double HopEnergyPjPerByte => 16;
    public double HopLatencyNs => 1;
    public double LinkBandwidthGBps(int link) => linkGBps;
    public double ChannelBandwidthGBps(int channel) => channelGBps;
    public double DramEnergyPjPerByte(int channel) => 84;
    public string DescribeLink(int link) => $"router {link / 4} dir {link % 4}";

    public TrafficPattern Unicast(int source, int destination)
    {
        if (source == destination) return TrafficPattern.Local;
        var links = Route(source, destination);
        return new TrafficPattern([.. links], [.. links.Select(_ => 1.0)], [], [], links.Count, links.Count);
    }

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

    public int ChannelRouter(int channel) => channel == 0 ? 0 : width - 1;

    private TrafficPattern Dram(int chiplet, int channel, bool toChiplet)
    {
        int[] channels = channel < 0 ? [0, 1] : [channel];
        var share = 1.0 / channels.Length;
        var shares = new SortedDictionary<int, double>();
        var maxHops = 0;
        foreach (var ch in channels)
        {
            var r = ChannelRouter(ch);
            var path = toChiplet ? Route(r, chiplet) : Route(chiplet, r);
            maxHops = Math.Max(maxHops, path.Count);
            foreach (var l in path) shares[l] = shares.GetValueOrDefault(l) + share;
        }
        return new TrafficPattern([.. shares.Keys], [.. shares.Values], channels, [.. channels.Select(_ => share)], shares.Values.Sum(), maxHops);
    }

    private List<int> Route(int source, int destination)
    {
        var links = new List<int>();
        int x = source % width, y = source / width, dx = destination % width, dy = destination / width;
        while (x != dx)
        {
            links.Add((y * width + x) * 4 + (dx > x ? 0 : 1));
            x += dx > x ? 1 : -1;
        }
        while (y != dy)
        {
            links.Add((y * width + x) * 4 + (dy > y ? 2 : 3));
            y += dy > y ? 1 : -1;
        }
        return links;
    }
}

/// <summary>
/// A small heterogeneous package with a mixed workload, small enough that a few thousand evaluations take seconds:
/// a 3 × 2 mesh, top row fast output-stationary chiplets, bottom row frugal weight-stationary ones (test values,
/// not a published design); a GQA model of <c>layers</c> layers (d 64, 4 heads, 2 KV heads, F 128, gated MLP), tensor-parallel 2;
/// iterations of 1 prefill + 5 decodes and 6 decodes with varied histories, micro-batches of one request.
/// </summary>
internal static class EngineFixture
{
    private static ChipletType Type(string name, Dataflow dataflow, int macs, double pjPerMac, double staticW) => new()
    {
        Name = name,
        Dataflow = dataflow,
        PeArrayRows = 1,
        PeArrayColumns = macs,
        ClockGHz = 1,
        Precisions = [new PrecisionRate(8, macs, pjPerMac)],
        Buffers = [new BufferLevel("global", 1 << 16, 1, 64, 0.1, 0.5, "all")],
        VectorOpsPerCycle = 8,
        VectorEnergyPerOpPj = 0.0873,
        StaticPowerW = staticW,
    };

    public static ProblemDefinition MixedHeterogeneous(int layers = 2)
    {
        var fast = Type("fast-os", Dataflow.OutputStationary, 64, 0.8, 0.02);
        var frugal = Type("frugal-ws", Dataflow.WeightStationary, 32, 0.4, 0.01);
        const int width = 3, height = 2;
        var package = new ResolvedPackage(
            new PackageDescription
            {
                Name = "hetero-3x2",
                MeshWidth = width,
                MeshHeight = height,
                Slots = ["fast-os", "fast-os", "fast-os", "frugal-ws", "frugal-ws", "frugal-ws"],
                Link = new LinkSpec("test", 8, 1, 2),
                DramChannels =
                [
                    new DramChannel("left", "test", [new MeshPosition(0, 0)], 8, 10.5, 16),
                    new DramChannel("right", "test", [new MeshPosition(width - 1, 0)], 8, 10.5, 16),
                ],
            },
            [fast, frugal],
            [0, 0, 0, 1, 1, 1]);
        var model = new ModelConfig
        {
            Name = "small-gqa", Family = "llama", Layers = layers, Hidden = 64, Heads = 4, KvHeads = 2, HeadDim = 16,
            FfnHidden = 128, Vocab = 32, GatedMlp = true, Attention = AttentionKind.Gqa,
        };
        return new ProblemDefinition
        {
            Package = package,
            Interconnect = new XyMesh(width, height, 8, 8),
            ComputeModel = new PeakRateCostModel(),
            Model = model,
            Precision = new PrecisionConfig(8, 8, 8),
            Graph = new GraphOptions { TensorParallel = 2, HeadGroups = 2, MicroBatchSize = 1 },
            Iterations =
            [
                new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, 12, 0), new ScheduledRequest(1, RequestPhase.Decode, 1, 40), new ScheduledRequest(2, RequestPhase.Decode, 1, 9), new ScheduledRequest(3, RequestPhase.Decode, 1, 70), new ScheduledRequest(4, RequestPhase.Decode, 1, 25), new ScheduledRequest(5, RequestPhase.Decode, 1, 3)]),
                new Iteration(1, [new ScheduledRequest(1, RequestPhase.Decode, 1, 41), new ScheduledRequest(2, RequestPhase.Decode, 1, 10), new ScheduledRequest(3, RequestPhase.Decode, 1, 71), new ScheduledRequest(4, RequestPhase.Decode, 1, 26), new ScheduledRequest(5, RequestPhase.Decode, 1, 4), new ScheduledRequest(6, RequestPhase.Decode, 1, 55)]),
            ],
        };
    }
}
