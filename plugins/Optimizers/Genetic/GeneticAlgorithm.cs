using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Compass.Optimizers.Operators;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Genetic;

/// <summary>How a GA generation replaces the previous one.</summary>
public enum GaReplacement
{
    /// <summary>Published: the elite plus population − elite children form the next generation.</summary>
    Generational,

    /// <summary>(μ + λ): the best distinct genomes among parents and children survive (structured default).</summary>
    Plus,
}

/// <summary>Options of the GA; defaults are the published values (docs/reference/compass-method.md §7).</summary>
public sealed record GeneticAlgorithmOptions
{
    /// <summary>Option keys.</summary>
    public static readonly string[] Keys = ["populationSize", "generations", "tournamentSize", "elitism", "deduplicate", "seedVariantFraction", "replacement", "crossoverProbability",
         "localSearchFraction", "localSearchBatch", "localSearchPatience", "adaptiveOperators", .. VariationOptions.Keys];

    /// <summary>Individuals per generation (published mixed-workload config: 50).</summary>
    public int PopulationSize { get; init; } = 50;

    /// <summary>Generations (published: 200); the run also stops on budget.</summary>
    public int Generations { get; init; } = 200;

    /// <summary>Tournament size, drawn with replacement (published: 5).</summary>
    public int TournamentSize { get; init; } = 5;

    /// <summary>Best individuals copied unchanged into the next generation (published: 1).</summary>
    public int Elitism { get; init; } = 1;

    /// <summary>Serve children identical to an already evaluated genome from a cache instead of spending budget (off in the published set).</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>
    /// Fraction of the initial population's non-seed slots filled with starting points changed by a few random moves
    /// instead of random genomes (published: 0, a random fill; structured default 0.5). Has no effect when the run is
    /// unseeded.
    /// </summary>
    public double SeedVariantFraction { get; init; } = 0.5;

    /// <summary>How the next generation is formed: the published generational replacement or (μ + λ) survivor selection.</summary>
    public GaReplacement Replacement { get; init; } = GaReplacement.Plus;

    /// <summary>Probability that a child is the crossover of its two parents; otherwise it is a copy of parent 1 (published: 1, every child).</summary>
    public double CrossoverProbability { get; init; } = 1.0;

    /// <summary>
    /// Share of the evaluations spent on the memetic step: after every generation the best individual is improved by a
    /// short hill climb (<see cref="EliteLocalSearch"/>). Published: 0 (no local search); structured default 0.5.
    /// </summary>
    public double LocalSearchFraction { get; init; } = 0.5;

    /// <summary>Candidate moves evaluated together per hill-climb step (the unit of parallelism).</summary>
    public int LocalSearchBatch { get; init; } = 8;

    /// <summary>Hill-climb steps without improvement after which a generation's climb ends early.</summary>
    public int LocalSearchPatience { get; init; } = 4;

    /// <summary>Adapt the hill climb's operator probabilities to each operator's success rate in this run (structured default; published: off).</summary>
    public bool AdaptiveOperators { get; init; } = true;

    /// <summary>Operator probabilities.</summary>
    public VariationOptions Variation { get; init; } = new();

    /// <summary>Reads and validates the options.</summary>
    public static GeneticAlgorithmOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys(Keys);
        var variation = VariationOptions.Read(section);
        var population = section.GetInt32("populationSize", 50, 2, 1_000_000);
        var structured = variation.Preset == OperatorPreset.Structured;
        return new GeneticAlgorithmOptions
        {
            PopulationSize = population,
            Generations = section.GetInt32("generations", 200, 1, int.MaxValue),
            TournamentSize = section.GetInt32("tournamentSize", 5, 1, 1_000_000),
            Elitism = section.GetInt32("elitism", 1, 0, population - 1),
            Deduplicate = section.GetBoolean("deduplicate", structured),
            SeedVariantFraction = section.GetDouble("seedVariantFraction", structured ? 0.5 : 0, 0, 1),
            Replacement = section.GetChoice("replacement", structured ? "plus" : "generational", "generational", "plus") == "plus"
                ? GaReplacement.Plus
                : GaReplacement.Generational,
            CrossoverProbability = section.GetDouble("crossoverProbability", 1.0, 0, 1),
            LocalSearchFraction = section.GetDouble("localSearchFraction", structured ? 0.5 : 0, 0, 0.95),
            LocalSearchBatch = section.GetInt32("localSearchBatch", 8, 1, 100_000),
            LocalSearchPatience = section.GetInt32("localSearchPatience", 4, 1, 1_000_000),
            AdaptiveOperators = section.GetBoolean("adaptiveOperators", structured),
            Variation = variation,
        };
    }
}

