using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Compass.Optimizers.Operators;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Nsga2;

/// <summary>Options of NSGA-II.</summary>
public sealed record Nsga2Options
{
    /// <summary>Option keys.</summary>
    public static readonly string[] Keys = ["populationSize", "generations", "deduplicate", .. VariationOptions.Keys];

    /// <summary>Population (and offspring) size.</summary>
    public int PopulationSize { get; init; } = 50;

    /// <summary>Generations; the run also stops on budget.</summary>
    public int Generations { get; init; } = 200;

    /// <summary>Serve repeated genomes from a cache.</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>Operator probabilities (the GA's).</summary>
    public VariationOptions Variation { get; init; } = new();

    /// <summary>Reads and validates the options.</summary>
    public static Nsga2Options Read(IConfiguration section)
    {
        section.RejectUnknownKeys(Keys);
        return new Nsga2Options
        {
            PopulationSize = section.GetInt32("populationSize", 50, 2, 1_000_000),
            Generations = section.GetInt32("generations", 200, 1, int.MaxValue),
            Deduplicate = section.GetBoolean("deduplicate", true),
            Variation = VariationOptions.Read(section),
        };
    }
}

/// <summary>
/// NSGA-II (Deb, Pratap, Agarwal and Meyarivan, IEEE TEC 6(2), 2002) over (latency, energy): fast non-dominated
/// sorting, crowding distance, binary tournaments on (rank, crowding), and the GA's crossover and mutations. The
/// outcome's <see cref="SearchOutcome.ParetoSet"/> is the first front of the final population (distinct genomes);
/// <see cref="SearchOutcome.Best"/> is the front member with the lowest latency × energy.
/// </summary>
public sealed class Nsga2Optimizer : IOptimizer
{
    /// <summary>Creates the optimizer.</summary>
    public Nsga2Optimizer(Nsga2Options options) => Options = options;

    /// <summary>The options.</summary>
    public Nsga2Options Options { get; }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var o = Options;
        var size = o.PopulationSize;
        var rng = new Xoshiro256StarStar(context.Seed, SearchSupport.Nsga2Stream);
        var variation = new GenomeVariation(o.Variation, space);
        var evaluator = new BatchEvaluator(context, o.Deduplicate, cancellationToken);
        var statistics = new Dictionary<string, double>();

        // Combined pool: [0, size) parents, [size, 2·size) offspring.
        var pool = SearchSupport.NewGenomes(space, 2 * size);
        var fitness = new Fitness[2 * size];
        var rank = new int[2 * size];
        var crowding = new double[2 * size];
        var order = new int[2 * size];
        var scratch = SearchSupport.NewGenomes(space, size);
        var scratchFitness = new Fitness[size];

        var parents = new Genome[size];
        Array.Copy(pool, parents, size);
        statistics["seeded"] = SearchSupport.Seed(parents, context, rng, out var rejected);
        statistics["rejectedStartingPoints"] = rejected;
        var alive = evaluator.Evaluate(new ArraySegment<Genome>(pool, 0, size), fitness);
        var parentsAlive = alive;
        RankAndCrowd(fitness, parentsAlive, rank, crowding, order);

        var generation = 0;
        var children = size;
        var planned = (int)Math.Clamp(Math.Ceiling((double)context.EvaluationsLeft / children), 1, o.Generations);
        while (parentsAlive == size && generation < o.Generations && !evaluator.Stopped)
        {
            generation++;
            var progress = Math.Min(1.0, (double)generation / planned);
            for (var i = 0; i < size; i++)
            {
                var p1 = pool[BinaryTournament(rank, crowding, size, rng)];
                var p2 = pool[BinaryTournament(rank, crowding, size, rng)];
                variation.Cross(p1, p2, pool[size + i], rng);
                variation.Mutate(pool[size + i], progress, rng);
            }
            var done = evaluator.Evaluate(new ArraySegment<Genome>(pool, size, size), fitness.AsSpan(size, size));
            var total = size + done;
            RankAndCrowd(fitness, total, rank, crowding, order);
            // Environmental selection: order holds the pool sorted by (rank, −crowding); keep the first `size`.
            for (var k = 0; k < size; k++)
            {
                scratch[k].CopyFrom(pool[order[k]]);
                scratchFitness[k] = fitness[order[k]];
            }
            for (var k = 0; k < size; k++)
            {
                pool[k].CopyFrom(scratch[k]);
                fitness[k] = scratchFitness[k];
            }
            RankAndCrowd(fitness, size, rank, crowding, order);
            context.ReportProgress($"nsga2 generation {generation}/{o.Generations}: front {CountFront(rank, size)}");
            if (done < size) break;
        }

