using System.Globalization;
using System.Text.Json.Nodes;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Pipeline;
using Compass.Engine.Workload;
using Compass.Host.Composition;
using Compass.Scenarios.Binding;

namespace Compass.Host.Commands;

/// <summary>
/// The checks every scenario-driven command runs before its work starts, so that <c>validate</c> says "valid" only
/// when <c>explore</c> will start: the whole trace is read (streamed, bounded memory) with every row check and the
/// model's context window; the work the problem needs is estimated against the memory available; the search
/// problem is built once; and the first heuristic mapping must evaluate to finite metrics, otherwise the numeric
/// fields most likely responsible are named.
/// </summary>
public static class Preflight
{
    /// <summary>Fraction of the memory available to the process that a problem may be estimated to need.</summary>
    public const double MaxMemoryFraction = 0.5;

    /// <summary>
    /// Bytes one task (one micro-batch of one gene in one sampled iteration) is estimated to need while the
    /// problem is built and searched: the default scenario's peak working set grows by about 12 MB from 2 to 32
    /// modelled layers, 7,920 more tasks, so 1.5 KB each.
    /// </summary>
    public const double BytesPerTask = 1500;

    /// <summary>
    /// Copies of a genome the search is estimated to hold at once (a population, its offspring, an archive and
    /// per-thread scratch), each four bytes per gene and micro-batch.
    /// </summary>
    public const double GenomeCopies = 256;

    /// <summary>
    /// Runs every check and the problem stages of <c>explore</c> and <c>compare</c> (the scenario's sampled
    /// iterations, scenario seed): workload → memory check → graph → costing → mapping space, then the finite-start
    /// check on the built problem. The returned run continues with the search stages.
    /// </summary>
    public static PipelineRun SearchProblem(ExplorationSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        CheckWholeTrace(setup, setup.Scenario.Seed, cancellationToken);
        var problem = ExplorationPipeline.Problem(setup.Scenario.Workload.SearchIterations);
        var checkedProblem = new ExplorationPipeline(
        [
            problem.Stages[0],
            new PipelineStage("memory check", (run, token) => CheckWorkFits(setup, PipelineRun.Require(run.Iterations, "workload"), token)),
            .. problem.Stages.Skip(1),
        ]);
        var built = setup.Run(checkedProblem, setup.Scenario.Seed, cancellationToken);
        CheckFiniteStart(setup, built.Problem!);
        return built;
    }

    /// <summary>
    /// Estimates the memory the search problem over <paramref name="iterations"/> needs, from a one-layer probe of
    /// it (its tasks and genes scale with the modelled layers), and refuses work estimated to need more than
    /// <see cref="MaxMemoryFraction"/> of the memory available to the process, naming the driver
    /// (<c>graph.layers</c>) — before the build allocates it.
    /// </summary>
    public static void CheckWorkFits(ExplorationSetup setup, IReadOnlyList<Iteration> iterations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var graph = setup.Graph;
        var layers = graph.Layers == 0 ? setup.Model.Layers : graph.Layers;
        if (layers <= 1) return;
        // One layer is one layer group: a degree per group becomes one degree in the probe.
        var definition = setup.Inputs.Definition(iterations);
        var probe = ExplorationProblem.Create(definition with { Graph = graph with { Layers = 1 }, Levers = definition.Levers with { TensorParallelGroups = 1 } }, cancellationToken);
        var tasks = probe.TaskCount * (double)layers;
        var genomeBytes = (double)probe.Space.GeneCount * layers * probe.Space.MicroBatchCount * sizeof(int);
        var estimate = tasks * BytesPerTask + genomeBytes * GenomeCopies;
        var available = (double)GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (estimate <= available * MaxMemoryFraction) return;
        var c = CultureInfo.InvariantCulture;
        throw new CompassInputException("graph.layers",
            string.Create(c, $"{layers} modelled layers need an estimated {estimate / 1e9:F1} GB ({tasks:N0} tasks over {iterations.Count} sampled iterations, {probe.Space.GeneCount * (long)layers:N0} genes × {probe.Space.MicroBatchCount} micro-batches per mapping), more than {MaxMemoryFraction:P0} of the {available / 1e9:F1} GB this process may use; model fewer layers (graph.layers) or sample fewer iterations (workload.searchIterations)"));
    }

    /// <summary>
    /// Reads the whole trace once with <paramref name="seed"/>, streamed (one request at a time), so that a bad
    /// row anywhere (the trace reader names file and line) or a prompt longer than the model's context window
    /// fails now rather than never (explore samples only a prefix) or late. Applies to traces read from a file
    /// (a <c>path</c> option). Returns the number of requests, or -1 for a generated trace.
    /// </summary>
    public static long CheckWholeTrace(ExplorationSetup setup, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var trace = setup.Scenario.Workload.Trace;
        // A generated trace has no rows to get wrong and may be billions of requests long (it is streamed, only the
        // sampled iterations are generated); its requests are checked as the scheduler consumes them.
        if (string.IsNullOrEmpty(trace.Options["path"])) return -1;
        var count = CompassRuntime.Guard(setup.Trace.Plugin, "traces", trace.Name, () =>
        {
            long n = 0;
            foreach (var request in setup.Trace.Component.Read(seed, cancellationToken))
            {
                CheckRequest(setup, request);
                n++;
            }
            return n;
        });
        if (count == 0)
            throw new CompassInputException(trace.Path, $"trace '{trace.Name}' produced no request (empty trace or zero requests); nothing to schedule");
        return count;
    }

