using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;

namespace Compass.Fixtures.Sample;

/// <summary><paramref name="Count"/> requests of about <paramref name="Prompt"/> prompt tokens (varied by seed) and <paramref name="Output"/> output tokens.</summary>
public sealed record FixedTrace(int Count, int Prompt, int Output) : ITraceSource
{
    /// <inheritdoc />
    public IEnumerable<TraceRequest> Read(int seed, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new TraceRequest(i, i * 0.01, Prompt + (int)((uint)(i * 7 + seed) % 16), Output);
        }
    }
}

/// <summary>Takes up to the batch limit of requests and decodes them in lock step, one iteration per output token after the first.</summary>
public sealed class LockStepDecodeScheduler : IServingScheduler
{
    /// <inheritdoc />
    public IEnumerable<Iteration> Schedule(IEnumerable<TraceRequest> trace, ServingLimits limits, CancellationToken cancellationToken)
    {
        var index = 0;
        using var e = trace.GetEnumerator();
        var batch = new List<TraceRequest>();
        while (true)
        {
            batch.Clear();
            while (batch.Count < limits.MaxBatchRequests && e.MoveNext()) batch.Add(e.Current);
            if (batch.Count == 0) yield break;
            var steps = batch.Max(r => r.OutputTokens) - 1;
            for (var t = 1; t <= steps; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var requests = new List<ScheduledRequest>();
                foreach (var r in batch)
                    if (t < r.OutputTokens) requests.Add(new ScheduledRequest(r.Id, RequestPhase.Decode, 1, r.PromptTokens + t));
                yield return new Iteration(index++, requests);
            }
        }
    }
}

/// <summary>Roofline: time is the larger of compute at peak and moving every operand once through the global buffer.</summary>
public sealed class RooflineModel : IComputeCostModel
{
    /// <inheritdoc />
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var buffer = chiplet.Buffers[^1];
        var bytes = op.InputBytes + op.WeightBytes + op.OutputBytes;
        var memoryNs = bytes / (buffer.BandwidthBytesPerCycle * chiplet.ClockGHz);
        var bufferEnergy = (op.InputBytes + op.WeightBytes) * buffer.ReadEnergyPjPerByte + op.OutputBytes * buffer.WriteEnergyPjPerByte;
        if (op.Kind == OperatorKind.Gemm)
        {
            var rate = chiplet.RateFor(Math.Max(op.InputBits, op.WeightBits));
            var computeNs = op.Macs / (rate.MacsPerCycle * chiplet.ClockGHz);
            var time = Math.Max(computeNs, memoryNs);
            return new OperatorCost(time, op.Macs * rate.EnergyPerMacPj, bufferEnergy, 0, computeNs / time, 0, "roofline");
        }
        var vectorNs = op.Macs / (chiplet.VectorOpsPerCycle * chiplet.ClockGHz);
        var t = Math.Max(vectorNs, memoryNs);
        return new OperatorCost(t, 0, bufferEnergy, op.Macs * chiplet.VectorEnergyPerOpPj, 0, 0, "vector");
    }
}

/// <summary>Builds <see cref="MeshInterconnect"/>.</summary>
public sealed class MeshModel : IInterconnectModel
{
    /// <inheritdoc />
    public IPackageInterconnect Build(ResolvedPackage package) => new MeshInterconnect(package.Description);
}

/// <summary>A mesh with four directed links per router (east, west, south, north) and XY routing.</summary>
public sealed class MeshInterconnect : IPackageInterconnect
{
    private readonly PackageDescription _p;

    /// <summary>Creates the mesh.</summary>
    public MeshInterconnect(PackageDescription package) => _p = package;

    /// <inheritdoc />
    public int LinkCount => _p.MeshWidth * _p.MeshHeight * 4;

    /// <inheritdoc />
    public int ChannelCount => _p.DramChannels.Count;

    /// <inheritdoc />
    public double HopEnergyPjPerByte => _p.Link.EnergyPjPerBit * 8;

    /// <inheritdoc />
    public double HopLatencyNs => _p.Link.HopLatencyNs;

    /// <inheritdoc />
    public double LinkBandwidthGBps(int link) => _p.Link.BandwidthGBps;

    /// <inheritdoc />
    public double ChannelBandwidthGBps(int channel) => _p.DramChannels[channel].BandwidthGBps;

