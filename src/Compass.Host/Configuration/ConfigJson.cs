using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.Host.Configuration;

/// <summary>
/// Turns configuration sections (flattened strings) back into typed JSON so that inline objects of the scenario
/// (packages, chiplet types, models) bind with <see cref="System.Text.Json"/>, with field-path errors.
/// </summary>
public static class ConfigJson
{
    /// <summary>Serializer options of every scenario and output file (camelCase, enums as strings, unknown keys rejected).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions(rejectUnknown: true);

    /// <summary>Options for printing anonymous result objects (indented, every property).</summary>
    public static JsonSerializerOptions PrintOptions { get; } = new(CreateOptions(rejectUnknown: false)) { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Options for writing output files (indented, read-only computed members left out).</summary>
    public static JsonSerializerOptions WriteOptions { get; } = new(CreateOptions(rejectUnknown: false)) { WriteIndented = true, IgnoreReadOnlyProperties = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static JsonSerializerOptions CreateOptions(bool rejectUnknown) => new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new EmptyListConverterFactory() },
        UnmappedMemberHandling = rejectUnknown ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The JSON form of a section: objects, arrays (children keyed 0..n-1), numbers, booleans and strings.</summary>
    /// <param name="section">The section.</param>
    /// <param name="inferNumbers">Write numeric-looking values as JSON numbers (for output files); otherwise they stay strings.</param>
    public static JsonNode? ToNode(IConfigurationSection section, bool inferNumbers = false)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0) return section.Value is null ? null : Scalar(section.Value, inferNumbers);
        var isArray = true;
        var indices = new List<(int Index, IConfigurationSection Child)>();
        foreach (var c in children)
        {
            if (int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i)) indices.Add((i, c));
            else { isArray = false; break; }
        }
        if (isArray)
        {
            indices.Sort((a, b) => a.Index.CompareTo(b.Index));
            var contiguous = true;
            for (var k = 0; k < indices.Count; k++) if (indices[k].Index != k) contiguous = false;
            if (contiguous)
            {
                var array = new JsonArray();
                foreach (var (_, child) in indices) array.Add(ToNode(child, inferNumbers));
                return array;
            }
        }
        var obj = new JsonObject();
        foreach (var c in children) obj[c.Key] = ToNode(c, inferNumbers);
        return obj;
    }

    /// <summary>Binds a section to <typeparamref name="T"/>; a type error or unknown key names the field path.</summary>
    public static T Bind<T>(IConfigurationSection section)
    {
        var path = section.Path.Replace(':', '.');
        var node = ToNode(section) ?? throw new CompassInputException(path, "is required");
        try
        {
            return node.Deserialize<T>(Options) ?? throw new CompassInputException(path, "is required");
        }
        catch (JsonException e)
        {
            throw new CompassInputException(FieldOf(path, e.Path), Describe(e));
        }
    }

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

    // Numbers stay strings (read with AllowReadingFromString) so a string field whose value looks numeric keeps it.
    private static JsonValue Scalar(string value, bool inferNumbers)
    {
        // The JSON configuration provider stores booleans as "True"/"False".
        if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(true);
        if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(false);
        if (inferNumbers && value.Length > 0 && (char.IsDigit(value[^1]) || value[^1] == '.'))
        {
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        }
        return JsonValue.Create(value);
    }
}

/// <summary>
/// Reads lists that may arrive from configuration as an empty string (an empty JSON array has no children there)
/// as empty lists; anything else is read as a normal JSON array.
/// </summary>
internal sealed class EmptyListConverterFactory : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyList<>);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(EmptyListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class EmptyListConverter<T> : JsonConverter<IReadOnlyList<T>>
    {
        public override IReadOnlyList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(string.Empty)) return new List<T>();
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected an array");
            var list = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                list.Add(JsonSerializer.Deserialize<T>(ref reader, options)!);
            return list;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value) JsonSerializer.Serialize(writer, item, options);
            writer.WriteEndArray();
        }
    }
}
