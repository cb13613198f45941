using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Host.Configuration;

namespace Compass.Host.Output;

/// <summary>Writes <c>scenario.resolved.json</c>: every value a run used, in the input's shape, so it can be rerun.</summary>
public static class ResolvedScenario
{
    /// <summary>
    /// Builds the resolved scenario. Chiplet types named like a catalog type (<paramref name="catalogTypeNames"/>)
    /// are written with <c>"replaces"</c> set to their name, so that reading the file back (resume, replay) accepts
    /// them as the deliberate definitions they are.
    /// </summary>
    public static JsonObject Build(Scenario s, ResolvedPackage package, ModelConfig model, IEnumerable<string>? catalogTypeNames = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(package);
        var catalog = new HashSet<string>(catalogTypeNames ?? [], StringComparer.OrdinalIgnoreCase);
        var types = package.ChipletTypes.Select(t => catalog.Contains(t.Name) ? t with { Replaces = t.Name } : t).ToList();
        var o = ConfigJson.WriteOptions;
        var resolved = new JsonObject
        {
            ["name"] = s.Name,
            ["description"] = s.Description,
            ["seed"] = s.Seed,
            ["hardware"] = new JsonObject
            {
                ["package"] = JsonSerializer.SerializeToNode(package.Description, o),
                ["chipletTypes"] = JsonSerializer.SerializeToNode(types, o),
            },
            ["model"] = JsonSerializer.SerializeToNode(model, o),
            ["precision"] = new JsonObject { ["weightBits"] = s.Precision.WeightBits, ["activationBits"] = s.Precision.ActivationBits, ["kvCacheBits"] = s.Precision.KvCacheBits },
            ["graph"] = new JsonObject
            {
                ["layers"] = s.Graph.Layers, ["tensorParallel"] = s.Graph.TensorParallel, ["headGroups"] = s.Graph.HeadGroups,
                ["microBatchSize"] = s.Graph.MicroBatchSize, ["causalPrefill"] = s.Graph.CausalPrefill,
            },
            ["workload"] = new JsonObject
            {
                ["trace"] = Choice(s.Workload.Trace),
                ["scheduler"] = Choice(s.Workload.Scheduler),
                ["maxBatchRequests"] = s.Workload.MaxBatchRequests,
                ["maxBatchTokens"] = s.Workload.MaxBatchTokens,
                ["warmupIterations"] = s.Workload.WarmupIterations,
                ["searchIterations"] = s.Workload.SearchIterations,
                ["replayIterations"] = s.Workload.ReplayIterations,
                ["padding"] = Compass.Engine.Workload.Padding.Name(s.Workload.Padding.Mode),
                ["paddedLength"] = s.Workload.Padding.PaddedLength,
            },
            ["costModels"] = CostModels(s),
            ["objective"] = new JsonObject { ["kind"] = s.Objective.Kind.ToString().ToLowerInvariant(), ["energyExponent"] = s.Objective.EnergyExponent, ["delayExponent"] = s.Objective.DelayExponent },
            ["optimizer"] = Choice(s.Optimizer),
            ["budget"] = new JsonObject { ["evaluations"] = s.Budget.MaxEvaluations, ["wallSeconds"] = s.Budget.MaxWallSeconds },
            ["search"] = new JsonObject { ["threads"] = s.Search.Threads, ["startFrom"] = s.Search.StartFromHeuristics ? "heuristics" : "none", ["checkpointEvery"] = s.Search.CheckpointEvery },
            ["resilience"] = new JsonObject { ["evaluationTimeoutMs"] = s.Resilience.EvaluationTimeoutMs, ["onPluginFault"] = s.Resilience.OnPluginFault.ToString().ToLowerInvariant() },
            ["plugins"] = ConfigJson.ToNode(s.Plugins, inferNumbers: true) as JsonObject ?? [],
        };
        if (s.Requires.Count > 0)
        {
            var requires = new JsonObject();
            foreach (var r in s.Requires) requires[r.PackageId] = r.Text;
            resolved["requires"] = requires;
        }
        return resolved;
    }

    private static JsonObject CostModels(Scenario s)
    {
        var o = new JsonObject { ["compute"] = Choice(s.CostModels.Compute), ["network"] = Choice(s.CostModels.Network) };
        if (s.CostModels.Cost is { } c) o["cost"] = Choice(c);
        return o;
    }

    private static JsonObject Choice(ComponentChoice c) => new() { ["name"] = c.Name, ["options"] = ConfigJson.ToNode(c.Options, inferNumbers: true) as JsonObject ?? [] };
}
