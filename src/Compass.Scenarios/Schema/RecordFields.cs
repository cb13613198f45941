using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Compass.Abstractions.Plugins;
using Compass.Scenarios.Binding;

namespace Compass.Scenarios.Schema;

/// <summary>
/// An object shaped like a contract record (<c>PackageDescription</c>, <c>ChipletType</c>, <c>ModelConfig</c> and the
/// records inside them). Its keys, their types and which are required are read from the record itself (as
/// System.Text.Json sees it with <see cref="ConfigJson.Options"/>), so the record is the one declaration; the physical
/// rules (positive bandwidths, heads divisible by KV heads, ...) are the record's validator's
/// (<see cref="Presets.HardwareResolver"/>). A partial record (the overrides of a preset) requires nothing.
/// </summary>
public sealed class RecordField : FieldSpec
{
    private static readonly ConcurrentDictionary<(Type, bool), RecordField> Cache = new();
    private readonly Lazy<IReadOnlyList<(string Key, FieldSpec Spec, bool Required)>> _properties;

    private RecordField(Type type, bool partial)
    {
        RecordType = type;
        Partial = partial;
        _properties = new Lazy<IReadOnlyList<(string, FieldSpec, bool)>>(() => Reflect(type, partial));
    }

    /// <summary>The record type.</summary>
    public Type RecordType { get; }

    /// <summary>True for the partial form (every key optional; lists may be patched by index).</summary>
    public bool Partial { get; }

    /// <summary>The keys of the record: JSON name, declaration, required.</summary>
    public IReadOnlyList<(string Key, FieldSpec Spec, bool Required)> Properties => _properties.Value;

    /// <summary>The (cached) field of <paramref name="type"/>.</summary>
    public static RecordField For(Type type, bool partial) => Cache.GetOrAdd((type, partial), k => new RecordField(k.Item1, k.Item2));

    /// <inheritdoc />
    public override FieldSpec? Child(string key)
    {
        foreach (var p in Properties)
            if (string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)) return p.Spec;
        return null;
    }

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node is not JsonObject obj) throw new CompassInputException(path, $"has the wrong type (expected an object), got {Shown(node)}");
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            var p = Properties.FirstOrDefault(x => string.Equals(x.Key, key, StringComparison.OrdinalIgnoreCase));
            if (p.Spec is null) throw new CompassInputException(StrictJson.Join(path, key), $"is not a known field (known: {string.Join(", ", Properties.Select(x => x.Key))})");
            result[p.Key] = p.Spec.Bind(value!, StrictJson.Join(path, p.Key), context);
        }
        if (!Partial)
        {
            foreach (var p in Properties)
                if (p.Required && !result.ContainsKey(p.Key)) throw new CompassInputException(StrictJson.Join(path, p.Key), "is required");
        }
        return result;
    }

    /// <summary>Turns a bound (normalized) object into the record.</summary>
    public object Materialize(JsonObject bound, string path)
    {
        try
        {
            return bound.Deserialize(RecordType, ConfigJson.Options) ?? throw new CompassInputException(path, "is required");
        }
        catch (JsonException e)
        {
            throw new CompassInputException(ConfigJson.FieldOf(path, e.Path), ConfigJson.Describe(e));
        }
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) => writer.Reference(this);

    /// <summary>The schema of the record's object itself (what <see cref="JsonSchemaWriter"/> puts under <c>$defs</c>).</summary>
    public JsonObject DefinitionSchema(JsonSchemaWriter writer)
    {
        var properties = new JsonObject();
        foreach (var p in Properties) properties[p.Key] = p.Spec.ToJsonSchema(writer);
        var s = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (!Partial)
        {
            var required = Properties.Where(p => p.Required).Select(p => (JsonNode)JsonValue.Create(p.Key)).ToArray();
            if (required.Length > 0) s["required"] = new JsonArray(required);
        }
        return s;
    }

    private static List<(string, FieldSpec, bool)> Reflect(Type type, bool partial)
    {
        var info = ConfigJson.Options.GetTypeInfo(type);
        var list = new List<(string, FieldSpec, bool)>();
        foreach (var p in info.Properties)
        {
            if (p.Set is null && p.AssociatedParameter is null) continue; // computed, read-only members are not input
            var required = p.IsRequired || p.AssociatedParameter is { HasDefaultValue: false };
            list.Add((p.Name, SpecOf(p.PropertyType, partial), required));
        }
        return list;
    }

    /// <summary>The declaration of a value of CLR type <paramref name="t"/> inside a record.</summary>
    internal static FieldSpec SpecOf(Type t, bool partial)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(int)) return new IntegerField(int.MinValue, int.MaxValue);
        if (t == typeof(long)) return new IntegerField(long.MinValue, long.MaxValue);
        if (t == typeof(double) || t == typeof(float)) return new NumberField(double.MinValue, double.MaxValue);
        if (t == typeof(bool)) return new BooleanField();
        if (t == typeof(string)) return new StringField();
        if (t.IsEnum) return new EnumField(Enum.GetNames(t));
        if (ElementType(t) is { } element) return new ListField(SpecOf(element, false), partial ? SpecOf(element, true) : null);
        return For(t, partial);
    }

    private static Type? ElementType(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (t.IsGenericType && t.GetGenericTypeDefinition() is var g && (g == typeof(IReadOnlyList<>) || g == typeof(List<>) || g == typeof(IList<>) || g == typeof(IEnumerable<>)))
            return t.GetGenericArguments()[0];
        return null;
    }
}

