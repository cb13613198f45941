using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Studies.Definition;

namespace Compass.Studies.Points;

/// <summary>One value of one axis at a point.</summary>
/// <param name="Axis">Axis name.</param>
/// <param name="Value">The value.</param>
public sealed record AxisAssignment(string Axis, JsonNode Value)
{
    /// <summary>The value as text: strings as they are, everything else as compact JSON.</summary>
    public string Label => ValueLabel(Value);

    /// <summary>The value as a number, or null when it is not one.</summary>
    public double? Number => Value is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>Text of a value: strings as they are, everything else as compact JSON.</summary>
    public static string ValueLabel(JsonNode value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();
}

/// <summary>
/// One point of a study: a fully resolved scenario (presets inlined, fixed settings and axis values applied, seed set)
/// identified by <see cref="Id"/>, a hash of that scenario's JSON, so the same physics has the same id in any study,
/// on any machine, in any order.
/// </summary>
/// <param name="Index">Position in the study's point list (combinations in order, seeds innermost).</param>
/// <param name="Id">Stable id: the first 16 hex digits of SHA-256 over the scenario's compact JSON.</param>
/// <param name="Seed">The point's seed.</param>
/// <param name="Values">The axis values of the point, in axis order.</param>
/// <param name="ScenarioJson">The point's scenario (compact JSON) — what the run explores and the database stores.</param>
public sealed record StudyPoint(int Index, string Id, int Seed, IReadOnlyList<AxisAssignment> Values, string ScenarioJson)
{
    /// <summary>A short description: <c>linkGBps=64 dataflow=compass-ws seed=1</c>.</summary>
    public string Label => string.Join(' ', Values.Select(v => $"{v.Axis}={v.Label}").Append($"seed={Seed.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>The id of a scenario JSON text.</summary>
    public static string IdOf(string scenarioJson)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(scenarioJson));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>
    /// Builds a point from the prepared scenario (<see cref="Prepare"/>): the axis values, then the seed.
    /// Errors name the axis (<c>axes[1] ('dataflow' = xyz): ...</c>).
    /// </summary>
    public static StudyPoint Create(StudyDefinition study, JsonObject preparedScenario, int index, IReadOnlyList<AxisAssignment> values, int seed, Func<JsonObject, JsonObject>? expand)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(preparedScenario);
        var scenario = (JsonObject)preparedScenario.DeepClone();
        for (var i = 0; i < values.Count; i++)
        {
            var axis = study.Axes.First(a => a.Name == values[i].Axis);
            scenario = ApplyAxis(scenario, axis, values[i].Value, expand);
        }
        scenario["seed"] = seed;
        var json = scenario.ToJsonString();
        return new StudyPoint(index, IdOf(json), seed, values, json);
    }

    /// <summary>The base scenario with the study's fixed settings and threads per point applied.</summary>
    public static JsonObject Prepare(StudyDefinition study, JsonObject baseScenario, Func<JsonObject, JsonObject>? expand)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(baseScenario);
        var scenario = (JsonObject)baseScenario.DeepClone();
        foreach (var (path, value) in study.Set)
        {
            try
            {
                scenario = ScenarioPaths.Apply(scenario, path, value, expand);
            }
            catch (CompassInputException e)
            {
                throw new CompassInputException($"{Source(study)}set.{path}", e.Reason, e);
            }
        }
        if (!study.Set.Any(s => string.Equals(s.Key, "search.threads", StringComparison.OrdinalIgnoreCase)))
            scenario = ScenarioPaths.Apply(scenario, "search.threads", JsonValue.Create(study.ThreadsPerPoint), expand);
        return scenario;
    }

    /// <summary>Applies one axis value; an error names the axis and the value.</summary>
    public static JsonObject ApplyAxis(JsonObject scenario, StudyAxis axis, JsonNode value, Func<JsonObject, JsonObject>? expand)
    {
        ArgumentNullException.ThrowIfNull(axis);
        try
        {
            return ScenarioPaths.Apply(scenario, axis.Path, value, expand);
        }
        catch (CompassInputException e)
        {
            throw new CompassInputException($"{axis.Field} ('{axis.Name}' = {AxisAssignment.ValueLabel(value)})", $"{e.Field}: {e.Reason}", e);
        }
    }

    private static string Source(StudyDefinition study) => study.SourcePath is null ? string.Empty : Path.GetFileName(study.SourcePath) + ": ";
}

/// <summary>Expands a study into its points.</summary>
public static class StudyGrid
{
    /// <summary>The axis-value combinations in order (crossed: first axis slowest; zipped: i-th values together).</summary>
    public static IReadOnlyList<IReadOnlyList<AxisAssignment>> Combinations(StudyDefinition study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var list = new List<IReadOnlyList<AxisAssignment>>();
        if (study.Axes.Count == 0)
        {
            list.Add([]);
            return list;
        }
        if (study.Combine == AxisCombination.Zip)
        {
            for (var i = 0; i < study.Axes[0].Values.Count; i++)
                list.Add([.. study.Axes.Select(a => new AxisAssignment(a.Name, a.Values[i]))]);
            return list;
        }
        var counters = new int[study.Axes.Count];
        while (true)
        {
            list.Add([.. study.Axes.Select((a, k) => new AxisAssignment(a.Name, a.Values[counters[k]]))]);
            var d = counters.Length - 1;
            while (d >= 0 && ++counters[d] == study.Axes[d].Values.Count) counters[d--] = 0;
            if (d < 0) return list;
        }
    }

    /// <summary>
    /// Every point: combinations × seeds (seeds innermost). <paramref name="baseScenario"/> is the resolved base
    /// scenario; <paramref name="expand"/> resolves presets when an axis path runs into one.
    /// </summary>
    public static IReadOnlyList<StudyPoint> Points(StudyDefinition study, JsonObject baseScenario, Func<JsonObject, JsonObject>? expand)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(baseScenario);
        var baseSeed = baseScenario["seed"] is JsonValue s && s.TryGetValue<int>(out var seed) ? seed : 42;
        IReadOnlyList<int> seeds = study.Seeds.Count > 0 ? study.Seeds : [baseSeed];
        var prepared = StudyPoint.Prepare(study, baseScenario, expand);
        var points = new List<StudyPoint>();
        foreach (var combination in Combinations(study))
            foreach (var sd in seeds)
                points.Add(StudyPoint.Create(study, prepared, points.Count, combination, sd, expand));
        return points;
    }
}
