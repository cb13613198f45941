using Compass.Abstractions.Costs;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;

namespace Compass.Engine.Graph;

/// <summary>
/// Costs of one task on one chiplet type, summed over the task's operators (memoised estimates). <see cref="FixedNs"/> is
/// the device-side fixed part of <see cref="TimeNs"/> (<c>OperatorCost.KernelFixedNs</c>), serial with the task's transfers.
/// </summary>
internal readonly record struct TaskCost(double TimeNs, double MacPj, double BufferPj, double VectorPj, double RefetchBytes, double FixedNs = 0);

/// <summary>The gene structure shared by every micro-batch: names, predecessors (CSR), weights.</summary>
internal sealed class GeneStructure
{
    public required string[] Names { get; init; }
    public required int[] Layers { get; init; }
    public required NodeStage[] Stages { get; init; }
    public required int[] Shards { get; init; }
    public required long[] WeightBytes { get; init; }
    public required int[] PredStart { get; init; }
    public required int[] PredGene { get; init; }
    public required bool[] IsGraphOutput { get; init; }

    /// <summary>Consumers of each gene (CSR): <see cref="SuccGene"/>[k] reads gene g over edge <see cref="SuccEdge"/>[k], for k in SuccStart[g] .. SuccStart[g + 1].</summary>
    public required int[] SuccStart { get; init; }
    public required int[] SuccGene { get; init; }
    public required int[] SuccEdge { get; init; }

    /// <summary>Genes that read the graph input, in gene order.</summary>
    public required int[] GraphInputGenes { get; init; }

    /// <summary>Per gene, its all-reduce group (the row-parallel shards of one GEMM, Megatron), or −1.</summary>
    public required int[] Group { get; init; }

    /// <summary>Members of each all-reduce group (CSR): GroupGene[k] for k in GroupStart[i] .. GroupStart[i + 1], in shard order.</summary>
    public required int[] GroupStart { get; init; }
    public required int[] GroupGene { get; init; }

    /// <summary>Per gene, true when one of its producers belongs to an all-reduce group.</summary>
    public required bool[] ConsumesGroup { get; init; }

    public int GroupCount => GroupStart.Length - 1;

    public int GeneCount => Names.Length;

    public int EdgeCount => PredGene.Length;
}

/// <summary>One sampled iteration as the evaluator sees it: per task (micro-batch × gene) and per edge instance, flat arrays.</summary>
internal sealed class IterationGraph
{
    public required int MicroBatches { get; init; }

    /// <summary>The requests of every micro-batch, in the order <see cref="MicroBatcher.Split(IReadOnlyList{ScheduledRequest}, int, int)"/> cut them (micro-batch b = index b).</summary>
    public required ScheduledRequest[][] MicroBatchRequests { get; init; }
    public required double[] EdgeBytes { get; init; }
    public required double[] OutputBytes { get; init; }
    public required double[] MustWriteBytes { get; init; }
    public required double[] ExtraReadBytes { get; init; }

    /// <summary>Per task, the graph input it reads (part of <see cref="ExtraReadBytes"/>); read once per micro-batch and multicast.</summary>
    public required double[] GraphInputBytes { get; init; }

    /// <summary>Per task, the bytes of the partial sum it all-reduces with its group (0 outside a group).</summary>
    public required double[] AllReduceBytes { get; init; }
    public required double[] GemmMacs { get; init; }
    public required bool[] Active { get; init; }

    /// <summary>GEMM MACs of the active tasks: the same under every mapping, so summed once here, not per evaluation.</summary>
    public required double ActiveGemmMacs { get; init; }
    public required int[] ShapeStart { get; init; }
    public required int[] ShapeIds { get; init; }

    /// <summary>
    /// Per chiplet type × task, the bytes of the task's weights that stay in the global buffer beside its activations and
    /// KV: min(weights, max(0, buffer − (inputs + KV and graph-input reads + output))) (docs/evaluator.md, "Capacity").
    /// </summary>
    public double[] ResidentWeightBytes { get; set; } = [];

    /// <summary>Per chiplet type × task: whether its output fits the global buffer and may wait there to be forwarded (else it is spilled to DRAM).</summary>
    public bool[] OutputFits { get; set; } = [];

    /// <summary>Per chiplet type × task, the summed memoised cost; filled after estimation.</summary>
    public TaskCost[] Costs { get; set; } = [];

    public int Tasks => OutputBytes.Length;
}

/// <summary>Splits an iteration's requests into micro-batches.</summary>
public static class MicroBatcher
{
    /// <summary>
    /// Requests sorted prefill and chunks first, then decodes; each class by new tokens descending, then history
    /// descending, then request id; cut into consecutive groups of <paramref name="microBatchSize"/>
    /// (docs/reference/compass-method.md §3, "fixed" mode ordering).
    /// </summary>
    public static IReadOnlyList<ScheduledRequest[]> Split(IReadOnlyList<ScheduledRequest> requests, int microBatchSize) => Split(requests, microBatchSize, 0);