/// <summary>
/// A list. In a preset's overrides it may also be an object keyed by index (<c>{ "3": "compass-ws" }</c>, what
/// <c>--set hardware.package.slots.3=compass-ws</c> produces), which replaces only those elements of the preset's list.
/// </summary>
/// <param name="element">Declaration of a whole element.</param>
/// <param name="partialElement">Declaration of an element patched by index, or null when the list can only be replaced.</param>
public sealed class ListField(FieldSpec element, FieldSpec? partialElement = null) : FieldSpec
{
    /// <inheritdoc />
    public override FieldSpec? Child(string key) =>
        int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) ? partialElement ?? element : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node is JsonArray array)
        {
            var result = new JsonArray();
            for (var i = 0; i < array.Count; i++) result.Add(element.Bind(array[i]!, $"{path}[{i}]", context));
            return result;
        }
        if (partialElement is not null && node is JsonObject patch)
        {
            var result = new JsonObject();
            foreach (var (key, value) in patch)
            {
                if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                    throw new CompassInputException($"{path}.{key}", "is not a list index (a preset's list is patched by index: 0, 1, ...)");
                result[index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = partialElement.Bind(value!, $"{path}[{index}]", context);
            }
            return result;
        }
        throw new CompassInputException(path, $"has the wrong type (expected an array), got {Shown(node)}");
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer)
    {
        var array = new JsonObject { ["type"] = "array", ["items"] = element.ToJsonSchema(writer) };
        if (partialElement is null) return Annotate(array);
        var byIndex = new JsonObject
        {
            ["type"] = "object",
            ["patternProperties"] = new JsonObject { ["^[0-9]+$"] = partialElement.ToJsonSchema(writer) },
            ["additionalProperties"] = false,
        };
        return Annotate(new JsonObject { ["anyOf"] = new JsonArray(array, byIndex) });
    }
}

