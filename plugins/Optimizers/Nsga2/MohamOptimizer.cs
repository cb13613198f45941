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
/// best-EDP point the study reports). The generational loop is NSGA-II's own (<see cref="Nsga2Core"/>); this class
/// supplies only the coupled encoding, its seeding and its breeding. MOHaM also selects and places sub-accelerator templates; the package here is
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
        var o = Options;
        var rng = new Xoshiro256StarStar(context.Seed, Stream);
        return Nsga2Core.Run(context, new CoupledEncoding(context, GeminiOptimizer.OneRow(context.Space), o), o.PopulationSize, o.Generations, o.Deduplicate, rng, cancellationToken);
    }

    /// <summary>
    /// MOHaM's coupled encoding: a one-row layer-to-chiplet assignment with no segmentation, copied into every row of
    /// the context's genome; parents from the coupled starting points (their first row), then random assignments.
    /// </summary>
    private sealed class CoupledEncoding(ISearchContext context, MappingSpace oneRow, MohamOptions options) : INsga2Encoding
    {
        public MappingSpace Space => oneRow;

        public bool Direct => false;

        public void Seed(Genome[] parents, Xoshiro256StarStar rng, Dictionary<string, double> statistics)
        {
            var seeded = 0;
            foreach (var s in context.StartingPoints)
            {
                if (seeded == parents.Length) break;
                if (!context.Space.IsValid(s.Genome, out _) || !s.Genome.IsCoupled()) continue;
                s.Genome.Row(0).CopyTo(parents[seeded].Row(0));
                s.Genome.Levers.AsSpan().CopyTo(parents[seeded].Levers);
                seeded++;
            }
            for (var i = seeded; i < parents.Length; i++) MutationOperators.Randomize(parents[i], oneRow, rng);
            foreach (var p in parents) Array.Clear(p.Boundaries);
            statistics["seeded"] = seeded;
        }

        public void Breed(Genome parent1, Genome parent2, Genome child, double progress, Xoshiro256StarStar rng) =>
            MohamOptimizer.Breed(parent1, parent2, child, oneRow, options, rng);

        public void Decode(Genome member, Genome target) => GeminiOptimizer.Expand(member, target);

        public string Progress(int generation, int maxGenerations, ReadOnlySpan<Fitness> fitness, ReadOnlySpan<int> rank) =>
            $"moham generation {generation}: best EDP {SearchSupport.Format(Nsga2Core.BestEdp(fitness, rank))}";

        public void WriteStatistics(Dictionary<string, double> statistics)
        {
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
}
