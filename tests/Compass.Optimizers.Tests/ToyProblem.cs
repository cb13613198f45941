using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;

namespace Compass.Optimizers.Tests;

/// <summary>
/// A synthetic but structured objective for optimizer tests: a list scheduler over the genome in the published
/// execution order (segment → micro-batch → gene), with per-chiplet serialisation, heterogeneous chiplet speeds,
/// a hop penalty for consumers far from their producers, a weight-reload penalty when a chiplet switches genes, and
/// static energy proportional to latency. Objective = latency × energy.
/// </summary>
internal sealed class ToyProblem
{
    private static readonly NodeStage[] Stages = [NodeStage.QkvProjection, NodeStage.AttentionScore, NodeStage.OutputProjection, NodeStage.FfnUp, NodeStage.FfnDown];
    private static readonly double[] StageMacs = [4000, 1500, 2000, 8000, 8000];
    private static readonly long[] StageWeights = [40, 0, 20, 80, 80];
    private readonly double[][] _macs; // [micro-batch][gene]

    private ToyProblem(MappingSpace space, double[][] macs)
    {
        Space = space;
        _macs = macs;
    }

    public MappingSpace Space { get; }

    /// <summary>Speed (MACs per ns) of chiplet type 0 and 1.</summary>
    public static readonly double[] TypeSpeed = [4.0, 2.5];

    /// <summary>MAC energy (pJ) of chiplet type 0 and 1.</summary>
    public static readonly double[] TypeMacPj = [1.0, 0.6];

    /// <summary>Builds a problem with <paramref name="stagesPerLayer"/> stages per layer (first ones of QKV, attention, projection, FFN up, FFN down).</summary>
    public static ToyProblem Create(int microBatches, int layers, int stagesPerLayer, int meshWidth, int meshHeight, bool heterogeneous = true)
    {
        var genes = new List<GeneInfo>();
        for (var l = 0; l < layers; l++)
        {
            for (var s = 0; s < stagesPerLayer; s++)
            {
                var index = genes.Count;
                int[] preds = index == 0 ? [] : [index - 1];
                genes.Add(new GeneInfo(index, $"L{l}.{Stages[s]}", l, Stages[s], 0, StageWeights[s], preds, 0));
            }
        }
        var macs = new double[microBatches][];
        for (var b = 0; b < microBatches; b++)
        {
            // A mixed workload: micro-batch sizes 1×, 2×, 0.5× repeating.
            var scale = (b % 3) switch { 0 => 1.0, 1 => 2.0, _ => 0.5 };
            macs[b] = new double[genes.Count];
            for (var g = 0; g < genes.Count; g++) macs[b][g] = StageMacs[g % stagesPerLayer] * scale;
        }
        for (var g = 0; g < genes.Count; g++)
        {
            var mean = 0.0;
            for (var b = 0; b < microBatches; b++) mean += macs[b][g];
            genes[g] = genes[g] with { AverageMacs = mean / microBatches };
        }
        var chiplets = meshWidth * meshHeight;
        var types = new int[chiplets];
        for (var c = 0; c < chiplets; c++) types[c] = heterogeneous && c >= chiplets / 2 ? 1 : 0;
        return new ToyProblem(new MappingSpace(microBatches, genes, meshWidth, meshHeight, types, ["fast", "frugal"]), macs);
    }

    public Fitness Evaluate(Genome genome)
    {
        if (!Space.IsValid(genome, out _)) return Fitness.Invalid;
        var chiplets = Space.ChipletCount;
        var free = new double[chiplets];
        var lastGene = new int[chiplets];
        Array.Fill(lastGene, -1);
        var finish = new double[genome.MicroBatchCount, genome.GeneCount];
        var energy = 0.0;
        foreach (var (start, end) in genome.Segments())
        {
            for (var b = 0; b < genome.MicroBatchCount; b++)
            {
                for (var g = start; g < end; g++)
                {
                    var c = genome[b, g];
                    var type = Space.ChipletTypeIndex[c];
                    var ready = free[c];
                    foreach (var p in Space.Genes[g].Predecessors)
                    {
                        var hops = Space.Distance(genome[b, p], c);
                        ready = Math.Max(ready, finish[b, p] + hops * 120.0);
                        energy += hops * _macs[b][p] * 0.05;
                    }
                    var duration = _macs[b][g] / TypeSpeed[type];
                    var weights = Space.Genes[g].WeightBytes;
                    if (lastGene[c] != g && weights > 0)
                    {
                        duration += weights * 8.0;
                        energy += weights * 30.0;
                    }
                    energy += _macs[b][g] * TypeMacPj[type];
                    finish[b, g] = ready + duration;
                    free[c] = finish[b, g];
                    lastGene[c] = g;
                }
            }
        }
        var latency = 0.0;
        foreach (var f in free) latency = Math.Max(latency, f);
        energy += latency * chiplets * 0.2;
        return new Fitness(latency, energy, latency * energy, true);
    }
}
