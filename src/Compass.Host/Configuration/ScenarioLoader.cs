using System.Collections;
using System.Text;
using System.Text.Json;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Workload;
using Microsoft.Extensions.Configuration;

namespace Compass.Host.Configuration;

/// <summary>
/// Builds the scenario configuration (JSON file or the embedded default, then <c>COMPASS_</c> environment variables,
/// then <c>--set key=value</c> overrides) and reads it into a validated <see cref="Scenario"/>. Every problem is a
/// <see cref="CompassInputException"/> naming the field.
/// </summary>
public static class ScenarioLoader
{
    /// <summary>Logical name of the embedded default scenario.</summary>
    public const string DefaultResourceName = "Compass.Host.default.json";

    /// <summary>Prefix of environment variables that override scenario values (<c>COMPASS_BUDGET__EVALUATIONS=20</c>).</summary>
    public const string EnvironmentPrefix = "COMPASS_";

    /// <summary><c>COMPASS_*</c> environment variables the host itself reads (never scenario overrides, never warned about).</summary>
    public static IReadOnlyList<string> HostVariables { get; } = [Plugins.Packages.PluginHome.EnvironmentVariable];

    /// <summary>Top-level keys a scenario may have.</summary>
    public static IReadOnlyList<string> TopLevelKeys { get; } =
    [
        "name", "description", "seed", "hardware", "model", "precision", "graph", "workload", "costModels",
        "objective", "optimizer", "budget", "search", "resilience", "plugins", "requires",
    ];

