using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Scenarios.Binding;

namespace Compass.Scenarios.Schema;

/// <summary>
/// One declared scenario field: its description, unit, default and rule. The same declaration binds the value (from
/// the file, <c>COMPASS_*</c> variables and <c>--set</c>), fills the default, validates it and writes its JSON Schema,
/// so the four can never disagree. The concrete kinds are below; <see cref="ScenarioSchema"/> declares the tree.
/// </summary>
public abstract class FieldSpec
{
    /// <summary>What the field means (one sentence; goes into the JSON Schema's description).</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Unit of the value (ns, pJ, GB/s, bits, requests, ...), or null for unit-less fields.</summary>
    public string? Unit { get; init; }

    /// <summary>The value used when the key is absent, or null when the field has no default (required or optional).</summary>
    public virtual JsonNode? Default => null;

    /// <summary>True when the key must be given.</summary>
    public bool Required { get; init; }

    /// <summary>Suffix of the path named when a required field is missing (<c>.name</c> for a component choice).</summary>
    public virtual string RequiredSuffix => string.Empty;

    /// <summary>Validates <paramref name="node"/> at <paramref name="path"/> and returns its normalized form (defaults filled, keys in declared case).</summary>
    /// <exception cref="CompassInputException">The value breaks the field's rule; the message names <paramref name="path"/>.</exception>
    public abstract JsonNode Bind(JsonNode node, string path, BindContext context);

    /// <summary>The field's JSON Schema (draft 2020-12) fragment.</summary>
    public abstract JsonObject ToJsonSchema(JsonSchemaWriter writer);

    /// <summary>The declaration of child <paramref name="key"/> (for overrides that reach inside the value), or null when there is none.</summary>
    public virtual FieldSpec? Child(string key) => null;

    /// <summary>Adds the description, unit and default to a schema fragment.</summary>
    protected JsonObject Annotate(JsonObject schema)
    {
        var text = Unit is null ? Description : $"{Description} Unit: {Unit}.".Trim();
        if (text.Length > 0) schema["description"] = text;
        if (Default is { } d) schema["default"] = d.DeepClone();
        return schema;
    }

    /// <summary>
    /// A JSON number as a double, however the node stores it (a parsed element, a long or a double); infinity for a
    /// literal beyond double's range (<c>1e400</c>), which every range rule then refuses.
    /// </summary>
    protected static double NumberOf(JsonNode node)
    {
        var v = node.AsValue();
        if (v.TryGetValue<double>(out var d)) return d;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        return double.PositiveInfinity;
    }

    /// <summary>The value as written, for error messages: <c>'abc'</c> for strings, the JSON for the rest.</summary>
    protected static string Shown(JsonNode node) => node.GetValueKind() == JsonValueKind.String
        ? $"'{node.GetValue<string>()}'"
        : node.GetValueKind() is JsonValueKind.Object or JsonValueKind.Array ? StrictJson.KindName(node) : node.ToJsonString();
}

/// <summary>What binding knows besides the value: which nodes came from text (<c>--set</c>, <c>COMPASS_*</c>) and where files are.</summary>
public sealed class BindContext
{
    private readonly HashSet<JsonNode> _text = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the context.</summary>
    /// <param name="baseDirectory">Folder that relative file names in the scenario resolve against.</param>
    public BindContext(string baseDirectory) => BaseDirectory = baseDirectory;

    /// <summary>Folder that relative file names in the scenario resolve against.</summary>
    public string BaseDirectory { get; }

    /// <summary>Marks <paramref name="node"/> as text from an override, which scalar fields parse (<c>--set seed=7</c>).</summary>
    public JsonNode MarkText(JsonNode node)
    {
        _text.Add(node);
        return node;
    }

    /// <summary>True when <paramref name="node"/> is override text.</summary>
    public bool IsText(JsonNode node) => _text.Contains(node);

    /// <summary>The text of an override string node, or null when <paramref name="node"/> is not override text.</summary>
    public string? TextOf(JsonNode node) => IsText(node) && node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
}

