using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Engine.Graph;

namespace Compass.Engine.Search;

/// <summary>
/// The standard parallelisation strategies as points of the mapping space (docs/reference/compass-method.md §3):
/// layer pipeline, tensor parallel, pipeline × tensor grid, micro-batch parallel and the published round-robin
/// pipeline seed (docs/reference/compass-method.md §7). Every strategy but micro-batch parallel is coupled (all rows equal).
/// </summary>
internal sealed class HeuristicMappings : IHeuristicMappings
{
    private readonly MappingSpace _space;
    private readonly GeneStructure _structure;
    private readonly int _tensorParallel;

    public HeuristicMappings(MappingSpace space, GeneStructure structure, int tensorParallel)
    {
        _space = space;
        _structure = structure;
        _tensorParallel = tensorParallel;
    }

    /// <inheritdoc />
    public Genome Pipeline(int stages) => PipelineTensor(stages, 1);

    /// <inheritdoc />
    public Genome PipelineTensor(int pipelineStages, int tensorDegree)
    {
        var chiplets = _space.ChipletCount;
        var genes = _space.GeneCount;
        var stages = Math.Clamp(pipelineStages, 1, genes);
        var degree = Math.Clamp(tensorDegree, 1, chiplets);
        var genome = _space.CreateGenome();
        var groups = BalancedGroups(stages);
        var row = genome.Row(0);
        for (var s = 0; s < stages; s++)
        {
            var (start, end) = groups[s];
            var first = s * degree;
            for (var g = start; g < end; g++)
                row[g] = (first + _structure.Shards[g] % degree) % chiplets;
            if (end < genes) genome.Boundaries[end - 1] = 1;
        }
        CopyFirstRow(genome);
        return genome;
    }

    /// <inheritdoc />
    public Genome MicroBatchParallel()
    {
        var chiplets = _space.ChipletCount;
        var rows = _space.MicroBatchCount;
        var groupSize = Math.Max(1, chiplets / rows);
        var groupCount = chiplets / groupSize;
        var genome = _space.CreateGenome();
        for (var b = 0; b < rows; b++)
        {
            var first = (b % groupCount) * groupSize;
            var row = genome.Row(b);
            for (var g = 0; g < row.Length; g++) row[g] = first + _structure.Shards[g] % groupSize;
        }
        return genome;
    }

    /// <summary>The published round-robin pipeline seed: gene i on chiplet i mod C, a boundary every C genes (coupled).</summary>
    public Genome RoundRobinPipeline()
    {
        var chiplets = _space.ChipletCount;
        var genome = _space.CreateGenome();
        var row = genome.Row(0);
        for (var g = 0; g < row.Length; g++) row[g] = g % chiplets;
        for (var i = chiplets - 1; i < genome.Boundaries.Length; i += chiplets) genome.Boundaries[i] = 1;
        CopyFirstRow(genome);
        return genome;
    }

    /// <inheritdoc />
    public IReadOnlyList<NamedGenome> Standard()
    {
        var chiplets = _space.ChipletCount;
        var shards = 1;
        foreach (var s in _structure.Shards) shards = Math.Max(shards, s + 1);
        var tensor = Math.Min(chiplets, Math.Max(1, Math.Min(shards, _tensorParallel)));
        var candidates = new List<NamedGenome>
        {
            new("pipeline", Pipeline(chiplets)),
            new("tensor-parallel", PipelineTensor(1, Math.Min(chiplets, shards))),
            new("pipeline-tensor", PipelineTensor(Math.Max(1, chiplets / tensor), tensor)),
            new("micro-batch-parallel", MicroBatchParallel()),
            new("round-robin-pipeline", RoundRobinPipeline()),
        };
        var result = new List<NamedGenome>();
        foreach (var c in candidates)
        {
            var duplicate = false;
            foreach (var r in result) duplicate |= r.Genome.Equals(c.Genome);
            if (!duplicate) result.Add(c);
        }
        return result;
    }

    /// <summary>Cuts the gene sequence into <paramref name="stages"/> contiguous groups of near-equal work (average MACs plus weight bytes as a tie-breaker).</summary>
    private (int Start, int End)[] BalancedGroups(int stages)
    {
        var genes = _space.GeneCount;
        var work = new double[genes];
        double total = 0;
        for (var g = 0; g < genes; g++)
        {
            work[g] = _space.Genes[g].AverageMacs + 1;
            total += work[g];
        }
        var result = new (int, int)[stages];
        var start = 0;
        double done = 0;
        for (var s = 0; s < stages; s++)
        {
            var remainingStages = stages - s;
            var end = start + 1;
            done += work[start];
            var target = total * (s + 1) / stages;
            while (end < genes - (remainingStages - 1) && done + work[end] / 2 <= target)
            {
                done += work[end];
                end++;
            }
            if (s == stages - 1)
            {
                for (var g = end; g < genes; g++) done += work[g];
                end = genes;
            }
            result[s] = (start, end);
            start = end;
        }
        return result;
    }

    private static void CopyFirstRow(Genome genome)
    {
        var first = genome.Row(0);
        for (var b = 1; b < genome.MicroBatchCount; b++) first.CopyTo(genome.Row(b));
    }
}
