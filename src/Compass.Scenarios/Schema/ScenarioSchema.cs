using System.Text.Json.Nodes;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Workload;
using Compass.Engine;

namespace Compass.Scenarios.Schema;

/// <summary>
/// The scenario's schema: every key of a scenario file, with its default, unit and rule, declared once. Binding
/// (<see cref="Binding.ScenarioLoader"/>), the overrides of <c>--set</c> and <c>COMPASS_*</c>, the resolved scenario
/// and <c>compass schema</c> (JSON Schema draft 2020-12) all read this declaration.
/// </summary>
/// <remarks>
/// <para><b>Adding a field</b> (say <c>workload.padding</c>):</para>
/// <list type="number">
/// <item>Declare it here, in its section: <c>("padding", new EnumField(["none", "bucket"], "none") { Description = "…", Unit = … })</c>.
/// Pick the kind that carries the rule (<see cref="IntegerField"/> with its range, <see cref="NumberField"/>,
/// <see cref="BooleanField"/>, <see cref="StringField"/>, <see cref="EnumField"/>, <see cref="ComponentField"/>,
/// <see cref="PresetField"/>, <see cref="ObjectField"/> for a new section); a rule across fields is an
/// <see cref="ObjectRule"/> of the object that holds both. The default, unit, range and description written here are
/// what binding applies, what <c>--set</c> parses and what <c>compass schema</c> prints.</item>
/// <item>Read it into the typed <see cref="Scenario"/>: add a property to the record it belongs to and read it in
/// <see cref="Binding.ScenarioReader"/> with the same key (the bound document always holds the key, default filled).</item>
/// <item>Nothing else: unknown-key checks, <c>--set</c>/<c>COMPASS_*</c> support, <c>scenario.resolved.json</c> and the
/// JSON Schema follow from the declaration. The test <c>EveryShippedScenarioValidatesAgainstTheSchema</c> keeps the files in
/// <c>scenarios/</c> valid.</item>
/// </list>
/// </remarks>
public static class ScenarioSchema
{
    /// <summary>The root object of a scenario.</summary>
    public static ObjectField Root { get; } = Build();

