namespace Compass.Studies.Codesign;

/// <summary>
/// The NSGA-II building blocks (Deb et al., "A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE TEVC
/// 2002) over two minimised objectives with a constraint violation: constrained domination (a feasible point beats an
/// infeasible one; two infeasible ones compare by violation), fast non-dominated sorting and crowding distance.
/// </summary>
public static class Nsga2
{
    /// <summary>One candidate's objectives and constraint violation (0 = feasible; +∞ = failed).</summary>
    /// <param name="First">First objective (minimised).</param>
    /// <param name="Second">Second objective (minimised).</param>
    /// <param name="Violation">How far the candidate is outside the constraints; 0 when feasible.</param>
    public readonly record struct Score(double First, double Second, double Violation)
    {
        /// <summary>True when the candidate satisfies every constraint.</summary>
        public bool Feasible => Violation <= 0;
    }

    /// <summary>True when <paramref name="a"/> constrained-dominates <paramref name="b"/>.</summary>
    public static bool Dominates(Score a, Score b)
    {
        if (a.Feasible != b.Feasible) return a.Feasible;
        if (!a.Feasible) return a.Violation < b.Violation;
        return a.First <= b.First && a.Second <= b.Second && (a.First < b.First || a.Second < b.Second);
    }

    /// <summary>Front number of every candidate (0 = non-dominated), by fast non-dominated sorting.</summary>
    public static int[] Ranks(IReadOnlyList<Score> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var n = scores.Count;
        var dominatedBy = new int[n];
        var dominates = new List<int>[n];
        var rank = new int[n];
        var front = new List<int>();
        for (var i = 0; i < n; i++)
        {
            dominates[i] = [];
            for (var j = 0; j < n; j++)
            {
                if (i == j) continue;
                if (Dominates(scores[i], scores[j])) dominates[i].Add(j);
                else if (Dominates(scores[j], scores[i])) dominatedBy[i]++;
            }
            if (dominatedBy[i] == 0) front.Add(i);
        }
        var level = 0;
        while (front.Count > 0)
        {
            var next = new List<int>();
            foreach (var i in front)
            {
                rank[i] = level;
                foreach (var j in dominates[i])
                    if (--dominatedBy[j] == 0) next.Add(j);
            }
            front = next;
            level++;
        }
        return rank;
    }

    /// <summary>Crowding distance of every candidate within its front (boundary points: +∞).</summary>
    public static double[] Crowding(IReadOnlyList<Score> scores, int[] ranks)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(ranks);
        var distance = new double[scores.Count];
        foreach (var front in Enumerable.Range(0, scores.Count).GroupBy(i => ranks[i]))
        {
            var members = front.ToList();
            foreach (var objective in new Func<Score, double>[] { s => s.First, s => s.Second })
            {
                var sorted = members.OrderBy(i => objective(scores[i])).ThenBy(i => i).ToList();
                double lo = objective(scores[sorted[0]]), hi = objective(scores[sorted[^1]]);
                distance[sorted[0]] = distance[sorted[^1]] = double.PositiveInfinity;
                if (!(hi > lo) || !double.IsFinite(hi - lo)) continue;
                for (var k = 1; k < sorted.Count - 1; k++)
                    distance[sorted[k]] += (objective(scores[sorted[k + 1]]) - objective(scores[sorted[k - 1]])) / (hi - lo);
            }
        }
        return distance;
    }

    /// <summary>Indices ordered best first: by front, then by crowding distance (larger first), then by index.</summary>
    public static IReadOnlyList<int> Order(IReadOnlyList<Score> scores)
    {
        var ranks = Ranks(scores);
        var crowd = Crowding(scores, ranks);
        return [.. Enumerable.Range(0, scores.Count).OrderBy(i => ranks[i]).ThenByDescending(i => crowd[i]).ThenBy(i => i)];
    }
}
