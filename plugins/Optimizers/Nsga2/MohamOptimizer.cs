using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Compass.Optimizers.Gemini;
using Compass.Optimizers.Operators;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Nsga2;

/// <summary>Options of <c>moham</c>.</summary>
public sealed record MohamOptions
{
    /// <summary>Option keys.</summary>
    public static readonly string[] Keys = ["populationSize", "generations", "crossoverProbability", "swapProbability", "deduplicate"];

    /// <summary>Population (and offspring) size.</summary>
    public int PopulationSize { get; init; } = 40;

    /// <summary>Generations; the run also stops on budget.</summary>
    public int Generations { get; init; } = 1000;

    /// <summary>Probability that a child is the uniform crossover of its two parents (else a copy of the first).</summary>
    public double CrossoverProbability { get; init; } = 0.9;

    /// <summary>Probability of the swap mutation (two layers exchange their chiplets) on top of the per-layer reassignment.</summary>
    public double SwapProbability { get; init; } = 0.5;

    /// <summary>Serve repeated genomes from a cache.</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>Reads and validates the options.</summary>
    public static MohamOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys(Keys);
        return new MohamOptions
        {
            PopulationSize = section.GetInt32("populationSize", 40, 4, 1_000_000),
            Generations = section.GetInt32("generations", 1000, 1, int.MaxValue),
            CrossoverProbability = section.GetDouble("crossoverProbability", 0.9, 0, 1),
            SwapProbability = section.GetDouble("swapProbability", 0.5, 0, 1),
            Deduplicate = section.GetBoolean("deduplicate", true),
        };
    }
}

/// <summary>
/// A MOHaM / Stream-style baseline (Das, Russo and Palesi, IEEE TC 73(8), 2024; KU Leuven Stream's layer–core
/// allocation GA): NSGA-II over (latency, energy) on a layer-to-chiplet assignment shared by every micro-batch (coupled:
/// one chiplet per gene, every row identical), scheduled as one layer-fused list schedule (no segmentation bits, as Stream
/// schedules the whole graph at once). Operators: uniform crossover of the assignment, per-layer reassignment to a random
/// chiplet with probability 1/genes (at least one layer), and a swap of two layers' chiplets. The population starts from
/// the coupled starting points of the context (projected to their first row) and random assignments. The outcome's
/// Pareto set is the final first front; <see cref="SearchOutcome.Best"/> is its lowest latency × energy point (the
/// best-EDP point the study reports). MOHaM also selects and places sub-accelerator templates; the package here is
/// fixed by the scenario, so only the mapping half is reproduced.
/// </summary>
public sealed class MohamOptimizer : IOptimizer
{
    /// <summary>Random stream id of <c>moham</c>.</summary>
    public const ulong Stream = 0x6D6F68616D;

    /// <summary>Creates the optimizer.</summary>
    public MohamOptimizer(MohamOptions options) => Options = options;

    /// <summary>The options.</summary>
    public MohamOptions Options { get; }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var space = context.Space;
        var oneRow = GeminiOptimizer.OneRow(space);
        var o = Options;
        var size = o.PopulationSize;
        var rng = new Xoshiro256StarStar(context.Seed, Stream);
        var evaluator = new BatchEvaluator(context, o.Deduplicate, cancellationToken);
        var statistics = new Dictionary<string, double>();

        var pool = SearchSupport.NewGenomes(oneRow, 2 * size);
        var full = SearchSupport.NewGenomes(space, 2 * size);
        var fitness = new Fitness[2 * size];
        var rank = new int[2 * size];
        var crowding = new double[2 * size];
        var order = new int[2 * size];
        var scratch = SearchSupport.NewGenomes(oneRow, size);
        var scratchFitness = new Fitness[size];

        var seeded = 0;
        foreach (var s in context.StartingPoints)
        {
            if (seeded == size) break;
            if (!space.IsValid(s.Genome, out _) || !s.Genome.IsCoupled()) continue;
            s.Genome.Row(0).CopyTo(pool[seeded].Row(0));
            s.Genome.Levers.AsSpan().CopyTo(pool[seeded].Levers);
            seeded++;
        }
        for (var i = seeded; i < size; i++) MutationOperators.Randomize(pool[i], oneRow, rng);
        for (var i = 0; i < size; i++) Array.Clear(pool[i].Boundaries);
        statistics["seeded"] = seeded;
        var alive = EvaluateRange(0, size);
        Nsga2Optimizer.RankAndCrowd(fitness, alive, rank, crowding, order);