/// <summary>A whole number within a range, or one of a few allowed values.</summary>
/// <param name="minimum">Smallest allowed value.</param>
/// <param name="maximum">Largest allowed value.</param>
/// <param name="defaultValue">Default, or null for none.</param>
public sealed class IntegerField(long minimum, long maximum, long? defaultValue = null) : FieldSpec
{
    /// <summary>Smallest allowed value.</summary>
    public long Minimum { get; } = minimum;

    /// <summary>Largest allowed value.</summary>
    public long Maximum { get; } = maximum;

    /// <summary>When set, the only allowed values.</summary>
    public IReadOnlyList<long>? OneOf { get; init; }

    /// <inheritdoc />
    public override JsonNode? Default => defaultValue is { } d ? JsonValue.Create(d) : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        long value;
        if (context.TextOf(node) is { } text)
        {
            if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
                throw new CompassInputException(path, $"must be a whole number, got '{text}'");
        }
        else if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var l)) value = l;
        else if (node.GetValueKind() == JsonValueKind.Number && NumberOf(node) is var d && d == Math.Floor(d) && Math.Abs(d) < 9e18) value = (long)d;
        else throw new CompassInputException(path, $"must be a whole number, got {Shown(node)}");
        if (OneOf is { } allowed)
        {
            if (!allowed.Contains(value))
                throw new CompassInputException(path, $"must be {AllowedText(allowed)}{(Unit is null ? "" : " " + Unit)}, got {value}");
        }
        else if (value < Minimum || value > Maximum)
        {
            throw new CompassInputException(path, $"must be in [{Minimum}, {Maximum}], got {value}");
        }
        return JsonValue.Create(value);
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer)
    {
        var s = new JsonObject { ["type"] = "integer" };
        if (OneOf is { } allowed) s["enum"] = new JsonArray([.. allowed.Select(v => (JsonNode)JsonValue.Create(v))]);
        else { s["minimum"] = Minimum; s["maximum"] = Maximum; }
        return Annotate(s);
    }

    private static string AllowedText(IReadOnlyList<long> values) =>
        values.Count == 1 ? values[0].ToString(CultureInfo.InvariantCulture)
        : string.Join(", ", values.Take(values.Count - 1).Select(v => v.ToString(CultureInfo.InvariantCulture))) + " or " + values[^1].ToString(CultureInfo.InvariantCulture);
}

/// <summary>A finite number within a range.</summary>
/// <param name="minimum">Smallest allowed value.</param>
/// <param name="maximum">Largest allowed value.</param>
/// <param name="defaultValue">Default, or null for none.</param>
public sealed class NumberField(double minimum, double maximum, double? defaultValue = null) : FieldSpec
{
    /// <inheritdoc />
    public override JsonNode? Default => defaultValue is { } d ? JsonValue.Create(d) : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        double value;
        if (context.TextOf(node) is { } text)
        {
            if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                throw new CompassInputException(path, $"must be a number, got '{text}'");
        }
        else if (node.GetValueKind() == JsonValueKind.Number) value = NumberOf(node);
        else throw new CompassInputException(path, $"must be a number, got {Shown(node)}");
        if (!double.IsFinite(value) || value < minimum || value > maximum)
            throw new CompassInputException(path, $"must be in [{Fmt(minimum)}, {Fmt(maximum)}], got {Fmt(value)}");
        return JsonValue.Create(value);
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) =>
        Annotate(new JsonObject { ["type"] = "number", ["minimum"] = minimum, ["maximum"] = maximum });

    private static string Fmt(double v) => v.ToString("G15", CultureInfo.InvariantCulture);
}

/// <summary>true or false.</summary>
/// <param name="defaultValue">Default, or null for none.</param>
public sealed class BooleanField(bool? defaultValue = null) : FieldSpec
{
    /// <inheritdoc />
    public override JsonNode? Default => defaultValue is { } d ? JsonValue.Create(d) : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (context.TextOf(node) is { } text)
        {
            if (bool.TryParse(text.Trim(), out var b)) return JsonValue.Create(b);
            throw new CompassInputException(path, $"must be true or false, got '{text}'");
        }
        return node.GetValueKind() switch
        {
            JsonValueKind.True => JsonValue.Create(true),
            JsonValueKind.False => JsonValue.Create(false),
            _ => throw new CompassInputException(path, $"must be true or false, got {Shown(node)}"),
        };
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) => Annotate(new JsonObject { ["type"] = "boolean" });
}

