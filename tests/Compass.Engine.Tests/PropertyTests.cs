using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Engine;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Compass.Results;

namespace Compass.Engine.Tests;

public sealed class PropertyTests
{
    private static readonly Lazy<ExplorationProblem> Mesh = new(() => ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None));
    private static readonly Lazy<ExplorationProblem> FastMesh = new(() => ExplorationProblem.Create(Fixtures.MeshDefinition(bandwidthScale: 2), CancellationToken.None));

    private static Genome RandomGenome(MappingSpace space, int seed)
    {
        var random = new Random(seed);
        var genome = space.CreateGenome();
        for (var i = 0; i < genome.Assignment.Length; i++) genome.Assignment[i] = random.Next(space.ChipletCount);
        var density = random.NextDouble();
        for (var i = 0; i < genome.Boundaries.Length; i++) genome.Boundaries[i] = random.NextDouble() < density ? (byte)1 : (byte)0;
        return genome;
    }

    private static void Check(Func<int, bool> property) =>
        PropertySeed.Check(Prop.ForAll(Gen.Choose(0, int.MaxValue - 1).ToArbitrary(), property), 100);

    [Fact]
    public void LatencyIsNeverBelowComputeAndDramBounds()
    {
        var p = Mesh.Value;
        var peakMacsPerNs = p.Definition.Package.PeakMacsPerNs(8);
        var dramGBps = p.Definition.Package.TotalDramBandwidthGBps;
        Check(seed =>
        {
            var genome = RandomGenome(p.Space, seed);
            for (var i = 0; i < p.IterationCount; i++)
            {
                var r = p.EvaluateIteration(genome, i, false);
                var it = p.Graph.Iterations[i];
                // Bytes every mapping must move: each gene's weights once, KV history reads, graph input,
                // K/V written to the cache, and the graph output.
                double mandatory = 0;
                var genes = p.Space.GeneCount;
                var loaded = new bool[genes];
                for (var t = 0; t < it.Tasks; t++)
                {
                    if (!it.Active[t]) continue;
                    var g = t % genes;
                    // The graph input counts once per micro-batch: one read multicast to its readers.
                    mandatory += it.ExtraReadBytes[t] - it.GraphInputBytes[t] + it.MustWriteBytes[t] + (p.Graph.Structure.IsGraphOutput[g] ? it.OutputBytes[t] : 0);
                    if (g == p.Graph.Structure.GraphInputGenes[0]) mandatory += it.GraphInputBytes[t];
                    if (!loaded[g]) { loaded[g] = true; mandatory += p.Space.Genes[g].WeightBytes; }
                }
                var tolerance = 1 + 1e-12;
                if (r.LatencyNs * tolerance < r.TotalMacs / peakMacsPerNs) return false;
                if (r.LatencyNs * tolerance < mandatory / dramGBps) return false;
                if (r.DramBytes * tolerance < mandatory) return false;
            }
            return true;
        });
    }

    [Fact]
    public void NoResourceEverExceedsItsBandwidthAndTheLastTaskEndIsTheLatency()
    {
        var p = Mesh.Value;
        var interconnect = p.Definition.Interconnect;
        Check(seed =>
        {
            var genome = RandomGenome(p.Space, seed);
            for (var i = 0; i < p.IterationCount; i++)
            {
                var r = p.EvaluateIteration(genome, i, includeTimeline: true);
                if (r.LatencyNs != r.Tasks.Max(t => t.EndNs)) return false;
                foreach (var group in r.ResourceIntervals.GroupBy(x => (x.Kind, x.Index)))
                {
                    var bandwidth = group.Key.Kind == ResourceKind.Link ? interconnect.LinkBandwidthGBps(group.Key.Index) : interconnect.ChannelBandwidthGBps(group.Key.Index);
                    var sorted = group.OrderBy(x => x.StartNs).ToArray();
                    double bytes = 0;
                    for (var k = 0; k < sorted.Length; k++)
                    {
                        var x = sorted[k];
                        // At most its bandwidth during the interval, and no other transfer on it at the same time.
                        if (x.Bytes > bandwidth * (x.EndNs - x.StartNs) * (1 + 1e-12)) return false;
                        if (k > 0 && x.StartNs < sorted[k - 1].EndNs - 1e-9 * sorted[k - 1].EndNs) return false;
                        if (x.EndNs > r.LatencyNs * (1 + 1e-12)) return false;
                        bytes += x.Bytes;
                    }
                    // The total-bytes / bandwidth bound holds as a consequence, not as a clamp.
                    if (r.LatencyNs * (1 + 1e-12) < bytes / bandwidth) return false;
                }
            }
            return true;
        });
    }

    [Fact]
    public void LatencyAndEnergyAreNeverBelowTheReportedLowerBounds()
    {
        var p = Mesh.Value;
        Check(seed =>
        {
            var genome = RandomGenome(p.Space, seed);
            for (var i = 0; i < p.IterationCount; i++)
            {
                var r = p.EvaluateIteration(genome, i, false);
                var b = p.Bounds(i);
                if (r.Bounds != b || b.LatencyNs <= 0 || b.EnergyPj <= 0) return false;
                if (r.LatencyNs * (1 + 1e-12) < b.ComputeNs || r.LatencyNs * (1 + 1e-12) < b.DramNs) return false;
                if (r.Energy.TotalPj * (1 + 1e-12) < b.EnergyPj) return false;
                if (r.DramTraffic.TotalBytes * (1 + 1e-12) < b.UnavoidableDramBytes) return false;
                if (Math.Abs(r.DramTraffic.TotalBytes - r.DramBytes) > 1e-9 * r.DramBytes) return false;
                if (r.BoundExplanation.Length == 0) return false;
            }
            return true;
        });
    }

    [Fact]
    public void EnergyIsTheSumOfItsParts()
    {
        var p = Mesh.Value;
        Check(seed =>
        {
            var r = p.EvaluateIteration(RandomGenome(p.Space, seed), 0, includeTimeline: true);
            var e = r.Energy;
            var parts = e.MacPj + e.BufferPj + e.VectorPj + e.NopPj + e.DramPj + e.StaticPj;
            var tasks = r.Tasks.Sum(t => t.EnergyPj) + e.StaticPj;
            var chiplets = r.Chiplets.Sum(c => c.EnergyPj);
            return Math.Abs(parts - e.TotalPj) <= 1e-9 * e.TotalPj
                && Math.Abs(tasks - e.TotalPj) <= 1e-9 * e.TotalPj
                && Math.Abs(chiplets - e.TotalPj) <= 1e-9 * e.TotalPj
                && e.MacPj > 0 && e.DramPj > 0 && e.StaticPj > 0;
        });
    }

    [Fact]
    public void DoublingLinkAndDramBandwidthNeverIncreasesLatency()
    {
        var slow = Mesh.Value;
        var fast = FastMesh.Value;
        Check(seed =>
        {
            var genome = RandomGenome(slow.Space, seed);
            var a = slow.Evaluate(genome);
            var b = fast.Evaluate(genome);
            return b.LatencyNs <= a.LatencyNs * (1 + 1e-12);
        });
    }

    [Fact]
    public void SameGenomeGivesSameBitsAcrossThreadCounts()
    {
        var p = Mesh.Value;
        var genomes = Enumerable.Range(0, 64).Select(i => RandomGenome(p.Space, 1000 + i)).ToArray();
        var sequential = genomes.Select(g => p.Evaluate(g)).ToArray();
        var parallel = new Abstractions.Evaluation.Fitness[genomes.Length];
        Parallel.For(0, genomes.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => parallel[i] = p.Evaluate(genomes[i]));
        for (var i = 0; i < genomes.Length; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(sequential[i].LatencyNs), BitConverter.DoubleToInt64Bits(parallel[i].LatencyNs));
            Assert.Equal(BitConverter.DoubleToInt64Bits(sequential[i].EnergyPj), BitConverter.DoubleToInt64Bits(parallel[i].EnergyPj));
        }
        Check(seed =>
        {
            var g = RandomGenome(p.Space, seed);
            return p.Evaluate(g).Equals(p.Evaluate(g.Clone()));
        });
    }

    [Fact]
    public void StandardStrategiesEvaluateAndDiffer()
    {
        var p = Mesh.Value;
        var standard = p.Heuristics.Standard();
        var names = standard.Select(s => s.Name).ToArray();
        Assert.Contains("pipeline", names);
        Assert.Contains("tensor-parallel", names);
        Assert.Contains("micro-batch-parallel", names);
        Assert.Contains("round-robin-pipeline", names);
        var fitness = standard.Select(s => p.Evaluate(s.Genome)).ToArray();
        Assert.All(fitness, f => Assert.True(f.IsValid));
        Assert.True(fitness.Select(f => f.Objective).Distinct().Count() >= 4);
        Assert.True(standard.Single(s => s.Name == "pipeline").Genome.IsCoupled());
        Assert.True(standard.Single(s => s.Name == "round-robin-pipeline").Genome.IsCoupled());
        Assert.False(standard.Single(s => s.Name == "micro-batch-parallel").Genome.IsCoupled());
        // Pipeline: every chiplet used, contiguous groups with boundaries at group edges.
        var pipeline = p.Heuristics.Pipeline(4);
        Assert.Equal(3, pipeline.Boundaries.Count(b => b == 1));
        Assert.Equal(4, pipeline.Row(0).ToArray().Distinct().Count());
        // Tensor parallel: the two shards of every split node on different chiplets.
        var tp = p.Heuristics.PipelineTensor(1, 2);
        foreach (var g in p.Space.Genes.Where(g => g.Stage == NodeStage.FfnUp)) Assert.Equal(g.Shard, tp[0, g.Index]);
    }
}
