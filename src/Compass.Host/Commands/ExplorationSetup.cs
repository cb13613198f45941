using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Pipeline;
using Compass.Engine.Workload;
using Compass.Host.Composition;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;
using Compass.Host.Output;
using Compass.Host.Plugins;
using Microsoft.Extensions.Logging;

namespace Compass.Host.Commands;

/// <summary>What every scenario-driven command reads from the command line.</summary>
/// <param name="ScenarioPath">Scenario file, or null for the embedded default.</param>
/// <param name="Overrides">Raw <c>key=value</c> overrides, applied last.</param>
/// <param name="PluginDirectories">Extra plugin directories (after the default one).</param>
public sealed record ScenarioArguments(string? ScenarioPath, IReadOnlyList<string> Overrides, IReadOnlyList<string> PluginDirectories)
{
    /// <summary>The default plugin directory followed by the extra ones.</summary>
    public IReadOnlyList<string> AllPluginDirectories => CompassCli.PluginDirectories(PluginDirectories);

    /// <summary>Ignore <c>COMPASS_*</c> environment variables (a resumed run uses exactly its recorded scenario).</summary>
    public bool IgnoreEnvironment { get; init; }
}

/// <summary>
/// A scenario composed and validated up to the point where work starts: plugins loaded, package and model resolved,
/// every component created (which validates its options), plugin calls wrapped in their resilience pipelines. It is
/// the host's side of the engine's pipeline: <see cref="Inputs"/> are what every <see cref="ExplorationPipeline"/>
/// starts from, and it is the pipeline's <see cref="IWorkloadSource"/> over the trace and scheduler plugins.
/// </summary>
public sealed class ExplorationSetup : IDisposable, IWorkloadSource
{
    private ExplorationSetup(Scenario scenario, CompassRuntime runtime, PluginResilience resilience, CancellationTokenSource stop)
    {
        Scenario = scenario;
        Runtime = runtime;
        Resilience = resilience;
        Stop = stop;
    }

    /// <summary>The validated scenario.</summary>
    public Scenario Scenario { get; }

    /// <summary>Plugins and services.</summary>
    public CompassRuntime Runtime { get; }

    /// <summary>Resilience pipelines and the fault log.</summary>
    public PluginResilience Resilience { get; }

    /// <summary>Cancelled on Ctrl-C or when a plugin fault stops the run.</summary>
    public CancellationTokenSource Stop { get; }

    /// <summary>The package with its chiplet types.</summary>
    public ResolvedPackage Package { get; private set; } = null!;

    /// <summary>The model.</summary>
    public ModelConfig Model { get; private set; } = null!;

    /// <summary>
    /// Longest prompt a request may carry (the model's context window, <c>maxPosition</c>); 0 when the model states
    /// none or the scenario sets <c>workload.contextWindow: "ignore"</c>.
    /// </summary>
    public int ContextWindowTokens => Scenario.Workload.IgnoreContextWindow ? 0 : Model.MaxPosition;

    /// <summary>The trace source and its plugin.</summary>
    public (ITraceSource Component, string Plugin) Trace { get; private set; }

    /// <summary>The serving scheduler and its plugin.</summary>
    public (IServingScheduler Component, string Plugin) Scheduler { get; private set; }

    /// <summary>The compute cost model, wrapped in its plugin's pipeline.</summary>
    public ResilientComputeCostModel Compute { get; private set; } = null!;

    /// <summary>The package interconnect built by the network model.</summary>
    public IPackageInterconnect Interconnect { get; private set; } = null!;

    /// <summary>The optional package cost model and its plugin.</summary>
    public (IPackageCostModel? Component, string Plugin) Cost { get; private set; }