/// <summary>Free text (optionally non-empty).</summary>
/// <param name="defaultValue">Default, or null for none.</param>
public sealed class StringField(string? defaultValue = null) : FieldSpec
{
    /// <summary>True when an empty or blank string is refused.</summary>
    public bool NonEmpty { get; init; }

    /// <inheritdoc />
    public override JsonNode? Default => defaultValue is { } d ? JsonValue.Create(d) : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node.GetValueKind() != JsonValueKind.String) throw new CompassInputException(path, $"must be a string, got {Shown(node)}");
        var s = node.GetValue<string>();
        if (NonEmpty && string.IsNullOrWhiteSpace(s)) throw new CompassInputException(path, "is required (an empty string was given)");
        return JsonValue.Create(s);
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer)
    {
        var s = new JsonObject { ["type"] = "string" };
        if (NonEmpty) s["minLength"] = 1;
        return Annotate(s);
    }
}

/// <summary>
/// One of a fixed list of names, matched regardless of case and written in the declared spelling. Anything else is
/// refused — also numbers (<c>"3"</c>) and flag combinations (<c>"latency,energy"</c>), which .NET's enum parsing
/// would accept.
/// </summary>
/// <param name="members">The allowed names in their canonical spelling.</param>
/// <param name="defaultValue">Default, or null for none.</param>
public sealed class EnumField(IReadOnlyList<string> members, string? defaultValue = null) : FieldSpec
{
    /// <summary>The allowed names.</summary>
    public IReadOnlyList<string> Members { get; } = members;

    /// <summary>A field over the names of <typeparamref name="TEnum"/> (camelCase, as scenarios write them).</summary>
    /// <param name="defaultValue">Default member, or null for none.</param>
    /// <param name="description">What the field means.</param>
    public static EnumField Of<TEnum>(TEnum? defaultValue, string description) where TEnum : struct, Enum =>
        new([.. Enum.GetNames<TEnum>().Select(JsonNamingPolicy.CamelCase.ConvertName)], defaultValue is { } d ? JsonNamingPolicy.CamelCase.ConvertName(d.ToString()) : null) { Description = description };

    /// <inheritdoc />
    public override JsonNode? Default => defaultValue is { } d ? JsonValue.Create(d) : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node.GetValueKind() != JsonValueKind.String) throw new CompassInputException(path, $"must be one of {string.Join(", ", Members)}, got {Shown(node)}");
        var s = node.GetValue<string>();
        foreach (var m in Members)
            if (string.Equals(m, s.Trim(), StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(m);
        throw new CompassInputException(path, $"must be one of {string.Join(", ", Members)}, got '{s}'");
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) =>
        Annotate(new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Members.Select(m => (JsonNode)JsonValue.Create(m))]) });
}

/// <summary>A cross-field rule of an object: returns null when satisfied, else the (field path, reason) of the error.</summary>
/// <param name="Description">What the rule requires (documentation).</param>
/// <param name="Check">The check over the normalized object.</param>
public sealed record ObjectRule(string Description, Func<JsonObject, (string Field, string Reason)?> Check);

/// <summary>An object with declared keys; unknown keys are refused, keys match regardless of case.</summary>
public sealed class ObjectField : FieldSpec
{
    private readonly List<(string Key, FieldSpec Spec)> _fields = [];

    /// <summary>Creates the object from its keys in display order.</summary>
    public ObjectField(params (string Key, FieldSpec Spec)[] fields) => _fields.AddRange(fields);

    /// <summary>The declared keys in order.</summary>
    public IReadOnlyList<(string Key, FieldSpec Spec)> Fields => _fields;

    /// <summary>Cross-field rules checked after every key bound.</summary>
    public IReadOnlyList<ObjectRule> Rules { get; init; } = [];