    /// <summary>
    /// The keys each fixed-shape section may hold (sections absent here are free-form: <c>model</c>, <c>plugins</c>,
    /// component options). Scalars (<c>name</c>, <c>description</c>, <c>seed</c>) map to an empty list.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> SectionKeys { get; } = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["name"] = [],
        ["description"] = [],
        ["seed"] = [],
        ["hardware"] = ["package", "chipletTypes"],
        ["precision"] = ["weightBits", "activationBits", "kvCacheBits"],
        ["graph"] = ["layers", "tensorParallel", "headGroups", "microBatchSize", "causalPrefill"],
        ["workload"] = ["trace", "scheduler", "maxBatchRequests", "maxBatchTokens", "warmupIterations", "searchIterations", "replayIterations", "padding", "paddedLength"],
        ["costModels"] = ["compute", "network", "cost"],
        ["objective"] = ["kind", "energyExponent", "delayExponent"],
        ["optimizer"] = ["name", "options"],
        ["budget"] = ["evaluations", "wallSeconds"],
        ["search"] = ["threads", "startFrom", "checkpointEvery"],
        ["resilience"] = ["evaluationTimeoutMs", "onPluginFault"],
    };

    /// <summary>
    /// True when the configuration key <paramref name="key"/> (<c>budget:evaluations</c>) names a scenario field:
    /// its top-level key is known, and within a fixed-shape section its second segment is too.
    /// </summary>
    public static bool IsScenarioField(string key)
    {
        var parts = key.Split(':');
        if (parts[0].Length == 0 || !TopLevelKeys.Contains(parts[0], StringComparer.OrdinalIgnoreCase)) return false;
        if (!SectionKeys.TryGetValue(parts[0], out var children)) return true;
        if (children.Length == 0) return parts.Length == 1;
        return parts.Length == 1 || children.Contains(parts[1], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Builds the merged configuration.</summary>
    /// <param name="scenarioPath">Scenario file, or null for the embedded default.</param>
    /// <param name="overrides">Raw <c>key=value</c> overrides (dotted keys).</param>
    /// <param name="environment">Environment variables to read (null = the process environment).</param>
    /// <param name="warn">
    /// Receives one line per ignored <c>COMPASS_*</c> environment variable that maps to no scenario field (a stray
    /// <c>COMPASS_HOME</c> must not stop a run); null drops them.
    /// </param>
    public static IConfigurationRoot BuildConfiguration(string? scenarioPath, IEnumerable<string> overrides, IDictionary? environment = null, Action<string>? warn = null)
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
        }
        else
        {
            text = Output.InputFiles.ReadText(scenarioPath, Output.InputFiles.MaxScenarioBytes, "--scenario");
            source = Path.GetFileName(scenarioPath);
        }
        ScenarioLimits.Check(text, source);
        CheckWellFormed(text, source);

        var memory = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in environment ?? Environment.GetEnvironmentVariables())
        {
            var key = e.Key as string;
            if (key is null || !key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var field = key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
            if (!IsScenarioField(field))
            {
                if (HostVariables.Contains(key, StringComparer.OrdinalIgnoreCase)) continue;
                warn?.Invoke($"warning: ignoring environment variable {key}: '{field.Replace(':', '.')}' is not a scenario field");
                continue;
            }
            memory[field] = e.Value as string;
        }
        var sets = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in overrides)
        {
            var eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || string.IsNullOrWhiteSpace(o[..eq])) throw new CompassInputException("--set", $"expected key=value, got '{o}'");
            var key = o[..eq].Trim();
            CheckOverrideKey(key);
            sets[key.Replace('.', ':')] = o[(eq + 1)..];
        }
        var root = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(text)))
            .AddInMemoryCollection(memory)
            .AddInMemoryCollection(sets)
            .Build();
        foreach (var child in root.GetChildren())
        {
            if (!TopLevelKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                throw new CompassInputException(child.Key, $"is not a known scenario field (known: {string.Join(", ", TopLevelKeys)})");
        }
        return root;
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

    /// <summary>Checks the text is one well-formed JSON object; reports line and position otherwise.</summary>
    public static void CheckWellFormed(string text, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CompassInputException(source, $"must be a JSON object, got {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}");
        }
        catch (JsonException e)
        {
            var what = e.Message;
            var cut = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) what = what[..cut];
            throw new CompassInputException(source, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: {what.TrimEnd('.')}");
        }
    }

    /// <summary>Reads and validates the scenario (everything that does not need the plugins).</summary>
    public static Scenario Read(IConfiguration root, string? baseDirectory = null)
    {
        foreach (var key in (string[])["hardware", "precision", "graph", "workload", "costModels", "objective", "budget", "search", "resilience", "plugins", "requires"])
        {
            if (root.GetSection(key).Value is { Length: > 0 } v)
                throw new CompassInputException(key, $"has the wrong type (expected an object), got '{v}'");
        }
        var hardware = root.GetSection("hardware");
        hardware.RejectUnknownKeys("package", "chipletTypes");
        var packageSection = hardware.GetSection("package");
        PackageReference package;
        if (packageSection.Value is { Length: > 0 } presetName)
            package = IsJsonFile(presetName) ? new PackageReference(null, LoadFile<PackageDescription>(presetName, baseDirectory, "hardware.package")) : new PackageReference(presetName, null);
        else if (packageSection.GetChildren().Any()) package = new PackageReference(null, ConfigJson.Bind<PackageDescription>(packageSection));
        else throw new CompassInputException("hardware.package", "is required (a preset name or an inline package description)");
        var chipletTypes = hardware.GetSection("chipletTypes");
        var extra = chipletTypes.Value is { Length: > 0 } typesFile
            ? LoadFile<IReadOnlyList<ChipletType>>(typesFile, baseDirectory, "hardware.chipletTypes")
            : chipletTypes.GetChildren().Any() ? ConfigJson.Bind<IReadOnlyList<ChipletType>>(chipletTypes) : [];

        var modelSection = root.GetSection("model");
        ModelReference model;
        if (modelSection.Value is { Length: > 0 } modelName)
            model = IsJsonFile(modelName) ? new ModelReference(null, LoadFile<ModelConfig>(modelName, baseDirectory, "model")) : new ModelReference(modelName, null);
        else if (modelSection.GetChildren().Any()) model = new ModelReference(null, ConfigJson.Bind<ModelConfig>(modelSection));
        else throw new CompassInputException("model", "is required (a catalog name or an inline model configuration)");

        var p = root.GetSection("precision");
        p.RejectUnknownKeys("weightBits", "activationBits", "kvCacheBits");
        var precision = new PrecisionConfig(Bits(p, "weightBits"), Bits(p, "activationBits"), Bits(p, "kvCacheBits"));

        var g = root.GetSection("graph");
        g.RejectUnknownKeys("layers", "tensorParallel", "headGroups", "microBatchSize", "causalPrefill");
        var graph = new GraphOptions
        {
            Layers = g.GetInt32("layers", 1, 0, 100_000),
            TensorParallel = g.GetInt32("tensorParallel", 8, 1, 4096),
            HeadGroups = g.GetInt32("headGroups", 0, 0, 4096),
            MicroBatchSize = g.GetInt32("microBatchSize", 1, 1, 1_000_000),
            CausalPrefill = g.GetBoolean("causalPrefill", true),
        };

        var w = root.GetSection("workload");
        w.RejectUnknownKeys("trace", "scheduler", "maxBatchRequests", "maxBatchTokens", "warmupIterations", "searchIterations", "replayIterations", "padding", "paddedLength");
        var workload = new WorkloadSettings(
            Choice(w, "trace", required: true)!,
            Choice(w, "scheduler", required: true)!,
            w.GetInt32("maxBatchRequests", 128, 1, 1_000_000),
            w.GetInt32("maxBatchTokens", 0, 0, int.MaxValue),
            w.GetInt32("warmupIterations", 0, 0, 10_000_000),
            w.GetInt32("searchIterations", 1, 1, 100_000),
            w.GetInt32("replayIterations", 300, 1, 10_000_000))
        {
            Padding = new PaddingOptions(Padding.ParseMode(w["padding"]), w.GetInt32("paddedLength", 0, 0, 100_000_000)),
        };
        Padding.Validate(workload.Padding);
        if (graph.MicroBatchSize > workload.MaxBatchRequests)
            throw new CompassInputException("graph.microBatchSize", $"must be <= workload.maxBatchRequests ({workload.MaxBatchRequests}), got {graph.MicroBatchSize}: a micro-batch cannot be larger than the batch");

        var c = root.GetSection("costModels");
        c.RejectUnknownKeys("compute", "network", "cost");
        var costModels = new CostModelSettings(Choice(c, "compute", required: true)!, Choice(c, "network", required: true)!, Choice(c, "cost", required: false));

        var o = root.GetSection("objective");
        o.RejectUnknownKeys("kind", "energyExponent", "delayExponent");
        var objective = new ObjectiveSpec(
            o.GetEnum("kind", ObjectiveKind.Edp),
            o.GetDouble("energyExponent", 1, 0, 100),
            o.GetDouble("delayExponent", 1, 0, 100));

        var b = root.GetSection("budget");
        b.RejectUnknownKeys("evaluations", "wallSeconds");
        var budget = new SearchBudget(b.GetInt32("evaluations", 10_000, 1, int.MaxValue), b.GetDouble("wallSeconds", 0, 0, 1e9));

        var s = root.GetSection("search");
        s.RejectUnknownKeys(SectionKeys["search"]);
        var search = new SearchSettings(s.GetInt32("threads", 0, 0, 1024), s.GetChoice("startFrom", "heuristics", "heuristics", "none") == "heuristics")
        {
            CheckpointEvery = s.GetInt32("checkpointEvery", SearchSettings.DefaultCheckpointEvery, 1, 1_000_000),
        };

        var r = root.GetSection("resilience");
        r.RejectUnknownKeys("evaluationTimeoutMs", "onPluginFault");
        var resilience = new ResilienceSettings(
            r.GetInt32("evaluationTimeoutMs", 60_000, 10, 86_400_000),
            r.GetEnum("onPluginFault", PluginFaultPolicy.Stop));

        return new Scenario
        {
            Name = root.GetString("name", "unnamed"),
            Description = root.GetString("description", string.Empty),
            Seed = root.GetInt32("seed", 42),
            Package = package,
            ExtraChipletTypes = extra,
            Model = model,
            Precision = precision,
            Graph = graph,
            Workload = workload,
            CostModels = costModels,
            Objective = objective,
            Optimizer = Choice(root, "optimizer", required: true)!,
            Budget = budget,
            Search = search,
            Resilience = resilience,
            Plugins = root.GetSection("plugins"),
            Requires = Plugins.Packages.PluginRequirements.Read(root.GetSection("requires")),
            Root = root,
        };
    }

    private static int Bits(IConfiguration section, string key)
    {
        var v = section.GetInt32(key, 16);
        if (v is not (4 or 8 or 16 or 32))
            throw new CompassInputException(OptionsReader.PathOf(section, key), $"must be 4, 8, 16 or 32 bits, got {v}");
        return v;
    }

    /// <summary>Reads <c>{ "name": ..., "options": { ... } }</c> (or a bare name string) under <paramref name="key"/>.</summary>
    private static ComponentChoice? Choice(IConfiguration parent, string key, bool required)
    {
        var section = parent.GetSection(key);
        var path = OptionsReader.PathOf(parent, key);
        if (section.Value is { Length: > 0 } bare)
            return new ComponentChoice(bare, section.GetSection("options"), path);
        if (!section.GetChildren().Any())
        {
            if (required) throw new CompassInputException(path + ".name", "is required");
            return null;
        }
        section.RejectUnknownKeys("name", "options");
        var name = section["name"];
        if (string.IsNullOrWhiteSpace(name)) throw new CompassInputException(path + ".name", "is required");
        return new ComponentChoice(name, section.GetSection("options"), path);
    }

    /// <summary>True when a name field names a JSON file (<c>my-package.json</c>) instead of a catalog entry.</summary>
    internal static bool IsJsonFile(string value) => value.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads a package, model or chiplet-type list from a JSON file named in the scenario, relative to the scenario
    /// file's folder (the working directory for the embedded default). Errors name the field and the file.
    /// </summary>
    internal static T LoadFile<T>(string file, string? baseDirectory, string field)
    {
        var path = Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), file);
        var text = Output.InputFiles.ReadText(path, Output.InputFiles.MaxScenarioBytes, field);
        ScenarioLimits.Check(text, Path.GetFileName(path));
        try
        {
            return JsonSerializer.Deserialize<T>(text, ConfigJson.Options) ?? throw new CompassInputException(field, $"{Path.GetFileName(path)} is empty");
        }
        catch (JsonException e)
        {
            throw new CompassInputException(ConfigJson.FieldOf(field, e.Path), $"in {Path.GetFileName(path)} at line {(e.LineNumber ?? 0) + 1}: {ConfigJson.Describe(e)}");
        }
    }
}
