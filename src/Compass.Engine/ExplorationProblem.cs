using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine.Evaluation;
using Compass.Engine.Graph;
using Compass.Engine.Search;
using Compass.Engine.Workload;
using System.Collections.Concurrent;
using Compass.Results;

namespace Compass.Engine;

/// <summary>Padding's cost for one mapping, averaged over the iterations (time in ns, energy in pJ).</summary>
/// <param name="Options">The padding.</param>
/// <param name="Tokens">Token counts summed over the iterations, before and after padding.</param>
/// <param name="PaddedLatencyNs">Mean latency with padding (what the search saw).</param>
/// <param name="PaddedEnergyPj">Mean energy with padding.</param>
/// <param name="RealLatencyNs">Mean latency of the same mapping on the real (unpadded) requests.</param>
/// <param name="RealEnergyPj">Mean energy of the same mapping on the real requests.</param>
public sealed record PaddingReport(PaddingOptions Options, PaddingTokens Tokens, double PaddedLatencyNs, double PaddedEnergyPj, double RealLatencyNs, double RealEnergyPj)
{
    /// <summary>Latency spent on padded tokens (padded − real), ns.</summary>
    public double WastedLatencyNs => PaddedLatencyNs - RealLatencyNs;

    /// <summary>Energy spent on padded tokens (padded − real), pJ.</summary>
    public double WastedEnergyPj => PaddedEnergyPj - RealEnergyPj;
}

/// <summary>
/// An exploration problem: the CEGs of the sampled iterations, memoised operator costs, and a thread-safe evaluator
/// of genomes over them.
/// </summary>
public sealed class ExplorationProblem
{
    private readonly ProblemGraph _graph;
    private readonly Evaluator _evaluator;
    [ThreadStatic]
    private static EvaluatorScratch? t_scratch;
    private readonly IHeuristicMappings _heuristics;
    private readonly PlanSet? _plans;
    private Lazy<IReadOnlyList<PlanSweepPoint>>? _sweep;

    private readonly IterationBounds[] _bounds;

    private ExplorationProblem(ProblemDefinition definition, ProblemGraph graph, Evaluator evaluator, MappingSpace space, int distinctShapes, int estimates, IterationBounds[] bounds)
    {
        _bounds = bounds;
        Definition = definition;
        _graph = graph;
        _evaluator = evaluator;
        Space = space;
        DistinctOperatorShapes = distinctShapes;
        CostEstimates = estimates;
        _heuristics = new HeuristicMappings(space, graph.Structure, definition.Graph.TensorParallel);
    }

    private ExplorationProblem(ProblemDefinition definition, ExplorationProblem widest, PlanSet plans)
        : this(definition, widest._graph, widest._evaluator, plans.Space, widest.DistinctOperatorShapes, widest.CostEstimates, widest._bounds)
    {
        _plans = plans;
        _heuristics = new PlanSet.BaseHeuristics(plans);
        PaddedIterations = widest.PaddedIterations;
    }

