using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Gemini;

/// <summary>Options of <c>gemini</c>.</summary>
public sealed record GeminiOptions
{
    /// <summary>Option keys.</summary>
    public static readonly string[] Keys = ["operatorWeights", "temperatureScale", "switchToBestAt", "boundaryCost", "deduplicate"];

    /// <summary>Base weights of the seven operators (Gemini: 10, 10, 20, 20, 20, 20, 40).</summary>
    public IReadOnlyList<int> OperatorWeights { get; init; } = LayerPipelineTree.BaseWeights;

    /// <summary>T₀ of the schedule T(x) = T₀·(1 − x)/(1 + 8x) (Gemini: 0.07, its 0.1 scaled by 0.7 "since only 1/100 are good").</summary>
    public double TemperatureScale { get; init; } = 0.07;

    /// <summary>Fraction of the rounds after which the search continues from the best solution (Gemini: 0.9).</summary>
    public double SwitchToBestAt { get; init; } = 0.9;

    /// <summary>Cost added per segment boundary by the segmentation DP (in the units of the genes' average MACs); 0 = none.</summary>
    public double BoundaryCost { get; init; }

    /// <summary>Serve repeated genomes from a cache instead of spending budget.</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>Reads and validates the options.</summary>
    public static GeminiOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys(Keys);
        var weights = section.GetSection("operatorWeights").GetChildren().ToList();
        int[] w = [.. LayerPipelineTree.BaseWeights];
        if (weights.Count > 0)
        {
            var path = OptionsReader.PathOf(section, "operatorWeights");
            if (weights.Count != 7) throw new CompassInputException(path, $"must list 7 weights (one per Gemini operator), got {weights.Count}");
            for (var i = 0; i < 7; i++)
            {
                if (!int.TryParse(weights[i].Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var x) || x < 0 || x > 1_000_000)
                    throw new CompassInputException($"{path}[{i}]", $"must be an integer in [0, 1000000], got '{weights[i].Value}'");
                w[i] = x;
            }
            if (w.Sum() == 0) throw new CompassInputException(path, "at least one weight must be positive");
        }
        return new GeminiOptions
        {
            OperatorWeights = w,
            TemperatureScale = section.GetDouble("temperatureScale", 0.07, 1e-9, 1e6),
            SwitchToBestAt = section.GetDouble("switchToBestAt", 0.9, 0, 1),
            BoundaryCost = section.GetDouble("boundaryCost", 0, 0, double.MaxValue),
            Deduplicate = section.GetBoolean("deduplicate", true),
        };
    }
}

/// <summary>
/// Gemini's layer-pipeline mapping (Cai et al., "Gemini: Mapping and Architecture Co-exploration for Large-scale DNN
/// Chiplet Accelerators", HPCA 2024; SET-Scheduling-Project/GEMINI-HPCA2024 <c>src/main.cpp</c> <c>SAEngine</c>) as a
/// baseline over the Compass encoding:
/// <list type="number">
/// <item>a start from the dynamic program over segmentation (<see cref="SegmentationDp"/>) on the genes' average MACs,
/// each segment's genes placed on distinct chiplets along a snake path of the mesh;</item>
/// <item>simulated annealing over the layer-pipeline tree with the seven operators of <see cref="LayerPipelineTree"/>:
/// every round picks a layer uniformly, then an operator by the base weights 10/10/20/20/20/20/40 among the valid ones,
/// and redraws both until a move is made;</item>
/// <item>acceptance of a worse cost with probability exp(−((c_new − c_cur)/c_cur)/T), T(x) = 0.07·(1 − x)/(1 + 8x), x the
/// fraction of rounds done (one round = one evaluation of the budget);</item>
/// <item>from 90 % of the rounds on, the search continues from the best solution found;</item>
/// <item>one assignment shared by every micro-batch: the genome is coupled (every row identical).</item>
/// </list>
/// Gemini assumes homogeneous chiplets and a fixed sequence length; on a heterogeneous package it ignores the chiplet
/// types, and padding comes from the scenario (<c>workload.padding</c>), not from the optimizer.
/// </summary>
public sealed class GeminiOptimizer : IOptimizer
{
    /// <summary>Random stream id of <c>gemini</c>.</summary>
    public const ulong Stream = 0x67656D69;