    /// <summary>Builds and validates everything; throws <see cref="CompassInputException"/> on a user error.</summary>
    /// <param name="args">Command-line scenario arguments.</param>
    /// <param name="extraOverrides">Overrides from dedicated options (<c>--seed</c>, <c>--budget</c>), applied after <c>--set</c>.</param>
    /// <param name="logLevel">Log level.</param>
    /// <param name="warnings">Where one-line warnings go (ignored environment variables); null drops them.</param>
    public static ExplorationSetup Build(ScenarioArguments args, IEnumerable<string> extraOverrides, LogLevel logLevel = LogLevel.Warning, TextWriter? warnings = null)
    {
        var scenario = ScenarioLoader.Load(args.ScenarioPath, [.. args.Overrides, .. extraOverrides], args.IgnoreEnvironment ? new System.Collections.Hashtable() : null, warnings is null ? null : warnings.WriteLine);
        var requirements = Plugins.Packages.PluginRequirements.Read(scenario.Requires);
        var runtime = CompassRuntime.Create(args.AllPluginDirectories, scenario.Plugins, logLevel);
        try
        {
            Plugins.Packages.PluginRequirements.Check(requirements, runtime.Catalog);
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
        var stop = new CancellationTokenSource();
        var setup = new ExplorationSetup(scenario, runtime, new PluginResilience(scenario.Resilience, new PluginFaultLog(), stop), stop);
        try
        {
            setup.Compose();
            return setup;
        }
        catch
        {
            setup.Dispose();
            throw;
        }
    }

    private void Compose()
    {
        CheckPluginSections();
        Package = Runtime.ResolveNamed(() => HardwareResolver.ResolvePackage(Scenario.Package, Scenario.ExtraChipletTypes, Runtime.ChipletTypes, Runtime.Packages));
        HardwareResolver.CheckPrecisions(Package, Scenario.Precision);
        Model = Runtime.ResolveNamed(() => HardwareResolver.ResolveModel(Scenario.Model, Runtime.Models));
        if (Scenario.Graph.Layers > Model.Layers)
            throw new CompassInputException("graph.layers", $"must be <= the model's {Model.Layers} layers, got {Scenario.Graph.Layers}");
        (Graph, Levers) = ResolveLevers(Scenario.Graph, Scenario.Levers, Model);
        CheckParallelism(Graph, Model);
        _ = Memory;
        // Resolve every name first, so a typo in the last one fails before any component starts.
        Runtime.Find<ITraceSource>(Scenario.Workload.Trace.Name, Scenario.Workload.Trace.Path + ".name");
        Runtime.Find<IServingScheduler>(Scenario.Workload.Scheduler.Name, Scenario.Workload.Scheduler.Path + ".name");
        Runtime.Find<IComputeCostModel>(Scenario.CostModels.Compute.Name, Scenario.CostModels.Compute.Path + ".name");
        Runtime.Find<IInterconnectModel>(Scenario.CostModels.Network.Name, Scenario.CostModels.Network.Path + ".name");
        if (Scenario.CostModels.Cost is { } cost) Runtime.Find<IPackageCostModel>(cost.Name, cost.Path + ".name");
        Runtime.Find<IOptimizer>(Scenario.Optimizer.Name, Scenario.Optimizer.Path + ".name");

        Trace = Runtime.Create<ITraceSource>(Scenario.Workload.Trace);
        Scheduler = Runtime.Create<IServingScheduler>(Scenario.Workload.Scheduler);
        var (compute, computePlugin) = Runtime.Create<IComputeCostModel>(Scenario.CostModels.Compute);
        Compute = new ResilientComputeCostModel(compute, computePlugin, Scenario.CostModels.Compute.Name, Resilience);
        var (network, networkPlugin) = Runtime.Create<IInterconnectModel>(Scenario.CostModels.Network);
        Interconnect = CompassRuntime.Guard(networkPlugin, "network", Scenario.CostModels.Network.Name, () => network.Build(Package));
        Cost = Scenario.CostModels.Cost is { } c ? Runtime.Create<IPackageCostModel>(c) : (null, "");
        CreateOptimizer(Scenario.Optimizer);
    }

    /// <summary>
    /// Refuses a <c>plugins.&lt;name&gt;</c> section for a plugin that is not loaded (a typo, or a plugin that failed to
    /// load: then its failure is named), since nothing would ever read it.
    /// </summary>
    private void CheckPluginSections()
    {
        foreach (var section in Scenario.Plugins.GetChildren())
        {
            if (Runtime.Catalog.Plugins.Any(p => p.ConfigurationNames.Contains(section.Key, StringComparer.OrdinalIgnoreCase))) continue;
            var loaded = HardwareResolver.KnownList(Runtime.Catalog.Plugins.SelectMany(p => p.ConfigurationNames));
            throw new CompassInputException("plugins." + section.Key, $"no loaded plugin is named '{section.Key}' (loaded: {loaded}){Runtime.Catalog.FailedPluginsClause()}");
        }
    }

    /// <summary>The graph options of the scenario's own plan (a lever left to the search at its first candidate).</summary>
    public GraphOptions Graph { get; private set; } = new();

    /// <summary>The levers left to the search, with <c>"tensorParallel": "search"</c> expanded for the resolved model.</summary>
    public LeverOptions Levers { get; private set; } = LeverOptions.None;

    /// <summary>
    /// The engine's levers of a scenario: every listed tensor-parallel degree must split the model evenly (an error names
    /// <c>graph.tensorParallel[i]</c>); <c>"search"</c> takes the powers of two up to 64 that do (the published sweep is 8 … 64),
    /// and the scenario's own plan then uses the one nearest 8.
    /// </summary>
    public static (GraphOptions Graph, LeverOptions Levers) ResolveLevers(GraphOptions graph, LeverSettings levers, ModelConfig model)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(levers);
        if (!levers.IsActive) return (graph, LeverOptions.None);
        var degrees = new List<int>();
        if (levers.TensorParallelSearch)
        {
            for (var tp = 1; tp <= 64; tp *= 2)
            {
                if (model.FfnHidden % tp != 0 || !Splits(graph with { TensorParallel = tp }, model)) continue;
                degrees.Add(tp);
            }
            if (degrees.Count == 0) throw new CompassInputException("graph.tensorParallel", $"no power of two up to 64 splits the model evenly (hidden {model.Hidden}, {model.Heads} heads)");
            graph = graph with { TensorParallel = degrees.MinBy(d => Math.Abs(d - 8)) };
        }
        for (var i = 0; i < levers.TensorParallel.Count; i++)
        {
            try
            {
                CheckParallelism(graph with { TensorParallel = levers.TensorParallel[i] }, model);
            }
            catch (CompassInputException e) when (e.Field == "graph.tensorParallel")
            {
                throw new CompassInputException($"graph.tensorParallel[{i}]", e.Reason);
            }
            degrees.Add(levers.TensorParallel[i]);
        }
        return (graph, new LeverOptions
        {
            MicroBatchSizes = levers.MicroBatchSizes,
            PrefillMicroBatchSizes = levers.PrefillMicroBatchSizes,
            TensorParallel = degrees,
            TensorParallelGroups = levers.TensorParallelGroups,
            Placements = levers.PlacementSearch ? [DramPlacement.Nearest, DramPlacement.Interleaved] : [],
        });
    }