        var generation = 0;
        while (alive == size && generation < o.Generations && !evaluator.Stopped)
        {
            generation++;
            for (var i = 0; i < size; i++)
            {
                var p1 = pool[Tournament(rank, crowding, size, rng)];
                var p2 = pool[Tournament(rank, crowding, size, rng)];
                var child = pool[size + i];
                Breed(p1, p2, child, oneRow, o, rng);
            }
            var done = EvaluateRange(size, size);
            Nsga2Optimizer.RankAndCrowd(fitness, size + done, rank, crowding, order);
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
            context.ReportProgress($"moham generation {generation}: best EDP {SearchSupport.Format(BestEdp(fitness, rank, size))}");
            if (done < size) break;
        }

        var front = new List<Genome>();
        var seen = new HashSet<ulong>();
        var best = -1;
        for (var i = 0; i < alive; i++)
        {
            if (rank[i] != 0 || !fitness[i].IsValid) continue;
            var g = space.CreateGenome();
            GeminiOptimizer.Expand(pool[i], g);
            if (seen.Add(g.ContentHash())) front.Add(g);
            if (best < 0 || Edp(fitness[i]) < Edp(fitness[best])) best = i;
        }
        statistics["generations"] = generation;
        statistics["frontSize"] = front.Count;
        var outcome = evaluator.Outcome(full[0], front, statistics);
        if (best < 0) return outcome;
        var bestGenome = space.CreateGenome();
        GeminiOptimizer.Expand(pool[best], bestGenome);
        return outcome with { Best = bestGenome, BestFitness = fitness[best] };

        int EvaluateRange(int first, int count)
        {
            for (var i = 0; i < count; i++) GeminiOptimizer.Expand(pool[first + i], full[first + i]);
            return evaluator.Evaluate(new ArraySegment<Genome>(full, first, count), fitness.AsSpan(first, count));
        }
    }

    /// <summary>
    /// One child of a one-row assignment: uniform crossover with <see cref="MohamOptions.CrossoverProbability"/>, then
    /// per-layer reassignment with probability 1/genes (at least one layer), then a swap of two layers' chiplets with
    /// <see cref="MohamOptions.SwapProbability"/>. The segmentation stays empty (one list-scheduled segment).
    /// </summary>
    public static void Breed(Genome parent1, Genome parent2, Genome child, MappingSpace oneRow, MohamOptions options, Xoshiro256StarStar rng)
    {
        ArgumentNullException.ThrowIfNull(parent1);
        ArgumentNullException.ThrowIfNull(parent2);
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(oneRow);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        var genes = child.GeneCount;
        var a = child.Assignment;
        var crossover = rng.Chance(options.CrossoverProbability);
        for (var g = 0; g < genes; g++) a[g] = crossover && rng.NextBool() ? parent2.Assignment[g] : parent1.Assignment[g];
        Array.Clear(child.Boundaries);
        var mutated = false;
        for (var g = 0; g < genes; g++)
        {
            if (!rng.Chance(1.0 / genes)) continue;
            a[g] = rng.NextInt(oneRow.ChipletCount);
            mutated = true;
        }
        if (!mutated) a[rng.NextInt(genes)] = rng.NextInt(oneRow.ChipletCount);
        if (genes >= 2 && rng.Chance(options.SwapProbability))
        {
            var i = rng.NextInt(genes);
            var j = rng.NextInt(genes - 1);
            if (j >= i) j++;
            (a[i], a[j]) = (a[j], a[i]);
        }
        // Levers (none unless the scenario leaves them to the search): uniform crossover, then one step with ⅕.
        if (child.Levers.Length == 0) return;
        for (var l = 0; l < child.Levers.Length; l++) child.Levers[l] = crossover && rng.NextBool() ? parent2.Levers[l] : parent1.Levers[l];
        if (rng.Chance(0.2)) oneRow.StepLever(child, rng.NextInt);
    }

    private static int Tournament(int[] rank, double[] crowding, int count, Xoshiro256StarStar rng)
    {
        var a = rng.NextInt(count);
        var b = rng.NextInt(count);
        if (rank[a] != rank[b]) return rank[a] < rank[b] ? a : b;
        return crowding[b] > crowding[a] ? b : a;
    }

    private static double BestEdp(Fitness[] fitness, int[] rank, int count)
    {
        var best = double.PositiveInfinity;
        for (var i = 0; i < count; i++)
            if (rank[i] == 0 && fitness[i].IsValid) best = Math.Min(best, Edp(fitness[i]));
        return best;
    }

    private static double Edp(Fitness f) => f.LatencyNs * f.EnergyPj;
}