    /// <summary>Creates the optimizer.</summary>
    public GeminiOptimizer(GeminiOptions options) => Options = options;

    /// <summary>The options.</summary>
    public GeminiOptions Options { get; }

    /// <summary>Gemini's temperature at progress <paramref name="x"/> ∈ [0, 1): T₀·(1 − x)/(1 + 8x).</summary>
    public static double Temperature(double x, double scale = 0.07) => scale * (1 - x) / (1 + (8 * x));

    /// <summary>Gemini's acceptance probability of a move from cost <paramref name="current"/> to <paramref name="candidate"/> at temperature <paramref name="temperature"/>.</summary>
    public static double AcceptanceProbability(double current, double candidate, double temperature)
    {
        if (candidate <= current) return 1;
        if (!(temperature > 0) || !(current > 0)) return 0;
        return Math.Exp(-((candidate - current) / current) / temperature);
    }

    /// <summary>
    /// The starting layer pipeline of a space as a one-row genome: DP segmentation over the genes' average MACs, each
    /// segment's genes on consecutive chiplets of the snake path (row 0 left to right, row 1 right to left, ...).
    /// </summary>
    public static Genome InitialPipeline(MappingSpace space, double boundaryCost = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        var oneRow = OneRow(space);
        var work = new double[space.GeneCount];
        for (var g = 0; g < work.Length; g++) work[g] = space.Genes[g].AverageMacs + 1;
        var (bits, _) = SegmentationDp.Solve(work, space.ChipletCount, space.MicroBatchCount, boundaryCost);
        var genome = oneRow.CreateGenome();
        bits.CopyTo(genome.Boundaries, 0);
        var snake = Snake(space);
        var k = 0;
        for (var g = 0; g < genome.GeneCount; g++)
        {
            genome.Assignment[g] = snake[k++];
            if (g < bits.Length && bits[g] != 0) k = 0;
        }
        return genome;
    }

    /// <summary>Chiplet ids along the boustrophedon path of the mesh (neighbours on the path are neighbours on the mesh).</summary>
    public static int[] Snake(MappingSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var path = new int[space.ChipletCount];
        var k = 0;
        for (var y = 0; y < space.MeshHeight; y++)
            for (var i = 0; i < space.MeshWidth; i++)
                path[k++] = (y * space.MeshWidth) + (y % 2 == 0 ? i : space.MeshWidth - 1 - i);
        return path;
    }