    /// <summary>Wording of the unknown-key error (<c>is not a known field</c>).</summary>
    public string UnknownKeyReason { get; init; } = "is not a known field";

    /// <summary>Keys accepted and dropped (<c>$schema</c> at the top of a scenario).</summary>
    public IReadOnlyList<string> IgnoredKeys { get; init; } = [];

    /// <summary>An optional section defaults to an empty object, whose keys then take their own defaults.</summary>
    public override JsonNode? Default => Required ? null : new JsonObject();

    /// <inheritdoc />
    public override FieldSpec? Child(string key) => Find(key)?.Spec;

    /// <summary>The declaration of <paramref name="key"/> (case-insensitive), or null.</summary>
    public (string Key, FieldSpec Spec)? Find(string key)
    {
        foreach (var f in _fields)
            if (string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase)) return f;
        return null;
    }

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node is not JsonObject obj)
        {
            var shown = node is JsonValue ? $", got {Shown(node)}" : $", got {StrictJson.KindName(node)}";
            throw new CompassInputException(path, $"has the wrong type (expected an object){shown}");
        }
        var result = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (IgnoredKeys.Contains(key, StringComparer.OrdinalIgnoreCase)) continue;
            var declared = Find(key) ?? throw new CompassInputException(StrictJson.Join(path, key), $"{UnknownKeyReason} (known: {string.Join(", ", _fields.Select(f => f.Key))})");
            result[declared.Key] = declared.Spec.Bind(value!, StrictJson.Join(path, declared.Key), context);
        }
        foreach (var (key, spec) in _fields)
        {
            if (result.ContainsKey(key)) continue;
            if (spec.Required) throw new CompassInputException(StrictJson.Join(path, key) + spec.RequiredSuffix, "is required");
            if (spec.Default is { } d) result[key] = spec.Bind(d.DeepClone(), StrictJson.Join(path, key), context);
        }
        foreach (var rule in Rules)
            if (rule.Check(result) is { } error) throw new CompassInputException(StrictJson.Join(path, error.Field), error.Reason);
        return Order(result);
    }

    private JsonObject Order(JsonObject bound)
    {
        var ordered = new JsonObject();
        foreach (var (key, _) in _fields)
            if (bound.Remove(key, out var v)) ordered[key] = v;
        return ordered;
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer)
    {
        var properties = new JsonObject();
        foreach (var key in IgnoredKeys) properties[key] = new JsonObject { ["type"] = "string" };
        foreach (var (key, spec) in _fields) properties[key] = spec.ToJsonSchema(writer);
        var s = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        var required = _fields.Where(f => f.Spec.Required).Select(f => (JsonNode)JsonValue.Create(f.Key)).ToArray();
        if (required.Length > 0) s["required"] = new JsonArray(required);
        return Annotate(s);
    }
}

/// <summary>
/// A component picked by name with its own options: <c>"ga"</c> or <c>{ "name": "ga", "options": { ... } }</c>. The
/// options belong to the component (it validates them when created), so any keys pass here.
/// </summary>
public sealed class ComponentField : FieldSpec
{
    private static readonly StringField NameField = new() { NonEmpty = true, Description = "Registered name of the component (compass list)." };
    private static readonly FreeFormField OptionsField = new() { Description = "The component's own options; it validates them when created." };

    /// <inheritdoc />
    public override string RequiredSuffix => ".name";

