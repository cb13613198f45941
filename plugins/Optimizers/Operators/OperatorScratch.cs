using Compass.Abstractions.Mapping;

namespace Compass.Optimizers.Operators;

/// <summary>
/// Reusable buffers for the genome operators, sized for one mapping space, so an operator call allocates nothing.
/// One instance per optimizer run (not thread-safe).
/// </summary>
public sealed class OperatorScratch
{
    /// <summary>Creates buffers for a space.</summary>
    public OperatorScratch(MappingSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var genes = space.GeneCount;
        var chiplets = space.ChipletCount;
        SegmentStarts = new int[genes];
        SegmentEnds = new int[genes];
        ChipletMap = new int[chiplets];
        ChipletPermutation = new int[chiplets];
        ChipletLoad = new double[chiplets];
        ChipletList = new int[Math.Max(chiplets, space.MicroBatchCount) + 1];
        ChipletCounts = new int[chiplets];
        GeneMarks = new bool[genes];
        Entries = new int[space.AssignmentLength];
    }

    /// <summary>First gene of each segment.</summary>
    public int[] SegmentStarts { get; }

    /// <summary>One past the last gene of each segment.</summary>
    public int[] SegmentEnds { get; }

    /// <summary>A chiplet → chiplet map.</summary>
    public int[] ChipletMap { get; }

    /// <summary>A permutation of chiplet ids.</summary>
    public int[] ChipletPermutation { get; }

    /// <summary>A per-chiplet load estimate.</summary>
    public double[] ChipletLoad { get; }

    /// <summary>A list of chiplet ids.</summary>
    public int[] ChipletList { get; }

    /// <summary>Per-chiplet counters.</summary>
    public int[] ChipletCounts { get; }

    /// <summary>One flag per gene.</summary>
    public bool[] GeneMarks { get; }

    /// <summary>A list of assignment indices.</summary>
    public int[] Entries { get; }

    /// <summary>Writes the segments of <paramref name="boundaries"/> into <see cref="SegmentStarts"/>/<see cref="SegmentEnds"/>; returns their count.</summary>
    public int LoadSegments(ReadOnlySpan<byte> boundaries, int geneCount)
    {
        var count = 0;
        var start = 0;
        for (var i = 0; i < boundaries.Length; i++)
        {
            if (boundaries[i] == 0) continue;
            SegmentStarts[count] = start;
            SegmentEnds[count] = i + 1;
            count++;
            start = i + 1;
        }
        SegmentStarts[count] = start;
        SegmentEnds[count] = geneCount;
        return count + 1;
    }
}
