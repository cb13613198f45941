using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Studies.Definition;

namespace Compass.Studies.Points;

/// <summary>
/// Checks a study before any point runs: every axis path exists in the scenario, every axis value passes the
/// scenario's validation with the plugins loaded (names resolved, options and ranges checked), and different values of
/// an axis give different resolved scenarios (an override the pipeline ignored would make the sweep a flat line).
/// Errors name the axis and the value; the host exits with code 2.
/// </summary>
public static class StudyValidation
{
    /// <summary>Validates each axis value on its own against <paramref name="prepared"/> (the base with the fixed settings).</summary>
    public static void ValidateAxes(StudyDefinition study, JsonObject prepared, IPointExplorer explorer)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(explorer);
        foreach (var axis in study.Axes)
        {
            var seen = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
            foreach (var value in axis.Values)
            {
                var applied = StudyPoint.ApplyAxis((JsonObject)prepared.DeepClone(), axis, value, explorer.Resolve);
                JsonObject resolved;
                try
                {
                    resolved = explorer.Resolve(applied);
                }
                catch (CompassInputException e)
                {
                    throw new CompassInputException($"{axis.Field} ('{axis.Name}' = {AxisAssignment.ValueLabel(value)})", e.Message, e);
                }
                var key = resolved.ToJsonString();
                if (seen.TryGetValue(key, out var other))
                    throw new CompassInputException($"{axis.Field} ('{axis.Name}')", $"values {AxisAssignment.ValueLabel(other)} and {AxisAssignment.ValueLabel(value)} resolve to the same scenario: the path {axis.Path} has no effect on the run");
                seen[key] = value;
            }
        }
    }

    /// <summary>Throws when two points have the same scenario (the same id): the grid would run one physics twice.</summary>
    public static void CheckDistinct(IReadOnlyList<StudyPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var ids = new Dictionary<string, StudyPoint>(StringComparer.Ordinal);
        foreach (var p in points)
        {
            if (ids.TryGetValue(p.Id, out var q))
                throw new CompassInputException("axes", $"points {q.Index} ({q.Label}) and {p.Index} ({p.Label}) give the same scenario: two axes write the same field, or a value repeats");
            ids[p.Id] = p;
        }
    }
}