    private static bool Splits(GraphOptions graph, ModelConfig model)
    {
        try
        {
            CheckParallelism(graph, model);
            return true;
        }
        catch (CompassInputException)
        {
            return false;
        }
    }

    /// <summary>
    /// Tensor parallelism must split the model evenly: the degree divides the hidden size, and the head groups
    /// (<c>headGroups</c>, or min(degree, heads) when 0) divide the attention heads.
    /// </summary>
    public static void CheckParallelism(GraphOptions graph, ModelConfig model)
    {
        var tp = graph.TensorParallel;
        if (model.Hidden % tp != 0)
            throw new CompassInputException("graph.tensorParallel", $"must divide the model's hidden size {model.Hidden}, got {tp}");
        var groups = graph.HeadGroups == 0 ? Math.Min(tp, model.Heads) : graph.HeadGroups;
        if (groups > model.Heads)
            throw new CompassInputException("graph.headGroups", $"must be <= the model's {model.Heads} attention heads, got {groups}");
        if (model.Heads % groups != 0)
        {
            var field = graph.HeadGroups == 0 ? "graph.tensorParallel" : "graph.headGroups";
            throw new CompassInputException(field, $"must divide the model's {model.Heads} attention heads (head groups = {groups}), got {(graph.HeadGroups == 0 ? tp : graph.HeadGroups)}");
        }
    }

    /// <summary>Creates an optimizer by choice, wrapped in its plugin's circuit breaker.</summary>
    public ResilientOptimizer CreateOptimizer(ComponentChoice choice)
    {
        var (optimizer, plugin) = Runtime.Create<IOptimizer>(choice);
        return new ResilientOptimizer(optimizer, plugin, choice.Name, Resilience);
    }

