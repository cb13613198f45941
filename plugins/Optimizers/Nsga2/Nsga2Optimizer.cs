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
/// sorting, crowding distance, binary tournaments on (rank, crowding) (the loop is <see cref="Nsga2Core"/>), and the
/// GA's crossover and mutations on the full genome. The
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
        ArgumentNullException.ThrowIfNull(context);
        var o = Options;
        var rng = new Xoshiro256StarStar(context.Seed, SearchSupport.Nsga2Stream);
        return Nsga2Core.Run(context, new Encoding(context, new GenomeVariation(o.Variation, context.Space)), o.PopulationSize, o.Generations, o.Deduplicate, rng, cancellationToken);
    }

    /// <summary>The full genome with the GA's crossover and mutations; parents seeded from the starting points.</summary>
    private sealed class Encoding(ISearchContext context, GenomeVariation variation) : INsga2Encoding
    {
        public MappingSpace Space => context.Space;

        public bool Direct => true;

        public void Seed(Genome[] parents, Xoshiro256StarStar rng, Dictionary<string, double> statistics)
        {
            statistics["seeded"] = SearchSupport.Seed(parents, context, rng, out var rejected);
            statistics["rejectedStartingPoints"] = rejected;
        }

        public void Breed(Genome parent1, Genome parent2, Genome child, double progress, Xoshiro256StarStar rng)
        {
            variation.Cross(parent1, parent2, child, rng);
            variation.Mutate(child, progress, rng);
        }

        public void Decode(Genome member, Genome target) => target.CopyFrom(member);

        public string Progress(int generation, int maxGenerations, ReadOnlySpan<Fitness> fitness, ReadOnlySpan<int> rank) =>
            $"nsga2 generation {generation}/{maxGenerations}: front {CountFront(rank)}";

        public void WriteStatistics(Dictionary<string, double> statistics) => variation.WriteStatistics(statistics);
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

    private static int CountFront(ReadOnlySpan<int> rank)
    {
        var n = 0;
        foreach (var r in rank) if (r == 0) n++;
        return n;
    }
}