    /// <summary>
    /// As <see cref="Split(IReadOnlyList{ScheduledRequest}, int)"/>, but with <paramref name="prefillMicroBatchSize"/> &gt; 0
    /// the prefill and chunked-prefill requests are cut into groups of that size and the decodes, separately, into
    /// groups of <paramref name="microBatchSize"/> (no micro-batch mixes the two phases). 0 = one size for all, the
    /// published split, where a group may straddle the last prefills and the first decodes.
    /// </summary>
    public static IReadOnlyList<ScheduledRequest[]> Split(IReadOnlyList<ScheduledRequest> requests, int microBatchSize, int prefillMicroBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(prefillMicroBatchSize);
        var sorted = requests.ToArray();
        Array.Sort(sorted, static (a, b) =>
        {
            var ca = a.Phase == RequestPhase.Decode ? 1 : 0;
            var cb = b.Phase == RequestPhase.Decode ? 1 : 0;
            if (ca != cb) return ca.CompareTo(cb);
            if (a.NewTokens != b.NewTokens) return b.NewTokens.CompareTo(a.NewTokens);
            if (a.HistoryTokens != b.HistoryTokens) return b.HistoryTokens.CompareTo(a.HistoryTokens);
            return a.RequestId.CompareTo(b.RequestId);
        });
        var groups = new List<ScheduledRequest[]>();
        if (prefillMicroBatchSize == 0)
        {
            for (var i = 0; i < sorted.Length; i += microBatchSize)
                groups.Add(sorted.AsSpan(i, Math.Min(microBatchSize, sorted.Length - i)).ToArray());
            return groups;
        }
        var prefills = 0;
        while (prefills < sorted.Length && sorted[prefills].Phase != RequestPhase.Decode) prefills++;
        for (var i = 0; i < prefills; i += prefillMicroBatchSize)
            groups.Add(sorted.AsSpan(i, Math.Min(prefillMicroBatchSize, prefills - i)).ToArray());
        for (var i = prefills; i < sorted.Length; i += microBatchSize)
            groups.Add(sorted.AsSpan(i, Math.Min(microBatchSize, sorted.Length - i)).ToArray());
        return groups;
    }
}

/// <summary>Builds the gene structure and every iteration's task data, and collects the distinct operator shapes.</summary>
internal sealed class ProblemGraph
{
    private ProblemGraph(GeneStructure structure, IterationGraph[] iterations, OperatorShape[] shapes, double[] averageMacs)
    {
        Structure = structure;
        Iterations = iterations;
        Shapes = shapes;
        AverageMacs = averageMacs;
    }

    public GeneStructure Structure { get; }

    public IterationGraph[] Iterations { get; }

    /// <summary>Distinct operator shapes; <see cref="IterationGraph.ShapeIds"/> index this.</summary>
    public OperatorShape[] Shapes { get; }

    public double[] AverageMacs { get; }

    /// <summary>The iterations the graphs were built from (after padding, when the definition pads).</summary>
    public IReadOnlyList<Iteration> Source { get; private init; } = [];

    public static ProblemGraph Build(CegBuilder builder, IReadOnlyList<Iteration> iterations, int microBatchSize, CancellationToken cancellationToken) =>
        Build(builder, iterations, microBatchSize, 0, cancellationToken);

