using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Scenarios.Schema;

namespace Compass.Scenarios.Binding;

/// <summary>
/// Applies one override (<c>--set a.b.c=value</c> or <c>COMPASS_A__B__C=value</c>) to a scenario document, walking the
/// declarations of <see cref="ScenarioSchema"/>: an unknown key is refused at once, a preset name that the override
/// reaches into (<c>hardware.package.link.bandwidthGBps</c> on <c>"package": "compass-6x6-os"</c>) becomes
/// <c>{ "preset": "compass-6x6-os", "link": { "bandwidthGBps": … } }</c>, and a component name becomes
/// <c>{ "name": … }</c>. The value is kept as text (each field parses it by its own rule when the document is bound),
/// or as JSON when it starts with <c>{</c> or <c>[</c>.
/// </summary>
public static class ScenarioOverrides
{
    /// <summary>Splits a dotted key into segments; <c>slots[3]</c> and <c>slots.3</c> are the same.</summary>
    public static string[] Segments(string dotted) =>
        dotted.Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Split('.');

    /// <summary>Applies the override.</summary>
    /// <param name="document">The scenario document (changed in place).</param>
    /// <param name="segments">Key segments.</param>
    /// <param name="text">The value as given.</param>
    /// <param name="context">Binding context (records that the value is text).</param>
    /// <param name="source">Where the override came from, for errors in its JSON value.</param>
    public static void Apply(JsonObject document, IReadOnlyList<string> segments, string text, BindContext context, string source)
    {
        JsonNode container = document;
        FieldSpec spec = ScenarioSchema.Root;
        var path = string.Empty;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var childPath = container is JsonArray ? $"{path}[{segment}]" : StrictJson.Join(path, segment);
            if (segment.Length == 0) throw new CompassInputException(source, "has an empty key segment");
            var childSpec = spec.Child(segment)
                ?? throw new CompassInputException(childPath, i == 0 ? "is not a known scenario field" : UnknownReason(spec, path));
            var last = i == segments.Count - 1;
            if (last)
            {
                Set(container, segment, ValueOf(text, context, childPath), childPath);
                return;
            }
            var child = Get(container, segment, childPath);
            if (child is null)
            {
                // A missing list starts as its default (empty: an index into it is then out of range); anything else as {}.
                child = childSpec.Default is JsonArray list ? list.DeepClone() : new JsonObject();
                Set(container, segment, child, childPath);
            }
            else if (child is JsonValue value && value.GetValueKind() == JsonValueKind.String && childSpec is PresetField)
            {
                child = new JsonObject { [PresetField.PresetKey] = value.GetValue<string>() };
                Set(container, segment, child, childPath);
            }
            else if (child is JsonValue named && named.GetValueKind() == JsonValueKind.String && childSpec is ComponentField)
            {
                child = new JsonObject { ["name"] = named.GetValue<string>() };
                Set(container, segment, child, childPath);
            }
            else if (child is JsonValue)
            {
                throw new CompassInputException(childPath, $"is {StrictJson.KindName(child)}, so '{segments[i + 1]}' cannot be set inside it");
            }
            container = child;
            spec = childSpec;
            path = childPath;
        }
    }

    private static string UnknownReason(FieldSpec parent, string parentPath) => parent switch
    {
        ObjectField o => $"is not a known field (known: {string.Join(", ", o.Fields.Select(f => f.Key))})",
        RecordField r => $"is not a known field (known: {string.Join(", ", r.Properties.Select(p => p.Key))})",
        PresetField p => $"is not a known field (known: {PresetField.PresetKey}, {string.Join(", ", p.Overrides.Properties.Select(x => x.Key))})",
        ComponentField => "is not a known field (known: name, options)",
        _ => $"is not a known field ({(parentPath.Length == 0 ? "the scenario" : parentPath)} has no such key)",
    };

    private static JsonNode ValueOf(string text, BindContext context, string path)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('[')) return StrictJson.Parse(text, "the value of " + path, path);
        return context.MarkText(JsonValue.Create(text));
    }

    private static JsonNode? Get(JsonNode container, string segment, string path)
    {
        if (container is JsonArray array)
        {
            var i = Index(segment, path);
            if (i >= array.Count) throw new CompassInputException(path, $"is beyond the list of {array.Count} entries");
            return array[i];
        }
        var obj = (JsonObject)container;
        var key = obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, segment, StringComparison.OrdinalIgnoreCase));
        return key is null ? null : obj[key];
    }

    private static void Set(JsonNode container, string segment, JsonNode value, string path)
    {
        if (container is JsonArray array)
        {
            var i = Index(segment, path);
            if (i >= array.Count) throw new CompassInputException(path, $"is beyond the list of {array.Count} entries");
            array[i] = value;
            return;
        }
        var obj = (JsonObject)container;
        var key = obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, segment, StringComparison.OrdinalIgnoreCase)) ?? segment;
        obj[key] = value;
    }

    private static int Index(string segment, string path) =>
        int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : throw new CompassInputException(path, "is not a list index");
}
