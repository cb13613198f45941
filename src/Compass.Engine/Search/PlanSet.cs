using System.Collections.Concurrent;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;

namespace Compass.Engine.Search;

/// <summary>
/// The plans of a problem whose scenario leaves levers to the search (docs/levers.md): one plan per combination of
/// lever candidates (micro-batch sizes, tensor-parallel degree), each an <see cref="ExplorationProblem"/> whose graphs
/// and operator costs are built once, on first use, and cached by plan index. A search genome is the placement of the
/// widest plan (most micro-batches, most shards) plus the lever indices; it is projected onto the plan its levers
/// name by gene identity (layer, stage, shard, occurrence) and row (micro-batch b of the plan reads row b).
/// </summary>
internal sealed class PlanSet
{
    private readonly ProblemDefinition _definition;
    private readonly IReadOnlyList<LeverInfo> _levers;
    private readonly Lazy<Plan?>[] _plans;
    private readonly MappingSpace _space;
    private readonly int _baseIndex;
    [ThreadStatic]
    private static Genome?[]? t_scratch;
    [ThreadStatic]
    private static PlanSet? t_owner;

    /// <summary>One built plan: its problem and the map from its genes to the master genes.</summary>
    internal sealed record Plan(int Index, ExplorationProblem Problem, int[] ToMaster, int[] FromMaster);

