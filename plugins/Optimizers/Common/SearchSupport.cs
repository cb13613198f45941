using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Optimizers.Operators;

namespace Compass.Optimizers.Common;

/// <summary>Helpers shared by the optimizers: seeding populations, tournaments, stream ids.</summary>
public static class SearchSupport
{
    /// <summary>Random stream id of the GA.</summary>
    public const ulong GaStream = 0x6761;

    /// <summary>Random stream id of random search.</summary>
    public const ulong RandomStream = 0x72616E64;

    /// <summary>Random stream id of simulated annealing.</summary>
    public const ulong AnnealingStream = 0x7361;

    /// <summary>Random stream id of the coupled-encoding annealing.</summary>
    public const ulong CoupledAnnealingStream = 0x63736100;

    /// <summary>Random stream id of NSGA-II.</summary>
    public const ulong Nsga2Stream = 0x6E736761;

    /// <summary>
    /// Fills <paramref name="population"/> with copies of the valid starting points (in order, up to its length),
    /// then, when <paramref name="variation"/> is given and starting points exist, a fraction
    /// <paramref name="variantFraction"/> of the remaining slots with starting points changed by 1–4 random moves
    /// (<see cref="GenomeVariation.ApplyOneMove(Genome, double, Xoshiro256StarStar)"/>), then uniformly random genomes. Returns how many starting points
    /// were used; invalid ones are skipped and counted in <paramref name="rejected"/>.
    /// </summary>
    public static int Seed(Genome[] population, ISearchContext context, Xoshiro256StarStar rng, out int rejected,
        GenomeVariation? variation = null, double variantFraction = 0)
    {
        var space = context.Space;
        var used = 0;
        rejected = 0;
        foreach (var start in context.StartingPoints)
        {
            if (used == population.Length) break;
            if (!space.IsValid(start.Genome, out _)) { rejected++; continue; }
            population[used++].CopyFrom(start.Genome);
        }
        var next = used;
        if (variation is not null && used > 0)
        {
            var variants = (int)Math.Round(variantFraction * (population.Length - used));
            for (var k = 0; k < variants; k++, next++)
            {
                population[next].CopyFrom(population[k % used]);
                var moves = 1 + rng.NextInt(4);
                for (var m = 0; m < moves; m++) variation.ApplyOneMove(population[next], 0, rng);
            }
        }
        for (var i = next; i < population.Length; i++) MutationOperators.Randomize(population[i], space, rng);
        return used;
    }

    /// <summary>Allocates <paramref name="count"/> genomes of the space.</summary>
    public static Genome[] NewGenomes(MappingSpace space, int count)
    {
        var result = new Genome[count];
        for (var i = 0; i < count; i++) result[i] = space.CreateGenome();
        return result;
    }

    /// <summary>Tournament of <paramref name="size"/> draws with replacement over the first <paramref name="count"/> entries; the lowest objective wins (first drawn on ties).</summary>
    public static int Tournament(ReadOnlySpan<Fitness> fitness, int count, int size, Xoshiro256StarStar rng)
    {
        var best = rng.NextInt(count);
        for (var k = 1; k < size; k++)
        {
            var c = rng.NextInt(count);
            if (fitness[c].Objective < fitness[best].Objective) best = c;
        }
        return best;
    }

    /// <summary>A readable objective for progress lines.</summary>
    public static string Format(double objective) => objective.ToString("G5", System.Globalization.CultureInfo.InvariantCulture);
}
