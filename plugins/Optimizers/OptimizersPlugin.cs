using Compass.Abstractions.Plugins;
using Compass.Optimizers.Annealing;
using Compass.Optimizers.Baselines;
using Compass.Optimizers.Exhaustive;
using Compass.Optimizers.Gemini;
using Compass.Optimizers.Genetic;
using Compass.Optimizers.Nsga2;
using Compass.Optimizers.RandomSearch;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(Compass.Optimizers.OptimizersPlugin))]

namespace Compass.Optimizers;

/// <summary>
/// Registers the search algorithms: <c>ga</c> (published Compass GA plus structure-aware operators), <c>random</c>,
/// <c>sa</c>, <c>coupled-sa</c>, <c>baseline</c>, <c>exhaustive</c>, <c>nsga2</c>, and the prior-work baselines
/// <c>gemini</c> and <c>moham</c>. Every factory validates its
/// options before the run starts (docs/optimizers.md lists them with their defaults).
/// </summary>
public sealed class OptimizersPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "optimizers";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptimizer("ga", "Compass genetic algorithm (published operators + structure-aware mutations; \"operators\": \"published\" for the original)",
            (options, _) => new GeneticAlgorithm(GeneticAlgorithmOptions.Read(options)));
        services.AddOptimizer("random", "Random search: starting points, then uniformly random genomes in batches",
            (options, _) => new RandomSearchOptimizer(RandomSearchOptions.Read(options)));
        services.AddOptimizer("sa", "Simulated annealing with the GA's mutations as moves, batched candidates, restarts",
            (options, _) => new SimulatedAnnealing(SimulatedAnnealingOptions.Read(options), coupled: false));
        services.AddOptimizer("coupled-sa", "Gemini-style baseline: simulated annealing over the coupled encoding (every micro-batch identical)",
            (options, _) => new SimulatedAnnealing(SimulatedAnnealingOptions.Read(options), coupled: true));
        services.AddOptimizer("baseline", "Heuristic mappings (pipeline, tensor parallel, micro-batch parallel, pipeline x tensor grid); best of them",
            (options, _) => new BaselineOptimizer(BaselineOptions.Read(options)));
        services.AddOptimizer("exhaustive", "Enumerates every genome of a small space (refuses above optimizer.options.maxSpaceSize)",
            (options, _) => new ExhaustiveSearch(ExhaustiveOptions.Read(options)));
        services.AddOptimizer("gemini", "Gemini (HPCA 2024) baseline: SA over the layer-pipeline tree (7 operators, weights 10/10/20/20/20/20/40, T = 0.07(1-x)/(1+8x)) from a DP segmentation; coupled",
            (options, _) => new GeminiOptimizer(GeminiOptions.Read(options)));
        services.AddOptimizer("moham", "MOHaM/Stream-style baseline: NSGA-II over a coupled layer-to-chiplet assignment, one list-scheduled segment; best = min EDP on the front",
            (options, _) => new MohamOptimizer(MohamOptions.Read(options)));
        services.AddOptimizer("nsga2", "NSGA-II over latency and energy; writes the Pareto front, best = min EDP on it",
            (options, _) => new Nsga2Optimizer(Nsga2Options.Read(options)));
    }
}