/// <summary>
/// The published Compass genetic algorithm (docs/reference/compass-method.md §7, <c>src/compass/GA.cpp</c>): tournament selection
/// with replacement, elitism, uniform crossover of the segmentation bits and segment-wise crossover of the
/// assignment along parent 1's boundaries, the segmentation mutations and the seven mapping mutations with their
/// three-phase probabilities; plus, unless <c>operators</c> is <c>published</c>, the structure-aware mutations.
/// The initial population starts with <see cref="ISearchContext.StartingPoints"/> and is filled with random genomes.
/// </summary>
public sealed class GeneticAlgorithm : IOptimizer
{
    /// <summary>Creates the optimizer.</summary>
    public GeneticAlgorithm(GeneticAlgorithmOptions options) => Options = options;

    /// <summary>The options.</summary>
    public GeneticAlgorithmOptions Options { get; }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var o = Options;
        var rng = new Xoshiro256StarStar(context.Seed, SearchSupport.GaStream);
        var variation = new GenomeVariation(o.Variation, space);
        var evaluator = new BatchEvaluator(context, o.Deduplicate, cancellationToken);
        var size = o.PopulationSize;
        var population = SearchSupport.NewGenomes(space, size);
        var next = SearchSupport.NewGenomes(space, size);
        var fitness = new Fitness[size];
        var nextFitness = new Fitness[size];
        var statistics = new Dictionary<string, double>();

        var seeded = SearchSupport.Seed(population, context, rng, out var rejected, variation, o.SeedVariantFraction);
        statistics["seeded"] = seeded;
        statistics["rejectedStartingPoints"] = rejected;
        var alive = evaluator.Evaluate(population, fitness);
        var generation = 0;
        var bestGeneration = 0;
        var lastBest = evaluator.BestFitness.Objective;

        // The published phase schedule runs on generation / generations. When the budget allows fewer generations,
        // the structured GA compresses the schedule onto the generations it will actually run.
        var children = size - o.Elitism;
        var climbPerGeneration = o.LocalSearchFraction > 0 ? Math.Max(1, (int)Math.Round(children * o.LocalSearchFraction / (1 - o.LocalSearchFraction))) : 0;
        var climber = climbPerGeneration > 0 ? new EliteLocalSearch(variation, space, o.LocalSearchBatch, o.AdaptiveOperators) : null;
        var planned = o.Generations;
        if (o.Variation.Preset == OperatorPreset.Structured && children + climbPerGeneration > 0)
            planned = (int)Math.Clamp(Math.Ceiling((double)context.EvaluationsLeft / (children + climbPerGeneration)), 1, o.Generations);
        var elite = new int[o.Elitism];
        var spare = o.Replacement == GaReplacement.Plus ? SearchSupport.NewGenomes(space, size) : [];
        var spareFitness = new Fitness[o.Replacement == GaReplacement.Plus ? size : 0];

