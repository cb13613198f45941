using Compass.Abstractions.Plugins;
using Compass.Abstractions.Sampling;
using Compass.Abstractions.Workload;

namespace Compass.Engine.Workload;

/// <summary>
/// Draws the iterations a search averages over, and the held-out iterations a mapping is replayed on, from a
/// serving scheduler's output (docs/reference/compass-method.md §8.2 and §8.4: warm-up first so decode states reach a steady
/// mix, then a seeded sample; replay uses another seed).
/// </summary>
public static class IterationSampler
{
    /// <summary>The <see cref="Xoshiro256StarStar"/> stream of the iteration draws ("iter"), so the run's seed feeds it independently of the trace and the optimizers.</summary>
    public const ulong Stream = 0x69746572;

    /// <summary>
    /// Skips <paramref name="warmupIterations"/>, then draws <paramref name="count"/> distinct iterations
    /// uniformly (seeded) from the next <paramref name="poolSize"/> ones (0 = 10 × count), returned in schedule
    /// order. Throws <see cref="CompassInputException"/> when the schedule ends during warm-up.
    /// </summary>
    public static IReadOnlyList<Iteration> Sample(IEnumerable<Iteration> schedule, int warmupIterations, int count, int seed, int poolSize = 0, CancellationToken cancellationToken = default)
    {
        var candidates = Pool(schedule, warmupIterations, count, poolSize, cancellationToken);
        if (candidates.Count <= count) return candidates;
        var random = new Xoshiro256StarStar(seed, Stream);
        var indices = new int[candidates.Count];
        for (var i = 0; i < indices.Length; i++) indices[i] = i;
        // Partial Fisher–Yates: the first count slots become a uniform sample without replacement.
        for (var i = 0; i < count; i++)
        {
            var j = random.NextInt(i, indices.Length);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        Array.Sort(indices, 0, count);
        var result = new Iteration[count];
        for (var i = 0; i < count; i++) result[i] = candidates[indices[i]];
        return result;
    }

    /// <summary>
    /// Skips <paramref name="warmupIterations"/>, then draws <paramref name="count"/> distinct iterations from the next
    /// <paramref name="poolSize"/> ones (0 = 10 × count) stratified by phase mix: the pool is grouped by the number of
    /// prefill and chunked-prefill requests an iteration holds, each group gets a share of <paramref name="count"/>
    /// proportional to its size (largest remainders, ties to the more common mix). Inside a group the members are
    /// ordered by size (new tokens, then history tokens) and cut into as many consecutive bins of near-equal count as
    /// the group's share, and one iteration is drawn uniformly (seeded) from each bin. Returned in schedule order.
    /// Iterations whose EDP differs by mix (a prefill costs many decodes) and by size (a long prompt costs many short
    /// ones) are then represented as often as the schedule runs them, which lowers the variance of the mean; the sample
    /// stays self-weighting, so its plain mean estimates the pool's mean.
    /// </summary>
    public static IReadOnlyList<Iteration> SampleStratified(IEnumerable<Iteration> schedule, int warmupIterations, int count, int seed, int poolSize = 0, CancellationToken cancellationToken = default)
    {
        var candidates = Pool(schedule, warmupIterations, count, poolSize, cancellationToken);
        if (candidates.Count <= count) return candidates;
        var strata = new SortedDictionary<int, List<int>>();
        var newTokens = new long[candidates.Count];
        var historyTokens = new long[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var mix = 0;
            foreach (var r in candidates[i].Requests)
            {
                if (r.Phase != RequestPhase.Decode) mix++;
                newTokens[i] += r.NewTokens;
                historyTokens[i] += r.HistoryTokens;
            }
            if (!strata.TryGetValue(mix, out var members)) strata.Add(mix, members = []);
            members.Add(i);
        }
        var groups = strata.Values.ToArray();
        var quota = new int[groups.Length];
        var remainders = new (double Remainder, int Size, int Group)[groups.Length];
        var given = 0;
        for (var g = 0; g < groups.Length; g++)
        {
            var exact = (double)count * groups[g].Count / candidates.Count;
            quota[g] = (int)Math.Floor(exact);
            given += quota[g];
            remainders[g] = (exact - quota[g], groups[g].Count, g);
        }
        Array.Sort(remainders, static (a, b) => a.Remainder != b.Remainder ? b.Remainder.CompareTo(a.Remainder) : a.Size != b.Size ? b.Size.CompareTo(a.Size) : a.Group.CompareTo(b.Group));
        for (var k = 0; given < count; k = (k + 1) % groups.Length)
        {
            var g = remainders[k].Group;
            if (quota[g] < groups[g].Count) { quota[g]++; given++; }
        }
        var random = new Xoshiro256StarStar(seed, Stream);
        var chosen = new List<int>(count);
        for (var g = 0; g < groups.Length; g++)
        {
            if (quota[g] == 0) continue;
            var members = groups[g];
            // Stable order by size, then schedule position, so equal seeds give equal samples.
            members.Sort((a, b) => newTokens[a] != newTokens[b] ? newTokens[a].CompareTo(newTokens[b])
                : historyTokens[a] != historyTokens[b] ? historyTokens[a].CompareTo(historyTokens[b]) : a.CompareTo(b));
            for (var bin = 0; bin < quota[g]; bin++)
            {
                var start = (int)((long)bin * members.Count / quota[g]);
                var end = (int)((long)(bin + 1) * members.Count / quota[g]);
                chosen.Add(members[random.NextInt(start, end)]);
            }
        }
        chosen.Sort();
        return [.. chosen.Select(i => candidates[i])];
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
        var offset = new Xoshiro256StarStar(seed, Stream).NextInt(count);
        var window = Take(schedule, warmupIterations + offset, count, cancellationToken);
        if (window.Count == 0) window = Take(schedule, warmupIterations, count, cancellationToken);
        if (window.Count == 0) throw Exhausted(warmupIterations);
        return window;
    }

    /// <summary>The iterations after the warm-up that a sample is drawn from (at most the pool size); never empty.</summary>
    private static List<Iteration> Pool(IEnumerable<Iteration> schedule, int warmupIterations, int count, int poolSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var pool = poolSize > 0 ? Math.Max(poolSize, count) : checked(count * 10);
        var candidates = Take(schedule, warmupIterations, pool, cancellationToken);
        if (candidates.Count > 0) return candidates;
        throw Exhausted(warmupIterations);
    }

    private static CompassInputException Exhausted(int warmup) => warmup == 0
        ? new("workload.trace", "the scheduler formed no iteration from the trace (too few requests for its batches); use a longer trace")
        : new("workload.warmupIterations", $"the schedule ends before {warmup} warm-up iterations are done; lower warmupIterations or use a longer trace");

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