    /// <summary>
    /// Builds graphs, memoises operator costs and lays out the mapping space: the pipeline's graph, costing and
    /// mapping-space stages in one call. Throws CompassInputException for infeasible problems. When
    /// <see cref="ProblemDefinition.Levers"/> leaves levers to the search, the problem holds one plan per combination
    /// of candidates (built on first use) and its space's genomes carry the lever choices (docs/levers.md).
    /// </summary>
    public static ExplorationProblem Create(ProblemDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!definition.Levers.IsActive) return Create(definition, null, cancellationToken);
        return CreateLevered(definition, null, cancellationToken);
    }

    /// <summary>The problem of a definition with levers; <paramref name="basePlan"/>, when given, is the already built problem of the scenario's own plan.</summary>
    private static ExplorationProblem CreateLevered(ProblemDefinition definition, ExplorationProblem? basePlan, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (definition.Iterations.Count == 0) throw new CompassInputException("workload", "no iteration to evaluate");
        var (plans, widest) = PlanSet.Create(definition, definition.Iterations, basePlan, cancellationToken);
        var problem = new ExplorationProblem(definition, widest, plans);
        problem._sweep = new Lazy<IReadOnlyList<PlanSweepPoint>>(problem.RunPlanSweep, LazyThreadSafetyMode.ExecutionAndPublication);
        return problem;
    }

    /// <summary>Builds one plan's problem, estimating operator costs through <paramref name="costMemo"/> when given (shared by the plans of a levered problem).</summary>
    internal static ExplorationProblem Create(ProblemDefinition definition, ConcurrentDictionary<(int, OperatorShape), OperatorCost>? costMemo, CancellationToken cancellationToken)
    {
        var graph = BuildGraph(definition, cancellationToken);
        var estimates = CostOperators(definition, graph, costMemo, cancellationToken);
        return BuildSpace(definition, graph, estimates);
    }

    /// <summary>Stage "graph": checks the definition is feasible and builds the CEG of every sampled iteration (of the plan <see cref="ProblemDefinition.Graph"/> names).</summary>
    internal static ProblemGraph BuildGraph(ProblemDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        cancellationToken.ThrowIfCancellationRequested();
        var package = definition.Package;
        var description = package.Description;
        var chiplets = description.MeshWidth * description.MeshHeight;
        if (chiplets < 1) throw new CompassInputException("hardware.package", $"mesh must have at least one chiplet, got {description.MeshWidth}×{description.MeshHeight}");
        if (package.SlotTypeIndex.Length != chiplets) throw new CompassInputException("hardware.package.slots", $"expected {chiplets} slots, got {package.SlotTypeIndex.Length}");
        if (definition.Iterations.Count == 0) throw new CompassInputException("workload", "no iteration to evaluate");
        var iterations = Padding.Apply(definition.Iterations, definition.Padding);
        var maxBatch = 0;
        for (var i = 0; i < iterations.Count; i++)
        {
            var requests = iterations[i].Requests;
            if (requests.Count == 0) throw new CompassInputException("workload", $"iteration {iterations[i].Index} has no request");
            foreach (var r in requests)
            {
                if (r.NewTokens < 1) throw new CompassInputException("workload", $"request {r.RequestId} has {r.NewTokens} new tokens, must be ≥ 1");
                if (r.HistoryTokens < 0) throw new CompassInputException("workload", $"request {r.RequestId} has {r.HistoryTokens} history tokens, must be ≥ 0");
            }
            maxBatch = Math.Max(maxBatch, requests.Count);
        }
        if (definition.Graph.MicroBatchSize > maxBatch)
            throw new CompassInputException("graph.microBatchSize", $"must not exceed the largest batch ({maxBatch} requests), got {definition.Graph.MicroBatchSize}");
        if (definition.Graph.PrefillMicroBatchSize < 0)
            throw new CompassInputException("graph.prefillMicroBatchSize", $"must be ≥ 0, got {definition.Graph.PrefillMicroBatchSize}");

        var builder = new CegBuilder(definition.Model, definition.Precision, definition.Graph);
        var plan = MemoryPlanner.Plan(definition.Model, definition.Precision, package, builder.Layers);
        foreach (var it in iterations) MemoryPlanner.Check(plan, MemoryPlanner.KvTokens(it));

        return ProblemGraph.Build(builder, iterations, definition.Graph.MicroBatchSize, definition.Graph.PrefillMicroBatchSize, cancellationToken);
    }

    /// <summary>
    /// Stage "costing": one compute-model estimate per (chiplet type, distinct operator shape), summed into every
    /// task's cost per chiplet type. Returns the number of estimates made.
    /// </summary>
    internal static int CostOperators(ProblemDefinition definition, ProblemGraph graph, CancellationToken cancellationToken) =>
        CostOperators(definition, graph, null, cancellationToken);

    /// <summary>The costing stage, looking estimates up in (and adding them to) <paramref name="costMemo"/> when given.</summary>
    internal static int CostOperators(ProblemDefinition definition, ProblemGraph graph, ConcurrentDictionary<(int, OperatorShape), OperatorCost>? costMemo, CancellationToken cancellationToken)
    {
        var types = definition.Package.ChipletTypes;
        var shapes = graph.Shapes;

        // Memoised operator costs: one estimate per (chiplet type, distinct shape).
        var costs = new OperatorCost[types.Count * shapes.Length];
        for (var ty = 0; ty < types.Count; ty++)
        {
            for (var k = 0; k < shapes.Length; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (costMemo is null)
                {
                    costs[ty * shapes.Length + k] = definition.ComputeModel.Estimate(types[ty], shapes[k], cancellationToken);
                }
                else
                {
                    var key = (ty, shapes[k]);
                    if (!costMemo.TryGetValue(key, out var cost))
                    {
                        cost = definition.ComputeModel.Estimate(types[ty], shapes[k], cancellationToken);
                        cost = costMemo.GetOrAdd(key, cost);
                    }
                    costs[ty * shapes.Length + k] = cost;
                }
            }
        }
        foreach (var it in graph.Iterations)
        {
            var tasks = it.Tasks;
            var table = new TaskCost[types.Count * tasks];
            for (var ty = 0; ty < types.Count; ty++)
            {
                for (var t = 0; t < tasks; t++)
                {
                    double time = 0, mac = 0, buf = 0, vec = 0, refetch = 0, fixedNs = 0;
                    for (var k = it.ShapeStart[t]; k < it.ShapeStart[t + 1]; k++)
                    {
                        ref readonly var c = ref costs[ty * shapes.Length + it.ShapeIds[k]];
                        time += c.TimeNs;
                        mac += c.MacEnergyPj;
                        buf += c.BufferEnergyPj;
                        vec += c.VectorEnergyPj;
                        refetch += c.OffChipRefetchBytes;
                        fixedNs += c.KernelFixedNs;
                    }
                    table[ty * tasks + t] = new TaskCost(time, mac, buf, vec, refetch, fixedNs);
                }
            }
            it.Costs = table;
        }
        return costs.Length;
    }

    /// <summary>Stage "mapping space": buffer fits, the evaluator and the mapping space over the costed graphs.</summary>
    internal static ExplorationProblem BuildSpace(ProblemDefinition definition, ProblemGraph graph, int estimates)
    {
        ArgumentNullException.ThrowIfNull(definition);
        // With levers, the graph and costs are those of the scenario's own plan: that plan's problem, then the plan set around it.
        if (definition.Levers.IsActive) return CreateLevered(definition, BuildSpace(definition with { Levers = LeverOptions.None }, graph, estimates), CancellationToken.None);
        var package = definition.Package;
        var description = package.Description;
        var chiplets = description.MeshWidth * description.MeshHeight;
        var types = package.ChipletTypes;
        var structure = graph.Structure;
        var genes = structure.GeneCount;
        var bufferBytes = new double[types.Count];
        var writePj = new double[types.Count];
        for (var ty = 0; ty < types.Count; ty++)
        {
            bufferBytes[ty] = types[ty].GlobalBufferBytes;
            writePj[ty] = types[ty].Buffers.Count == 0 ? 0 : types[ty].Buffers[^1].WriteEnergyPjPerByte;
        }
        foreach (var it in graph.Iterations) Capacity(it, structure, bufferBytes);
        var staticW = new double[chiplets];
        for (var c = 0; c < chiplets; c++) staticW[c] = package.TypeOf(c).StaticPowerW;
        var traffic = new TrafficCache(definition.Interconnect, chiplets);
        foreach (var (name, channel) in definition.Evaluator.WeightHomes)
        {
            if (Array.IndexOf(structure.Names, name) < 0) throw new CompassInputException("evaluator.weightHomes", $"no node named '{name}' (names look like {structure.Names[0]})");
            if (channel < 0 || channel >= traffic.ChannelCount) throw new CompassInputException($"evaluator.weightHomes.{name}", $"must be a channel 0..{traffic.ChannelCount - 1}, got {channel}");
        }
        var evaluator = new Evaluator(structure, traffic, package.SlotTypeIndex, staticW, bufferBytes, writePj, definition.Evaluator);
        var bounds = new IterationBounds[graph.Iterations.Length];
        for (var i = 0; i < bounds.Length; i++) bounds[i] = LowerBounds(graph.Iterations[i], structure, types.Count, chiplets, traffic, evaluator.StaticPjPerNs);

        var infos = new GeneInfo[genes];
        for (var g = 0; g < genes; g++)
        {
            var preds = structure.PredGene.AsSpan(structure.PredStart[g], structure.PredStart[g + 1] - structure.PredStart[g]).ToArray();
            infos[g] = new GeneInfo(g, structure.Names[g], structure.Layers[g], structure.Stages[g], structure.Shards[g], structure.WeightBytes[g], preds, graph.AverageMacs[g]);
        }
        var microBatches = 0;
        foreach (var it in graph.Iterations) microBatches = Math.Max(microBatches, it.MicroBatches);
        var typeNames = new string[types.Count];
        for (var ty = 0; ty < types.Count; ty++) typeNames[ty] = types[ty].Name;
        var space = new MappingSpace(microBatches, infos, description.MeshWidth, description.MeshHeight, package.SlotTypeIndex, typeNames);
        return new ExplorationProblem(definition, graph, evaluator, space, graph.Shapes.Length, estimates, bounds) { PaddedIterations = graph.Source };
    }

    /// <summary>The iterations the graphs were built from: <see cref="ProblemDefinition.Iterations"/> after padding.</summary>
    public IReadOnlyList<Iteration> PaddedIterations { get; private init; } = [];

    /// <summary>
    /// What padding costs <paramref name="genome"/>: its mean latency and energy on this (padded) problem and on
    /// <paramref name="unpadded"/> (the same definition without padding; same genes, so the genome runs unchanged), the
    /// difference being the wasted work, and the token counts. Null when this problem is not padded.
    /// </summary>
    public PaddingReport? MeasurePadding(Genome genome, ExplorationProblem unpadded)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(unpadded);
        if (!Definition.Padding.IsActive) return null;
        if (unpadded.Definition.Padding.IsActive) throw new ArgumentException("the reference problem must not be padded", nameof(unpadded));
        var padded = Evaluate(genome);
        var real = unpadded.Evaluate(genome);
        var tokens = default(PaddingTokens);
        for (var i = 0; i < Definition.Iterations.Count; i++) tokens += Padding.Count(Definition.Iterations[i], PaddedIterations[i], Definition.Padding);
        return new PaddingReport(Definition.Padding, tokens, padded.LatencyNs, padded.EnergyPj, real.LatencyNs, real.EnergyPj);
    }

    /// <summary>
    /// Buffer capacity per chiplet type and task (docs/evaluator.md, "Capacity"): the activation and KV working set is
    /// the task's input edges, its DRAM reads of KV history and graph input, and its output; the weights keep what is left
    /// of the global buffer beside it (streamed otherwise); an output larger than the buffer (or, for an all-reduce shard,
    /// a reduced tensor larger than it) cannot wait there to be forwarded and is spilled to DRAM.
    /// </summary>
    private static void Capacity(IterationGraph it, GeneStructure structure, double[] bufferBytes)
    {
        var genes = structure.GeneCount;
        var edges = structure.EdgeCount;
        var tasks = it.Tasks;
        var resident = new double[bufferBytes.Length * tasks];
        var fits = new bool[bufferBytes.Length * tasks];
        for (var t = 0; t < tasks; t++)
        {
            var mb = t / genes;
            var g = t - mb * genes;
            double working = it.ExtraReadBytes[t] + it.OutputBytes[t];
            for (var e = structure.PredStart[g]; e < structure.PredStart[g + 1]; e++) working += it.EdgeBytes[mb * edges + e];
            var held = Math.Max(it.OutputBytes[t], it.AllReduceBytes[t]);
            for (var ty = 0; ty < bufferBytes.Length; ty++)
            {
                resident[ty * tasks + t] = Math.Min(structure.WeightBytes[g], Math.Max(0, bufferBytes[ty] - working));
                fits[ty * tasks + t] = held <= bufferBytes[ty];
            }
        }
        it.ResidentWeightBytes = resident;
        it.OutputFits = fits;
    }

    /// <summary>
    /// Mapping-independent lower bounds of one iteration (docs/evaluator.md): compute = every task at its fastest
    /// chiplet type spread over all chiplets; DRAM = the bytes no mapping avoids (each weight once, KV history and graph
    /// inputs read, new KV and graph outputs written) over the aggregate channel bandwidth; energy = those bytes at the
    /// cheapest channel, every task's MAC and vector energy at its cheapest type, and static power over the latency bound.
    /// </summary>
    private static IterationBounds LowerBounds(IterationGraph it, GeneStructure structure, int types, int chiplets, TrafficCache traffic, double staticPjPerNs)
    {
        var genes = structure.GeneCount;
        double work = 0, energy = 0, bytes = 0;
        var weightCounted = new bool[genes];
        for (var t = 0; t < it.Tasks; t++)
        {
            if (!it.Active[t]) continue;
            var g = t % genes;
            double fastest = double.PositiveInfinity, cheapest = double.PositiveInfinity;
            for (var ty = 0; ty < types; ty++)
            {
                ref readonly var c = ref it.Costs[ty * it.Tasks + t];
                fastest = Math.Min(fastest, c.TimeNs);
                cheapest = Math.Min(cheapest, c.MacPj + c.VectorPj);
            }
            work += fastest;
            energy += cheapest;
            if (!weightCounted[g]) { weightCounted[g] = true; bytes += structure.WeightBytes[g]; }
            // The graph input is one tensor per micro-batch, however many genes read it (it can be multicast).
            bytes += it.ExtraReadBytes[t] - it.GraphInputBytes[t] + it.MustWriteBytes[t];
            if (it.GraphInputBytes[t] > 0 && t % genes == structure.GraphInputGenes[0]) bytes += it.GraphInputBytes[t];
            if (structure.IsGraphOutput[g]) bytes += it.OutputBytes[t] - it.MustWriteBytes[t];
        }
        var compute = work / chiplets;
        var dram = traffic.AggregateDramGBps > 0 ? bytes / traffic.AggregateDramGBps : 0;
        var latency = Math.Max(compute, dram);
        return new IterationBounds(compute, dram, latency, energy + bytes * traffic.MinDramPjPerByte + latency * staticPjPerNs, bytes);
    }

    /// <summary>
    /// The model's lower bounds of sampled iteration <paramref name="iteration"/> (the same for every mapping). With
    /// levers, the smallest over every plan (each part separately), so it bounds every genome of the space.
    /// </summary>
    public IterationBounds Bounds(int iteration)
    {
        if (_plans is null) return _bounds[iteration];
        IterationBounds? min = null;
        foreach (var plan in _plans.All())
        {
            var b = plan.Problem.Bounds(iteration);
            min = min is not { } m ? b : new IterationBounds(Math.Min(m.ComputeNs, b.ComputeNs), Math.Min(m.DramNs, b.DramNs), Math.Min(m.LatencyNs, b.LatencyNs), Math.Min(m.EnergyPj, b.EnergyPj), Math.Min(m.UnavoidableDramBytes, b.UnavoidableDramBytes));
        }
        return min ?? _bounds[iteration];
    }

    /// <summary>Mean of the per-iteration lower bounds over the sampled iterations (what a mean latency or energy is compared with).</summary>
    public IterationBounds MeanBounds()
    {
        double compute = 0, dram = 0, energy = 0, bytes = 0, latency = 0;
        for (var i = 0; i < _bounds.Length; i++)
        {
            var b = Bounds(i);
            compute += b.ComputeNs;             dram += b.DramNs;
            energy += b.EnergyPj;
            bytes += b.UnavoidableDramBytes;
            latency += b.LatencyNs;
        }
        var n = _bounds.Length;
        return new IterationBounds(compute / n, dram / n, latency / n, energy / n, bytes / n);
    }

    /// <summary>The calling thread's evaluator scratch (grown on demand, shared by the problems this thread evaluates).</summary>
    private static EvaluatorScratch Scratch => t_scratch ??= new EvaluatorScratch();

    /// <summary>The definition it was built from.</summary>
    public ProblemDefinition Definition { get; }

    /// <summary>The mapping space.</summary>
    public MappingSpace Space { get; }

    /// <summary>Heuristic mapping builders for this space.</summary>
    public IHeuristicMappings Heuristics => _heuristics;

    /// <summary>Distinct operator shapes in the graphs.</summary>
    public int DistinctOperatorShapes { get; }

    /// <summary>Calls made to the compute cost model while building (chiplet types × distinct shapes).</summary>
    public int CostEstimates { get; }

    /// <summary>Tasks (active micro-batch × gene instances) of every sampled iteration together.</summary>
    public long TaskCount
    {
        get
        {
            long n = 0;
            foreach (var it in _graph.Iterations) foreach (var a in it.Active) if (a) n++;
            return n;
        }
    }

    /// <summary>Mean latency, energy and objective over the iterations. Thread-safe.</summary>
    public Fitness Evaluate(Genome genome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (!Space.IsValid(genome, out _)) return Fitness.Invalid;
        if (_plans is not null)
            return _plans.Project(genome) is { } projected ? projected.Problem.Evaluate(projected.Genome, cancellationToken) : Fitness.Invalid;
        double latency = 0, energy = 0;
        for (var i = 0; i < _graph.Iterations.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var totals = RunIteration(genome, i);
            latency += totals.LatencyNs;
            energy += totals.Energy.TotalPj;
        }
        latency /= _graph.Iterations.Length;
        energy /= _graph.Iterations.Length;
        var objective = Definition.Objective.Value(latency, energy);
        if (!double.IsFinite(latency) || !double.IsFinite(energy) || !double.IsFinite(objective) || latency < 0 || energy < 0) return Fitness.Invalid;
        return new Fitness(latency, energy, objective, true);
    }

    /// <summary>
    /// How precisely the sampled iterations pin down <paramref name="genome"/>'s objective: every iteration's latency and
    /// energy, and the standard error of the EDP (mean latency × mean energy) by the delta method,
    /// SE² = (Ē² s_L² + L̄² s_E² + 2 L̄ Ē s_LE) / n with the sample (co)variances over the n iterations (0 for n = 1).
    /// </summary>
    public ObjectiveSpread Spread(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        CheckRunnable(genome);
        var n = IterationCount;
        var latency = new double[n];
        var energy = new double[n];
        for (var i = 0; i < n; i++)
        {
            var totals = RunFiniteIteration(genome, i, null, "iteration");
            latency[i] = totals.LatencyNs;
            energy[i] = totals.Energy.TotalPj;
        }
        return ObjectiveSpread.Of(latency, energy);
    }

    /// <summary>Why <paramref name="genome"/> evaluates as invalid, or null when it is valid.</summary>
    public string? ExplainInvalid(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (!Space.IsValid(genome, out var reason)) return reason;
        if (_plans is not null && _plans.PlanOf(genome) is null) return $"its plan ({_plans.Describe(_plans.IndexOf(genome.Levers))}) cannot be built on these iterations";
        if (Evaluate(genome).IsValid) return null;
        return "the evaluation produced a non-finite latency, energy or objective (a cost model returned NaN or ∞, or a value overflowed)";
    }

    /// <summary>
    /// Full result of one iteration, optionally with the task timeline. The genome must have this space's gene
    /// count; its rows are used as micro-batch b mod rows, so a genome of another iteration sample also runs.
    /// </summary>
    public IterationResult EvaluateIteration(Genome genome, int iteration, bool includeTimeline)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(iteration, _graph.Iterations.Length);
        CheckRunnable(genome);
        if (_plans is not null)
        {
            var (plan, planGenome) = Resolve(genome);
            return plan.EvaluateIteration(planGenome, iteration, includeTimeline);
        }
        var timeline = includeTimeline ? new List<TaskRecord>(_graph.Iterations[iteration].Tasks) : null;
        var intervals = includeTimeline ? new List<ResourceInterval>() : null;
        var totals = RunFiniteIteration(genome, iteration, timeline, "iteration", intervals, detail: true);
        var scratch = Scratch;
        var usage = _evaluator.Usage(scratch, totals.LatencyNs);
        var (busiest, busyNs) = _evaluator.Busiest(scratch);
        var traffic = scratch.Traffic;
        var bounds = _bounds[iteration];
        var maxCompute = 0.0;
        var computeChip = 0;
        for (var c = 0; c < usage.Length; c++) if (scratch.ChipCompute[c] > maxCompute) { maxCompute = scratch.ChipCompute[c]; computeChip = c; }
        return new IterationResult(totals.LatencyNs, totals.Energy, usage, (IReadOnlyList<TaskRecord>?)timeline ?? [], totals.TotalMacs, totals.DramBytes, totals.NopByteHops)
        {
            ResourceIntervals = (IReadOnlyList<ResourceInterval>?)intervals ?? [],
            DramTraffic = traffic,
            Bounds = bounds,
            BusiestResource = busiest,
            BusiestResourceBusyNs = busyNs,
            BoundExplanation = BoundAnalysis.Explain(totals.LatencyNs, totals.Energy.TotalPj, bounds, traffic, busiest, busyNs, computeChip, maxCompute),
        };
    }

    /// <summary>Totals of one iteration under a genome whose rows are reused as b mod rows, on the calling thread's scratch.</summary>
    internal IterationTotals RunIteration(Genome genome, int iteration, List<TaskRecord>? timeline = null, List<ResourceInterval>? intervals = null, bool detail = false)
    {
        if (_plans is null) return _evaluator.Run(_graph.Iterations[iteration], genome, Scratch, timeline, intervals, iteration, detail);
        var (plan, planGenome) = Resolve(genome);
        return plan.RunIteration(planGenome, iteration, timeline, intervals, detail);
    }

    /// <summary><see cref="RunIteration"/>, throwing when a cost model's NaN or ∞ made the latency or energy non-finite.</summary>
    internal IterationTotals RunFiniteIteration(Genome genome, int iteration, List<TaskRecord>? timeline, string label, List<ResourceInterval>? intervals = null, bool detail = false)
    {
        var totals = RunIteration(genome, iteration, timeline, intervals, detail);
        if (!double.IsFinite(totals.LatencyNs) || !double.IsFinite(totals.Energy.TotalPj))
            throw new InvalidOperationException($"{label} {iteration}: the mapping produced a non-finite latency or energy (a cost model returned NaN or ∞)");
        return totals;
    }

    /// <summary>The built graphs (tests and benchmarks inspect them).</summary>
    internal ProblemGraph Graph => _graph;

    /// <summary>
    /// The requests of every micro-batch of iteration <paramref name="iteration"/>, as the engine split them (index b is
    /// micro-batch b of <see cref="TaskRecord.MicroBatch"/>). Reports label micro-batches from this, never from a
    /// split of their own.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<ScheduledRequest>> MicroBatchRequests(int iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(iteration, _graph.Iterations.Length);
        return _graph.Iterations[iteration].MicroBatchRequests;
    }

    /// <summary>Number of iterations the problem holds.</summary>
    public int IterationCount => _graph.Iterations.Length;

    /// <summary>Throws <see cref="ArgumentException"/> unless the genome has this space's genes and valid chiplet ids.</summary>
    internal void CheckRunnable(Genome genome)
    {
        if (genome.GeneCount != Space.GeneCount) throw new ArgumentException($"genome has {genome.GeneCount} genes, the space has {Space.GeneCount}", nameof(genome));
        if (genome.MicroBatchCount < 1) throw new ArgumentException("genome has no micro-batch row", nameof(genome));
        foreach (var c in genome.Assignment)
            if ((uint)c >= (uint)Space.ChipletCount) throw new ArgumentException($"chiplet id {c} outside 0..{Space.ChipletCount - 1}", nameof(genome));
        foreach (var b in genome.Boundaries)
            if (b > 1) throw new ArgumentException($"segmentation bit {b} is not 0 or 1", nameof(genome));
        if (genome.Levers.Length != Space.LeverCount) throw new ArgumentException($"genome has {genome.Levers.Length} levers, the space has {Space.LeverCount}", nameof(genome));
        for (var i = 0; i < genome.Levers.Length; i++)
            if ((uint)genome.Levers[i] >= (uint)Space.Levers[i].Count) throw new ArgumentException($"lever {Space.Levers[i].Name} is candidate {genome.Levers[i]}, outside 0..{Space.Levers[i].Count - 1}", nameof(genome));
        if (_plans is not null && _plans.PlanOf(genome) is null)
            throw new ArgumentException($"plan {_plans.Describe(_plans.IndexOf(genome.Levers))} cannot be built on these iterations", nameof(genome));
    }

    /// <summary>True when the scenario leaves levers to the search (<see cref="MappingSpace.Levers"/> is not empty).</summary>
    public bool IsLevered => _plans is not null;

    /// <summary>Plans of the space (1 without levers).</summary>
    public int PlanCount => _plans?.Count ?? 1;

    /// <summary>Plans whose graphs and costs have been built so far (1 without levers).</summary>
    public int PlansBuilt => _plans?.BuiltCount ?? 1;

    /// <summary>
    /// The problem of the plan <paramref name="genome"/>'s levers name and the genome projected onto it (a new
    /// genome); without levers, this problem and the genome itself. Reports use it to name the plan's genes.
    /// </summary>
    public (ExplorationProblem Problem, Genome Genome) Resolve(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (_plans is null) return (this, genome);
        return _plans.Project(genome, copy: true) ?? throw new ArgumentException($"plan {_plans.Describe(_plans.IndexOf(genome.Levers))} cannot be built on these iterations", nameof(genome));
    }

    /// <summary>The lever values of a genome (<c>microBatchSize=4 tensorParallel=16</c>), or empty without levers.</summary>
    public string DescribePlan(Genome genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        return _plans is null ? string.Empty : _plans.Describe(_plans.IndexOf(genome.Levers));
    }

    /// <summary>
    /// The published method's outer sweep (docs/reference/compass-method.md §8.5, §9.2): every plan (combination of lever
    /// candidates), each with the best of its standard heuristic placements; sorted by objective, best first.
    /// Computed once (plans built in parallel on first call); empty without levers.
    /// </summary>
    public IReadOnlyList<PlanSweepPoint> PlanSweep() => _sweep?.Value ?? [];

    private IReadOnlyList<PlanSweepPoint> RunPlanSweep()
    {
        var plans = _plans!;
        var points = new PlanSweepPoint?[plans.Count];
        Parallel.For(0, plans.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i =>
        {
            if (plans.Get(i) is not { } plan) return;
            PlanSweepPoint? best = null;
            foreach (var named in plan.Problem.Heuristics.Standard())
            {
                var f = plan.Problem.Evaluate(named.Genome);
                if (f.IsValid && (best is null || f.Objective < best.Fitness.Objective))
                    best = new PlanSweepPoint(plans.Describe(i), named.Name, plans.Lift(plan, named.Genome), f);
            }
            points[i] = best;
        });
        return [.. points.Where(p => p is not null).Select(p => p!).OrderBy(p => p.Fitness.Objective)];
    }
}