    /// <summary>The DRAM plan (weights of the modelled layers, KV-cache capacity); infeasible packages fail here.</summary>
    public MemoryPlan Memory => _memory ??= MemoryPlanner.Plan(Model, Scenario.Precision, Package, Graph.Layers);

    private MemoryPlan? _memory;

    /// <summary>The serving schedule of the trace read with <paramref name="seed"/>, under the scenario's limits (lazy).</summary>
    public IEnumerable<Iteration> Schedule(int seed, CancellationToken cancellationToken) => Schedule(Trace.Component.Read(seed, cancellationToken), cancellationToken);

    private IEnumerable<Iteration> Schedule(IEnumerable<TraceRequest> requests, CancellationToken cancellationToken)
    {
        var w = Scenario.Workload;
        var limits = MemoryPlanner.Limits(Memory, w.MaxBatchRequests, w.MaxBatchTokens);
        return Scheduler.Component.Schedule(Checked(requests), limits, cancellationToken);
    }

    /// <summary>Every request that reaches the scheduler is checked against the model (prompt within its context window).</summary>
    private IEnumerable<TraceRequest> Checked(IEnumerable<TraceRequest> requests)
    {
        foreach (var request in requests)
        {
            Preflight.CheckRequest(this, request);
            yield return request;
        }
    }

    /// <summary>The held-out replay window read lazily from the trace (validation: only the requests the window needs are read).</summary>
    public IReadOnlyList<Iteration> HeldOutIterations(int seed, int count, CancellationToken cancellationToken)
    {
        var w = Scenario.Workload;
        return CompassRuntime.Guard(Scheduler.Plugin, "schedulers", w.Scheduler.Name, () =>
            IterationSampler.HeldOut(Schedule(seed, cancellationToken), w.WarmupIterations, count, seed, cancellationToken));
    }

    /// <summary>
    /// The search sample: <paramref name="count"/> iterations drawn (seeded) after the warm-up iterations, each
    /// checked to fit the DRAM beside the weights. Deterministic for a seed.
    /// </summary>
    public IReadOnlyList<Iteration> SampleIterations(int seed, int count, CancellationToken cancellationToken)
    {
        var w = Scenario.Workload;
        CheckTraceNotEmpty(seed, cancellationToken);
        var list = CompassRuntime.Guard(Scheduler.Plugin, "schedulers", w.Scheduler.Name, () => w.Stratified
            ? IterationSampler.SampleStratified(Schedule(seed, cancellationToken), w.WarmupIterations, count, seed, 0, cancellationToken)
            : IterationSampler.Sample(Schedule(seed, cancellationToken), w.WarmupIterations, count, seed, 0, cancellationToken));
        foreach (var it in list) MemoryPlanner.Check(Memory, MemoryPlanner.KvTokens(it));
        return list;
    }

    /// <summary>
    /// The whole trace read with <paramref name="seed"/>, read once (replay needs every request and the schedule of
    /// them); throws <see cref="CompassInputException"/> naming <c>workload.trace</c> when it yields no request.
    /// </summary>
    public IReadOnlyList<TraceRequest> ReadTrace(int seed, CancellationToken cancellationToken)
    {
        var trace = Scenario.Workload.Trace;
        var requests = CompassRuntime.Guard(Trace.Plugin, "traces", trace.Name, () => Trace.Component.Read(seed, cancellationToken).ToList());
        if (requests.Count == 0) throw EmptyTrace();
        return requests;
    }

    /// <summary>A held-out replay window of <paramref name="count"/> consecutive iterations of the schedule of <paramref name="requests"/> (read with <paramref name="seed"/>).</summary>
    public IReadOnlyList<Iteration> HeldOutIterations(IReadOnlyList<TraceRequest> requests, int seed, int count, CancellationToken cancellationToken)
    {
        var w = Scenario.Workload;
        return CompassRuntime.Guard(Scheduler.Plugin, "schedulers", w.Scheduler.Name, () =>
            IterationSampler.HeldOut(Schedule(requests, cancellationToken), w.WarmupIterations, count, seed, cancellationToken));
    }

