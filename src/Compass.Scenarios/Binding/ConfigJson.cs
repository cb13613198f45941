using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Compass.Abstractions.Plugins;

namespace Compass.Scenarios.Binding;

/// <summary>
/// The System.Text.Json options of scenario-side records (packages, chiplet types, models) and of output files, and
/// the translation of serializer errors into field paths and one-line reasons.
/// </summary>
public static class ConfigJson
{
    /// <summary>Serializer options of every scenario and output file (camelCase, enums as strings, unknown keys rejected).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions(rejectUnknown: true);

    /// <summary>Options for printing anonymous result objects (indented, every property).</summary>
    public static JsonSerializerOptions PrintOptions { get; } = new(CreateOptions(rejectUnknown: false)) { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Options for writing output files (indented, read-only computed members left out).</summary>
    public static JsonSerializerOptions WriteOptions { get; } = new(CreateOptions(rejectUnknown: false)) { WriteIndented = true, IgnoreReadOnlyProperties = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>
    /// Options for writing scenario-side records (packages, chiplet types, models) in the shape a scenario reads back:
    /// <see cref="WriteOptions"/> with absent optional records (a dense model's <c>moe</c>) left out, since a scenario
    /// refuses <c>null</c>.
    /// </summary>
    public static JsonSerializerOptions ScenarioWriteOptions { get; } = new(WriteOptions) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static JsonSerializerOptions CreateOptions(bool rejectUnknown) => new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
        UnmappedMemberHandling = rejectUnknown ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // Set explicitly: RecordField reads the records' shapes (GetTypeInfo) before anything is serialized.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>Combines a section path and a JSON path (<c>$.slots[3]</c>) into a dotted field path.</summary>
    internal static string FieldOf(string basePath, string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return basePath;
        var rest = jsonPath.TrimStart('$').TrimStart('.');
        rest = rest.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal);
        return string.IsNullOrEmpty(basePath) ? rest : basePath + (rest.StartsWith('[') ? "" : ".") + rest;
    }

    internal static string Describe(JsonException e)
    {
        var m = e.Message;
        if (m.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "is not a known field";
        if (m.Contains("missing required properties", StringComparison.Ordinal))
        {
            var i = m.IndexOf("including:", StringComparison.Ordinal);
            var fields = i >= 0 ? m[(i + 10)..].Trim().TrimEnd('.') : "";
            return "missing required field(s) " + fields;
        }
        var converted = System.Text.RegularExpressions.Regex.Match(m, @"could not be converted to (?<t>\S+?)\.(\s|$)");
        if (converted.Success)
            return "has the wrong type (expected " + FriendlyType(converted.Groups["t"].Value) + ")";
        var dot = m.IndexOf(" Path:", StringComparison.Ordinal);
        return PluginMessage(dot > 0 ? m[..dot] : m);
    }

    private static string FriendlyType(string clrType)
    {
        if (clrType.Contains("Int32", StringComparison.Ordinal) || clrType.Contains("Int64", StringComparison.Ordinal)) return "a whole number";
        if (clrType.Contains("Double", StringComparison.Ordinal)) return "a number";
        if (clrType.Contains("Boolean", StringComparison.Ordinal)) return "true or false";
        if (clrType.Contains("String", StringComparison.Ordinal)) return "a string";
        if (clrType.Contains("Dataflow", StringComparison.Ordinal)) return "OutputStationary, WeightStationary or InputStationary";
        if (clrType.Contains("IReadOnlyList", StringComparison.Ordinal) || clrType.Contains("List`1", StringComparison.Ordinal) || clrType.Contains("[]", StringComparison.Ordinal)) return "an array";
        var last = clrType.LastIndexOf('.');
        return "a valid " + (last >= 0 ? clrType[(last + 1)..] : clrType);
    }

    private static string PluginMessage(string s) => s.ReplaceLineEndings(" ").Trim();
}