    /// <summary>
    /// One Gemini move on a one-row genome: a layer drawn uniformly, an operator drawn by weight among those with
    /// positive weight, redrawn until a move changes the genome (at most <paramref name="maxTries"/> draws). Returns
    /// the operator applied, or −1.
    /// </summary>
    public static int Change(LayerPipelineTree tree, Genome genome, IReadOnlyList<int> weights, Xoshiro256StarStar rng, int maxTries = 4096)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(rng);
        var total = 0;
        foreach (var w in weights) total += w;
        for (var tries = 0; tries < maxTries; tries++)
        {
            var layer = rng.NextInt(genome.GeneCount);
            var r = rng.NextInt(total);
            var op = 0;
            while (r >= weights[op]) r -= weights[op++];
            if (tree.Apply(op, genome, layer, rng)) return op;
        }
        return -1;
    }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var space = context.Space;
        var o = Options;
        var rng = new Xoshiro256StarStar(context.Seed, Stream);
        var oneRow = OneRow(space);
        var tree = new LayerPipelineTree(oneRow);
        var evaluator = new BatchEvaluator(context, o.Deduplicate, cancellationToken);
        var statistics = new Dictionary<string, double>();
        // Gemini masks the batch operators when the batch cannot be cut further; here the micro-batch count is the
        // scenario's, so they never have a move (see LayerPipelineTree) and are masked from the start.
        var weights = o.OperatorWeights.ToArray();
        weights[4] = weights[5] = 0;
        if (weights.Sum() == 0) weights[6] = 1;

        var current = InitialPipeline(space, o.BoundaryCost);
        var full = space.CreateGenome();
        Expand(current, full);
        if (!evaluator.EvaluateOne(full, out var currentFitness)) return evaluator.Outcome(full, null, statistics);
        statistics["initialSegments"] = current.Segments().Count;
        var best = current.Clone();
        var bestFitness = currentFitness;
        var candidate = oneRow.CreateGenome();
        var applied = new long[7];
        var accepted = new long[7];
        long rounds = 0, acceptedWorse = 0, invalid = 0, noMove = 0;
        var budget = Math.Max(1, context.EvaluationsLeft + context.EvaluationsDone);
        var start = context.EvaluationsDone;
        var span = Math.Max(1, budget - start);
        var usingBest = false;
        var maxRounds = 20L * span;
        while (!evaluator.Stopped && rounds < maxRounds)
        {
            var x = Math.Min(1.0, (double)(context.EvaluationsDone - start) / span);
            if (!usingBest && x >= o.SwitchToBestAt)
            {
                usingBest = true;
                current.CopyFrom(best);
                currentFitness = bestFitness;
            }
            candidate.CopyFrom(current);
            var op = Change(tree, candidate, weights, rng);
            rounds++;
            if (op < 0) { noMove++; break; }
            applied[op]++;
            Expand(candidate, full);
            if (!evaluator.EvaluateOne(full, out var f)) break;
            if (!f.IsValid) { invalid++; continue; }
            if (f.Objective < bestFitness.Objective)
            {
                best.CopyFrom(candidate);
                bestFitness = f;
            }
            if (f.Objective <= currentFitness.Objective || rng.NextDouble() < AcceptanceProbability(currentFitness.Objective, f.Objective, Temperature(x, o.TemperatureScale)))
            {
                if (f.Objective > currentFitness.Objective) acceptedWorse++;
                accepted[op]++;
                current.CopyFrom(candidate);
                currentFitness = f;
            }
            if (rounds % 64 == 0) context.ReportProgress($"gemini round {rounds} T={SearchSupport.Format(Temperature(x, o.TemperatureScale))}: best {SearchSupport.Format(bestFitness.Objective)}");
        }
        statistics["rounds"] = rounds;
        statistics["acceptedWorseMoves"] = acceptedWorse;
        statistics["invalidCandidates"] = invalid;
        statistics["noMoveFound"] = noMove;
        statistics["bestSegments"] = best.Segments().Count;
        for (var i = 0; i < 7; i++)
        {
            statistics["operator." + LayerPipelineTree.OperatorNames[i]] = applied[i];
            statistics["accepted." + LayerPipelineTree.OperatorNames[i]] = accepted[i];
        }
        Expand(best, full);
        var outcome = evaluator.Outcome(full, null, statistics);
        // The best of the run (the evaluator's) is coupled too: every genome it saw was.
        return outcome;
    }

    /// <summary>The one-row space of the coupled encoding.</summary>
    public static MappingSpace OneRow(MappingSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return new MappingSpace(1, space.Genes, space.MeshWidth, space.MeshHeight, space.ChipletTypeIndex, space.ChipletTypeNames, space.Levers);
    }

    /// <summary>Copies a one-row genome into every row of <paramref name="full"/> (the coupled expansion).</summary>
    public static void Expand(Genome oneRow, Genome full)
    {
        ArgumentNullException.ThrowIfNull(oneRow);
        ArgumentNullException.ThrowIfNull(full);
        oneRow.Boundaries.AsSpan().CopyTo(full.Boundaries);
        oneRow.Levers.AsSpan().CopyTo(full.Levers);
        var row = oneRow.Row(0);
        for (var b = 0; b < full.MicroBatchCount; b++) row.CopyTo(full.Row(b));
    }
}