/// <summary>
/// A catalog entry or an inline description: a preset name (<c>"compass-6x6-os"</c>), a JSON file beside the scenario
/// (<c>"my-package.json"</c>), a whole inline record, or a preset with overrides
/// (<c>{ "preset": "compass-6x6-os", "link": { "bandwidthGBps": 64 } }</c>). <c>--set</c> on a field of a preset
/// (<c>--set hardware.package.link.bandwidthGBps=64</c>) turns the name into that last form. Overrides are checked
/// here against the record's keys and types; they are applied after the preset is expanded (once the plugins that
/// provide presets are loaded), and the result is validated like an inline record.
/// </summary>
/// <param name="recordType">The record (<c>PackageDescription</c>, <c>ModelConfig</c>, <c>ChipletType</c>).</param>
public sealed class PresetField(Type recordType) : FieldSpec
{
    /// <summary>The key naming the preset in the overrides form.</summary>
    public const string PresetKey = "preset";

    private static readonly StringField PresetName = new() { NonEmpty = true, Description = "Catalog name (compass list) or a JSON file beside the scenario." };

    /// <summary>False when only inline records and presets with overrides are allowed (chiplet-type list items).</summary>
    public bool AllowBareName { get; init; } = true;

    /// <summary>The record type.</summary>
    public Type RecordType { get; } = recordType;

    /// <summary>The whole-record declaration.</summary>
    public RecordField Whole => RecordField.For(RecordType, partial: false);

    /// <summary>The overrides declaration.</summary>
    public RecordField Overrides => RecordField.For(RecordType, partial: true);

    /// <inheritdoc />
    public override FieldSpec? Child(string key) =>
        string.Equals(key, PresetKey, StringComparison.OrdinalIgnoreCase) ? PresetName : Overrides.Child(key);

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node.GetValueKind() == JsonValueKind.String && AllowBareName)
        {
            var name = PresetName.Bind(node, path, context).GetValue<string>();
            return IsFile(name) ? InFile(name, () => Whole.Bind(LoadFile(name, path, context), path, context)) : JsonValue.Create(name);
        }
        if (node is not JsonObject obj)
            throw new CompassInputException(path, $"has the wrong type (expected {(AllowBareName ? "a name or " : "")}an object), got {Shown(node)}");
        var presetKey = obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, PresetKey, StringComparison.OrdinalIgnoreCase));
        if (presetKey is null) return Whole.Bind(obj, path, context);
        var preset = PresetName.Bind(obj[presetKey]!, StrictJson.Join(path, PresetKey), context).GetValue<string>();
        // The overrides move (not copy) into their own object: a value's identity tells binding it is --set text.
        var patch = new JsonObject();
        foreach (var key in obj.Select(p => p.Key).Where(k => k != presetKey).ToList())
        {
            obj.Remove(key, out var value);
            patch[key] = value;
        }
        var boundPatch = (JsonObject)Overrides.Bind(patch, path, context);
        if (IsFile(preset))
        {
            var whole = (JsonObject)InFile(preset, () => Whole.Bind(LoadFile(preset, path, context), path, context));
            PresetMerge.Apply(whole, boundPatch, path);
            return Whole.Bind(whole, path, context);
        }
        var result = new JsonObject { [PresetKey] = preset };
        foreach (var (key, value) in boundPatch) result[key] = value!.DeepClone();
        return result;
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer)
    {
        var overrides = Overrides.DefinitionSchema(writer);
        ((JsonObject)overrides["properties"]!).Insert(0, PresetKey, PresetName.ToJsonSchema(writer));
        overrides["required"] = new JsonArray(PresetKey);
        var options = new JsonArray();
        if (AllowBareName) options.Add(new JsonObject { ["type"] = "string", ["minLength"] = 1, ["description"] = "A catalog name (compass list) or a JSON file beside the scenario." });
        options.Add(Whole.ToJsonSchema(writer));
        options.Add(overrides);
        return Annotate(new JsonObject { ["anyOf"] = options });
    }

    /// <summary>True when a name field names a JSON file (<c>my-package.json</c>) instead of a catalog entry.</summary>
    public static bool IsFile(string value) => value.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs <paramref name="bind"/> over the content of <paramref name="file"/>; an error in it also names the file.</summary>
    internal static JsonNode InFile(string file, Func<JsonNode> bind)
    {
        try
        {
            return bind();
        }
        catch (CompassInputException e) when (!e.Reason.Contains(Path.GetFileName(file), StringComparison.Ordinal))
        {
            throw new CompassInputException(e.Field, $"{e.Reason} (in {Path.GetFileName(file)})", e);
        }
    }

    /// <summary>Reads a JSON file named in the scenario, relative to the scenario's folder; errors name the field and the file.</summary>
    internal static JsonNode LoadFile(string file, string path, BindContext context)
    {
        var full = Path.IsPathRooted(file) ? file : Path.Combine(context.BaseDirectory, file);
        var text = InputFiles.ReadText(full, InputFiles.MaxScenarioBytes, path);
        ScenarioLimits.Check(text, Path.GetFileName(full));
        return StrictJson.Parse(text, Path.GetFileName(full), path);
    }
}

