using System.Globalization;
using System.Text.Json;
using Compass.Abstractions.Plugins;

namespace Compass.Reporting.Files;

/// <summary>JSON helpers shared by the file formats: non-finite numbers as strings, and field-naming readers.</summary>
internal static class JsonNumbers
{
    public static readonly JsonWriterOptions Indented = new() { Indented = true, NewLine = "\n" };

    public static void Number(this Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        w.Number(value);
    }

    public static void Number(this Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else w.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    public static JsonElement Prop(this JsonElement e, string name, string file)
    {
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)) return v;
        throw new CompassInputException(file + ": " + name, "missing");
    }

    public static bool TryProp(this JsonElement e, string name, out JsonElement value)
    {
        value = default;
        return e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    public static double Double(this JsonElement e, string name, string file) => e.Prop(name, file).AsDouble(file + ": " + name);

    public static double AsDouble(this JsonElement v, string field) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new CompassInputException(field, "expected a number, got " + v.ValueKind.ToString().ToLowerInvariant()),
    };

    public static int Int(this JsonElement e, string name, string file)
    {
        var v = e.Prop(name, file);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
            : throw new CompassInputException(file + ": " + name, "expected an integer");
    }

    public static string Str(this JsonElement e, string name, string file)
    {
        var v = e.Prop(name, file);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new CompassInputException(file + ": " + name, "expected a string");
    }

    public static bool Bool(this JsonElement e, string name, string file)
    {
        var v = e.Prop(name, file);
        return v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
            : throw new CompassInputException(file + ": " + name, "expected true or false");
    }

    public static JsonElement.ArrayEnumerator Array(this JsonElement e, string name, string file)
    {
        var v = e.Prop(name, file);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : throw new CompassInputException(file + ": " + name, "expected an array");
    }

    public static T ParseEnum<T>(string text, string field) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) ? v
            : throw new CompassInputException(field, "unknown value '" + text + "', expected one of " + string.Join(", ", Enum.GetNames<T>()));

    public static JsonDocument Load(string path)
    {
        if (!File.Exists(path)) throw new CompassInputException(Path.GetFileName(path), "file not found in " + Path.GetDirectoryName(Path.GetFullPath(path)));
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new CompassInputException(Path.GetFileName(path), "malformed JSON: " + ex.Message, ex);
        }
    }
}
