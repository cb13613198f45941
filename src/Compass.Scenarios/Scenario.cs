using Compass.Abstractions.Hardware;
using Compass.Abstractions.Search;
using System.Text.Json.Nodes;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Workload;
using Microsoft.Extensions.Configuration;

namespace Compass.Scenarios;

/// <summary>A component picked by name with its own options section (<c>{ "name": "ga", "options": { ... } }</c>).</summary>
/// <param name="Name">Registered name.</param>
/// <param name="Options">The options section (may not exist; never null).</param>
/// <param name="Path">Dotted path of the choice in the scenario (<c>optimizer</c>).</param>
public sealed record ComponentChoice(string Name, IConfigurationSection Options, string Path);

/// <summary>The package as the scenario gives it: a preset name (with overrides, applied after expansion) or an inline description.</summary>
/// <param name="PresetName">Preset name, or null when inline.</param>
/// <param name="Inline">Inline description, or null when a preset.</param>
/// <param name="Overrides">Bound overrides of the preset's fields (<c>{ "link": { "bandwidthGBps": 64 } }</c>), or null.</param>
public sealed record PackageReference(string? PresetName, PackageDescription? Inline, JsonObject? Overrides = null);

/// <summary>The model as the scenario gives it: a catalog name (with overrides, applied after expansion) or an inline configuration.</summary>
/// <param name="PresetName">Catalog name, or null when inline.</param>
/// <param name="Inline">Inline configuration, or null when a catalog name.</param>
/// <param name="Overrides">Bound overrides of the catalog model's fields (<c>{ "layers": 1 }</c>), or null.</param>
public sealed record ModelReference(string? PresetName, ModelConfig? Inline, JsonObject? Overrides = null);

/// <summary>An extra chiplet type: inline, or a catalog type with overrides (applied after expansion).</summary>
/// <param name="PresetName">Catalog type name, or null when inline.</param>
/// <param name="Inline">Inline type, or null when a catalog type.</param>
/// <param name="Overrides">Bound overrides of the catalog type's fields, or null.</param>
public sealed record ChipletTypeReference(string? PresetName, ChipletType? Inline, JsonObject? Overrides = null);

/// <summary>The <c>workload</c> section.</summary>
/// <param name="Trace">Trace source.</param>
/// <param name="Scheduler">Serving scheduler.</param>
/// <param name="MaxBatchRequests">Maximum requests per iteration.</param>
/// <param name="MaxBatchTokens">Maximum new tokens per iteration (0 = unbounded).</param>
/// <param name="WarmupIterations">Iterations skipped before sampling (lets continuous batching reach steady state).</param>
/// <param name="SearchIterations">Iterations the search objective averages over.</param>
/// <param name="ReplayIterations">Held-out iterations replay runs on.</param>
public sealed record WorkloadSettings(ComponentChoice Trace, ComponentChoice Scheduler, int MaxBatchRequests, int MaxBatchTokens, int WarmupIterations, int SearchIterations, int ReplayIterations)
{
    /// <summary>Padding of requests to a batch-wide or fixed length (<c>workload.padding</c>, <c>workload.paddedLength</c>); none by default.</summary>
    public PaddingOptions Padding { get; init; } = PaddingOptions.None;

    /// <summary>
    /// True when prompts longer than the model's context window are served as they are (<c>workload.contextWindow:
    /// "ignore"</c>, the published experiments' setting); false (the default) refuses them.
    /// </summary>
    public bool IgnoreContextWindow { get; init; }

    /// <summary>True when the search iterations are drawn stratified by phase mix (<c>workload.sampling: "stratified"</c>), false for a uniform draw.</summary>
    public bool Stratified { get; init; }
}

/// <summary>
/// The levers a scenario leaves to the search (docs/levers.md). An empty list fixes the lever at the graph option's
/// value; <see cref="TensorParallelSearch"/> asks for the standard degrees (powers of two up to 64 that split the
/// model evenly), which only the resolved model can name.
/// </summary>
/// <param name="MicroBatchSizes">Candidate micro-batch sizes (of the decodes when a prefill size is set).</param>
/// <param name="PrefillMicroBatchSizes">Candidate prefill micro-batch sizes.</param>
/// <param name="TensorParallel">Candidate tensor-parallel degrees given as a list.</param>
/// <param name="TensorParallelSearch">True for <c>"tensorParallel": "search"</c>.</param>
public sealed record LeverSettings(IReadOnlyList<int> MicroBatchSizes, IReadOnlyList<int> PrefillMicroBatchSizes, IReadOnlyList<int> TensorParallel, bool TensorParallelSearch)
{
    /// <summary>Every lever fixed.</summary>
    public static LeverSettings None { get; } = new([], [], [], false);

    /// <summary>Layer groups with a tensor-parallel lever each (<c>graph.tensorParallelGroups</c>; 1 = one degree for every layer).</summary>
    public int TensorParallelGroups { get; init; } = 1;

    /// <summary>True for <c>"evaluator.placement": "search"</c>: nearest and interleaved are left to the search.</summary>
    public bool PlacementSearch { get; init; }