        // Final front (distinct genomes); Best = lowest latency × energy on it.
        var front = new List<Genome>();
        var seen = new HashSet<ulong>();
        var best = -1;
        for (var i = 0; i < parentsAlive; i++)
        {
            if (rank[i] != 0 || !fitness[i].IsValid) continue;
            if (seen.Add(pool[i].ContentHash())) front.Add(pool[i].Clone());
            if (best < 0 || Edp(fitness[i]) < Edp(fitness[best])) best = i;
        }
        statistics["generations"] = generation;
        statistics["frontSize"] = front.Count;
        variation.WriteStatistics(statistics);
        var outcome = evaluator.Outcome(pool[0], front, statistics);
        return best < 0 ? outcome : outcome with { Best = pool[best].Clone(), BestFitness = fitness[best] };
    }

    /// <summary>True when <paramref name="a"/> Pareto-dominates <paramref name="b"/> on (latency, energy); invalid fitness is dominated by every valid one.</summary>
    public static bool Dominates(Fitness a, Fitness b)
    {
        if (!a.IsValid) return false;
        if (!b.IsValid) return true;
        return a.LatencyNs <= b.LatencyNs && a.EnergyPj <= b.EnergyPj && (a.LatencyNs < b.LatencyNs || a.EnergyPj < b.EnergyPj);
    }

    /// <summary>
    /// Fast non-dominated sort and crowding distance over the first <paramref name="count"/> entries; writes each
    /// entry's front (0 = non-dominated) and crowding distance, and <paramref name="order"/> sorted by (rank, −crowding, index).
    /// </summary>
    public static void RankAndCrowd(Fitness[] fitness, int count, int[] rank, double[] crowding, int[] order)
    {
        var dominatedBy = new int[count];
        var dominates = new List<int>[count];
        for (var i = 0; i < count; i++) dominates[i] = [];
        var current = new List<int>();
        for (var i = 0; i < count; i++)
        {
            for (var j = i + 1; j < count; j++)
            {
                if (Dominates(fitness[i], fitness[j])) { dominates[i].Add(j); dominatedBy[j]++; }
                else if (Dominates(fitness[j], fitness[i])) { dominates[j].Add(i); dominatedBy[i]++; }
            }
        }
        for (var i = 0; i < count; i++)
            if (dominatedBy[i] == 0) { rank[i] = 0; current.Add(i); }
        var level = 0;
        while (current.Count > 0)
        {
            Crowd(fitness, current, crowding);
            var next = new List<int>();
            foreach (var i in current)
                foreach (var j in dominates[i])
                    if (--dominatedBy[j] == 0) { rank[j] = level + 1; next.Add(j); }
            level++;
            current = next;
        }
        for (var i = 0; i < count; i++) order[i] = i;
        Array.Sort(order, 0, count, Comparer<int>.Create((x, y) =>
        {
            var c = rank[x].CompareTo(rank[y]);
            if (c != 0) return c;
            c = crowding[y].CompareTo(crowding[x]);
            return c != 0 ? c : x.CompareTo(y);
        }));
    }

    private static void Crowd(Fitness[] fitness, List<int> front, double[] crowding)
    {
        foreach (var i in front) crowding[i] = 0;
        if (front.Count <= 2)
        {
            foreach (var i in front) crowding[i] = double.PositiveInfinity;
            return;
        }
        var sorted = front.ToArray();
        for (var objective = 0; objective < 2; objective++)
        {
            var obj = objective;
            double Value(int i) => obj == 0 ? fitness[i].LatencyNs : fitness[i].EnergyPj;
            Array.Sort(sorted, (x, y) => { var c = Value(x).CompareTo(Value(y)); return c != 0 ? c : x.CompareTo(y); });
            var lo = Value(sorted[0]);
            var hi = Value(sorted[^1]);
            crowding[sorted[0]] = double.PositiveInfinity;
            crowding[sorted[^1]] = double.PositiveInfinity;
            var span = hi - lo;
            if (!(span > 0) || !double.IsFinite(span)) continue;
            for (var k = 1; k < sorted.Length - 1; k++)
                crowding[sorted[k]] += (Value(sorted[k + 1]) - Value(sorted[k - 1])) / span;
        }
    }

    private static int BinaryTournament(int[] rank, double[] crowding, int count, Xoshiro256StarStar rng)
    {
        var a = rng.NextInt(count);
        var b = rng.NextInt(count);
        if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
        return crowding[b] > crowding[a] ? b : a;
    }

    private static int CountFront(int[] rank, int count)
    {
        var n = 0;
        for (var i = 0; i < count; i++) if (rank[i] == 0) n++;
        return n;
    }

    private static double Edp(Fitness f) => f.LatencyNs * f.EnergyPj;
}
