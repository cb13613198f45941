namespace Compass.CostModels.Compute;

/// <summary>Result of a tiling search: the tiling, its cost and how many tilings were evaluated.</summary>
/// <param name="Tiling">Best tiling found.</param>
/// <param name="Cost">Its cost.</param>
/// <param name="Evaluations">Tilings evaluated.</param>
public readonly record struct TilingSearchResult(GemmTiling Tiling, GemmTilingCost Cost, long Evaluations);

/// <summary>
/// Tiling searches over <see cref="GemmTilingEvaluator"/>. Both are deterministic: ties are broken by the order in which
/// candidates are visited, which is fixed.
/// </summary>
public static class TilingSearch
{
    /// <summary>Largest trip count whose ⌈D/t⌉ tile size gets its own ladder rung; smaller tiles come from powers of two.</summary>
    public const long MaxTripCountRung = 128;

    /// <summary>Every loop order and every tile size 1..M × 1..K × 1..N; the reference optimum.</summary>
    public static TilingSearchResult Exhaustive(GemmTilingEvaluator evaluator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        var best = default(GemmTilingCost) with { Objective = double.PositiveInfinity };
        var bestTiling = new GemmTiling(1, 1, 1, LoopOrder.MKN);
        long evaluations = 0;
        foreach (var order in Enum.GetValues<LoopOrder>())
        {
            for (long mt = 1; mt <= evaluator.M; mt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (long kt = 1; kt <= evaluator.K; kt++)
                {
                    for (long nt = 1; nt <= evaluator.N; nt++)
                    {
                        if (!evaluator.Fits(mt, kt, nt)) break; // footprint grows with nt
                        var t = new GemmTiling(mt, kt, nt, order);
                        var c = evaluator.Evaluate(t);
                        evaluations++;
                        if (c.Objective < best.Objective) { best = c; bestTiling = t; }
                    }
                }
            }
        }
        return new TilingSearchResult(bestTiling, best, evaluations);
    }