    /// <summary>True when any lever is left to the search (or a lever setting needs the engine's check).</summary>
    public bool IsActive => MicroBatchSizes.Count > 0 || PrefillMicroBatchSizes.Count > 0 || TensorParallel.Count > 0 || TensorParallelSearch || PlacementSearch || TensorParallelGroups != 1;
}

/// <summary>The <c>costModels</c> section.</summary>
/// <param name="Compute">Compute cost model.</param>
/// <param name="Network">Interconnect model.</param>
/// <param name="Cost">Area / monetary cost model, or null.</param>
public sealed record CostModelSettings(ComponentChoice Compute, ComponentChoice Network, ComponentChoice? Cost);

/// <summary>The <c>search</c> section.</summary>
/// <param name="Threads">Worker threads (0 = processor count).</param>
/// <param name="StartFromHeuristics">True when optimizers are seeded with the heuristic mappings.</param>
public sealed record SearchSettings(int Threads, bool StartFromHeuristics)
{
    /// <summary>Default of <see cref="CheckpointEvery"/>.</summary>
    public const int DefaultCheckpointEvery = 100;

    /// <summary>The streamed search log (the checkpoint) is flushed at least every this many evaluations.</summary>
    public int CheckpointEvery { get; init; } = DefaultCheckpointEvery;
}

/// <summary>What to do when plugin code times out or throws during a run.</summary>
public enum PluginFaultPolicy
{
    /// <summary>End the run (exit code 3), keeping the outputs written so far.</summary>
    Stop,

    /// <summary>Mark the affected evaluation invalid and go on.</summary>
    Continue,
}

/// <summary>The <c>resilience</c> section.</summary>
/// <param name="EvaluationTimeoutMs">Time-out of one call into plugin code, ms.</param>
/// <param name="OnPluginFault">Fault policy.</param>
public sealed record ResilienceSettings(int EvaluationTimeoutMs, PluginFaultPolicy OnPluginFault);

/// <summary>A validated scenario: every value the run uses.</summary>
public sealed record Scenario
{
    /// <summary>Scenario name.</summary>
    public required string Name { get; init; }

    /// <summary>Free-text description.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Seed of every random stream.</summary>
    public required int Seed { get; init; }

    /// <summary>Package preset or inline description.</summary>
    public required PackageReference Package { get; init; }

    /// <summary>Extra chiplet types (replace catalog types of the same name).</summary>
    public IReadOnlyList<ChipletTypeReference> ExtraChipletTypes { get; init; } = [];

    /// <summary>Model name or inline configuration.</summary>
    public required ModelReference Model { get; init; }

    /// <summary>Precisions.</summary>
    public required PrecisionConfig Precision { get; init; }

    /// <summary>Graph options (for a lever left to the search: its first candidate, or its default for <c>"search"</c>).</summary>
    public required GraphOptions Graph { get; init; }

    /// <summary>The levers the scenario leaves to the search (<c>graph.microBatchSize</c>, <c>graph.prefillMicroBatchSize</c>, <c>graph.tensorParallel</c> given as <c>"search"</c> or a list); none by default.</summary>
    public LeverSettings Levers { get; init; } = LeverSettings.None;

    /// <summary>Workload settings.</summary>
    public required WorkloadSettings Workload { get; init; }

    /// <summary>Cost models.</summary>
    public required CostModelSettings CostModels { get; init; }

    /// <summary>Objective.</summary>
    public required ObjectiveSpec Objective { get; init; }

    /// <summary>Optimizer.</summary>
    public required ComponentChoice Optimizer { get; init; }

    /// <summary>Budget.</summary>
    public required SearchBudget Budget { get; init; }

    /// <summary>Search settings.</summary>
    public required SearchSettings Search { get; init; }

    /// <summary>Resilience settings.</summary>
    public required ResilienceSettings Resilience { get; init; }

    /// <summary>The <c>plugins</c> section (one sub-section per plugin).</summary>
    public required IConfigurationSection Plugins { get; init; }

    /// <summary>
    /// The evaluator's options (<c>evaluator</c>): where tensors in DRAM have their home (<c>placement</c>) and explicit
    /// homes of weight tensors (<c>weightHomes</c>).
    /// </summary>
    public EvaluatorOptions Evaluator { get; init; } = new();

    /// <summary>
    /// Plugin packages the scenario needs with the versions it accepts (<c>"requires": { "Acme.Photonic": "&gt;=1.2" }</c>),
    /// package id → range as written; the host checks them against the loaded plugins.
    /// </summary>
    public IReadOnlyDictionary<string, string> Requires { get; init; } = new Dictionary<string, string>();

    /// <summary>The bound scenario as configuration (component options and plugin sections are read from it).</summary>
    public required IConfiguration Root { get; init; }

    /// <summary>
    /// The bound scenario document: every declared key in declared order with its default filled, presets still by
    /// name (with their overrides). <see cref="Binding.ResolvedScenario"/> writes it with the presets expanded.
    /// </summary>
    public required JsonObject Document { get; init; }
}
