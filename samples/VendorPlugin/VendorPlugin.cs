using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(VendorPlugin.VendorPluginEntry))]

namespace VendorPlugin;

/// <summary>
/// A vendor plugin built outside the Compass solution against the Compass.Abstractions package alone.
/// It contributes a chiplet type, a cost model that corrects the default one, and an optimizer.
/// </summary>
public sealed class VendorPluginEntry : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "vendor-sample";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddChipletType(VendorChiplets.NpuX1);
        services.AddComputeCostModel(
            "vendor-corrected",
            "the built-in dataflow model with a vendor correction factor on chiplets named vendor-*",
            (options, sp) => VendorCorrectedCostModel.Create(options, sp));
        services.AddOptimizer(
            "hill-climb",
            "first-improvement hill climber over single-gene moves (sample plugin)",
            (options, _) => new HillClimber(options.GetInt32("batchSize", 16, 1, 1024)));
    }
}

/// <summary>The vendor's chiplet: an illustrative weight-stationary NPU (numbers are the sample's own, not a product's).</summary>
public static class VendorChiplets
{
    /// <summary>64×64 weight-stationary array at 1.2 GHz, 8 MB global buffer.</summary>
    public static ChipletType NpuX1 { get; } = new()
    {
        Name = "vendor-npu-x1",
        Description = "sample vendor NPU: 64x64 weight-stationary, 1.2 GHz, 8 MB global buffer (illustrative numbers)",
        Source = "samples/VendorPlugin (illustrative)",
        Dataflow = Dataflow.WeightStationary,
        PeArrayRows = 64,
        PeArrayColumns = 64,
        ClockGHz = 1.2,
        Precisions = [new PrecisionRate(8, 4096, 0.03), new PrecisionRate(16, 2048, 0.11)],
        Buffers =
        [
            new BufferLevel("register", 2, 4096, 8192, 0.01, 0.01, "weights"),
            new BufferLevel("global", 8L << 20, 1, 512, 0.35, 0.4, "all"),
        ],
        VectorOpsPerCycle = 256,
        VectorEnergyPerOpPj = 0.08,
        StaticPowerW = 1.5,
        AreaMm2 = 48,
        ProcessNm = 7,
    };
}

/// <summary>Wraps another compute cost model and scales the time of the vendor's chiplets by a measured correction factor.</summary>
public sealed class VendorCorrectedCostModel : IComputeCostModel
{
    private readonly IComputeCostModel _inner;
    private readonly double _factor;

    private VendorCorrectedCostModel(IComputeCostModel inner, double factor)
    {
        _inner = inner;
        _factor = factor;
    }

    /// <summary>Creates the model around the registered model named by option <c>base</c> (default <c>dataflow</c>).</summary>
    public static VendorCorrectedCostModel Create(IConfiguration options, IServiceProvider services)
    {
        var baseName = options.GetString("base", "dataflow");
        var factor = options.GetPositiveDouble("correctionFactor", 1.15);
        var factory = services.GetServices<IComponentFactory<IComputeCostModel>>()
            .FirstOrDefault(f => string.Equals(f.Name, baseName, StringComparison.OrdinalIgnoreCase))
            ?? throw new CompassInputException(OptionsReader.PathOf(options, "base"), $"no compute cost model named '{baseName}'");
        return new VendorCorrectedCostModel(factory.Create(options.GetSection("baseOptions"), services), factor);
    }

    /// <inheritdoc />
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        var cost = _inner.Estimate(chiplet, op, cancellationToken);
        return chiplet.Name.StartsWith("vendor-", StringComparison.Ordinal)
            ? cost with { TimeNs = cost.TimeNs * _factor, Tiling = cost.Tiling + $" (vendor correction x{_factor})" }
            : cost;
    }
}

/// <summary>
/// First-improvement hill climber: from the best starting point, evaluate a batch of single-gene moves and keep the
/// best one when it improves. Deterministic for the context's seed.
/// </summary>
public sealed class HillClimber(int batchSize) : IOptimizer
{
    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var random = new Random(context.Seed);
        var current = context.StartingPoints.Count > 0 ? context.StartingPoints[0].Genome.Clone() : space.CreateGenome();
        var first = new Fitness[1];
        context.Evaluate([current], first);
        var best = first[0];
        var accepted = 0;
        var candidates = new List<Genome>(batchSize);
        var results = new Fitness[batchSize];
        while (!context.ShouldStop && !cancellationToken.IsCancellationRequested)
        {
            candidates.Clear();
            for (var i = 0; i < batchSize; i++)
            {
                var c = current.Clone();
                var index = random.Next(c.Assignment.Length);
                c.Assignment[index] = random.Next(space.ChipletCount);
                if (c.Boundaries.Length > 0 && random.NextDouble() < 0.2)
                    c.Boundaries[random.Next(c.Boundaries.Length)] ^= 1;
                candidates.Add(c);
            }
            var done = context.Evaluate(candidates, results);
            var pick = -1;
            for (var i = 0; i < done; i++)
                if (results[i].IsValid && results[i].Objective < best.Objective && (pick < 0 || results[i].Objective < results[pick].Objective)) pick = i;
            if (pick >= 0)
            {
                current = candidates[pick];
                best = results[pick];
                accepted++;
            }
            context.ReportProgress($"hill-climb: {accepted} moves accepted");
            if (done < candidates.Count) break;
        }
        return new SearchOutcome(current, best, [], new Dictionary<string, double> { ["acceptedMoves"] = accepted });
    }
}
