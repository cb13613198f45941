using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;

namespace Compass.Scenarios.Binding;

/// <summary>
/// Parses scenario-side JSON (scenario files, package / model / chiplet files) more strictly than
/// <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/>: a key given twice in one object — also
/// when only its case differs (<c>"layers"</c> and <c>"Layers"</c>), since scenario keys match case-insensitively —
/// and every <c>null</c> (a value or an array element) are refused with the field path, the file and the line.
/// Comments and trailing commas are allowed.
/// </summary>
public static class StrictJson
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 128 };

    /// <summary>Parses <paramref name="text"/>; the root must be a JSON object.</summary>
    /// <param name="text">The JSON text.</param>
    /// <param name="source">File name (or "default scenario") used in error messages.</param>
    /// <param name="basePath">Dotted field path of the root (empty for a scenario file).</param>
    /// <exception cref="CompassInputException">Malformed JSON, a duplicate key, a null, or a non-object root.</exception>
    public static JsonObject ParseObject(string text, string source, string basePath = "")
    {
        var node = Parse(text, source, basePath);
        return node as JsonObject
            ?? throw new CompassInputException(basePath.Length > 0 ? basePath : source, $"must be a JSON object, got {node.GetValueKind().ToString().ToLowerInvariant()}");
    }

    /// <summary>Parses <paramref name="text"/> into a node tree (any root kind but null).</summary>
    /// <param name="text">The JSON text.</param>
    /// <param name="source">File name (or "default scenario") used in error messages.</param>
    /// <param name="basePath">Dotted field path of the root (empty for a scenario file).</param>
    public static JsonNode Parse(string text, string source, string basePath = "")
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        try
        {
            if (!reader.Read()) throw new CompassInputException(source, "is empty (expected a JSON object)");
            var root = ReadValue(ref reader, bytes, source, basePath);
            if (reader.Read()) throw new CompassInputException(source, $"malformed JSON at line {LineOf(bytes, reader.TokenStartIndex)}: more than one top-level value");
            return root;
        }
        catch (JsonException e)
        {
            var what = e.Message;
            var cut = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) what = what[..cut];
            throw new CompassInputException(source, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: {what.TrimEnd('.')}");
        }
    }

    private static JsonNode ReadValue(ref Utf8JsonReader reader, byte[] bytes, string source, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var obj = new JsonObject();
                var lines = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    var line = LineOf(bytes, reader.TokenStartIndex);
                    var childPath = Join(path, key);
                    if (lines.TryGetValue(key, out var first))
                    {
                        var existing = obj.First(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Key;
                        var how = existing == key ? "is given twice" : $"is given twice (as '{existing}' and '{key}'; keys match regardless of case)";
                        throw new CompassInputException(childPath, $"{how}, at lines {first} and {line} of {source}");
                    }
                    lines[key] = line;
                    reader.Read();
                    obj[key] = ReadValue(ref reader, bytes, source, childPath);
                }
                return obj;
            }
            case JsonTokenType.StartArray:
            {
                var array = new JsonArray();
                var i = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    array.Add(ReadValue(ref reader, bytes, source, $"{path}[{i++}]"));
                return array;
            }
            case JsonTokenType.Null:
                throw new CompassInputException(path.Length > 0 ? path : source, $"must not be null (line {LineOf(bytes, reader.TokenStartIndex)} of {source}); leave the key out to use its default");
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString()!);
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            case JsonTokenType.Number:
            {
                // Kept as written (a JsonElement), so 4 and 4.0 both read as whole numbers and as doubles, bit for bit.
                using var number = JsonDocument.ParseValue(ref reader);
                return JsonValue.Create(number.RootElement.Clone())!;
            }
            default:
                throw new CompassInputException(source, $"malformed JSON at line {LineOf(bytes, reader.TokenStartIndex)}: unexpected {reader.TokenType}");
        }
    }

    /// <summary>Appends a key to a dotted path.</summary>
    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>"an object", "an array", "a string", "a number", "true or false".</summary>
    public static string KindName(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static long LineOf(byte[] bytes, long index)
    {
        long line = 1;
        var end = Math.Min(index, bytes.LongLength);
        for (long i = 0; i < end; i++) if (bytes[i] == (byte)'\n') line++;
        return line;
    }
}
