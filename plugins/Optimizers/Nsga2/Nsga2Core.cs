using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Sampling;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;

namespace Compass.Optimizers.Nsga2;

/// <summary>
/// The genome encoding an NSGA-II run searches (<see cref="Nsga2Core"/>): the space its population lives in, how the
/// initial parents are drawn, how a child is bred, and how a member becomes a genome of the search context's space.
/// </summary>
public interface INsga2Encoding
{
    /// <summary>The space of the population's genomes.</summary>
    MappingSpace Space { get; }

    /// <summary>
    /// True when the population lives in the search context's space and is evaluated as it is; false when every member
    /// is written into a genome of the context's space by <see cref="Decode"/> first.
    /// </summary>
    bool Direct { get; }

    /// <summary>Fills the initial parents (starting points, then random members) and writes its statistics.</summary>
    void Seed(Genome[] parents, Xoshiro256StarStar rng, Dictionary<string, double> statistics);

    /// <summary>Breeds <paramref name="child"/> from two parents at search progress <paramref name="progress"/> ∈ (0, 1].</summary>
    void Breed(Genome parent1, Genome parent2, Genome child, double progress, Xoshiro256StarStar rng);

    /// <summary>Writes <paramref name="member"/> into <paramref name="target"/>, a genome of the context's space (used when not <see cref="Direct"/>).</summary>
    void Decode(Genome member, Genome target);

    /// <summary>The progress line after a generation; <paramref name="rank"/> and <paramref name="fitness"/> hold the selected parents.</summary>
    string Progress(int generation, int maxGenerations, ReadOnlySpan<Fitness> fitness, ReadOnlySpan<int> rank);

    /// <summary>Adds the encoding's statistics at the end of the run (operator counts and the like).</summary>
    void WriteStatistics(Dictionary<string, double> statistics);
}

/// <summary>
/// The NSGA-II generational loop (Deb, Pratap, Agarwal and Meyarivan, IEEE TEC 6(2), 2002) shared by <c>nsga2</c> and
/// <c>moham</c>: evaluate the parents, then per generation breed as many children from binary tournaments on (rank,
/// crowding), evaluate them, rank parents and children together and keep the best half by (rank, −crowding). The run
/// stops after the generations, on budget or cancellation, or when a batch was cut short. The outcome's Pareto set is
/// the first front of the final population (distinct genomes of the context's space); its best is the front member with
/// the lowest latency × energy.
/// </summary>
public static class Nsga2Core
{
    /// <summary>Runs the loop over <paramref name="encoding"/> with <paramref name="rng"/> (the caller's random stream).</summary>
    public static SearchOutcome Run(ISearchContext context, INsga2Encoding encoding, int populationSize, int maxGenerations, bool deduplicate,
        Xoshiro256StarStar rng, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(populationSize, 2);
        var size = populationSize;
        var evaluator = new BatchEvaluator(context, deduplicate, cancellationToken);
        var statistics = new Dictionary<string, double>();

        // Combined pool: [0, size) parents, [size, 2·size) offspring; `evaluated` is the pool itself or its decoding.
        var pool = SearchSupport.NewGenomes(encoding.Space, 2 * size);
        var evaluated = encoding.Direct ? pool : SearchSupport.NewGenomes(context.Space, 2 * size);
        var fitness = new Fitness[2 * size];
        var rank = new int[2 * size];
        var crowding = new double[2 * size];
        var order = new int[2 * size];
        var scratch = SearchSupport.NewGenomes(encoding.Space, size);
        var scratchFitness = new Fitness[size];

        encoding.Seed(pool[..size], rng, statistics);
        var alive = EvaluateRange(0, size);
        Nsga2Optimizer.RankAndCrowd(fitness, alive, rank, crowding, order);

        var generation = 0;
        var planned = (int)Math.Clamp(Math.Ceiling((double)context.EvaluationsLeft / size), 1, maxGenerations);
        while (alive == size && generation < maxGenerations && !evaluator.Stopped)
        {
            generation++;
            var progress = Math.Min(1.0, (double)generation / planned);
            for (var i = 0; i < size; i++)
            {
                var p1 = pool[BinaryTournament(rank, crowding, size, rng)];
                var p2 = pool[BinaryTournament(rank, crowding, size, rng)];
                encoding.Breed(p1, p2, pool[size + i], progress, rng);
            }
            var done = EvaluateRange(size, size);
            Nsga2Optimizer.RankAndCrowd(fitness, size + done, rank, crowding, order);
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
            Nsga2Optimizer.RankAndCrowd(fitness, size, rank, crowding, order);
            context.ReportProgress(encoding.Progress(generation, maxGenerations, fitness.AsSpan(0, size), rank.AsSpan(0, size)));
            if (done < size) break;
        }

        // Final front (distinct genomes); Best = lowest latency × energy on it.
        var front = new List<Genome>();
        var seen = new HashSet<ulong>();
        var best = -1;
        for (var i = 0; i < alive; i++)
        {
            if (rank[i] != 0 || !fitness[i].IsValid) continue;
            var member = Export(pool[i]);
            if (seen.Add(member.ContentHash())) front.Add(member);
            if (best < 0 || Edp(fitness[i]) < Edp(fitness[best])) best = i;
        }
        statistics["generations"] = generation;
        statistics["frontSize"] = front.Count;
        encoding.WriteStatistics(statistics);
        var outcome = evaluator.Outcome(Export(pool[0]), front, statistics);
        return best < 0 ? outcome : outcome with { Best = Export(pool[best]), BestFitness = fitness[best] };

        int EvaluateRange(int first, int count)
        {
            if (!encoding.Direct)
                for (var i = 0; i < count; i++) encoding.Decode(pool[first + i], evaluated[first + i]);
            return evaluator.Evaluate(new ArraySegment<Genome>(evaluated, first, count), fitness.AsSpan(first, count));
        }

        Genome Export(Genome member)
        {
            if (encoding.Direct) return member.Clone();
            var g = context.Space.CreateGenome();
            encoding.Decode(member, g);
            return g;
        }
    }

    /// <summary>The lowest latency × energy among the valid first-front members.</summary>
    public static double BestEdp(ReadOnlySpan<Fitness> fitness, ReadOnlySpan<int> rank)
    {
        var best = double.PositiveInfinity;
        for (var i = 0; i < fitness.Length; i++)
            if (rank[i] == 0 && fitness[i].IsValid) best = Math.Min(best, Edp(fitness[i]));
        return best;
    }

    private static int BinaryTournament(int[] rank, double[] crowding, int count, Xoshiro256StarStar rng)
    {
        var a = rng.NextInt(count);
        var b = rng.NextInt(count);
        if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
        return crowding[b] > crowding[a] ? b : a;
    }

    private static double Edp(Fitness f) => f.LatencyNs * f.EnergyPj;
}
