using Compass.Abstractions.Sampling;
using Compass.Abstractions.Mapping;

namespace Compass.Optimizers.Operators;

/// <summary>
/// The published Compass crossover (docs/reference/compass-method.md §7, <c>src/compass/GA.cpp</c>): uniform crossover on the
/// segmentation bits and segment-wise crossover on the assignment along parent 1's boundaries. Children of valid
/// parents are valid (every entry is copied from a parent).
/// </summary>
public static class Crossover
{
    /// <summary>Each segmentation bit of the child is taken from either parent with probability ½.</summary>
    public static void UniformBoundaries(Genome parent1, Genome parent2, Genome child, Xoshiro256StarStar rng)
    {
        var a = parent1.Boundaries;
        var b = parent2.Boundaries;
        var c = child.Boundaries;
        for (var i = 0; i < c.Length; i++) c[i] = rng.NextBool() ? a[i] : b[i];
    }

    /// <summary>
    /// Along parent 1's segments, one fair coin per segment picks the parent whose columns (all micro-batches) are
    /// copied into the child.
    /// </summary>
    public static void SegmentWiseAssignment(Genome parent1, Genome parent2, Genome child, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var segments = scratch.LoadSegments(parent1.Boundaries, parent1.GeneCount);
        for (var s = 0; s < segments; s++)
        {
            var source = rng.NextBool() ? parent1 : parent2;
            var start = scratch.SegmentStarts[s];
            var length = scratch.SegmentEnds[s] - start;
            for (var b = 0; b < child.MicroBatchCount; b++)
                source.Row(b).Slice(start, length).CopyTo(child.Row(b).Slice(start, length));
        }
    }

    /// <summary>The published child: segment-wise assignment crossover along parent 1's boundaries, then uniform crossover of the bits.</summary>
    public static void Apply(Genome parent1, Genome parent2, Genome child, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        SegmentWiseAssignment(parent1, parent2, child, rng, scratch);
        UniformBoundaries(parent1, parent2, child, rng);
        UniformLevers(parent1, parent2, child, rng);
    }

    /// <summary>Each lever of the child is taken from either parent with probability ½ (no draw when the space has no lever).</summary>
    public static void UniformLevers(Genome parent1, Genome parent2, Genome child, Xoshiro256StarStar rng)
    {
        var c = child.Levers;
        for (var i = 0; i < c.Length; i++) c[i] = rng.NextBool() ? parent1.Levers[i] : parent2.Levers[i];
    }
}