    /// <summary>Builds the graphs with decode micro-batches of <paramref name="microBatchSize"/> and prefill micro-batches of <paramref name="prefillMicroBatchSize"/> (0 = the same split for all).</summary>
    public static ProblemGraph Build(CegBuilder builder, IReadOnlyList<Iteration> iterations, int microBatchSize, int prefillMicroBatchSize, CancellationToken cancellationToken)
    {
        var recorder = new GraphRecorder();
        var shapeIndex = new Dictionary<OperatorShape, int>();
        var shapes = new List<OperatorShape>();
        var result = new IterationGraph[iterations.Count];
        GeneStructure? structure = null;
        double[]? macSum = null;
        var macCount = 0;
        for (var it = 0; it < iterations.Count; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var groups = MicroBatcher.Split(iterations[it].Requests, microBatchSize, prefillMicroBatchSize);
            var edgeBytes = new List<double>();
            var output = new List<double>();
            var must = new List<double>();
            var extra = new List<double>();
            var graphInput = new List<double>();
            var allReduce = new List<double>();
            var gemm = new List<double>();
            var active = new List<bool>();
            var shapeStart = new List<int> { 0 };
            var shapeIds = new List<int>();
            foreach (var group in groups)
            {
                builder.Emit(group, recorder);
                structure ??= FreezeStructure(recorder);
                macSum ??= new double[structure.GeneCount];
                edgeBytes.AddRange(recorder.EdgeBytes);
                output.AddRange(recorder.OutputBytes);
                must.AddRange(recorder.MustWriteBytes);
                extra.AddRange(recorder.ExtraReadBytes);
                graphInput.AddRange(recorder.GraphInputBytes);
                allReduce.AddRange(recorder.AllReduceBytes);
                active.AddRange(recorder.Active);
                for (var g = 0; g < structure.GeneCount; g++)
                {
                    double gm = 0, all = 0;
                    for (var s = recorder.ShapeStart[g]; s < recorder.ShapeStart[g + 1]; s++)
                    {
                        var shape = recorder.Shapes[s];
                        if (!shapeIndex.TryGetValue(shape, out var id))
                        {
                            id = shapes.Count;
                            shapes.Add(shape);
                            shapeIndex.Add(shape, id);
                        }
                        shapeIds.Add(id);
                        all += shape.Macs;
                        if (shape.Kind == OperatorKind.Gemm) gm += shape.Macs;
                    }
                    shapeStart.Add(shapeIds.Count);
                    gemm.Add(gm);
                    macSum[g] += all;
                }
                macCount++;
            }
            double activeGemm = 0;
            for (var t = 0; t < gemm.Count; t++) if (active[t]) activeGemm += gemm[t];
            result[it] = new IterationGraph
            {
                MicroBatches = groups.Count,
                MicroBatchRequests = [.. groups],
                EdgeBytes = [.. edgeBytes],
                OutputBytes = [.. output],
                MustWriteBytes = [.. must],
                ExtraReadBytes = [.. extra],
                GraphInputBytes = [.. graphInput],
                AllReduceBytes = [.. allReduce],
                GemmMacs = [.. gemm],
                Active = [.. active],
                ActiveGemmMacs = activeGemm,
                ShapeStart = [.. shapeStart],
                ShapeIds = [.. shapeIds],
            };
        }
        if (structure is null || macSum is null) throw new InvalidOperationException("no micro-batch to build a graph from");
        for (var g = 0; g < macSum.Length; g++) macSum[g] /= macCount;
        return new ProblemGraph(structure, result, [.. shapes], macSum) { Source = iterations };
    }

    internal static GeneStructure FreezeStructure(GraphRecorder r)
    {
        var genes = r.Names.Count;
        var consumers = new int[genes];
        foreach (var p in r.PredGene) consumers[p]++;
        var output = new bool[genes];
        for (var g = 0; g < genes; g++) output[g] = consumers[g] == 0;
        var succStart = new int[genes + 1];
        for (var g = 0; g < genes; g++) succStart[g + 1] = succStart[g] + consumers[g];
        var fill = (int[])succStart.Clone();
        var succGene = new int[r.PredGene.Count];
        var succEdge = new int[r.PredGene.Count];
        for (var g = 0; g < genes; g++)
        {
            for (var e = r.PredStart[g]; e < r.PredStart[g + 1]; e++)
            {
                var k = fill[r.PredGene[e]]++;
                succGene[k] = g;
                succEdge[k] = e;
            }
        }
        var groupOf = r.Group.ToArray();
        var groupCount = groupOf.Length == 0 ? 0 : Math.Max(0, groupOf.Max() + 1);
        var groupStart = new int[groupCount + 1];
        foreach (var k in groupOf) if (k >= 0) groupStart[k + 1]++;
        for (var k = 0; k < groupCount; k++) groupStart[k + 1] += groupStart[k];
        var groupFill = (int[])groupStart.Clone();
        var groupGene = new int[groupStart[groupCount]];
        for (var g = 0; g < genes; g++) if (groupOf[g] >= 0) groupGene[groupFill[groupOf[g]]++] = g;
        var consumesGroup = new bool[genes];
        for (var g = 0; g < genes; g++)
            for (var e = r.PredStart[g]; e < r.PredStart[g + 1]; e++)
                if (groupOf[r.PredGene[e]] >= 0) consumesGroup[g] = true;
        return new GeneStructure
        {
            Names = [.. r.Names],
            Layers = [.. r.Layers],
            Stages = [.. r.Stages],
            Shards = [.. r.Shards],
            WeightBytes = [.. r.WeightBytes],
            PredStart = [.. r.PredStart],
            PredGene = [.. r.PredGene],
            IsGraphOutput = output,
            SuccStart = succStart,
            SuccGene = succGene,
            SuccEdge = succEdge,
            GraphInputGenes = [.. Enumerable.Range(0, genes).Where(g => r.GraphInputBytes[g] > 0)],
            Group = groupOf,
            GroupStart = groupStart,
            GroupGene = groupGene,
            ConsumesGroup = consumesGroup,
        };
    }
}
