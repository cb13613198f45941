namespace Compass.Abstractions.Mapping;

/// <summary>The role of a computation-execution-graph node inside a decoder layer.</summary>
public enum NodeStage
{
    /// <summary>Q/K/V projection (one shard or head group).</summary>
    QkvProjection,

    /// <summary>Attention scores Q·Kᵀ for one head group, every request of the micro-batch.</summary>
    AttentionScore,

    /// <summary>Softmax over the scores.</summary>
    AttentionSoftmax,

    /// <summary>Attention-weighted values (scores · V).</summary>
    AttentionValue,

    /// <summary>Attention output projection shard.</summary>
    OutputProjection,

    /// <summary>Residual addition (element-wise, two inputs).</summary>
    Residual,

    /// <summary>LayerNorm / RMSNorm.</summary>
    Norm,

    /// <summary>FFN up projection shard (with the gate matrix for a gated MLP).</summary>
    FfnUp,

    /// <summary>FFN activation (GELU/ReLU, or SiLU·gate).</summary>
    FfnActivation,

    /// <summary>FFN down projection shard.</summary>
    FfnDown,

    /// <summary>MoE router (token → expert scores).</summary>
    MoeRouter,

    /// <summary>One MoE expert's FFN (up, activation, down) for the tokens routed to it.</summary>
    MoeExpert,
}

/// <summary>One gene of the mapping: a CEG node of a micro-batch, identical in structure across micro-batches.</summary>
/// <param name="Index">Position in the node sequence (topological order).</param>
/// <param name="Name">Readable name (<c>L3.ffn_up.s5</c>).</param>
/// <param name="Layer">Decoder layer.</param>
/// <param name="Stage">Role in the layer.</param>
/// <param name="Shard">Tensor-parallel shard or head group (0 when unsplit).</param>
/// <param name="WeightBytes">Static weight bytes this node needs on its chiplet.</param>
/// <param name="Predecessors">Genes whose outputs this gene consumes (same micro-batch).</param>
/// <param name="AverageMacs">MACs of this gene averaged over the micro-batches of the sampled iterations (a load-balancing hint).</param>
public sealed record GeneInfo(int Index, string Name, int Layer, NodeStage Stage, int Shard, long WeightBytes, int[] Predecessors, double AverageMacs);

/// <summary>
/// What an optimizer searches over: <see cref="GeneCount"/> genes (CEG nodes of one micro-batch in topological
/// order) for each of <see cref="MicroBatchCount"/> micro-batches, each placed on one of <see cref="ChipletCount"/>
/// chiplets, plus segmentation bits that cut the gene sequence into segments.
/// </summary>
public sealed class MappingSpace
{
    /// <summary>Creates the space.</summary>
    public MappingSpace(int microBatchCount, IReadOnlyList<GeneInfo> genes, int meshWidth, int meshHeight, int[] chipletTypeIndex, IReadOnlyList<string> chipletTypeNames)
        : this(microBatchCount, genes, meshWidth, meshHeight, chipletTypeIndex, chipletTypeNames, [])
    {
    }