    /// <inheritdoc />
    public override FieldSpec? Child(string key) =>
        string.Equals(key, "name", StringComparison.OrdinalIgnoreCase) ? NameField : string.Equals(key, "options", StringComparison.OrdinalIgnoreCase) ? OptionsField : null;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node.GetValueKind() == JsonValueKind.String)
        {
            var bare = node.GetValue<string>();
            if (string.IsNullOrWhiteSpace(bare)) throw new CompassInputException(path + ".name", "is required");
            return new JsonObject { ["name"] = bare, ["options"] = new JsonObject() };
        }
        if (node is not JsonObject obj) throw new CompassInputException(path, $"must be a component name or {{ \"name\", \"options\" }}, got {Shown(node)}");
        JsonNode? name = null, options = null;
        foreach (var (key, value) in obj)
        {
            if (string.Equals(key, "name", StringComparison.OrdinalIgnoreCase)) name = value;
            else if (string.Equals(key, "options", StringComparison.OrdinalIgnoreCase)) options = value;
            else throw new CompassInputException(StrictJson.Join(path, key), "is not a known field (known: name, options)");
        }
        if (name is null || name.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(name.GetValue<string>()))
            throw new CompassInputException(path + ".name", "is required");
        return new JsonObject
        {
            ["name"] = NameField.Bind(name, path + ".name", context),
            ["options"] = options is null ? new JsonObject() : OptionsField.Bind(options, path + ".options", context),
        };
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) => Annotate(new JsonObject
    {
        ["anyOf"] = new JsonArray(
            new JsonObject { ["type"] = "string", ["minLength"] = 1 },
            new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["name"] = NameField.ToJsonSchema(writer), ["options"] = OptionsField.ToJsonSchema(writer) },
                ["required"] = new JsonArray("name"),
                ["additionalProperties"] = false,
            }),
    });
}

/// <summary>An object whose keys belong to someone else (a component's options): any non-null JSON is kept as is.</summary>
public sealed class FreeFormField : FieldSpec
{
    /// <inheritdoc />
    public override FieldSpec? Child(string key) => this;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node is not JsonObject) throw new CompassInputException(path, $"has the wrong type (expected an object), got {Shown(node)}");
        return node.DeepClone();
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) => Annotate(new JsonObject { ["type"] = "object" });
}

/// <summary>
/// The <c>plugins</c> section: one object per plugin, keyed by the plugin's name. Which names exist is known only
/// once plugins are loaded; the host then refuses a section for a plugin that did not load.
/// </summary>
public sealed class PluginSectionsField : FieldSpec
{
    private static readonly FreeFormField Section = new() { Description = "The plugin's own configuration section." };

    /// <inheritdoc />
    public override JsonNode? Default => new JsonObject();

    /// <inheritdoc />
    public override FieldSpec? Child(string key) => Section;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node is not JsonObject obj) throw new CompassInputException(path, $"has the wrong type (expected an object), got {Shown(node)}");
        var result = new JsonObject();
        foreach (var (key, value) in obj) result[key] = Section.Bind(value!, StrictJson.Join(path, key), context);
        return result;
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) =>
        Annotate(new JsonObject { ["type"] = "object", ["additionalProperties"] = Section.ToJsonSchema(writer) });
}

/// <summary>
/// An object whose keys are names chosen by the scenario (a plugin package id, a gene name), each holding a value of
/// one declared kind. Names may contain dots (<c>Acme.Photonic</c>, <c>L0.ffn_up.3</c>): an override such as
/// <c>--set requires.Acme.Photonic=&gt;=1.2</c> nests them, and binding joins nested keys back with '.'.
/// </summary>
/// <param name="value">Declaration of every value.</param>
public sealed class MapField(FieldSpec value) : FieldSpec
{
    /// <summary>Declaration of every value.</summary>
    public FieldSpec Value { get; } = value;

    /// <inheritdoc />
    public override JsonNode? Default => new JsonObject();

    /// <inheritdoc />
    public override FieldSpec? Child(string key) => this;

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (node is not JsonObject obj) throw new CompassInputException(path, $"has the wrong type (expected an object), got {Shown(node)}");
        var result = new JsonObject();
        Flatten(obj, string.Empty, path, context, result);
        return result;
    }

    private void Flatten(JsonObject obj, string prefix, string path, BindContext context, JsonObject result)
    {
        foreach (var (key, child) in obj)
        {
            var name = prefix.Length == 0 ? key : prefix + "." + key;
            if (child is JsonObject nested && !context.IsText(nested))
            {
                Flatten(nested, name, path, context, result);
                continue;
            }
            if (result.Any(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)))
                throw new CompassInputException(StrictJson.Join(path, name), "is given twice (names match regardless of case)");
            result[name] = Value.Bind(child!, StrictJson.Join(path, name), context);
        }
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) =>
        Annotate(new JsonObject { ["type"] = "object", ["additionalProperties"] = Value.ToJsonSchema(writer) });
}