    private PlanSet(ProblemDefinition definition, IReadOnlyList<LeverInfo> levers, MappingSpace space, ExplorationProblem widest, int widestIndex, int baseIndex, ConcurrentDictionary<(int, OperatorShape), OperatorCost> costs, ExplorationProblem? basePlan = null)
    {
        _definition = definition;
        _levers = levers;
        _space = space;
        _baseIndex = baseIndex;
        Costs = costs;
        _plans = new Lazy<Plan?>[PlanCount(levers)];
        for (var i = 0; i < _plans.Length; i++)
        {
            var index = i;
            _plans[i] = index == widestIndex ? new Lazy<Plan?>(() => Wrap(index, widest))
                : index == baseIndex && basePlan is not null ? new Lazy<Plan?>(() => Wrap(index, basePlan))
                : new Lazy<Plan?>(() => BuildPlan(index), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    /// <summary>Operator costs shared by every plan, keyed by (chiplet type index, shape): a plan change re-estimates only new shapes.</summary>
    internal ConcurrentDictionary<(int, OperatorShape), OperatorCost> Costs { get; }

    /// <summary>The master space (widest plan's rows and genes, plus the levers).</summary>
    public MappingSpace Space => _space;

    /// <summary>Number of plans (product of the levers' candidate counts).</summary>
    public int Count => _plans.Length;

    /// <summary>Plans built so far.</summary>
    public int BuiltCount
    {
        get
        {
            var n = 0;
            foreach (var p in _plans) if (p.IsValueCreated) n++;
            return n;
        }
    }

    /// <summary>The plan the scenario's fixed values name (the levers' default candidates).</summary>
    public int BaseIndex => _baseIndex;

    private static int PlanCount(IReadOnlyList<LeverInfo> levers)
    {
        var n = 1;
        foreach (var l in levers) n = checked(n * l.Count);
        return n;
    }

    /// <summary>Plan index of lever indices (mixed radix, first lever slowest).</summary>
    public int IndexOf(ReadOnlySpan<int> leverIndices)
    {
        var index = 0;
        for (var i = 0; i < _levers.Count; i++) index = index * _levers[i].Count + leverIndices[i];
        return index;
    }

    /// <summary>Lever indices of a plan index.</summary>
    public int[] LeversOf(int plan)
    {
        var result = new int[_levers.Count];
        for (var i = _levers.Count - 1; i >= 0; i--)
        {
            result[i] = plan % _levers[i].Count;
            plan /= _levers[i].Count;
        }
        return result;
    }

    /// <summary>Prefix of the name of a layer group's tensor-parallel lever (<c>graph.tensorParallel.group0</c>, ...).</summary>
    internal const string GroupLeverPrefix = "graph.tensorParallel.group";

    /// <summary>The graph options of a plan.</summary>
    public GraphOptions GraphOf(int plan)
    {
        var indices = LeversOf(plan);
        var graph = _definition.Graph;
        List<int>? groupDegrees = null;
        for (var i = 0; i < _levers.Count; i++)
        {
            var value = _levers[i].Candidates[indices[i]];
            if (_levers[i].Kind == LeverKind.TensorParallel && _levers[i].Name.StartsWith(GroupLeverPrefix, StringComparison.Ordinal))
            {
                (groupDegrees ??= []).Add(value);
                continue;
            }
            graph = _levers[i].Kind switch
            {
                LeverKind.MicroBatchSize => graph with { MicroBatchSize = value },
                LeverKind.PrefillMicroBatchSize => graph with { PrefillMicroBatchSize = value },
                LeverKind.TensorParallel => graph with { TensorParallel = value },
                _ => graph,
            };
        }
        if (groupDegrees is not null)
        {
            // Layer groups in order: consecutive modelled layers, near-equal counts (the first groups one layer larger).
            var layers = graph.Layers == 0 ? _definition.Model.Layers : graph.Layers;
            var sizes = Graph.CegBuilder.Split(layers, groupDegrees.Count);
            var perLayer = new int[layers];
            var l = 0;
            for (var k = 0; k < sizes.Length; k++)
                for (var j = 0; j < sizes[k]; j++) perLayer[l++] = groupDegrees[k];
            graph = graph with { TensorParallel = groupDegrees.Max(), LayerTensorParallel = perLayer };
        }
        return graph;
    }

    /// <summary>The evaluator options of a plan (the DRAM placement lever, when there is one).</summary>
    public EvaluatorOptions EvaluatorOf(int plan)
    {
        var indices = LeversOf(plan);
        var evaluator = _definition.Evaluator;
        for (var i = 0; i < _levers.Count; i++)
            if (_levers[i].Kind == LeverKind.DramPlacement && evaluator.Placement != (DramPlacement)_levers[i].Candidates[indices[i]])
                evaluator = evaluator with { Placement = (DramPlacement)_levers[i].Candidates[indices[i]] };
        return evaluator;
    }

    /// <summary>The fixed definition of a plan: the scenario with every lever set to the plan's value.</summary>
    public ProblemDefinition DefinitionOf(int plan) => _definition with { Graph = GraphOf(plan), Evaluator = EvaluatorOf(plan), Levers = LeverOptions.None };

    /// <summary>A readable plan name (<c>microBatchSize=4 tensorParallel=16</c>).</summary>
    public string Describe(int plan)
    {
        var indices = LeversOf(plan);
        return string.Join(' ', _levers.Select((l, i) => $"{ShortName(l)}={ValueName(l, l.Candidates[indices[i]])}"));
    }

    /// <summary>The lever's name without its section (<c>microBatchSize</c>, <c>tensorParallel.group1</c>, <c>placement</c>).</summary>
    private static string ShortName(LeverInfo lever)
    {
        var dot = lever.Name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? lever.Name : lever.Name[(dot + 1)..];
    }

    /// <summary>A lever value as a scenario writes it (placements by name).</summary>
    internal static string ValueName(LeverInfo lever, int value) => lever.Kind == LeverKind.DramPlacement
        ? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(((DramPlacement)value).ToString())
        : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The built plan, or null when it is infeasible (its problem could not be built).</summary>
    public Plan? Get(int plan) => _plans[plan].Value;

    /// <summary>The plan a genome's levers name.</summary>
    public Plan? PlanOf(Genome genome) => Get(IndexOf(genome.Levers));

    /// <summary>
    /// Projects a master genome onto its plan into the calling thread's scratch genome of that plan (no allocation
    /// after the first use); null when the plan is infeasible.
    /// </summary>
    public (ExplorationProblem Problem, Genome Genome)? Project(Genome genome, bool copy = false)
    {
        var plan = PlanOf(genome);
        if (plan is null) return null;
        var space = plan.Problem.Space;
        Genome target;
        if (copy)
        {
            target = space.CreateGenome();
        }
        else
        {
            if (!ReferenceEquals(t_owner, this) || t_scratch is null)
            {
                t_scratch = new Genome?[_plans.Length];
                t_owner = this;
            }
            target = t_scratch[plan.Index] ??= space.CreateGenome();
        }
        var genes = space.GeneCount;
        var masterGenes = genome.GeneCount;
        var map = plan.ToMaster;
        var rows = genome.MicroBatchCount;
        for (var b = 0; b < target.MicroBatchCount; b++)
        {
            var source = genome.Assignment.AsSpan((b % rows) * masterGenes, masterGenes);
            var row = target.Row(b);
            for (var g = 0; g < genes; g++) row[g] = source[map[g]];
        }
        for (var g = 0; g < genes - 1; g++)
            target.Boundaries[g] = map[g] < masterGenes - 1 ? genome.Boundaries[map[g]] : (byte)0;
        return (plan.Problem, target);
    }

    /// <summary>Lifts a genome of plan <paramref name="plan"/> into the master space (levers set to the plan; master genes the plan lacks copy their nearest plan gene).</summary>
    public Genome Lift(Plan plan, Genome planGenome)
    {
        var master = _space.CreateGenome();
        LeversOf(plan.Index).CopyTo(master.Levers, 0);
        var genes = _space.GeneCount;
        var rows = planGenome.MicroBatchCount;
        for (var b = 0; b < master.MicroBatchCount; b++)
        {
            var source = planGenome.Row(b % rows);
            var row = master.Row(b);
            for (var m = 0; m < genes; m++) row[m] = source[plan.FromMaster[m]];
        }
        for (var g = 0; g < planGenome.GeneCount - 1; g++)
        {
            var m = plan.ToMaster[g];
            if (m < genes - 1 && planGenome.Boundaries[g] != 0) master.Boundaries[m] = 1;
        }
        return master;
    }

    /// <summary>Every plan, built (the plan sweep and the plan-independent bounds need them all).</summary>
    public IEnumerable<Plan> All()
    {
        for (var i = 0; i < _plans.Length; i++)
            if (Get(i) is { } p) yield return p;
    }

    /// <summary>Builds the plan set: validates the candidates, builds the widest plan now and the rest on demand.</summary>
    public static (PlanSet Plans, ExplorationProblem Widest) Create(ProblemDefinition definition, IReadOnlyList<Abstractions.Workload.Iteration> iterations, ExplorationProblem? basePlan, CancellationToken cancellationToken)
    {
        var levers = Levers(definition, iterations);
        var costs = new ConcurrentDictionary<(int, OperatorShape), OperatorCost>();
        var widestIndices = new int[levers.Count];
        var baseIndices = new int[levers.Count];
        for (var i = 0; i < levers.Count; i++)
        {
            widestIndices[i] = levers[i].Kind == LeverKind.TensorParallel ? levers[i].Count - 1 : 0;
            baseIndices[i] = levers[i].DefaultIndex;
        }
        var probe = new PlanSet(definition, levers, null!, null!, -1, 0, costs);
        var widestIndex = probe.IndexOf(widestIndices);
        var baseIndex = probe.IndexOf(baseIndices);
        // The scenario's own plan, when already built, is reused (it keeps its plan's graph options exactly only if they match).
        if (basePlan is not null && (basePlan.Definition.Graph != probe.GraphOf(baseIndex) || basePlan.Definition.Evaluator.Placement != probe.EvaluatorOf(baseIndex).Placement)) basePlan = null;
        var widest = widestIndex == baseIndex && basePlan is not null
            ? basePlan
            : ExplorationProblem.Create(probe.DefinitionOf(widestIndex), costs, cancellationToken);
        var w = widest.Space;
        var space = new MappingSpace(w.MicroBatchCount, w.Genes, w.MeshWidth, w.MeshHeight, w.ChipletTypeIndex, w.ChipletTypeNames, levers);
        var set = new PlanSet(definition, levers, space, widest, widestIndex, baseIndex, costs, basePlan);
        return (set, widest);
    }

    private Plan? BuildPlan(int index)
    {
        try
        {
            var problem = ExplorationProblem.Create(DefinitionOf(index), Costs, CancellationToken.None);
            return Wrap(index, problem);
        }
        catch (CompassInputException)
        {
            // An infeasible plan (e.g. the KV cache of its batches does not fit): its genomes evaluate as invalid.
            return null;
        }
    }

    private Plan Wrap(int index, ExplorationProblem problem)
    {
        var masterKeys = Keys(_space.Genes);
        var planKeys = Keys(problem.Space.Genes);
        var byKey = new Dictionary<(int, NodeStage, int, int), int>();
        for (var m = 0; m < masterKeys.Length; m++) byKey.TryAdd(masterKeys[m], m);
        var toMaster = new int[planKeys.Length];
        for (var g = 0; g < planKeys.Length; g++)
            toMaster[g] = byKey.TryGetValue(planKeys[g], out var m) ? m : Nearest(planKeys[g], masterKeys);
        var planByKey = new Dictionary<(int, NodeStage, int, int), int>();
        for (var g = 0; g < planKeys.Length; g++) planByKey.TryAdd(planKeys[g], g);
        var fromMaster = new int[masterKeys.Length];
        for (var m = 0; m < masterKeys.Length; m++)
            fromMaster[m] = planByKey.TryGetValue(masterKeys[m], out var g) ? g : Nearest(masterKeys[m], planKeys);
        return new Plan(index, problem, toMaster, fromMaster);
    }

    /// <summary>Gene identities: (layer, stage, shard, occurrence of that triple before it in the layer).</summary>
    private static (int, NodeStage, int, int)[] Keys(IReadOnlyList<GeneInfo> genes)
    {
        var seen = new Dictionary<(int, NodeStage, int), int>();
        var keys = new (int, NodeStage, int, int)[genes.Count];
        for (var g = 0; g < genes.Count; g++)
        {
            var triple = (genes[g].Layer, genes[g].Stage, genes[g].Shard);
            seen.TryGetValue(triple, out var n);
            seen[triple] = n + 1;
            keys[g] = (genes[g].Layer, genes[g].Stage, genes[g].Shard, n);
        }
        return keys;
    }

    /// <summary>The gene of <paramref name="among"/> that stands in for <paramref name="key"/>: same layer, stage and occurrence with the shard taken modulo that stage's shard count; else the first gene of the same layer and stage; else gene 0.</summary>
    private static int Nearest((int Layer, NodeStage Stage, int Shard, int Occurrence) key, (int, NodeStage, int, int)[] among)
    {
        var shards = 0;
        var first = -1;
        for (var i = 0; i < among.Length; i++)
        {
            var (l, s, sh, o) = among[i];
            if (l != key.Layer || s != key.Stage) continue;
            if (first < 0) first = i;
            if (o == key.Occurrence) shards = Math.Max(shards, sh + 1);
        }
        if (shards > 0)
        {
            var target = (key.Layer, key.Stage, key.Shard % shards, key.Occurrence);
            for (var i = 0; i < among.Length; i++) if (among[i] == target) return i;
        }
        return first >= 0 ? first : 0;
    }

    /// <summary>The levers of a definition: candidates deduplicated, sorted, those the iterations or the model cannot take dropped.</summary>
    private static List<LeverInfo> Levers(ProblemDefinition definition, IReadOnlyList<Abstractions.Workload.Iteration> iterations)
    {
        var options = definition.Levers;
        var graph = definition.Graph;
        int maxBatch = 0, maxPrefill = 0;
        foreach (var it in iterations)
        {
            maxBatch = Math.Max(maxBatch, it.Requests.Count);
            var prefills = 0;
            foreach (var r in it.Requests) if (r.Phase != Abstractions.Workload.RequestPhase.Decode) prefills++;
            maxPrefill = Math.Max(maxPrefill, prefills);
        }
        var levers = new List<LeverInfo>();
        var split = options.PrefillMicroBatchSizes.Count > 0 || graph.PrefillMicroBatchSize > 0;
        if (options.MicroBatchSizes.Count > 0)
        {
            var limit = split ? Math.Max(1, maxBatch - maxPrefill) : maxBatch;
            levers.Add(Lever("graph.microBatchSize", LeverKind.MicroBatchSize, options.MicroBatchSizes, 1, limit, graph.MicroBatchSize));
        }
        if (options.PrefillMicroBatchSizes.Count > 0 && maxPrefill > 0)
        {
            var basePrefill = graph.PrefillMicroBatchSize > 0 ? graph.PrefillMicroBatchSize : graph.MicroBatchSize;
            levers.Add(Lever("graph.prefillMicroBatchSize", LeverKind.PrefillMicroBatchSize, options.PrefillMicroBatchSizes, 1, maxPrefill, basePrefill));
        }
        if (options.TensorParallel.Count > 0)
        {
            var model = definition.Model;
            var layers = graph.Layers == 0 ? model.Layers : graph.Layers;
            if (options.TensorParallelGroups < 1 || options.TensorParallelGroups > layers)
                throw new CompassInputException("graph.tensorParallelGroups", $"must be 1..{layers} (the modelled layers), got {options.TensorParallelGroups}");
            var max = Math.Min(model.Hidden, model.FfnHidden);
            if (options.TensorParallelGroups == 1)
            {
                levers.Add(Lever("graph.tensorParallel", LeverKind.TensorParallel, options.TensorParallel, 1, max, graph.TensorParallel));
            }
            else
            {
                for (var k = 0; k < options.TensorParallelGroups; k++)
                    levers.Add(Lever(GroupLeverPrefix + k.ToString(System.Globalization.CultureInfo.InvariantCulture), LeverKind.TensorParallel, options.TensorParallel, 1, max, graph.TensorParallel));
            }
        }
        else if (options.TensorParallelGroups != 1)
        {
            throw new CompassInputException("graph.tensorParallelGroups", $"needs graph.tensorParallel to be \"search\" or a list of candidates (a fixed degree is one degree for every layer), got {options.TensorParallelGroups} groups");
        }
        if (options.Placements.Count > 0)
            levers.Add(Lever("evaluator.placement", LeverKind.DramPlacement, [.. options.Placements.Select(p => (int)p)], 0, 1, (int)definition.Evaluator.Placement));
        return levers;
    }

    private static LeverInfo Lever(string name, LeverKind kind, IReadOnlyList<int> candidates, int min, int max, int baseValue)
    {
        foreach (var c in candidates)
            if (c < Math.Min(min, 1)) throw new CompassInputException(name, $"candidates must be ≥ {Math.Min(min, 1)}, got {c}");
        var kept = candidates.Where(c => c >= min && c <= max).Distinct().Order().ToArray();
        if (kept.Length == 0) throw new CompassInputException(name, $"no candidate in {min}..{max} (got {string.Join(", ", candidates)})");
        var nearest = 0;
        for (var i = 1; i < kept.Length; i++)
            if (Math.Abs(kept[i] - baseValue) < Math.Abs(kept[nearest] - baseValue)) nearest = i;
        return new LeverInfo(name, kind, kept, nearest);
    }

    /// <summary>Heuristic mappings of the base plan (the scenario's fixed values), lifted into the master space.</summary>
    internal sealed class BaseHeuristics(PlanSet plans) : IHeuristicMappings
    {
        private Plan BasePlan => plans.Get(plans.BaseIndex) ?? throw new CompassInputException("graph", $"the scenario's own plan ({plans.Describe(plans.BaseIndex)}) cannot be built");

        public Genome Pipeline(int stages) => plans.Lift(BasePlan, BasePlan.Problem.Heuristics.Pipeline(stages));

        public Genome PipelineTensor(int pipelineStages, int tensorDegree) => plans.Lift(BasePlan, BasePlan.Problem.Heuristics.PipelineTensor(pipelineStages, tensorDegree));

        public Genome MicroBatchParallel() => plans.Lift(BasePlan, BasePlan.Problem.Heuristics.MicroBatchParallel());

        public IReadOnlyList<NamedGenome> Standard() => [.. BasePlan.Problem.Heuristics.Standard().Select(n => new NamedGenome(n.Name, plans.Lift(BasePlan, n.Genome)))];
    }
}

/// <summary>One point of the plan sweep: a plan, its best standard heuristic and that mapping's fitness.</summary>
/// <param name="Plan">Readable plan (<c>microBatchSize=4 tensorParallel=16</c>).</param>
/// <param name="Heuristic">Name of the best heuristic placement of the plan.</param>
/// <param name="Genome">That mapping in the master space (levers set to the plan).</param>
/// <param name="Fitness">Its fitness.</param>
public sealed record PlanSweepPoint(string Plan, string Heuristic, Genome Genome, Fitness Fitness);
