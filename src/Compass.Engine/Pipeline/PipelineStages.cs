using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Engine.Replay;
using Compass.Results;

namespace Compass.Engine.Pipeline;

/// <summary>One named step of a pipeline.</summary>
public interface IPipelineStage
{
    /// <summary>Stage name (<c>workload</c>, <c>graph</c>, <c>costing</c>, <c>mapping space</c>, <c>search</c>, <c>results</c>, ...).</summary>
    string Name { get; }

    /// <summary>Runs the stage on <paramref name="run"/>.</summary>
    void Run(PipelineRun run, CancellationToken cancellationToken);
}

/// <summary>A stage from a name and a delegate (how the standard stages are made; a command may add its own).</summary>
/// <param name="Name">Stage name.</param>
/// <param name="Body">What it does.</param>
public sealed record PipelineStage(string Name, Action<PipelineRun, CancellationToken> Body) : IPipelineStage
{
    /// <inheritdoc />
    public void Run(PipelineRun run, CancellationToken cancellationToken) => Body(run, cancellationToken);
}

/// <summary>
/// The standard stages: workload → graph → costing → mapping space → search → results (and replay). Explore, compare
/// and replay are lists of these (<see cref="ExplorationPipeline"/>); a new command composes its own list.
/// </summary>
public static class PipelineStages
{
    /// <summary>Stage "workload": the search sample of <paramref name="iterations"/> iterations drawn with the run's seed.</summary>
    public static IPipelineStage SampledWorkload(int iterations) => new PipelineStage("workload", (run, token) =>
        run.Iterations = run.Inputs.Workload.Sample(run.Seed, iterations, token));

    /// <summary>
    /// Stage "workload" of replay: the whole trace read with the run's seed and a held-out window of
    /// <paramref name="iterations"/> consecutive iterations of its schedule.
    /// </summary>
    public static IPipelineStage HeldOutWorkload(int iterations) => new PipelineStage("workload", (run, token) =>
    {
        run.Requests = run.Inputs.Workload.ReadTrace(run.Seed, token);
        run.Iterations = run.Inputs.Workload.HeldOut(run.Requests, run.Seed, iterations, token);
    });

    /// <summary>Stage "graph": the feasibility checks (memory, batch) and the computation execution graph of every iteration.</summary>
    public static IPipelineStage Graph() => new PipelineStage("graph", (run, token) =>
    {
        run.Definition = run.Inputs.Definition(PipelineRun.Require(run.Iterations, "workload"));
        run.Graph = ExplorationProblem.BuildGraph(run.Definition, token);
    });

    /// <summary>Stage "costing": every distinct operator shape estimated once per chiplet type by the compute cost model.</summary>
    public static IPipelineStage Costing() => new PipelineStage("costing", (run, token) =>
        run.CostEstimates = ExplorationProblem.CostOperators(PipelineRun.Require(run.Definition, "graph"), PipelineRun.Require(run.Graph, "graph"), token));

    /// <summary>Stage "mapping space": the evaluator and the genome space over the costed graphs.</summary>
    public static IPipelineStage MappingSpace() => new PipelineStage("mapping space", (run, _) =>
    {
        var estimates = run.CostEstimates ?? throw new InvalidOperationException("the pipeline has no operator costs yet: stage 'costing' must run before this one");
        run.Problem = ExplorationProblem.BuildSpace(PipelineRun.Require(run.Definition, "graph"), PipelineRun.Require(run.Graph, "graph"), estimates);
    });

    /// <summary>
    /// Stage "search": runs <paramref name="optimizer"/> over the problem under <paramref name="options"/> and records
    /// its best valid mapping (none when the optimizer found none; a host that tracks the best so far of a stopped
    /// search sets <see cref="PipelineRun.Best"/> itself).
    /// </summary>
    /// <param name="optimizer">Creates the optimizer for this run.</param>
    /// <param name="options">The driver options for this run (budget, seed, threads, log callback, ...).</param>
    /// <param name="runSearch">Wraps the driver call (progress display); null runs it directly.</param>
    public static IPipelineStage Search(Func<PipelineRun, IOptimizer> optimizer, Func<PipelineRun, SearchDriverOptions> options, Func<Func<SearchRunResult>, SearchRunResult>? runSearch = null) =>
        new PipelineStage("search", (run, token) =>
        {
            var problem = PipelineRun.Require(run.Problem, "mapping space");
            run.Optimizer = optimizer(run);
            var driver = new SearchDriver(problem, options(run));
            var chosen = run.Optimizer;
            run.Search = runSearch is null ? driver.Run(chosen, token) : runSearch(() => driver.Run(chosen, token));
            run.Best = run.Search is { Outcome.BestFitness.IsValid: true } r ? (r.Outcome.Best, r.Outcome.BestFitness) : null;
        });

