using System.Collections;
using System.Text;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Scenarios.Schema;

namespace Compass.Scenarios.Binding;

/// <summary>
/// Reads a scenario through <see cref="ScenarioSchema"/>: the JSON file (or the embedded default) parsed strictly,
/// then <c>COMPASS_*</c> environment variables, then <c>--set key=value</c> overrides, each applied to the document by
/// the same declarations; then the document is bound (every key checked, defaults filled) and read into a typed
/// <see cref="Scenario"/>. Every problem is a <see cref="CompassInputException"/> naming the field.
/// </summary>
public static class ScenarioLoader
{
    /// <summary>Logical name of the embedded default scenario.</summary>
    public const string DefaultResourceName = "Compass.Host.default.json";

    /// <summary>Prefix of environment variables that override scenario values (<c>COMPASS_BUDGET__EVALUATIONS=20</c>).</summary>
    public const string EnvironmentPrefix = "COMPASS_";

    /// <summary>The variable naming the per-user plugin folder, which the host reads itself.</summary>
    public const string PluginHomeVariable = "COMPASS_PLUGIN_HOME";

    /// <summary>
    /// The <c>COMPASS_*</c> environment variables that are not scenario overrides: <c>COMPASS_PLUGIN_HOME</c> (the
    /// per-user plugin folder, read by the host), <c>COMPASS_DLL</c> (the host build <c>bench/sweep-throughput.sh</c>
    /// times), <c>COMPASS_REPORT_DEMO_OUT</c> (keeps the demo report of the reporting tests) and
    /// <c>COMPASS_WRITE_SAMPLES</c> (makes the workload tests rewrite the sample traces). Every other <c>COMPASS_*</c>
    /// variable is an override and must name a scenario field, or loading the scenario fails naming the variable.
    /// </summary>
    public static IReadOnlyList<string> ReservedVariables { get; } = [PluginHomeVariable, "COMPASS_DLL", "COMPASS_REPORT_DEMO_OUT", "COMPASS_WRITE_SAMPLES"];

    /// <summary>True when <paramref name="name"/> is a <c>COMPASS_*</c> variable that overrides a scenario field (any one not in <see cref="ReservedVariables"/>).</summary>
    public static bool IsOverrideVariable(string name) =>
        name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && !ReservedVariables.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Loads, overrides, binds and reads a scenario.</summary>
    /// <param name="scenarioPath">Scenario file, or null for the embedded default.</param>
    /// <param name="overrides">Raw <c>key=value</c> overrides (dotted keys, list indices as <c>.3</c> or <c>[3]</c>), applied last in order.</param>
    /// <param name="environment">
    /// Environment variables to read (null = the process environment): every <see cref="IsOverrideVariable">override
    /// variable</see> must name a scenario field (<c>COMPASS_HOME</c> is refused like <c>--set home=…</c>).
    /// </param>
    public static Scenario Load(string? scenarioPath, IEnumerable<string> overrides, IDictionary? environment = null)
    {
        var document = Bind(scenarioPath, overrides, environment, out var baseDirectory);
        return ScenarioReader.Read(document, baseDirectory);
    }

    /// <summary>Loads, overrides and binds a scenario: the bound document (declared keys, defaults filled).</summary>
    /// <param name="scenarioPath">Scenario file, or null for the embedded default.</param>
    /// <param name="overrides">Raw <c>key=value</c> overrides, applied last in order.</param>
    /// <param name="environment">Environment variables to read (null = the process environment).</param>
    /// <param name="baseDirectory">The folder relative file names resolved against.</param>
    public static JsonObject Bind(string? scenarioPath, IEnumerable<string> overrides, IDictionary? environment, out string baseDirectory)
    {
        string text;
        string source;
        if (scenarioPath is null)
        {
            using var stream = typeof(ScenarioLoader).Assembly.GetManifestResourceStream(DefaultResourceName)
                ?? throw new CompassInputException("--scenario", "no scenario given and the default scenario is not embedded in this build");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
            source = "default scenario";
            baseDirectory = Directory.GetCurrentDirectory();
        }
        else
        {
            text = InputFiles.ReadText(scenarioPath, InputFiles.MaxScenarioBytes, "--scenario");
            source = Path.GetFileName(scenarioPath);
            baseDirectory = Path.GetDirectoryName(Path.GetFullPath(scenarioPath))!;
        }
        ScenarioLimits.Check(text, source);
        var document = StrictJson.ParseObject(text, source);
        var context = new BindContext(baseDirectory);

        var variables = new List<(string Key, string Field, string Value)>();
        foreach (DictionaryEntry e in environment ?? Environment.GetEnvironmentVariables())
        {
            if (e.Key is not string key || !IsOverrideVariable(key)) continue;
            variables.Add((key, key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value as string ?? string.Empty));
        }
        // Sorted, so the same environment always applies (and, when wrong, is refused) in the same order.
        variables.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (key, field, value) in variables)
        {
            if (!IsScenarioField(field)) throw UnknownVariable(key, field, value, document, context);
            ScenarioOverrides.Apply(document, field.Split(':'), value, context, key);
        }