/// <summary>The per-iteration results of one mapping and the standard error of its EDP (see <see cref="ExplorationProblem.Spread"/>).</summary>
/// <param name="LatencyNs">Latency of every sampled iteration, ns.</param>
/// <param name="EnergyPj">Energy of every sampled iteration, pJ.</param>
/// <param name="EdpJs">Mean latency × mean energy, J·s.</param>
/// <param name="EdpStandardErrorJs">Standard error of <paramref name="EdpJs"/> over the iterations (delta method), J·s.</param>
public sealed record ObjectiveSpread(IReadOnlyList<double> LatencyNs, IReadOnlyList<double> EnergyPj, double EdpJs, double EdpStandardErrorJs)
{
    /// <summary>Relative standard error (SE / EDP); 0 for a zero EDP.</summary>
    public double RelativeStandardError => EdpJs > 0 ? EdpStandardErrorJs / EdpJs : 0;

    /// <summary>The spread of paired per-iteration latencies (ns) and energies (pJ).</summary>
    public static ObjectiveSpread Of(IReadOnlyList<double> latencyNs, IReadOnlyList<double> energyPj)
    {
        ArgumentNullException.ThrowIfNull(latencyNs);
        ArgumentNullException.ThrowIfNull(energyPj);
        if (latencyNs.Count != energyPj.Count || latencyNs.Count == 0) throw new ArgumentException("one energy per latency, at least one", nameof(energyPj));
        var n = latencyNs.Count;
        double l = 0, e = 0;
        for (var i = 0; i < n; i++) { l += latencyNs[i]; e += energyPj[i]; }
        l /= n;
        e /= n;
        double sll = 0, see = 0, sle = 0;
        for (var i = 0; i < n; i++)
        {
            var dl = latencyNs[i] - l;
            var de = energyPj[i] - e;
            sll += dl * dl;
            see += de * de;
            sle += dl * de;
        }
        var variance = n < 2 ? 0 : (e * e * sll + l * l * see + 2 * l * e * sle) / (n - 1) / n;
        const double nsPjToJs = 1e-21;
        return new ObjectiveSpread(latencyNs, energyPj, l * e * nsPjToJs, Math.Sqrt(Math.Max(0, variance)) * nsPjToJs);
    }
}