    /// <summary>
    /// Stage "results": the best mapping measured over every iteration (<see cref="MappingMeasurement"/>) and the
    /// heuristic baselines of the space. Without a sound best mapping only the baselines are set.
    /// </summary>
    public static IPipelineStage Results() => new PipelineStage("results", (run, _) =>
    {
        var problem = PipelineRun.Require(run.Problem, "mapping space");
        // Not cancellable: an interrupted run still reports the mapping it found and the baselines beside it.
        run.Baselines = [.. problem.Heuristics.Standard().Select(h => (h.Name, problem.Evaluate(h.Genome)))];
        // With levers, the published outer sweep's best point (every plan, each with its best heuristic) is a baseline too.
        if (problem.PlanSweep() is [var sweep, ..]) run.Baselines = [.. run.Baselines, ($"plan-sweep best ({sweep.Plan}, {sweep.Heuristic})", sweep.Fitness)];
        if (run.Best is { } best && IsSound(best.Fitness)) run.Measurement = Measure(problem, best.Genome, best.Fitness);
    });

    /// <summary>Stage "replay": the best (given) mapping run on the held-out requests, with serving metrics.</summary>
    /// <param name="ttftSloMs">Time-to-first-token SLO for the attainment, ms (0 = none).</param>
    /// <param name="tpotSloMs">Time-per-output-token SLO for the attainment, ms (0 = none).</param>
    public static IPipelineStage Replay(double ttftSloMs, double tpotSloMs) => new PipelineStage("replay", (run, token) =>
    {
        var problem = PipelineRun.Require(run.Problem, "mapping space");
        var best = run.Best ?? throw new InvalidOperationException("the pipeline has no mapping to replay: set PipelineRun.Best first");
        run.Replay = ReplayRunner.Run(problem, best.Genome, PipelineRun.Require(run.Requests, "workload"), ttftSloMs, tpotSloMs, token);
    });

    /// <summary>True when every number of <paramref name="f"/> is finite and non-negative and it is valid.</summary>
    public static bool IsSound(Fitness f) =>
        f.IsValid && double.IsFinite(f.LatencyNs) && double.IsFinite(f.EnergyPj) && double.IsFinite(f.Objective) && double.IsFinite(f.EdpJouleSeconds)
        && f.LatencyNs >= 0 && f.EnergyPj >= 0;

    /// <summary>Measures <paramref name="genome"/> over every iteration of <paramref name="problem"/>.</summary>
    public static MappingMeasurement Measure(ExplorationProblem problem, Genome genome, Fitness fitness)
    {
        ArgumentNullException.ThrowIfNull(problem);
        // With levers the timeline, the micro-batches and the genes are those of the plan the genome's levers name.
        var (plan, planGenome) = problem.Resolve(genome);
        var n = problem.IterationCount;
        var energy = default(EnergyBreakdown);
        var count = problem.Space.ChipletCount;
        var busy = new double[count];
        var util = new double[count];
        var chipEnergy = new double[count];
        var tasks = new double[count];
        IterationResult? first = null;
        var latencies = new double[n];
        var energies = new double[n];
        for (var i = 0; i < n; i++)
        {
            var r = plan.EvaluateIteration(planGenome, i, includeTimeline: i == 0);
            first ??= r;
            latencies[i] = r.LatencyNs;
            energies[i] = r.Energy.TotalPj;
            energy += r.Energy;
            foreach (var c in r.Chiplets)
            {
                busy[c.Chiplet] += c.BusyNs / n;
                util[c.Chiplet] += c.Utilisation / n;
                chipEnergy[c.Chiplet] += c.EnergyPj / n;
                tasks[c.Chiplet] += (double)c.Tasks / n;
            }
        }
        var chiplets = new ChipletUsage[count];
        for (var c = 0; c < count; c++) chiplets[c] = new ChipletUsage(c, busy[c], util[c], chipEnergy[c], (int)Math.Round(tasks[c]));
        return new MappingMeasurement(genome, fitness, energy.Scale(1.0 / n), chiplets, first!, plan.MicroBatchRequests(0), plan.Space.Genes, problem.MeanBounds())
        {
            Spread = ObjectiveSpread.Of(latencies, energies),
            Plan = problem.DescribePlan(genome),
        };
    }
}