        while (alive == size && generation < o.Generations && !evaluator.Stopped)
        {
            generation++;
            var progress = Math.Min(1.0, (double)generation / planned);
            SelectElite(fitness, elite);
            for (var e = 0; e < elite.Length; e++)
            {
                next[e].CopyFrom(population[elite[e]]);
                nextFitness[e] = fitness[elite[e]];
            }
            for (var i = elite.Length; i < size; i++)
            {
                var p1 = population[SearchSupport.Tournament(fitness, size, o.TournamentSize, rng)];
                var p2 = population[SearchSupport.Tournament(fitness, size, o.TournamentSize, rng)];
                if (rng.Chance(o.CrossoverProbability)) variation.Cross(p1, p2, next[i], rng);
                else next[i].CopyFrom(p1);
                variation.Mutate(next[i], progress, rng);
            }
            var done = evaluator.Evaluate(new ArraySegment<Genome>(next, elite.Length, children), nextFitness.AsSpan(elite.Length));
            if (o.Replacement == GaReplacement.Plus)
            {
                SurvivorsPlus(population, fitness, next, nextFitness, elite.Length, done, spare, spareFitness);
                (population, spare) = (spare, population);
                (fitness, spareFitness) = (spareFitness, fitness);
                alive = size;
            }
            else
            {
                (population, next) = (next, population);
                (fitness, nextFitness) = (nextFitness, fitness);
                alive = elite.Length + done;
            }
            if (climber is not null && alive == size && !evaluator.Stopped)
            {
                var top = 0;
                for (var i = 1; i < size; i++) if (fitness[i].Objective < fitness[top].Objective) top = i;
                climber.Climb(population[top], ref fitness[top], climbPerGeneration, o.LocalSearchPatience, progress, evaluator, rng);
            }
            if (evaluator.BestFitness.Objective < lastBest)
            {
                lastBest = evaluator.BestFitness.Objective;
                bestGeneration = generation;
            }
            context.ReportProgress($"ga generation {generation}/{o.Generations}: best {SearchSupport.Format(lastBest)}");
        }

        statistics["generations"] = generation;
        statistics["plannedGenerations"] = planned;
        statistics["bestGeneration"] = bestGeneration;
        climber?.WriteStatistics(statistics);
        variation.WriteStatistics(statistics);
        return evaluator.Outcome(population[0], null, statistics);
    }

    /// <summary>
    /// (μ + λ) survivor selection: the <c>size</c> best of parents and evaluated children, distinct genomes first (a
    /// copy of a survivor only fills a slot when there are not enough distinct ones), ties to parents, then to order.
    /// </summary>
    private static void SurvivorsPlus(Genome[] parents, Fitness[] parentFitness, Genome[] next, Fitness[] nextFitness, int firstChild, int children, Genome[] into, Fitness[] intoFitness)
    {
        var size = parents.Length;
        var pool = new List<(Genome Genome, Fitness Fitness, int Order)>(size + children);
        for (var i = 0; i < size; i++) pool.Add((parents[i], parentFitness[i], i));
        for (var i = 0; i < children; i++) pool.Add((next[firstChild + i], nextFitness[firstChild + i], size + i));
        pool.Sort((a, b) =>
        {
            var c = a.Fitness.Objective.CompareTo(b.Fitness.Objective);
            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });
        var seen = new HashSet<ulong>();
        var taken = new bool[pool.Count];
        var k = 0;
        for (var i = 0; i < pool.Count && k < size; i++)
        {
            if (!seen.Add(pool[i].Genome.ContentHash())) continue;
            taken[i] = true;
            into[k].CopyFrom(pool[i].Genome);
            intoFitness[k++] = pool[i].Fitness;
        }
        for (var i = 0; i < pool.Count && k < size; i++)
        {
            if (taken[i]) continue;
            into[k].CopyFrom(pool[i].Genome);
            intoFitness[k++] = pool[i].Fitness;
        }
    }

    private static void SelectElite(Fitness[] fitness, int[] elite)
    {
        for (var e = 0; e < elite.Length; e++)
        {
            var best = -1;
            for (var i = 0; i < fitness.Length; i++)
            {
                if (Array.IndexOf(elite, i, 0, e) >= 0) continue;
                if (best < 0 || fitness[i].Objective < fitness[best].Objective) best = i;
            }
            elite[e] = best;
        }
    }
}
