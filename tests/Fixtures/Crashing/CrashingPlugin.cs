using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(Compass.Fixtures.Crashing.CrashingPlugin))]

namespace Compass.Fixtures.Crashing;

/// <summary>
/// Fault injection for the host's robustness tests (used together with the Sample fixture's hardware, model and
/// workload): <c>fx-crash</c> searches like a random optimizer and throws after <c>throwAfter</c> evaluations;
/// <c>fx-nan</c> is a compute cost model that answers NaN for GEMMs.
/// </summary>
public sealed class CrashingPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "Crashing";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptimizer("fx-crash", "Random mappings in batches of 4; throws after throwAfter evaluations", (options, _) =>
        {
            options.RejectUnknownKeys("throwAfter");
            return new CrashingOptimizer(options.GetInt32("throwAfter", 10, 0, 1_000_000));
        });
        services.AddOptimizer("fx-liar", "Evaluates the starting points, then reports a mapping it never evaluated with objective 1e-30", (options, _) =>
        {
            options.RejectUnknownKeys();
            return new LyingOptimizer();
        });
        services.AddComputeCostModel("fx-nan", "Returns NaN time and energy for every GEMM (numeric-safety fixture)", (options, _) =>
        {
            options.RejectUnknownKeys();
            return new NanCostModel();
        });
    }
}

/// <summary>Random search that throws <see cref="InvalidOperationException"/> once it has done <c>throwAfter</c> evaluations.</summary>
public sealed class CrashingOptimizer : IOptimizer
{
    private readonly int _throwAfter;

    /// <summary>Creates the optimizer.</summary>
    public CrashingOptimizer(int throwAfter) => _throwAfter = throwAfter;

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var random = new Random(context.Seed);
        var genomes = new List<Genome>();
        foreach (var start in context.StartingPoints) genomes.Add(start.Genome.Clone());
        var results = new Fitness[Math.Max(4, genomes.Count)];
        while (!context.ShouldStop)
        {
            if (context.EvaluationsDone >= _throwAfter)
                throw new InvalidOperationException($"fx-crash gives up after {context.EvaluationsDone} evaluations");
            while (genomes.Count < 4)
            {
                var g = space.CreateGenome();
                for (var i = 0; i < g.Assignment.Length; i++) g.Assignment[i] = random.Next(space.ChipletCount);
                for (var i = 0; i < g.Boundaries.Length; i++) g.Boundaries[i] = (byte)random.Next(2);
                genomes.Add(g);
            }
            if (context.Evaluate(genomes, results) == 0) break;
            genomes.Clear();
        }
        throw new InvalidOperationException("fx-crash never returns normally");
    }
}

/// <summary>Evaluates the starting points, then claims an unevaluated mapping (every gene on the last chiplet) has objective 1e-30.</summary>
public sealed class LyingOptimizer : IOptimizer
{
    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var genomes = context.StartingPoints.Select(s => s.Genome.Clone()).ToList();
        var results = new Fitness[genomes.Count];
        context.Evaluate(genomes, results);
        var claimed = context.Space.CreateGenome();
        for (var i = 0; i < claimed.Assignment.Length; i++) claimed.Assignment[i] = context.Space.ChipletCount - 1;
        return new SearchOutcome(claimed, new Fitness(1e-30, 1e-30, 1e-30, true), [claimed], new Dictionary<string, double>());
    }
}

/// <summary>NaN for every GEMM; element-wise operators get a plain finite cost.</summary>
public sealed class NanCostModel : IComputeCostModel
{
    /// <inheritdoc />
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken) =>
        op.Kind == OperatorKind.Gemm
            ? new OperatorCost(double.NaN, double.NaN, 0, 0, 0, 0, "nan")
            : new OperatorCost(op.Macs / chiplet.ClockGHz, 0, 0, 0, 0, 0, "vector");
}
