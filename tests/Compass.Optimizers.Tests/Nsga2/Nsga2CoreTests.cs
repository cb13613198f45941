using System.Globalization;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Abstractions.Evaluation;

namespace Compass.Optimizers.Tests;

/// <summary>
/// <c>nsga2</c> and <c>moham</c> run one NSGA-II generational core (<c>Nsga2Core</c>); <c>moham</c> only supplies its
/// coupled one-row encoding, seeding and breeding. The fingerprints below were recorded from the two separate
/// generational loops before they were merged (commit 0746892): every evaluated objective in order, the best genome, the
/// final front and the generation count are bit-identical on the shared core.
/// </summary>
public sealed class Nsga2CoreTests
{
    private static readonly ToyProblem Medium = ToyProblem.Create(8, 3, 5, 3, 3);

    /// <summary>FNV-1a over the bits of every evaluated objective, the best genome's hash and the front's hashes.</summary>
    private static string Fingerprint(SearchOutcome outcome, List<double> history)
    {
        var h = 14695981039346656037UL;
        void Add(ulong x)
        {
            for (var i = 0; i < 8; i++) { h ^= (x >> (8 * i)) & 0xFF; h *= 1099511628211UL; }
        }
        foreach (var objective in history) Add((ulong)BitConverter.DoubleToInt64Bits(objective));
        var historyHash = h;
        h = 14695981039346656037UL;
        foreach (var g in outcome.ParetoSet) Add(g.ContentHash());
        return string.Create(CultureInfo.InvariantCulture,
            $"evaluations {history.Count} history {historyHash:x16} best {outcome.Best.ContentHash():x16} objective {outcome.BestFitness.Objective:R} "
            + $"front {outcome.ParetoSet.Count} {h:x16} generations {outcome.Statistics["generations"]}");
    }

    [Theory]
    [InlineData("nsga2", 2, 1500,
        "evaluations 1500 history 4c4561d0e336ab37 best 7068cdc1546b03f6 objective 46798867320 front 7 9b7c807def0a88dc generations 30")]
    [InlineData("nsga2", 7, 900,
        "evaluations 900 history a4e7419cb8b315a8 best 52c500f22d5eabdc objective 48231799380 front 10 3668397f2660ac23 generations 18")]
    [InlineData("moham", 2, 1200,
        "evaluations 1200 history 29fb7a9ffed19391 best ed6a04412083a81d objective 71815828905 front 1 e851acbd9bcd7543 generations 30")]
    [InlineData("moham", 5, 700,
        "evaluations 700 history 74f21c030a70aed2 best 2dabbf71a6f5a775 objective 72978150505 front 2 1ca8af36723bf5d3 generations 17")]
    public void OnTheToyProblemEveryEvaluationMatchesTheSeparateLoops(string optimizer, int seed, int budget, string expected)
    {
        var context = new ToySearchContext(Medium, budget, seed, seeded: true);
        var outcome = OptimizerFactory.Run(optimizer, context);
        Assert.Equal(expected, Fingerprint(outcome, context.History));
    }

    /// <summary>
    /// The toy problem with two levers (micro-batch size 1/2/4, TP 8/16) that scale latency and energy, so that the
    /// lever genes are crossed, stepped and selected (the toy evaluation does not depend on the cost models).
    /// </summary>
    private static (MappingSpace Space, Func<Genome, Fitness> Evaluate) Levered()
    {
        var plain = Medium.Space;
        var space = new MappingSpace(plain.MicroBatchCount, plain.Genes, plain.MeshWidth, plain.MeshHeight, plain.ChipletTypeIndex, plain.ChipletTypeNames,
            [new LeverInfo("graph.microBatchSize", LeverKind.MicroBatchSize, [1, 2, 4]), new LeverInfo("graph.tensorParallel", LeverKind.TensorParallel, [8, 16])]);
        return (space, genome =>
        {
            if (!space.IsValid(genome, out _)) return Fitness.Invalid;
            var copy = plain.CreateGenome();
            genome.Assignment.AsSpan().CopyTo(copy.Assignment);
            genome.Boundaries.AsSpan().CopyTo(copy.Boundaries);
            var f = Medium.Evaluate(copy);
            var latency = f.LatencyNs * (1.0 - (0.2 * genome.Levers[0])) * (1.0 + (0.1 * genome.Levers[1]));
            var energy = f.EnergyPj * (1.0 + (0.15 * genome.Levers[0])) * (1.0 - (0.05 * genome.Levers[1]));
            return new Fitness(latency, energy, latency * energy, f.IsValid);
        });
    }

    [Theory]
    [InlineData("nsga2", "evaluations 800 history 9f06026fdd0f812b best c5875428d66ae17e objective 38907129011.4 front 29 a6999b05236a68bb generations 16")]
    [InlineData("moham", "evaluations 800 history 4319d5cf671afe05 best 284204c4ea6c799a objective 65774669432.6 front 3 c7f61ee1033e271e generations 20")]
    public void WithLeversEveryEvaluationMatchesTheSeparateLoops(string optimizer, string expected)
    {
        var (space, evaluate) = Levered();
        var context = new ToySearchContext(space, evaluate, 800, 3, seeded: true);
        var outcome = OptimizerFactory.Run(optimizer, context);
        // Larger micro-batches (×0.8 latency, ×1.15 energy per step) beat the default 1: the lever genes moved.
        Assert.NotEqual(0, outcome.Best.Levers[0]);
        Assert.Equal(expected, Fingerprint(outcome, context.History));
    }
}
