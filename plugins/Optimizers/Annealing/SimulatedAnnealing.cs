using Compass.Abstractions.Sampling;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Optimizers.Common;
using Compass.Optimizers.Operators;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Annealing;

/// <summary>Cooling schedule of simulated annealing.</summary>
public enum CoolingSchedule
{
    /// <summary>T ← factor · T after every <see cref="SimulatedAnnealingOptions.StepsPerTemperature"/> steps.</summary>
    Geometric,

    /// <summary>T falls linearly from T₀ to 0 over each leg's evaluation budget, in levels of <see cref="SimulatedAnnealingOptions.StepsPerTemperature"/> steps.</summary>
    Linear,
}

/// <summary>Options of simulated annealing (<c>sa</c> and <c>coupled-sa</c>).</summary>
public sealed record SimulatedAnnealingOptions
{
    /// <summary>Option keys.</summary>
    public static readonly string[] Keys =
        ["initialTemperature", "cooling", "coolingFactor", "finalTemperatureRatio", "stepsPerTemperature", "restarts", "batchSize", "autoSamples", "deduplicate", .. VariationOptions.Keys];

    /// <summary>T₀ on the ln(objective) scale (a move worsening the objective by a factor e^T₀ is accepted with probability 1/e); 0 = automatic.</summary>
    public double InitialTemperature { get; init; }

    /// <summary>Cooling schedule.</summary>
    public CoolingSchedule Cooling { get; init; } = CoolingSchedule.Geometric;

    /// <summary>Geometric factor per temperature level; 0 = automatic (reaches <see cref="FinalTemperatureRatio"/>·T₀ at the end of each leg).</summary>
    public double CoolingFactor { get; init; }

    /// <summary>Final temperature over T₀ that the automatic geometric factor aims at.</summary>
    public double FinalTemperatureRatio { get; init; } = 1e-3;

    /// <summary>Steps (batches of candidate moves) per temperature level.</summary>
    public int StepsPerTemperature { get; init; } = 4;

    /// <summary>Restarts from the best genome so far, with T reset to T₀; the budget is split evenly between the legs.</summary>
    public int Restarts { get; init; } = 2;

    /// <summary>Candidate moves of the current genome evaluated together per step (parallelism); the best candidate is the one tested for acceptance.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Random moves sampled from the start to set T₀ automatically.</summary>
    public int AutoSamples { get; init; } = 16;

    /// <summary>Serve repeated genomes from a cache instead of spending budget.</summary>
    public bool Deduplicate { get; init; } = true;

    /// <summary>Move probabilities (used as weights).</summary>
    public VariationOptions Variation { get; init; } = new();

    /// <summary>Reads and validates the options.</summary>
    public static SimulatedAnnealingOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys(Keys);
        var cooling = section.GetChoice("cooling", "geometric", "geometric", "linear");
        var factor = section.GetDouble("coolingFactor", 0, 0, 1);
        if (factor >= 1)
            throw new CompassInputException(OptionsReader.PathOf(section, "coolingFactor"), $"must be < 1 (or 0 for automatic), got {factor}");
        return new SimulatedAnnealingOptions
        {
            InitialTemperature = section.GetDouble("initialTemperature", 0, 0, 1e6),
            Cooling = cooling == "linear" ? CoolingSchedule.Linear : CoolingSchedule.Geometric,
            CoolingFactor = factor,
            FinalTemperatureRatio = section.GetDouble("finalTemperatureRatio", 1e-3, 1e-12, 1),
            StepsPerTemperature = section.GetInt32("stepsPerTemperature", 4, 1, 1_000_000),
            Restarts = section.GetInt32("restarts", 2, 0, 10_000),
            BatchSize = section.GetInt32("batchSize", 8, 1, 100_000),
            AutoSamples = section.GetInt32("autoSamples", 16, 1, 100_000),
            Deduplicate = section.GetBoolean("deduplicate", true),
            Variation = VariationOptions.Read(section),
        };
    }
}

