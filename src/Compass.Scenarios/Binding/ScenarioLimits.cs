using System.Text;
using System.Text.Json;
using Compass.Abstractions.Plugins;

namespace Compass.Scenarios.Binding;

/// <summary>
/// Size limits of a scenario (and of the package, chiplet-type and model files it references), checked in one
/// linear pass over the JSON text before anything binds it, so that no input can make validation slow (a
/// 1000×1000 mesh, millions of keys under <c>plugins</c>) or make it allocate without bound. Separate from the
/// binding on purpose: whatever binds the scenario calls <see cref="Check"/> first.
/// </summary>
public static class ScenarioLimits
{
    /// <summary>Largest mesh side (chiplets per row or column).</summary>
    public const int MaxMeshSide = 64;

    /// <summary>Most chiplets in a package (mesh width × height).</summary>
    public const int MaxChiplets = MaxMeshSide * MaxMeshSide;

    /// <summary>Most items in one JSON array (the slot list of the largest mesh).</summary>
    public const int MaxArrayItems = MaxChiplets;

    /// <summary>Most keys in one JSON object (<c>plugins</c> or a component's options included).</summary>
    public const int MaxObjectKeys = 1024;

    /// <summary>Most JSON values in one file.</summary>
    public const int MaxValues = 200_000;

    /// <summary>Longest string value or key, in characters.</summary>
    public const int MaxStringChars = 64 * 1024;

    /// <summary>Deepest nesting of objects and arrays.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Checks <paramref name="json"/> against the limits in one pass (time linear in its length); the first limit
    /// exceeded is a <see cref="CompassInputException"/> naming the JSON path and <paramref name="source"/>.
    /// Malformed JSON passes through untouched (the parser reports it with line and position).
    /// </summary>
    public static void Check(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth + 1 });
        var counts = new Stack<(bool IsArray, int Count, string Path)>();
        var property = string.Empty;
        var values = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (reader.ValueSpan.Length > MaxStringChars * 4 || reader.GetString()!.Length > MaxStringChars)
                            throw Exceeded(source, Path(counts, "…"), $"a key is longer than {MaxStringChars} characters");
                        property = reader.GetString()!;
                        var (isArray, count, path) = counts.Pop();
                        if (++count > MaxObjectKeys) throw Exceeded(source, path, $"has more than {MaxObjectKeys} keys");
                        counts.Push((isArray, count, path));
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        counts.Pop();
                        continue;
                    case JsonTokenType.Comment:
                        continue;
                }
                if (++values > MaxValues) throw Exceeded(source, "", $"holds more than {MaxValues} values");
                var here = Here(counts, property);
                if (counts.Count > 0 && counts.Peek().IsArray)
                {
                    var (isArray, count, path) = counts.Pop();
                    if (++count > MaxArrayItems) throw Exceeded(source, path, $"has more than {MaxArrayItems} items");
                    counts.Push((isArray, count, path));
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        if (counts.Count >= MaxDepth) throw Exceeded(source, here, $"nests deeper than {MaxDepth} levels");
                        counts.Push((false, 0, here));
                        break;
                    case JsonTokenType.StartArray:
                        if (counts.Count >= MaxDepth) throw Exceeded(source, here, $"nests deeper than {MaxDepth} levels");
                        counts.Push((true, 0, here));
                        break;
                    case JsonTokenType.String:
                        if (reader.ValueSpan.Length > MaxStringChars * 4 || reader.GetString()!.Length > MaxStringChars)
                            throw Exceeded(source, here, $"is a string longer than {MaxStringChars} characters");
                        break;
                    case JsonTokenType.Number:
                        CheckNumber(ref reader, property, here, source);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed or too deep: the well-formedness check reports it with line and position.
        }
    }

    private static void CheckNumber(ref Utf8JsonReader reader, string property, string path, string source)
    {
        if (!reader.TryGetDouble(out var value)) return;
        if (property.Equals("meshWidth", StringComparison.OrdinalIgnoreCase) || property.Equals("meshHeight", StringComparison.OrdinalIgnoreCase))
        {
            if (value > MaxMeshSide) throw Exceeded(source, path, $"must be <= {MaxMeshSide} chiplets, got {value.ToString("G", System.Globalization.CultureInfo.InvariantCulture)}");
        }
    }

    private static string Here(Stack<(bool IsArray, int Count, string Path)> counts, string property)
    {
        if (counts.Count == 0) return string.Empty;
        var (isArray, count, path) = counts.Peek();
        var step = isArray ? $"[{count}]" : property;
        return path.Length == 0 ? step : isArray ? path + step : path + "." + step;
    }

    private static string Path(Stack<(bool IsArray, int Count, string Path)> counts, string last) =>
        counts.Count == 0 || counts.Peek().Path.Length == 0 ? last : counts.Peek().Path + "." + last;

    private static CompassInputException Exceeded(string source, string path, string reason) =>
        new(path.Length == 0 ? source : path, $"{reason} (in {source}; limits keep validation within a second)");
}
