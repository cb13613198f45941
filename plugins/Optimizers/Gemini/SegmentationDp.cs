namespace Compass.Optimizers.Gemini;

/// <summary>
/// The dynamic program over segmentation that gives Gemini's annealing its starting layer pipeline (Gemini, HPCA 2024,
/// §IV: segments found by a DP, then refined by SA). The gene sequence is cut into contiguous segments of at most
/// <c>chiplets</c> genes (each gene of a segment gets a chiplet of its own: a pure spatial cut); segments run one
/// after another and stream the <c>M</c> micro-batches through their pipeline, so a segment [i, j) costs the classic
/// pipeline estimate Σ w + (M − 1)·max w (fill, then one bottleneck stage per further micro-batch), plus
/// <c>boundaryCost</c> per segment boundary. The DP minimises the total; among equal totals it keeps fewer segments,
/// then the shorter last segment. Gemini's public code leaves its DP unimplemented (<c>src/spatial_mapping/DP.cpp</c> is empty),
/// so this cost model is ours; the SA that follows evaluates every candidate with the real evaluator.
/// </summary>
public static class SegmentationDp
{
    /// <summary>Estimated cost of one segment of work values: Σ w + (M − 1)·max w.</summary>
    public static double SegmentCost(ReadOnlySpan<double> work, int microBatches)
    {
        double sum = 0, max = 0;
        foreach (var w in work)
        {
            sum += w;
            max = Math.Max(max, w);
        }
        return sum + ((microBatches - 1) * max);
    }

    /// <summary>
    /// The optimal segmentation of <paramref name="work"/> (one value per gene, ≥ 0) into segments of at most
    /// <paramref name="chiplets"/> genes; returns the segmentation bits (bit i = 1: boundary after gene i) and the total cost.
    /// </summary>
    public static (byte[] Boundaries, double Cost) Solve(ReadOnlySpan<double> work, int chiplets, int microBatches, double boundaryCost = 0)
    {
        var n = work.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(work));
        ArgumentOutOfRangeException.ThrowIfLessThan(chiplets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatches, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(boundaryCost);
        // best[j]: minimum cost of genes [0, j); segments[j]: its segment count; cut[j]: start of its last segment.
        var best = new double[n + 1];
        var segments = new int[n + 1];
        var cut = new int[n + 1];
        for (var j = 1; j <= n; j++)
        {
            best[j] = double.PositiveInfinity;
            double sum = 0, max = 0;
            for (var i = j - 1; i >= Math.Max(0, j - chiplets); i--)
            {
                sum += work[i];
                max = Math.Max(max, work[i]);
                var cost = best[i] + sum + ((microBatches - 1) * max) + (i > 0 ? boundaryCost : 0);
                var count = segments[i] + 1;
                if (cost < best[j] || (cost == best[j] && count < segments[j]))
                {
                    best[j] = cost;
                    segments[j] = count;
                    cut[j] = i;
                }
            }
        }
        var bits = new byte[n - 1];
        for (var j = n; j > 0; j = cut[j])
            if (cut[j] > 0) bits[cut[j] - 1] = 1;
        return (bits, best[n]);
    }
}