    /// <summary>
    /// Fast search in the spirit of KAPLA's bottom-up cost descent: for every loop order and three shrink policies,
    /// start from the largest tile that fits (shrinking the dimension the policy names, then the largest remaining one,
    /// along a ladder of candidate sizes), then descend greedily: move to the best valid neighbour (any ladder value of
    /// one dimension, or one dimension set to any ladder value with another re-grown to its largest fitting value) while
    /// the objective improves.
    /// The ladders hold every size with a distinct trip count (⌈D/t⌉) plus multiples of the array granularity.
    /// </summary>
    public static TilingSearchResult Fast(GemmTilingEvaluator evaluator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        var g = evaluator.Granularity;
        var ladders = new[] { Ladder(evaluator.M, g.M), Ladder(evaluator.K, g.K), Ladder(evaluator.N, g.N) };
        var best = default(GemmTilingCost) with { Objective = double.PositiveInfinity };
        var bestTiling = new GemmTiling(evaluator.M, evaluator.K, evaluator.N, LoopOrder.MKN);
        long evaluations = 0;
        Span<int> idx = stackalloc int[3];
        Span<int> trial = stackalloc int[3];
        Span<int> bestTrial = stackalloc int[3];
        Span<int> starts = stackalloc int[9];
        foreach (var order in Enum.GetValues<LoopOrder>())
        {
            for (var policy = 0; policy < 3; policy++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Largest fitting start.
                for (var d = 0; d < 3; d++) idx[d] = ladders[d].Length - 1;
                while (!evaluator.Fits(ladders[0][idx[0]], ladders[1][idx[1]], ladders[2][idx[2]]))
                {
                    var dim = idx[policy] > 0 ? policy : LargestShrinkable(ladders, idx);
                    if (dim < 0) break;
                    idx[dim]--;
                }
                // Policies that reach the same start would retrace the same descent.
                var repeated = false;
                for (var p = 0; p < policy; p++)
                    if (starts[3 * p] == idx[0] && starts[3 * p + 1] == idx[1] && starts[3 * p + 2] == idx[2]) repeated = true;
                idx.CopyTo(starts.Slice(3 * policy, 3));
                if (repeated) continue;
                var current = evaluator.Evaluate(At(ladders, idx, order));
                evaluations++;
                if (!current.Valid) continue;

                // Greedy descent: the best of (a) a line search over every ladder value of one dimension and (b) a
                // re-fit move that sets one dimension to any ladder value and grows another to its largest fitting value.
                while (true)
                {
                    var stepBest = current;
                    var found = false;
                    for (var d = 0; d < 3; d++)
                    {
                        idx.CopyTo(trial);
                        for (var j = 0; j < ladders[d].Length; j++)
                        {
                            if (j == idx[d]) continue;
                            trial[d] = j;
                            var c = evaluator.Evaluate(At(ladders, trial, order));
                            evaluations++;
                            if (c.Objective < stepBest.Objective) { stepBest = c; trial.CopyTo(bestTrial); found = true; }
                        }
                    }
                    for (var d = 0; d < 3; d++)
                    {
                        for (var j = 0; j < ladders[d].Length; j++)
                        {
                            if (j == idx[d]) continue;
                            for (var e = 0; e < 3; e++)
                            {
                                if (e == d) continue;
                                idx.CopyTo(trial);
                                trial[d] = j;
                                trial[e] = LargestFitting(evaluator, ladders, trial, e);
                                if (trial[e] == idx[e]) continue;
                                var c = evaluator.Evaluate(At(ladders, trial, order));
                                evaluations++;
                                if (c.Objective < stepBest.Objective) { stepBest = c; trial.CopyTo(bestTrial); found = true; }
                            }
                        }
                    }
                    if (!found) break;
                    bestTrial.CopyTo(idx);
                    current = stepBest;
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (current.Objective < best.Objective)
                {
                    best = current;
                    bestTiling = At(ladders, idx, order);
                }
            }
        }
        if (!best.Valid)
        {
            // Nothing fits the largest-start descent (a buffer smaller than one element of each operand): fall back to unit tiles.
            bestTiling = new GemmTiling(1, 1, 1, LoopOrder.MKN);
            best = evaluator.Evaluate(bestTiling);
            evaluations++;
        }
        return new TilingSearchResult(bestTiling, best, evaluations);
    }

    /// <summary>
    /// Candidate tile sizes of a dimension of length <paramref name="length"/>, ascending: every ⌈D/t⌉ (each distinct trip
    /// count up to <see cref="MaxTripCountRung"/> trips once), every multiple of the array granularity up to D (at most 256
    /// of them, then doubling), and the powers of two.
    /// </summary>
    public static long[] Ladder(long length, double granularity)
    {
        var set = new SortedSet<long>();
        for (long t = 1; t <= Math.Min(length, MaxTripCountRung);)
        {
            var v = (length + t - 1) / t;
            set.Add(v);
            if (v == 1) break;
            // Next t with a smaller ceiling: smallest t' with ⌈D/t'⌉ ≤ v − 1.
            t = (length + (v - 1) - 1) / (v - 1);
        }
        for (long v = 1; v <= length; v *= 2) set.Add(v);
        var g = (long)Math.Round(granularity);
        if (g > 1 && Math.Abs(granularity - g) < 1e-9)
        {
            var count = length / g;
            if (count <= 256)
                for (long j = 1; j <= count; j++) set.Add(j * g);
            else
                for (var v = g; v <= length; v *= 2) set.Add(v);
        }
        var result = new long[set.Count];
        set.CopyTo(result);
        return result;
    }

    /// <summary>Largest ladder index of dimension <paramref name="dim"/> that fits with the other two fixed (binary search; 0 if none).</summary>
    private static int LargestFitting(GemmTilingEvaluator evaluator, long[][] ladders, Span<int> trial, int dim)
    {
        int lo = 0, hi = ladders[dim].Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            trial[dim] = mid;
            if (evaluator.Fits(ladders[0][trial[0]], ladders[1][trial[1]], ladders[2][trial[2]])) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private static GemmTiling At(long[][] ladders, ReadOnlySpan<int> idx, LoopOrder order)
        => new(ladders[0][idx[0]], ladders[1][idx[1]], ladders[2][idx[2]], order);

    private static int LargestShrinkable(long[][] ladders, ReadOnlySpan<int> idx)
    {
        var dim = -1;
        long size = 0;
        for (var d = 0; d < 3; d++)
        {
            if (idx[d] == 0) continue;
            var v = ladders[d][idx[d]];
            if (v > size) { size = v; dim = d; }
        }
        return dim;
    }
}
