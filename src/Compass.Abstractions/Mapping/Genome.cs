namespace Compass.Abstractions.Mapping;

/// <summary>
/// A mapping: segmentation bits over the gene sequence and a chiplet id for every (micro-batch, gene).
/// Execution order is segment → micro-batch → gene. Mutable, array-backed, so optimizers can work in place.
/// </summary>
public sealed class Genome : IEquatable<Genome>
{
    /// <summary>Creates a genome with no boundaries and every gene on chiplet 0.</summary>
    public Genome(int microBatchCount, int geneCount)
        : this(microBatchCount, geneCount, 0)
    {
    }

    /// <summary>Creates a genome with no boundaries, every gene on chiplet 0 and <paramref name="leverCount"/> levers at candidate 0.</summary>
    public Genome(int microBatchCount, int geneCount, int leverCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leverCount);
        MicroBatchCount = microBatchCount;
        GeneCount = geneCount;
        Boundaries = new byte[Math.Max(0, geneCount - 1)];
        Assignment = new int[microBatchCount * geneCount];
        Levers = leverCount == 0 ? [] : new int[leverCount];
    }

    /// <summary>Creates a genome from arrays (copied), levers included.</summary>
    public Genome(int microBatchCount, int geneCount, ReadOnlySpan<byte> boundaries, ReadOnlySpan<int> assignment, ReadOnlySpan<int> levers)
        : this(microBatchCount, geneCount, boundaries, assignment)
    {
        Levers = levers.IsEmpty ? [] : levers.ToArray();
    }

    /// <summary>Creates a genome from arrays (copied).</summary>
    public Genome(int microBatchCount, int geneCount, ReadOnlySpan<byte> boundaries, ReadOnlySpan<int> assignment)
        : this(microBatchCount, geneCount)
    {
        if (boundaries.Length != Boundaries.Length) throw new ArgumentException($"expected {Boundaries.Length} segmentation bits, got {boundaries.Length}", nameof(boundaries));
        if (assignment.Length != Assignment.Length) throw new ArgumentException($"expected {Assignment.Length} assignment entries, got {assignment.Length}", nameof(assignment));
        boundaries.CopyTo(Boundaries);
        assignment.CopyTo(Assignment);
    }

    /// <summary>Micro-batches (rows).</summary>
    public int MicroBatchCount { get; }

    /// <summary>Genes per micro-batch (columns).</summary>
    public int GeneCount { get; }

    /// <summary>Bit i = 1 puts a segment boundary after gene i; length genes − 1.</summary>
    public byte[] Boundaries { get; }

    /// <summary>Chiplet id of (micro-batch b, gene g) at index b × genes + g.</summary>
    public int[] Assignment { get; }

    /// <summary>
    /// The chosen candidate index of every lever of the space (<see cref="MappingSpace.Levers"/>: micro-batch size,
    /// tensor-parallel degree, …); empty when the space has no lever (every lever fixed by the scenario).
    /// </summary>
    public int[] Levers { get; private init; } = [];

    /// <summary>Chiplet of (micro-batch <paramref name="microBatch"/>, gene <paramref name="gene"/>).</summary>
    public int this[int microBatch, int gene]
    {
        get => Assignment[microBatch * GeneCount + gene];
        set => Assignment[microBatch * GeneCount + gene] = value;
    }

    /// <summary>The assignment row of one micro-batch.</summary>
    public Span<int> Row(int microBatch) => Assignment.AsSpan(microBatch * GeneCount, GeneCount);

    /// <summary>A deep copy.</summary>
    public Genome Clone() => new(MicroBatchCount, GeneCount, Boundaries, Assignment, Levers);

    /// <summary>Copies another genome of the same shape (levers included) into this one.</summary>
    public void CopyFrom(Genome other)
    {
        ArgumentNullException.ThrowIfNull(other);
        other.Boundaries.AsSpan().CopyTo(Boundaries);
        other.Assignment.AsSpan().CopyTo(Assignment);
        other.Levers.AsSpan().CopyTo(Levers);
    }

    /// <summary>Segments as [start, end) gene ranges.</summary>
    public List<(int Start, int End)> Segments()
    {
        var list = new List<(int, int)>();
        var start = 0;
        for (var i = 0; i < Boundaries.Length; i++)
        {
            if (Boundaries[i] != 0) { list.Add((start, i + 1)); start = i + 1; }
        }
        list.Add((start, GeneCount));
        return list;
    }

    /// <summary>True when every row of the assignment is the same (the coupled, Gemini-style encoding).</summary>
    public bool IsCoupled()
    {
        var first = Assignment.AsSpan(0, GeneCount);
        for (var b = 1; b < MicroBatchCount; b++)
            if (!first.SequenceEqual(Assignment.AsSpan(b * GeneCount, GeneCount))) return false;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Genome? other) =>
        other is not null && other.MicroBatchCount == MicroBatchCount && other.GeneCount == GeneCount
        && other.Boundaries.AsSpan().SequenceEqual(Boundaries) && other.Assignment.AsSpan().SequenceEqual(Assignment)
        && other.Levers.AsSpan().SequenceEqual(Levers);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Genome);

    /// <summary>
    /// A stable 64-bit content hash (FNV-1a), equal for equal genomes across runs and processes. Levers are hashed
    /// after the assignment only when there are any, so a genome without levers hashes as before levers existed.
    /// </summary>
    public ulong ContentHash()
    {
        var h = 14695981039346656037UL;
        foreach (var b in Boundaries) { h ^= b; h *= 1099511628211UL; }
        foreach (var a in Assignment) { h ^= (uint)a; h *= 1099511628211UL; }
        foreach (var l in Levers) { h ^= 0xA5u ^ (uint)l; h *= 1099511628211UL; }
        return h;
    }

    /// <inheritdoc />
    public override int GetHashCode() => (int)ContentHash();
}

/// <summary>A genome with a name, for heuristic starting points and reports.</summary>
/// <param name="Name">Name (<c>pipeline</c>, <c>tensor-parallel</c>).</param>
/// <param name="Genome">The mapping.</param>
public sealed record NamedGenome(string Name, Genome Genome);