    /// <summary>Throws <see cref="CompassInputException"/> naming <c>workload.trace</c> when the trace yields no request.</summary>
    private void CheckTraceNotEmpty(int seed, CancellationToken cancellationToken)
    {
        var trace = Scenario.Workload.Trace;
        var any = CompassRuntime.Guard(Trace.Plugin, "traces", trace.Name, () =>
        {
            using var e = Trace.Component.Read(seed, cancellationToken).GetEnumerator();
            return e.MoveNext();
        });
        if (!any) throw EmptyTrace();
    }

    private CompassInputException EmptyTrace() => new(Scenario.Workload.Trace.Path, $"trace '{Scenario.Workload.Trace.Name}' produced no request (empty trace or zero requests); nothing to schedule");

    /// <summary>What every pipeline run of this scenario starts from.</summary>
    public PipelineInputs Inputs => new()
    {
        Package = Package,
        Interconnect = Interconnect,
        ComputeModel = Compute,
        Model = Model,
        Precision = Scenario.Precision,
        Graph = Graph,
        Levers = Levers,
        Objective = Scenario.Objective,
        Workload = this,
        Padding = Scenario.Workload.Padding,
        Evaluator = Scenario.Evaluator,
    };

    /// <inheritdoc />
    IReadOnlyList<Iteration> IWorkloadSource.Sample(int seed, int count, CancellationToken cancellationToken) => SampleIterations(seed, count, cancellationToken);

    /// <summary>The whole trace for a held-out window: every request checked against the model (prompt within its context window) before any is scheduled.</summary>
    IReadOnlyList<TraceRequest> IWorkloadSource.ReadTrace(int seed, CancellationToken cancellationToken)
    {
        var requests = ReadTrace(seed, cancellationToken);
        foreach (var request in requests) Preflight.CheckRequest(this, request);
        return requests;
    }

    /// <inheritdoc />
    IReadOnlyList<Iteration> IWorkloadSource.HeldOut(IReadOnlyList<TraceRequest> requests, int seed, int count, CancellationToken cancellationToken) => HeldOutIterations(requests, seed, count, cancellationToken);

    /// <summary>
    /// Runs <paramref name="pipeline"/> on a new run of this scenario with <paramref name="seed"/>. A plugin fault that
    /// cancelled a stage surfaces as <see cref="PluginFaultException"/>, not as a cancellation.
    /// </summary>
    public PipelineRun Run(ExplorationPipeline pipeline, int seed, CancellationToken cancellationToken) => Run(pipeline, new PipelineRun(Inputs, seed), cancellationToken);

    /// <summary>Runs <paramref name="pipeline"/> on <paramref name="run"/>, turning a fault-caused cancellation into the fault.</summary>
    public PipelineRun Run(ExplorationPipeline pipeline, PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        try
        {
            return pipeline.Run(run, cancellationToken);
        }
        catch (OperationCanceledException) when (Resilience.Faults.HasFaults)
        {
            throw new PluginFaultException(Resilience.Faults.Faults[0]);
        }
    }

    /// <summary>
    /// The package's monetary cost from the scenario's cost model (<c>costModels.cost</c>), or null when it names none;
    /// a throwing cost model is a plugin fault naming its plugin.
    /// </summary>
    public Compass.Reporting.Model.PackageCostSummary? EstimatePackageCost()
    {
        if (Cost.Component is not { } model || Scenario.CostModels.Cost is not { } choice) return null;
        var report = CompassRuntime.Guard(Cost.Plugin, "cost", choice.Name, () => model.Estimate(Package));
        return new Compass.Reporting.Model.PackageCostSummary(choice.Name, report);
    }

    /// <summary>The text of <c>scenario.resolved.json</c>: every value this run uses (see <see cref="ResolvedScenario"/>).</summary>
    public string ResolvedScenarioJson() => ResolvedScenario.Build(Scenario, Package, Model, Runtime.ChipletTypes.Select(t => t.Name)).ToJsonString(ConfigJson.WriteOptions) + "\n";

    /// <summary>Disposes the services.</summary>
    public void Dispose()
    {
        Runtime.Dispose();
        Stop.Dispose();
    }
}