/// <summary>The <c>hardware.chipletTypes</c> list: a JSON file holding an array, or an array of inline types and presets with overrides.</summary>
public sealed class ChipletTypeListField : FieldSpec
{
    /// <summary>Declaration of one item.</summary>
    public PresetField Item { get; } = new(typeof(Compass.Abstractions.Hardware.ChipletType)) { AllowBareName = false };

    /// <inheritdoc />
    public override JsonNode? Default => new JsonArray();

    /// <inheritdoc />
    public override FieldSpec? Child(string key) => int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) ? Item : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node.GetValueKind() == JsonValueKind.String)
        {
            var file = node.GetValue<string>();
            if (!PresetField.IsFile(file)) throw new CompassInputException(path, $"must be an array of chiplet types or a JSON file holding one, got '{file}'");
            return PresetField.InFile(file, () => BindList(PresetField.LoadFile(file, path, context), path, context));
        }
        return BindList(node, path, context);
    }

    private JsonArray BindList(JsonNode node, string path, BindContext context)
    {
        if (node is not JsonArray array) throw new CompassInputException(path, $"has the wrong type (expected an array), got {Shown(node)}");
        var result = new JsonArray();
        for (var i = 0; i < array.Count; i++) result.Add(Item.Bind(array[i]!, $"{path}[{i}]", context));
        return result;
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) => Annotate(new JsonObject
    {
        ["anyOf"] = new JsonArray(
            new JsonObject { ["type"] = "string", ["pattern"] = "\\.json$" },
            new JsonObject { ["type"] = "array", ["items"] = Item.ToJsonSchema(writer) }),
    });
}

/// <summary>Applies bound overrides to an expanded preset: objects merge key by key, index-keyed objects patch lists, the rest replaces.</summary>
public static class PresetMerge
{
    /// <summary>Merges <paramref name="patch"/> into <paramref name="target"/> in place.</summary>
    /// <exception cref="CompassInputException">An index beyond the preset's list.</exception>
    public static void Apply(JsonObject target, JsonObject patch, string path)
    {
        foreach (var (key, value) in patch)
        {
            var existing = target.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) ?? key;
            var childPath = StrictJson.Join(path, key);
            var current = target[existing];
            if (value is JsonObject sub && current is JsonObject currentObject) Apply(currentObject, sub, childPath);
            else if (value is JsonObject byIndex && current is JsonArray list) ApplyByIndex(list, byIndex, childPath);
            else target[existing] = value!.DeepClone();
        }
    }

    private static void ApplyByIndex(JsonArray list, JsonObject byIndex, string path)
    {
        foreach (var (key, value) in byIndex)
        {
            var i = int.Parse(key, System.Globalization.CultureInfo.InvariantCulture);
            if (i >= list.Count) throw new CompassInputException($"{path}[{i}]", $"is beyond the preset's list of {list.Count} entries");
            if (value is JsonObject sub && list[i] is JsonObject element) Apply(element, sub, $"{path}[{i}]");
            else list[i] = value!.DeepClone();
        }
    }
}