    /// <summary>Creates a space whose genomes also choose the candidates of <paramref name="levers"/>.</summary>
    public MappingSpace(int microBatchCount, IReadOnlyList<GeneInfo> genes, int meshWidth, int meshHeight, int[] chipletTypeIndex, IReadOnlyList<string> chipletTypeNames, IReadOnlyList<LeverInfo> levers)
    {
        ArgumentNullException.ThrowIfNull(levers);
        foreach (var l in levers)
        {
            if (l.Count < 1) throw new ArgumentException($"lever {l.Name} has no candidate", nameof(levers));
            if ((uint)l.DefaultIndex >= (uint)l.Count) throw new ArgumentException($"lever {l.Name}: default index {l.DefaultIndex} outside 0..{l.Count - 1}", nameof(levers));
        }
        Levers = levers;
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatchCount, 1);
        if (genes.Count < 1) throw new ArgumentException("at least one gene", nameof(genes));
        if (chipletTypeIndex.Length != meshWidth * meshHeight) throw new ArgumentException("one type index per chiplet", nameof(chipletTypeIndex));
        MicroBatchCount = microBatchCount;
        Genes = genes;
        MeshWidth = meshWidth;
        MeshHeight = meshHeight;
        ChipletTypeIndex = chipletTypeIndex;
        ChipletTypeNames = chipletTypeNames;
    }

    /// <summary>Micro-batches per iteration (rows of the assignment).</summary>
    public int MicroBatchCount { get; }

    /// <summary>Genes per micro-batch (columns of the assignment).</summary>
    public int GeneCount => Genes.Count;

    /// <summary>Chiplets of the package; ids are 0 … count − 1, id = y × width + x.</summary>
    public int ChipletCount => MeshWidth * MeshHeight;

    /// <summary>Gene descriptions in sequence order.</summary>
    public IReadOnlyList<GeneInfo> Genes { get; }

    /// <summary>Mesh columns.</summary>
    public int MeshWidth { get; }

    /// <summary>Mesh rows.</summary>
    public int MeshHeight { get; }

    /// <summary>Chiplet type index of every chiplet (heterogeneous packages have several).</summary>
    public int[] ChipletTypeIndex { get; }

    /// <summary>Names of the chiplet types indexed by <see cref="ChipletTypeIndex"/>.</summary>
    public IReadOnlyList<string> ChipletTypeNames { get; }

    /// <summary>
    /// The levers a genome chooses beside the placement (micro-batch size, tensor-parallel degree, …), in the order of
    /// <see cref="Genome.Levers"/>; empty when the scenario fixes them all. <see cref="MicroBatchCount"/> and
    /// <see cref="Genes"/> are those of the widest plan (most micro-batches, most shards); a narrower plan uses the
    /// first rows and the genes of the same name.
    /// </summary>
    public IReadOnlyList<LeverInfo> Levers { get; }

    /// <summary>Number of levers.</summary>
    public int LeverCount => Levers.Count;

    /// <summary>Number of assignment entries (micro-batches × genes).</summary>
    public int AssignmentLength => MicroBatchCount * GeneCount;

    /// <summary>Number of decision points of the space, log10: segmentation bits plus assignment digits.</summary>
    public double Log10Size
    {
        get
        {
            var size = (GeneCount - 1) * Math.Log10(2) + AssignmentLength * Math.Log10(ChipletCount);
            foreach (var l in Levers) size += Math.Log10(l.Count);
            return size;
        }
    }

    /// <summary>Manhattan distance between two chiplets on the mesh.</summary>
    public int Distance(int a, int b) => Math.Abs(a % MeshWidth - b % MeshWidth) + Math.Abs(a / MeshWidth - b / MeshWidth);

    /// <summary>A new genome with no boundaries, every gene on chiplet 0 and every lever at its default candidate.</summary>
    public Genome CreateGenome()
    {
        var genome = new Genome(MicroBatchCount, GeneCount, LeverCount);
        for (var i = 0; i < Levers.Count; i++) genome.Levers[i] = Levers[i].DefaultIndex;
        return genome;
    }

    /// <summary>Sets every lever of <paramref name="genome"/> to a uniformly drawn candidate; <paramref name="next"/> returns an integer in [0, n).</summary>
    public void RandomizeLevers(Genome genome, Func<int, int> next)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(next);
        for (var i = 0; i < Levers.Count; i++) genome.Levers[i] = next(Levers[i].Count);
    }

    /// <summary>
    /// Moves one lever (drawn with <paramref name="next"/>) to a neighbouring candidate (one step up or down; the
    /// step that exists at an end); returns false when no lever has two candidates.
    /// </summary>
    public bool StepLever(Genome genome, Func<int, int> next)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(next);
        var movable = 0;
        foreach (var l in Levers) if (l.Count > 1) movable++;
        if (movable == 0) return false;
        var pick = next(movable);
        for (var i = 0; i < Levers.Count; i++)
        {
            var count = Levers[i].Count;
            if (count < 2 || pick-- != 0) continue;
            var v = genome.Levers[i];
            var up = v == 0 || (v < count - 1 && next(2) == 1);
            genome.Levers[i] = up ? v + 1 : v - 1;
            return true;
        }
        return false;
    }

    /// <summary>The value (not the index) lever <paramref name="lever"/> takes in <paramref name="genome"/>.</summary>
    public int LeverValue(Genome genome, int lever)
    {
        ArgumentNullException.ThrowIfNull(genome);
        return Levers[lever].Candidates[genome.Levers[lever]];
    }

    /// <summary>True when every id names a chiplet and the shape matches; otherwise false with the reason.</summary>
    public bool IsValid(Genome genome, out string reason)
    {
        if (genome.MicroBatchCount != MicroBatchCount || genome.GeneCount != GeneCount)
        {
            reason = $"genome is {genome.MicroBatchCount}×{genome.GeneCount}, space is {MicroBatchCount}×{GeneCount}";
            return false;
        }
        var a = genome.Assignment;
        for (var i = 0; i < a.Length; i++)
        {
            if ((uint)a[i] >= (uint)ChipletCount)
            {
                reason = $"micro-batch {i / GeneCount}, gene {i % GeneCount} is on chiplet {a[i]}, outside 0..{ChipletCount - 1}";
                return false;
            }
        }
        var s = genome.Boundaries;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] > 1)
            {
                reason = $"segmentation bit {i} is {s[i]}, not 0 or 1";
                return false;
            }
        }
        if (genome.Levers.Length != Levers.Count)
        {
            reason = $"genome has {genome.Levers.Length} levers, space has {Levers.Count}";
            return false;
        }
        for (var i = 0; i < Levers.Count; i++)
        {
            if ((uint)genome.Levers[i] >= (uint)Levers[i].Count)
            {
                reason = $"lever {Levers[i].Name} is candidate {genome.Levers[i]}, outside 0..{Levers[i].Count - 1}";
                return false;
            }
        }
        reason = string.Empty;
        return true;
    }

    /// <summary>Clamps out-of-range ids into range (id mod chiplets), bits to 0/1 and lever indices into range (mod candidates); returns how many entries changed.</summary>
    public int Repair(Genome genome)
    {
        var changed = 0;
        var a = genome.Assignment;
        for (var i = 0; i < a.Length; i++)
        {
            if ((uint)a[i] >= (uint)ChipletCount)
            {
                a[i] = ((a[i] % ChipletCount) + ChipletCount) % ChipletCount;
                changed++;
            }
        }
        var s = genome.Boundaries;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] > 1) { s[i] = 1; changed++; }
        }
        var levers = genome.Levers;
        for (var i = 0; i < Math.Min(levers.Length, Levers.Count); i++)
        {
            if ((uint)levers[i] >= (uint)Levers[i].Count)
            {
                levers[i] = ((levers[i] % Levers[i].Count) + Levers[i].Count) % Levers[i].Count;
                changed++;
            }
        }
        return changed;
    }
}
