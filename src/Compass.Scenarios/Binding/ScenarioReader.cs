using System.Text;
using System.Text.Json.Nodes;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Workload;
using Compass.Scenarios.Schema;
using Microsoft.Extensions.Configuration;

namespace Compass.Scenarios.Binding;

/// <summary>
/// Reads a bound scenario document (see <see cref="ScenarioLoader.Bind"/>) into the typed <see cref="Scenario"/>. The
/// document already satisfies <see cref="ScenarioSchema"/> — every declared key present with its default, every value
/// of its declared type and range — so this only maps keys to records.
/// </summary>
public static class ScenarioReader
{
    /// <summary>Reads the typed scenario.</summary>
    /// <param name="document">The bound document.</param>
    /// <param name="baseDirectory">Folder relative file names were resolved against (kept for commands that read more files).</param>
    public static Scenario Read(JsonObject document, string baseDirectory)
    {
        _ = baseDirectory;
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(document.ToJsonString()))).Build();
        var hardware = document["hardware"]!.AsObject();
        var graph = document["graph"]!.AsObject();
        var workload = document["workload"]!.AsObject();
        var costModels = document["costModels"]!.AsObject();
        var objective = document["objective"]!.AsObject();
        var budget = document["budget"]!.AsObject();
        var search = document["search"]!.AsObject();
        var resilience = document["resilience"]!.AsObject();
        var precision = document["precision"]!.AsObject();
        var evaluator = document["evaluator"]!.AsObject();
        return new Scenario
        {
            Name = Str(document, "name"),
            Description = Str(document, "description"),
            Seed = Int(document, "seed"),
            Package = Package(hardware["package"]!),
            ExtraChipletTypes = [.. hardware["chipletTypes"]!.AsArray().Select((t, i) => ChipletType(t!, $"hardware.chipletTypes[{i}]"))],
            Model = Model(document["model"]!),
            Precision = new PrecisionConfig(Int(precision, "weightBits"), Int(precision, "activationBits"), Int(precision, "kvCacheBits")),
            Graph = new GraphOptions
            {
                Layers = Int(graph, "layers"),
                TensorParallel = LeverBase(graph, "tensorParallel", 8),
                HeadGroups = Int(graph, "headGroups"),
                MicroBatchSize = LeverBase(graph, "microBatchSize", 1),
                PrefillMicroBatchSize = LeverBase(graph, "prefillMicroBatchSize", 1),
                CausalPrefill = graph["causalPrefill"]!.GetValue<bool>(),
            },
            Levers = new LeverSettings(
                LeverCandidates(graph, "microBatchSize", Int(workload, "maxBatchRequests")),
                LeverCandidates(graph, "prefillMicroBatchSize", Int(workload, "maxBatchRequests")),
                graph["tensorParallel"] is JsonArray ? LeverCandidates(graph, "tensorParallel", 0) : [],
                graph["tensorParallel"] is JsonValue tp && tp.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                TensorParallelGroups = Int(graph, "tensorParallelGroups"),
                PlacementSearch = Str(evaluator, "placement") == LeverField.Search,
            },
            Workload = new WorkloadSettings(
                Choice(root, "workload", "trace")!,
                Choice(root, "workload", "scheduler")!,
                Int(workload, "maxBatchRequests"),
                Int(workload, "maxBatchTokens"),
                Int(workload, "warmupIterations"),
                Int(workload, "searchIterations"),
                Int(workload, "replayIterations"))
            {
                Padding = new PaddingOptions(Padding.ParseMode(Str(workload, "padding")), Int(workload, "paddedLength")),
                Stratified = Str(workload, "sampling") == "stratified",
                IgnoreContextWindow = Str(workload, "contextWindow") == "ignore",
            },
            CostModels = new CostModelSettings(
                Choice(root, "costModels", "compute")!,
                Choice(root, "costModels", "network")!,
                costModels.ContainsKey("cost") ? Choice(root, "costModels", "cost") : null),
            Objective = new ObjectiveSpec(Enum.Parse<ObjectiveKind>(Str(objective, "kind"), ignoreCase: true), Num(objective, "energyExponent"), Num(objective, "delayExponent")),
            Optimizer = Choice(root, null, "optimizer")!,
            Budget = new SearchBudget(Int(budget, "evaluations"), Num(budget, "wallSeconds")),
            Search = new SearchSettings(Int(search, "threads"), Str(search, "startFrom") == "heuristics") { CheckpointEvery = Int(search, "checkpointEvery") },
            Resilience = new ResilienceSettings(Int(resilience, "evaluationTimeoutMs"), Enum.Parse<PluginFaultPolicy>(Str(resilience, "onPluginFault"), ignoreCase: true)),
            Evaluator = new EvaluatorOptions
            {
                Placement = Str(evaluator, "placement") == LeverField.Search ? DramPlacement.Nearest : Enum.Parse<DramPlacement>(Str(evaluator, "placement"), ignoreCase: true),
                WeightHomes = evaluator["weightHomes"]!.AsObject().ToDictionary(p => p.Key, p => checked((int)p.Value!.GetValue<long>()), StringComparer.Ordinal),
                Collective = Enum.Parse<CollectiveAlgorithm>(Str(evaluator, "collective"), ignoreCase: true),
            },
            Requires = document["requires"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase),
            Plugins = root.GetSection("plugins"),
            Root = root,
            Document = document,
        };
    }

    private static string Str(JsonObject o, string key) => o[key]!.GetValue<string>();

    /// <summary>A lever's fixed value, or for one left to the search its first listed candidate (<paramref name="searchDefault"/> for "search").</summary>
    private static int LeverBase(JsonObject o, string key, int searchDefault) => o[key] switch
    {
        JsonArray list => checked((int)list[0]!.GetValue<long>()),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => searchDefault,
        _ => Int(o, key),
    };

    /// <summary>A lever's candidates: the list as given, powers of two up to <paramref name="searchLimit"/> for "search", none for a fixed value.</summary>
    private static int[] LeverCandidates(JsonObject o, string key, int searchLimit) => o[key] switch
    {
        JsonArray list => [.. list.Select(n => checked((int)n!.GetValue<long>()))],
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [.. Enumerable.Range(0, 31).Select(k => 1 << k).TakeWhile(c => c <= searchLimit)],
        _ => [],
    };

    private static int Int(JsonObject o, string key) => checked((int)o[key]!.GetValue<long>());

    private static double Num(JsonObject o, string key) => o[key]!.GetValue<double>();

    private static ComponentChoice? Choice(IConfigurationRoot root, string? section, string key)
    {
        var path = section is null ? key : section + "." + key;
        var s = root.GetSection(path.Replace('.', ':'));
        return s["name"] is { } name ? new ComponentChoice(name, s.GetSection("options"), path) : null;
    }

    private static PackageReference Package(JsonNode node)
    {
        var spec = (PresetField)((ObjectField)ScenarioSchema.Root.Child("hardware")!).Child("package")!;
        var (preset, inline, overrides) = Split(node, spec, "hardware.package");
        return new PackageReference(preset, (PackageDescription?)inline, overrides);
    }

    private static ModelReference Model(JsonNode node)
    {
        var spec = (PresetField)ScenarioSchema.Root.Child("model")!;
        var (preset, inline, overrides) = Split(node, spec, "model");
        return new ModelReference(preset, (ModelConfig?)inline, overrides);
    }

    private static ChipletTypeReference ChipletType(JsonNode node, string path)
    {
        var spec = ((ChipletTypeListField)((ObjectField)ScenarioSchema.Root.Child("hardware")!).Child("chipletTypes")!).Item;
        var (preset, inline, overrides) = Split(node, spec, path);
        return new ChipletTypeReference(preset, (ChipletType?)inline, overrides);
    }

    private static (string? Preset, object? Inline, JsonObject? Overrides) Split(JsonNode node, PresetField spec, string path)
    {
        if (node is JsonValue) return (node.GetValue<string>(), null, null);
        var obj = node.AsObject();
        if (obj[PresetField.PresetKey] is { } preset)
        {
            var overrides = new JsonObject();
            foreach (var (key, value) in obj)
                if (key != PresetField.PresetKey) overrides[key] = value!.DeepClone();
            return (preset.GetValue<string>(), null, overrides.Count == 0 ? null : overrides);
        }
        return (null, spec.Whole.Materialize(obj, path), null);
    }
}