    /// <inheritdoc />
    public double DramEnergyPjPerByte(int channel) => _p.DramChannels[channel].EnergyPjPerBit * 8;

    /// <inheritdoc />
    public string DescribeLink(int link) => $"router {link / 4} {"EWSN"[link % 4]}";

    /// <inheritdoc />
    public TrafficPattern Unicast(int source, int destination)
    {
        if (source == destination) return TrafficPattern.Local;
        var links = Route(source, destination);
        return new TrafficPattern([.. links], [.. links.Select(_ => 1.0)], [], [], links.Count, links.Count);
    }

    /// <inheritdoc />
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

    /// <inheritdoc />
    public TrafficPattern DramRead(int chiplet, int channel)
    {
        var router = channel >= 0 ? ChannelRouter(channel) : Nearest(chiplet).Router;
        if (channel < 0) channel = Nearest(chiplet).Channel;
        var links = Route(router, chiplet);
        return new TrafficPattern([.. links], [.. links.Select(_ => 1.0)], [channel], [1.0], links.Count, links.Count);
    }

    /// <inheritdoc />
    public TrafficPattern DramWrite(int chiplet, int channel)
    {
        var router = channel >= 0 ? ChannelRouter(channel) : Nearest(chiplet).Router;
        if (channel < 0) channel = Nearest(chiplet).Channel;
        var links = Route(chiplet, router);
        return new TrafficPattern([.. links], [.. links.Select(_ => 1.0)], [channel], [1.0], links.Count, links.Count);
    }

    /// <inheritdoc />
    public int ChannelRouter(int channel)
    {
        var pos = _p.DramChannels[channel].AttachedRouters[0];
        return pos.Y * _p.MeshWidth + pos.X;
    }

    private (int Channel, int Router) Nearest(int chiplet)
    {
        var w = _p.MeshWidth;
        var best = (Channel: 0, Router: 0, Distance: int.MaxValue);
        for (var c = 0; c < _p.DramChannels.Count; c++)
        {
            foreach (var pos in _p.DramChannels[c].AttachedRouters)
            {
                var r = pos.Y * w + pos.X;
                var d = Math.Abs(pos.X - chiplet % w) + Math.Abs(pos.Y - chiplet / w);
                if (d < best.Distance) best = (c, r, d);
            }
        }
        return (best.Channel, best.Router);
    }

    private List<int> Route(int from, int to)
    {
        var w = _p.MeshWidth;
        int x = from % w, y = from / w, tx = to % w, ty = to / w;
        var links = new List<int>();
        while (x != tx)
        {
            var dir = tx > x ? 0 : 1;
            links.Add((y * w + x) * 4 + dir);
            x += tx > x ? 1 : -1;
        }
        while (y != ty)
        {
            var dir = ty > y ? 2 : 3;
            links.Add((y * w + x) * 4 + dir);
            y += ty > y ? 1 : -1;
        }
        return links;
    }
}

/// <summary>Uniform random mappings, evaluated in batches; starts from the heuristic mappings when offered.</summary>
public sealed class RandomOptimizer : IOptimizer
{
    private readonly int _batch;

    /// <summary>Creates the optimizer.</summary>
    public RandomOptimizer(int batch) => _batch = batch;

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var random = new Random(context.Seed);
        var best = space.CreateGenome();
        var bestFitness = Fitness.Invalid;
        var genomes = new List<Genome>();
        foreach (var start in context.StartingPoints) genomes.Add(start.Genome.Clone());
        var results = new Fitness[Math.Max(_batch, genomes.Count)];
        while (!context.ShouldStop && !cancellationToken.IsCancellationRequested)
        {
            while (genomes.Count < _batch)
            {
                var g = space.CreateGenome();
                for (var i = 0; i < g.Assignment.Length; i++) g.Assignment[i] = random.Next(space.ChipletCount);
                for (var i = 0; i < g.Boundaries.Length; i++) g.Boundaries[i] = (byte)random.Next(2);
                genomes.Add(g);
            }
            var done = context.Evaluate(genomes, results);
            for (var i = 0; i < done; i++)
            {
                if (results[i].IsValid && results[i].Objective < bestFitness.Objective)
                {
                    bestFitness = results[i];
                    best = genomes[i].Clone();
                }
            }
            genomes.Clear();
            if (done == 0) break;
        }
        return new SearchOutcome(best, bestFitness, [], new Dictionary<string, double> { ["batch"] = _batch });
    }
}
