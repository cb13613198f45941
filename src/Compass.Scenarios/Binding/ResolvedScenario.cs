using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Workload;

namespace Compass.Scenarios.Binding;

/// <summary>
/// Writes <c>scenario.resolved.json</c>: the bound scenario document (every declared key, defaults filled, overrides
/// applied) with the package, its chiplet types and the model expanded to the values the run used, so the file reruns
/// the same run and shows every override of a preset's field.
/// </summary>
public static class ResolvedScenario
{

    /// <summary>Builds the resolved scenario.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="package">The package as resolved (preset expanded, overrides applied).</param>
    /// <param name="model">The model as resolved.</param>
    /// <param name="catalogTypeNames">
    /// Names of the catalog's chiplet types: a resolved type of such a name is written with <c>"replaces"</c> set to it,
    /// so that reading the file back (resume, replay, a study point) accepts it as the deliberate definition it is.
    /// </param>
    public static JsonObject Build(Scenario scenario, ResolvedPackage package, ModelConfig model, IEnumerable<string>? catalogTypeNames = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(package);
        var catalog = new HashSet<string>(catalogTypeNames ?? [], StringComparer.OrdinalIgnoreCase);
        var types = package.ChipletTypes.Select(t => catalog.Contains(t.Name) ? t with { Replaces = t.Name } : t).ToList();
        // Absent optional records (a dense model's moe) are left out, as a scenario would write them: null is refused on input.
        var o = ConfigJson.ScenarioWriteOptions;
        var resolved = scenario.Document.DeepClone().AsObject();
        resolved["hardware"] = new JsonObject
        {
            ["package"] = JsonSerializer.SerializeToNode(package.Description, o),
            ["chipletTypes"] = JsonSerializer.SerializeToNode(types, o),
        };
        resolved["model"] = JsonSerializer.SerializeToNode(model, o);
        return resolved;
    }
}