    /// <summary>
    /// Checks one request against the model: at least one prompt and one output token, and a prompt within the context
    /// window (when the model states one and the scenario keeps <c>workload.contextWindow: "enforce"</c>). A refusal names the trace file and line when the source can locate the
    /// request (<see cref="ITraceRequestLocator"/>), else the scenario's trace field.
    /// </summary>
    public static void CheckRequest(ExplorationSetup setup, TraceRequest request)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var contextTokens = setup.ContextWindowTokens;
        if (request.PromptTokens < 1)
            throw Refuse(setup, request, $"has {request.PromptTokens} prompt tokens, must be >= 1");
        if (request.OutputTokens < 1)
            throw Refuse(setup, request, $"has {request.OutputTokens} output tokens, must be >= 1");
        if (contextTokens > 0 && request.PromptTokens > contextTokens)
            throw Refuse(setup, request,
                $"(arriving at {request.ArrivalSeconds.ToString("G6", CultureInfo.InvariantCulture)} s) has a {request.PromptTokens}-token prompt, longer than the {contextTokens}-token context window of model '{setup.Model.Name}'");
    }

    private static CompassInputException Refuse(ExplorationSetup setup, TraceRequest request, string what)
    {
        var field = setup.Scenario.Workload.Trace.Path;
        var located = setup.Trace.Component is ITraceRequestLocator locator
            ? CompassRuntime.Guard(setup.Trace.Plugin, "traces", setup.Scenario.Workload.Trace.Name, () => locator.Locate(request.Id))
            : null;
        return located is null
            ? new CompassInputException(field, $"request {request.Id} {what}")
            : new CompassInputException(located, $"request {request.Id} ({field}) {what}");
    }

    /// <summary>
    /// Evaluates the heuristic mappings in order until one is runnable on the space; its latency, energy, objective
    /// and EDP must be finite, or the scenario holds values that overflow (a bandwidth of 1e-300, an energy of
    /// 1e308): refused before any search, naming the fields most likely responsible.
    /// </summary>
    public static void CheckFiniteStart(ExplorationSetup setup, ExplorationProblem problem)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(problem);
        foreach (var start in problem.Heuristics.Standard())
        {
            if (!problem.Space.IsValid(start.Genome, out _)) continue;
            var fitness = problem.Evaluate(start.Genome);
            if (fitness.IsValid && double.IsFinite(fitness.EdpJouleSeconds)) return;
            if (setup.Resilience.Faults.HasFaults)
            {
                // Under onPluginFault "continue" a faulty cost model gives infinite costs: no mapping can be valid.
                var fault = setup.Resilience.Faults.Faults[0];
                throw new CompassInputException(setup.Scenario.CostModels.Compute.Path,
                    $"the first heuristic mapping ('{start.Name}') has no finite cost because of a plugin fault, so no mapping can be valid: {fault.Describe()}");
            }
            var suspects = Suspects(setup);
            throw new CompassInputException(suspects.Count > 0 ? suspects[0].Path : "hardware",
                $"the first heuristic mapping ('{start.Name}') evaluates to a non-finite latency, energy or EDP, so no mapping can be compared; "
                + (suspects.Count > 0 ? "likely cause: " + string.Join("; ", suspects.Take(3).Select(s => $"{s.Path} = {s.Value.ToString("G4", CultureInfo.InvariantCulture)}")) : "no single value is out of scale; check the objective exponents and the cost models"));
        }
    }

    /// <summary>
    /// Numeric fields of the resolved hardware, model and objective whose magnitude is far outside what any
    /// physical device has (below 1e-9 or above 1e12 in their unit, or an objective exponent above 4), the most
    /// extreme first: the likely causes of an overflowing evaluation.
    /// </summary>
    public static IReadOnlyList<(string Path, double Value)> Suspects(ExplorationSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var resolved = ResolvedScenario.Build(setup.Scenario, setup.Package, setup.Model);
        var found = new List<(string Path, double Value, double Score)>();
        Walk(resolved["hardware"], "hardware", found);
        Walk(resolved["model"], "model", found);
        var o = setup.Scenario.Objective;
        if (o.EnergyExponent > 4) found.Add(("objective.energyExponent", o.EnergyExponent, o.EnergyExponent));
        if (o.DelayExponent > 4) found.Add(("objective.delayExponent", o.DelayExponent, o.DelayExponent));
        return [.. found.OrderByDescending(f => f.Score).Select(f => (f.Path, f.Value))];
    }

    private static void Walk(JsonNode? node, string path, List<(string Path, double Value, double Score)> found)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o) Walk(child, path + "." + key, found);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) Walk(a[i], $"{path}[{i}]", found);
                break;
            case JsonValue v when v.TryGetValue<double>(out var d):
                var magnitude = Math.Abs(d);
                if (d != 0 && (magnitude < 1e-9 || magnitude > 1e12 || !double.IsFinite(d)))
                    found.Add((path, d, double.IsFinite(d) ? Math.Abs(Math.Log10(magnitude)) : double.MaxValue));
                break;
        }
    }
}