/// <summary>
/// A lever (docs/levers.md): a whole number within a range (the scenario fixes it), <c>"search"</c> (the search chooses
/// among the standard candidates), or an array of candidates the search chooses among. Override text may be a number,
/// <c>search</c>, or candidates separated by commas (<c>--set graph.microBatchSize=1,4,16</c>).
/// </summary>
/// <param name="minimum">Smallest allowed value.</param>
/// <param name="maximum">Largest allowed value.</param>
/// <param name="defaultValue">Default (a fixed value).</param>
public sealed class LeverField(long minimum, long maximum, long defaultValue) : FieldSpec
{
    /// <summary>Most candidates a list may hold.</summary>
    public const int MaxCandidates = 64;

    /// <summary>The word that leaves the lever to the search with the standard candidates.</summary>
    public const string Search = "search";

    /// <inheritdoc />
    public override JsonNode? Default => JsonValue.Create(defaultValue);

    /// <inheritdoc />
    public override JsonNode Bind(JsonNode node, string path, BindContext context)
    {
        if (context.TextOf(node) is { } text)
        {
            var trimmed = text.Trim();
            if (string.Equals(trimmed, Search, StringComparison.OrdinalIgnoreCase)) return JsonValue.Create(Search);
            var parts = trimmed.Split(',', StringSplitOptions.TrimEntries);
            var values = new List<long>();
            foreach (var part in parts)
            {
                if (!long.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                    throw new CompassInputException(path, $"must be a whole number, \"{Search}\" or a list of candidates, got '{text}'");
                values.Add(Check(v, path));
            }
            return values.Count == 1 ? JsonValue.Create(values[0]) : List(values, path);
        }
        switch (node.GetValueKind())
        {
            case JsonValueKind.String when string.Equals(node.GetValue<string>().Trim(), Search, StringComparison.OrdinalIgnoreCase):
                return JsonValue.Create(Search);
            case JsonValueKind.Number:
                return JsonValue.Create(Check(Whole(node, path), path));
            case JsonValueKind.Array:
                var items = node.AsArray();
                var values = new List<long>(items.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    var item = items[i] ?? throw new CompassInputException($"{path}[{i}]", "must be a whole number, got null");
                    values.Add(Check(Whole(item, $"{path}[{i}]"), $"{path}[{i}]"));
                }
                return List(values, path);
            default:
                throw new CompassInputException(path, $"must be a whole number, \"{Search}\" or a list of candidates, got {Shown(node)}");
        }
    }

    /// <inheritdoc />
    public override JsonObject ToJsonSchema(JsonSchemaWriter writer) => Annotate(new JsonObject
    {
        ["oneOf"] = new JsonArray(
            new JsonObject { ["type"] = "integer", ["minimum"] = minimum, ["maximum"] = maximum },
            new JsonObject { ["const"] = Search },
            new JsonObject
            {
                ["type"] = "array",
                ["minItems"] = 1,
                ["maxItems"] = MaxCandidates,
                ["items"] = new JsonObject { ["type"] = "integer", ["minimum"] = minimum, ["maximum"] = maximum },
            }),
    });

    private long Check(long value, string path) =>
        value < minimum || value > maximum ? throw new CompassInputException(path, $"must be in [{minimum}, {maximum}], got {value}") : value;

    private static long Whole(JsonNode node, string path)
    {
        if (node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var l)) return l;
        if (node.GetValueKind() == JsonValueKind.Number && NumberOf(node) is var d && d == Math.Floor(d) && Math.Abs(d) < 9e18) return (long)d;
        throw new CompassInputException(path, $"must be a whole number, got {Shown(node)}");
    }

    private static JsonArray List(List<long> values, string path)
    {
        if (values.Count == 0) throw new CompassInputException(path, "must hold at least one candidate");
        if (values.Count > MaxCandidates) throw new CompassInputException(path, $"must hold at most {MaxCandidates} candidates, got {values.Count}");
        return new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
    }
}
