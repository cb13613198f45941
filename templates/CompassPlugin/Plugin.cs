using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(CompassPlugin1.Plugin))]

namespace CompassPlugin1;

/// <summary>Plugin entry point: registers this plugin's contributions by name.</summary>
public sealed class Plugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "CompassPlugin1";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddChipletType(new ChipletType
        {
            Name = "compassplugin1-chiplet",
            Description = "template chiplet: 32x32 output-stationary at 1 GHz, 2 MB buffer",
            Dataflow = Dataflow.OutputStationary,
            PeArrayRows = 32,
            PeArrayColumns = 32,
            ClockGHz = 1.0,
            Precisions = [new PrecisionRate(8, 1024, 0.04), new PrecisionRate(16, 512, 0.15)],
            Buffers = [new BufferLevel("global", 2L << 20, 1, 128, 0.2, 0.25, "all")],
        });
        services.AddOptimizer("compassplugin1-greedy", "template optimizer: evaluates the starting points, then random restarts",
            (options, _) => new GreedyRestarts(options.GetInt32("batchSize", 8, 1, 1024)));
    }
}

/// <summary>Evaluates the heuristic starting points, then random genomes in batches; keeps the best.</summary>
public sealed class GreedyRestarts(int batchSize) : IOptimizer
{
    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var random = new Random(context.Seed);
        Genome? best = null;
        var bestFitness = Fitness.Invalid;
        var batch = context.StartingPoints.Select(p => p.Genome).ToList();
        while (!context.ShouldStop && !cancellationToken.IsCancellationRequested)
        {
            if (batch.Count == 0)
            {
                for (var i = 0; i < batchSize; i++)
                {
                    var g = context.Space.CreateGenome();
                    for (var j = 0; j < g.Assignment.Length; j++) g.Assignment[j] = random.Next(context.Space.ChipletCount);
                    batch.Add(g);
                }
            }
            var results = new Fitness[batch.Count];
            var done = context.Evaluate(batch, results);
            for (var i = 0; i < done; i++)
            {
                if (results[i].IsValid && results[i].Objective < bestFitness.Objective)
                {
                    best = batch[i];
                    bestFitness = results[i];
                }
            }
            batch = [];
            if (done == 0) break;
        }
        return new SearchOutcome(best ?? context.Space.CreateGenome(), bestFitness, [], new Dictionary<string, double>());
    }
}
