using System.Text.Json.Nodes;

namespace Compass.Scenarios.Schema;

/// <summary>
/// Writes a JSON Schema (draft 2020-12) from field declarations. Records (package, chiplet type, model and the
/// records inside them) go under <c>$defs</c> once, whole and as overrides, and are referenced from where they are used.
/// </summary>
public sealed class JsonSchemaWriter
{
    /// <summary>The draft the schema declares.</summary>
    public const string Draft = "https://json-schema.org/draft/2020-12/schema";

    /// <summary>The schema's identifier (also what <c>"$schema"</c> in a scenario may point at once saved locally).</summary>
    public const string Id = "https://compass.local/schemas/scenario.schema.json";

    private readonly JsonObject _defs = [];
    private readonly HashSet<string> _started = [];

    /// <summary>The schema document of <paramref name="root"/>.</summary>
    public JsonObject Write(ObjectField root)
    {
        var body = root.ToJsonSchema(this);
        var doc = new JsonObject { ["$schema"] = Draft, ["$id"] = Id, ["title"] = "Compass scenario" };
        foreach (var (key, value) in body) doc[key] = value!.DeepClone();
        var defs = new JsonObject();
        foreach (var key in _defs.Select(p => p.Key).Order(StringComparer.Ordinal)) defs[key] = _defs[key]!.DeepClone();
        doc["$defs"] = defs;
        return doc;
    }

    /// <summary>A <c>$ref</c> to the definition of <paramref name="record"/>, writing the definition the first time.</summary>
    public JsonObject Reference(RecordField record)
    {
        var name = record.RecordType.Name + (record.Partial ? "Overrides" : string.Empty);
        if (_started.Add(name))
        {
            _defs[name] = new JsonObject(); // placeholder: records may refer to themselves through lists
            _defs[name] = record.DefinitionSchema(this);
        }
        return new JsonObject { ["$ref"] = "#/$defs/" + name };
    }
}