    private static ObjectField Build()
    {
        var hardware = new ObjectField(
            ("package", new PresetField(typeof(PackageDescription))
            {
                Required = true,
                Description = "The package: a preset name (compass list packages), a JSON file beside the scenario, an inline package, or { \"preset\": name, …overrides }.",
            }),
            ("chipletTypes", new ChipletTypeListField
            {
                Description = "Extra chiplet types (inline, or { \"preset\": name, …overrides }), or a JSON file holding an array of them; a type replaces a catalog type of the same name.",
            }))
        { Description = "The multi-chiplet package." };

        var precision = new ObjectField(
            ("weightBits", Bits("Bits per weight.")),
            ("activationBits", Bits("Bits per activation.")),
            ("kvCacheBits", Bits("Bits per KV-cache element.")))
        { Description = "Operand precisions." };

        var graph = new ObjectField(
            ("layers", new IntegerField(0, 100_000, 1) { Unit = "decoder layers", Description = "Decoder layers modelled; 0 = all of the model's (the published experiments model one block)." }),
            ("tensorParallel", new LeverField(1, 4096, 8) { Unit = "shards", Description = "Shards of the output projection and FFN GEMMs; \"search\" or a list of candidates leaves the degree to the search (docs/levers.md)." }),
            ("headGroups", new IntegerField(0, 4096, 0) { Unit = "groups", Description = "QKV / attention split; 0 = min(tensorParallel, heads); = heads for per-head nodes." }),
            ("microBatchSize", new LeverField(1, 1_000_000, 1) { Unit = "requests", Description = "Requests per micro-batch (of the decodes when prefillMicroBatchSize is set); \"search\" or a list of candidates leaves it to the search (docs/levers.md)." }),
            ("prefillMicroBatchSize", new LeverField(0, 1_000_000, 0) { Unit = "requests", Description = "Requests per micro-batch of the prefill and chunked-prefill requests, split apart from the decodes; 0 = one split for every request (published); \"search\" or a list of candidates leaves it to the search." }),
            ("tensorParallelGroups", new IntegerField(1, 4096, 1) { Unit = "layer groups", Description = "With tensorParallel \"search\" or a list: the modelled layers are cut into this many consecutive groups (near-equal, the first ones one layer larger), each with its own searched degree (levers graph.tensorParallel.group0, ...; docs/levers.md); 1 = one degree for every layer." }),
            ("causalPrefill", new BooleanField(true) { Description = "Count half the prefill score work (the published graph counts all of it)." }))
        { Description = "How the computation execution graph is built." };

        var workload = new ObjectField(
            ("trace", new ComponentField { Required = true, Description = "Request trace (compass list traces)." }),
            ("scheduler", new ComponentField { Required = true, Description = "Serving scheduler (compass list schedulers)." }),
            ("maxBatchRequests", new IntegerField(1, 1_000_000, 128) { Unit = "requests", Description = "Continuous-batching limit: requests per iteration." }),
            ("maxBatchTokens", new IntegerField(0, int.MaxValue, 0) { Unit = "tokens", Description = "New-token budget per iteration; 0 = none (Sarathi's chunk budget)." }),
            ("warmupIterations", new IntegerField(0, 10_000_000, 0) { Unit = "iterations", Description = "Iterations skipped before sampling, so continuous batching reaches a steady mix." }),
            ("searchIterations", new IntegerField(1, 100_000, 10) { Unit = "iterations", Description = "Sampled iterations the search objective averages over (default 10, so the objective's standard error lets optimizers be told apart; the published fixed setups keep the published req_number)." }),
            ("sampling", new EnumField(["uniform", "stratified"], "stratified") { Description = "How the search iterations are drawn after the warm-up: stratified by phase mix (default: each mix of prefills and decodes in proportion to how often the schedule runs it, and within a mix one iteration per size bin; docs/levers.md), or uniform." }),
            ("replayIterations", new IntegerField(1, 10_000_000, 300) { Unit = "iterations", Description = "Held-out iterations compass replay runs on (another seed)." }),
            ("padding", new EnumField(["none", "batch-max", "fixed"], "none") { Description = "Prior work's padded batching: none (tokens concatenated, the Compass default), batch-max (every request padded to its batch's longest), fixed (to paddedLength). The wasted time and energy are reported under padding in metrics.json." }),
            ("paddedLength", new IntegerField(0, 100_000_000, 0) { Unit = "tokens", Description = "Length every request is padded to when padding is fixed (>= 1 then); unused otherwise." }),
            ("contextWindow", new EnumField(["enforce", "ignore"], "enforce") { Description = "enforce: a request whose prompt is longer than the model's context window (maxPosition) is refused, naming the trace file and line; ignore: such prompts are served as they are, as the published Compass experiments build their blocks from length lists without a position limit (docs/paper-comparison.md)." }))
        {
            Description = "The serving workload.",
            Rules =
            [
                new ObjectRule("A fixed padding needs a length.", w =>
                {
                    var length = w["paddedLength"]!.GetValue<long>();
                    return w["padding"]!.GetValue<string>() == "fixed" && length < 1 ? ("paddedLength", $"must be >= 1 when workload.padding is fixed, got {length}") : null;
                }),
            ],
        };

        var evaluator = new ObjectField(
            ("placement", new EnumField(["nearest", "interleaved", LeverField.Search], "nearest") { Description = "Home of weights, KV cache and spilled activations in DRAM: nearest = the channel nearest (fewest mean hops) to the chiplet that first consumes it; interleaved = 1/n over every channel (the published Compass default); search = a lever the search sets (docs/levers.md)." }),
            ("weightHomes", new MapField(new IntegerField(0, 4095) { Unit = "DRAM channel index", Description = "Channel the named gene's weights live in." })
            {
                Description = "Explicit homes of weight tensors: gene name (L0.ffn_up.3, as in best-mapping.json) → DRAM channel index; overrides placement for those weights.",
            }),
            ("collective", EnumField.Of<CollectiveAlgorithm>(CollectiveAlgorithm.Ring, "All-reduce of the row-parallel (Megatron) shards' partial sums, routed over the links: ring = 2(p − 1) steps of 1/p of the tensor to the next shard's chiplet; direct = every chiplet sends its 1/p slice to every other, then its reduced slice (two steps).")))
        { Description = "How the evaluator places data in DRAM and all-reduces tensor-parallel shards." };

        var costModels = new ObjectField(
            ("compute", new ComponentField { Required = true, Description = "Per-operator time and energy on a chiplet (compass list compute)." }),
            ("network", new ComponentField { Required = true, Description = "Network-on-package and DRAM channel model (compass list network)." }),
            ("cost", new ComponentField { Description = "Die area and monetary cost of the package (compass list cost); optional." }))
        { Description = "Cost models." };

        var objective = new ObjectField(
            ("kind", EnumField.Of<ObjectiveKind>(ObjectiveKind.Edp, "What the search minimises: edp = mean latency × mean energy; weighted = E^energyExponent · D^delayExponent.")),
            ("energyExponent", new NumberField(0, 100, 1) { Description = "Exponent of energy in the weighted objective." }),
            ("delayExponent", new NumberField(0, 100, 1) { Description = "Exponent of delay in the weighted objective." }))
        { Description = "The search objective." };

        var budget = new ObjectField(
            ("evaluations", new IntegerField(1, int.MaxValue, 10_000) { Unit = "evaluations", Description = "The search stops after this many evaluations." }),
            ("wallSeconds", new NumberField(0, 1e9, 0) { Unit = "s", Description = "The search stops after this wall time; 0 = no limit." }))
        { Description = "Search budget: whichever limit comes first." };

        var search = new ObjectField(
            ("threads", new IntegerField(0, 1024, 0) { Unit = "threads", Description = "Evaluation worker threads; 0 = all cores." }),
            ("startFrom", new EnumField(["heuristics", "none"], "heuristics") { Description = "Seed the optimizer with the pipeline / tensor-parallel / … mappings, or not." }),
            ("checkpointEvery", new IntegerField(1, 1_000_000, 100) { Unit = "evaluations", Description = "The search log (the checkpoint --resume reads) is flushed at least this often." }))
        { Description = "How the search runs." };

        var resilience = new ObjectField(
            ("evaluationTimeoutMs", new IntegerField(10, 86_400_000, 60_000) { Unit = "ms", Description = "A call into plugin code over this time is cancelled." }),
            ("onPluginFault", EnumField.Of<PluginFaultPolicy>(PluginFaultPolicy.Stop, "stop = end the run (exit 3, results kept); continue = mark the evaluation invalid and go on.")))
        { Description = "What happens when plugin code hangs or throws." };

        return new ObjectField(
            ("name", new StringField("unnamed") { Description = "Run name, recorded in every output." }),
            ("description", new StringField(string.Empty) { Description = "Free text; say which values are published and which are your own choices." }),
            ("seed", new IntegerField(int.MinValue, int.MaxValue, 42) { Description = "Seed of every random stream: same seed, same bits." }),
            ("hardware", hardware),
            ("model", new PresetField(typeof(ModelConfig))
            {
                Required = true,
                Description = "The model: a catalog name (compass list models), a JSON file beside the scenario, an inline model, or { \"preset\": name, …overrides }.",
            }),
            ("precision", precision),
            ("graph", graph),
            ("workload", workload),
            ("costModels", costModels),
            ("objective", objective),
            ("optimizer", new ComponentField { Required = true, Description = "Search algorithm (compass list optimizers)." }),
            ("budget", budget),
            ("search", search),
            ("resilience", resilience),
            ("evaluator", evaluator),
            ("plugins", new PluginSectionsField { Description = "Each plugin's own configuration section, keyed by plugin name; a section for a plugin that is not loaded is refused." }),
            ("requires", new MapField(new StringField { NonEmpty = true, Description = "Accepted versions: >=1.2, >1.2, =1.2.0, a bare 1.2 (at least), or NuGet interval notation [1.2,2.0)." }) { Description = "Plugin packages the scenario needs, package id → accepted versions; a run without them exits 2 naming the entry." }))
        {
            Description = "A Compass scenario: hardware, model, workload, cost models, objective and search.",
            UnknownKeyReason = "is not a known scenario field",
            IgnoredKeys = ["$schema"],
            Rules =
            [
                new ObjectRule("A micro-batch cannot be larger than the batch.", root =>
                {
                    // A fixed size is checked here; candidates of a lever that exceed the batch are dropped when the problem is built.
                    if (root["graph"]!["microBatchSize"] is not JsonValue fixedSize || !fixedSize.TryGetValue<long>(out var mb)) return null;
                    var max = root["workload"]!["maxBatchRequests"]!.GetValue<long>();
                    return mb > max ? ("graph.microBatchSize", $"must be <= workload.maxBatchRequests ({max}), got {mb}: a micro-batch cannot be larger than the batch") : null;
                }),
            ],
        };
    }

    private static IntegerField Bits(string description) => new(4, 32, 16) { OneOf = [4, 8, 16, 32], Unit = "bits", Description = description };

    /// <summary>The JSON Schema (draft 2020-12) of a scenario file, generated from <see cref="Root"/>.</summary>
    public static JsonObject ToJsonSchema() => new JsonSchemaWriter().Write(Root);
}