/// <summary>
/// Simulated annealing over genomes with the GA's mutations as moves (<see cref="GenomeVariation.ApplyOneMove(Genome, double, Xoshiro256StarStar)"/>).
/// Each step draws <see cref="SimulatedAnnealingOptions.BatchSize"/> candidate moves of the current genome and
/// evaluates them together; the best candidate is accepted by the Metropolis rule on Δ = ln(f_new / f_current)
/// (scale-free, so one temperature fits any objective magnitude). With <c>coupled</c> it searches the coupled
/// (Gemini-style) encoding: one assignment row shared by every micro-batch, every move applying to all rows.
/// </summary>
public sealed class SimulatedAnnealing : IOptimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="options">Options.</param>
    /// <param name="coupled">Search the coupled encoding (every micro-batch row identical).</param>
    public SimulatedAnnealing(SimulatedAnnealingOptions options, bool coupled)
    {
        Options = options;
        Coupled = coupled;
    }

    /// <summary>The options.</summary>
    public SimulatedAnnealingOptions Options { get; }

    /// <summary>True for the coupled encoding.</summary>
    public bool Coupled { get; }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        var space = context.Space;
        var o = Options;
        var name = Coupled ? "coupled-sa" : "sa";
        var rng = new Xoshiro256StarStar(context.Seed, Coupled ? SearchSupport.CoupledAnnealingStream : SearchSupport.AnnealingStream);
        var workSpace = Coupled
            ? new MappingSpace(1, space.Genes, space.MeshWidth, space.MeshHeight, space.ChipletTypeIndex, space.ChipletTypeNames, space.Levers)
            : space;
        var variation = new GenomeVariation(o.Variation, workSpace);
        var evaluator = new BatchEvaluator(context, o.Deduplicate, cancellationToken);
        var statistics = new Dictionary<string, double>();

        // Start: the best valid starting point (for the coupled encoding, those that are coupled), else a random genome.
        var starts = new List<Genome>();
        foreach (var s in context.StartingPoints)
        {
            if (!space.IsValid(s.Genome, out _) || (Coupled && !s.Genome.IsCoupled())) continue;
            starts.Add(Coupled ? Project(s.Genome, workSpace) : s.Genome.Clone());
        }
        if (starts.Count == 0)
        {
            var g = workSpace.CreateGenome();
            MutationOperators.Randomize(g, workSpace, rng);
            starts.Add(g);
        }
        statistics["seeded"] = context.StartingPoints.Count == 0 ? 0 : starts.Count;
        var expanded = starts.Select(g => Expand(g, space)).ToList();
        var startFitness = new Fitness[expanded.Count];
        var n = evaluator.Evaluate(expanded, startFitness);
        if (n == 0) return evaluator.Outcome(expanded[0], null, statistics);
        var bestStart = 0;
        for (var i = 1; i < n; i++) if (startFitness[i].Objective < startFitness[bestStart].Objective) bestStart = i;

        var current = starts[bestStart].Clone();
        var currentFitness = startFitness[bestStart];
        var best = current.Clone();
        var bestFitness = currentFitness;

        var candidates = new Genome[o.BatchSize];
        var candidateFull = new Genome[o.BatchSize];
        for (var i = 0; i < o.BatchSize; i++) { candidates[i] = workSpace.CreateGenome(); candidateFull[i] = space.CreateGenome(); }
        var results = new Fitness[Math.Max(o.BatchSize, o.AutoSamples)];

        var t0 = o.InitialTemperature > 0 ? o.InitialTemperature : AutoTemperature(current, currentFitness, variation, evaluator, rng, space, results);
        statistics["initialTemperature"] = t0;
        var legs = o.Restarts + 1;
        long accepted = 0, worseAccepted = 0, steps = 0;
        var restartsDone = 0;
        for (var leg = 0; leg < legs && !evaluator.Stopped; leg++)
        {
            if (leg > 0)
            {
                current.CopyFrom(best);
                currentFitness = bestFitness;
                restartsDone++;
            }
            var legBudget = Math.Max(o.BatchSize, context.EvaluationsLeft / (legs - leg));
            var legStart = context.EvaluationsDone;
            var levels = Math.Max(1.0, (double)legBudget / (o.BatchSize * o.StepsPerTemperature));
            var factor = o.CoolingFactor > 0 ? o.CoolingFactor : Math.Pow(o.FinalTemperatureRatio, 1.0 / levels);
            var temperature = t0;
            var stepInLevel = 0;
            while (!evaluator.Stopped && context.EvaluationsDone - legStart < legBudget)
            {
                var legProgress = Math.Min(1.0, (double)(context.EvaluationsDone - legStart) / legBudget);
                for (var i = 0; i < o.BatchSize; i++)
                {
                    candidates[i].CopyFrom(current);
                    variation.ApplyOneMove(candidates[i], legProgress, rng);
                    ExpandInto(candidates[i], candidateFull[i]);
                }
                var done = evaluator.Evaluate(candidateFull, results);
                steps++;
                if (done == 0) break;
                var pick = 0;
                for (var i = 1; i < done; i++) if (results[i].Objective < results[pick].Objective) pick = i;
                var delta = Math.Log(results[pick].Objective / currentFitness.Objective);
                if (results[pick].IsValid && (delta <= 0 || (temperature > 0 && rng.NextDouble() < Math.Exp(-delta / temperature))))
                {
                    if (delta > 0) worseAccepted++;
                    accepted++;
                    current.CopyFrom(candidates[pick]);
                    currentFitness = results[pick];
                    if (currentFitness.Objective < bestFitness.Objective)
                    {
                        best.CopyFrom(current);
                        bestFitness = currentFitness;
                    }
                }
                if (++stepInLevel >= o.StepsPerTemperature)
                {
                    stepInLevel = 0;
                    temperature = o.Cooling == CoolingSchedule.Geometric
                        ? temperature * factor
                        : t0 * Math.Max(0, 1 - (double)(context.EvaluationsDone - legStart) / legBudget);
                    context.ReportProgress($"{name} leg {leg + 1}/{legs} T={SearchSupport.Format(temperature)}: best {SearchSupport.Format(evaluator.BestFitness.Objective)}");
                }
                if (done < o.BatchSize) break;
            }
        }
        statistics["steps"] = steps;
        statistics["acceptedMoves"] = accepted;
        statistics["acceptedWorseMoves"] = worseAccepted;
        statistics["restarts"] = restartsDone;
        variation.WriteStatistics(statistics);
        return evaluator.Outcome(expanded[0], null, statistics);
    }

    private double AutoTemperature(Genome start, Fitness startFitness, GenomeVariation variation, BatchEvaluator evaluator,
        Xoshiro256StarStar rng, MappingSpace space, Fitness[] results)
    {
        var samples = new Genome[Options.AutoSamples];
        for (var i = 0; i < samples.Length; i++)
        {
            var g = start.Clone();
            variation.ApplyOneMove(g, 0, rng);
            samples[i] = Expand(g, space);
        }
        var done = evaluator.Evaluate(samples, results);
        double sum = 0;
        var worse = 0;
        for (var i = 0; i < done; i++)
        {
            var d = Math.Log(results[i].Objective / startFitness.Objective);
            if (d > 0 && double.IsFinite(d)) { sum += d; worse++; }
        }
        // Accept the average worsening move with probability ½ at T₀ (Kirkpatrick-style automatic start).
        return worse == 0 ? 0.01 : sum / worse / Math.Log(2);
    }

    private Genome Expand(Genome work, MappingSpace space)
    {
        var full = space.CreateGenome();
        ExpandInto(work, full);
        return full;
    }

    private void ExpandInto(Genome work, Genome full)
    {
        if (!Coupled) { full.CopyFrom(work); return; }
        work.Boundaries.AsSpan().CopyTo(full.Boundaries);
        work.Levers.AsSpan().CopyTo(full.Levers);
        var row = work.Row(0);
        for (var b = 0; b < full.MicroBatchCount; b++) row.CopyTo(full.Row(b));
    }

    private static Genome Project(Genome full, MappingSpace oneRow)
    {
        var g = oneRow.CreateGenome();
        full.Boundaries.AsSpan().CopyTo(g.Boundaries);
        full.Levers.AsSpan().CopyTo(g.Levers);
        full.Row(0).CopyTo(g.Row(0));
        return g;
    }
}