        foreach (var o in overrides)
        {
            var eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || string.IsNullOrWhiteSpace(o[..eq])) throw new CompassInputException("--set", $"expected key=value, got '{o}'");
            var key = o[..eq].Trim();
            CheckOverrideKey(key);
            ScenarioOverrides.Apply(document, ScenarioOverrides.Segments(key), o[(eq + 1)..], context, "--set " + key);
        }
        return (JsonObject)ScenarioSchema.Root.Bind(document, string.Empty, context);
    }

    /// <summary>
    /// True when the configuration-style key <paramref name="key"/> (<c>budget:evaluations</c>) names a declared field
    /// (or lies inside a free-form section such as a component's options).
    /// </summary>
    public static bool IsScenarioField(string key)
    {
        if (key.Length == 0) return false;
        FieldSpec? spec = ScenarioSchema.Root;
        foreach (var segment in key.Split(':'))
        {
            spec = segment.Length == 0 ? null : spec?.Child(segment);
            if (spec is null) return false;
        }
        return true;
    }

    /// <summary>
    /// The refusal of the override variable <paramref name="key"/>, whose <paramref name="field"/> (<c>BUDGET:COLOUR</c>)
    /// names no scenario field: the same reason <c>--set</c> gives (the field and the keys its parent declares), found by
    /// applying the override to a copy of the document.
    /// </summary>
    private static CompassInputException UnknownVariable(string key, string field, string value, JsonObject document, BindContext context)
    {
        const string Rule = "a COMPASS_ variable overrides the scenario field it names, '__' between keys";
        try
        {
            ScenarioOverrides.Apply((JsonObject)document.DeepClone(), field.ToLowerInvariant().Split(':'), value, context, key);
        }
        catch (CompassInputException e)
        {
            return new CompassInputException(key, $"names no scenario field: {e.Field} {e.Reason} ({Rule}; not overrides: {string.Join(", ", ReservedVariables)})");
        }
        return new CompassInputException(key, $"names no scenario field: '{field.Replace(':', '.').ToLowerInvariant()}' ({Rule})");
    }

    /// <summary>True when a name field names a JSON file (<c>my-package.json</c>) instead of a catalog entry.</summary>
    public static bool IsJsonFile(string value) => PresetField.IsFile(value);

    /// <summary>
    /// Reads a whole package, chiplet type or model from a JSON file (relative to <paramref name="baseDirectory"/>, the
    /// working directory when null) through the same declarations as a scenario: strict JSON, size limits, every key
    /// known. Errors name <paramref name="field"/> and the file.
    /// </summary>
    public static T LoadFile<T>(string file, string? baseDirectory, string field) where T : class
    {
        var context = new BindContext(baseDirectory ?? Directory.GetCurrentDirectory());
        var record = RecordField.For(typeof(T), partial: false);
        var bound = (JsonObject)PresetField.InFile(file, () => record.Bind(PresetField.LoadFile(file, field, context), field, context));
        return (T)record.Materialize(bound, field);
    }

    /// <summary>
    /// Checks the key of a <c>--set key=value</c> override is a dotted path of non-empty segments
    /// (<c>graph.layers</c>, not <c>.graph.layers</c> or <c>graph..layers</c>); unknown fields are reported by the binding.
    /// </summary>
    public static void CheckOverrideKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var segments = key.Split('.');
        if (segments.Any(string.IsNullOrWhiteSpace))
        {
            var suggestion = string.Join('.', segments.Where(x => !string.IsNullOrWhiteSpace(x)).Select(x => x.Trim()));
            throw new CompassInputException("--set", $"'{key}' is not a field path: write dotted names without empty parts{(suggestion.Length > 0 ? $", e.g. --set {suggestion}=..." : "")}");
        }
    }

    /// <summary>Checks the text is one well-formed JSON object without duplicate keys or nulls; reports line and position otherwise.</summary>
    public static void CheckWellFormed(string text, string source)
    {
        ScenarioLimits.Check(text, source);
        StrictJson.ParseObject(text, source);
    }
}
