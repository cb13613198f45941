using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Engine.Workload;

/// <summary>
/// Draws the iterations a search averages over, and the held-out iterations a mapping is replayed on, from a
/// serving scheduler's output (docs/reference/compass-method.md §8.2 and §8.4: warm-up first so decode states reach a steady
/// mix, then a seeded sample; replay uses another seed).
/// </summary>
public static class IterationSampler
{
    /// <summary>
    /// Skips <paramref name="warmupIterations"/>, then draws <paramref name="count"/> distinct iterations
    /// uniformly (seeded) from the next <paramref name="poolSize"/> ones (0 = 10 × count), returned in schedule
    /// order. Throws <see cref="CompassInputException"/> when the schedule ends during warm-up.
    /// </summary>
    public static IReadOnlyList<Iteration> Sample(IEnumerable<Iteration> schedule, int warmupIterations, int count, int seed, int poolSize = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var pool = poolSize > 0 ? Math.Max(poolSize, count) : checked(count * 10);
        var candidates = Take(schedule, warmupIterations, pool, cancellationToken);
        if (candidates.Count == 0) throw Exhausted(warmupIterations);
        if (candidates.Count <= count) return candidates;
        var random = new Random(seed);
        var indices = new int[candidates.Count];
        for (var i = 0; i < indices.Length; i++) indices[i] = i;
        // Partial Fisher–Yates: the first count slots become a uniform sample without replacement.
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, indices.Length);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        Array.Sort(indices, 0, count);
        var result = new Iteration[count];
        for (var i = 0; i < count; i++) result[i] = candidates[indices[i]];
        return result;
    }

    /// <summary>
    /// A held-out replay window: skips <paramref name="warmupIterations"/> plus a seeded offset in
    /// [0, <paramref name="count"/>), then returns <paramref name="count"/> consecutive iterations (fewer when the
    /// schedule ends), so requests can be followed from arrival to their last token. Feed it the schedule of a
    /// trace generated with another seed than the search sample.
    /// </summary>
    public static IReadOnlyList<Iteration> HeldOut(IEnumerable<Iteration> schedule, int warmupIterations, int count, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var offset = new Random(seed).Next(0, count);
        var window = Take(schedule, warmupIterations + offset, count, cancellationToken);
        if (window.Count == 0) window = Take(schedule, warmupIterations, count, cancellationToken);
        if (window.Count == 0) throw Exhausted(warmupIterations);
        return window;
    }

    private static CompassInputException Exhausted(int warmup) =>
        new("workload.warmupIterations", $"the schedule ends before {warmup} warm-up iterations are done; lower warmupIterations or use a longer trace");

    private static List<Iteration> Take(IEnumerable<Iteration> schedule, int skip, int take, CancellationToken cancellationToken)
    {
        var result = new List<Iteration>(Math.Min(take, 1 << 16));
        var seen = 0;
        foreach (var it in schedule)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (seen++ < skip) continue;
            result.Add(it);
            if (result.Count == take) break;
        }
        return result;
    }
}
