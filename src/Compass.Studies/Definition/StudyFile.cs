using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;

namespace Compass.Studies.Definition;

/// <summary>
/// Reads a study file (JSON): <c>name</c>, <c>description</c>, <c>scenario</c>, <c>set</c>, <c>axes</c>,
/// <c>combine</c>, <c>seeds</c>, <c>parallel</c>, <c>threadsPerPoint</c>, <c>codesign</c>. Every error is a
/// <see cref="CompassInputException"/> naming the file and the field (<c>study.json: axes[1].logRange.count</c>).
/// </summary>
public static class StudyFile
{
    /// <summary>Largest number of points a study may expand to.</summary>
    public const int MaxPoints = 1_000_000;

    private static readonly string[] TopLevelKeys = ["name", "description", "scenario", "set", "axes", "combine", "seeds", "parallel", "threadsPerPoint", "codesign"];
    private static readonly string[] AxisKeys = ["name", "path", "values", "range", "logRange"];
    private static readonly string[] CodesignKeys = ["hardwarePoints", "populationSize", "rungBudgets", "eta", "costLimitUsd", "crossoverProbability", "mutationProbability"];

    /// <summary>Reads and checks the study file at <paramref name="path"/>.</summary>
    public static StudyDefinition Read(string path)
    {
        if (!File.Exists(path)) throw new CompassInputException("study", $"file not found: {path}");
        var full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), Path.GetFileName(full), Path.GetDirectoryName(full)!) with { SourcePath = full };
    }

    /// <summary>Parses study text; <paramref name="source"/> names it in errors, <paramref name="baseDirectory"/> anchors relative paths.</summary>
    public static StudyDefinition Parse(string text, string source, string baseDirectory)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CompassInputException(source, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}");
        }
        if (root is not JsonObject o) throw new CompassInputException(source, "must be a JSON object");
        string F(string field) => $"{source}: {field}";
        foreach (var (key, _) in o)
            if (!TopLevelKeys.Contains(key, StringComparer.Ordinal))
                throw new CompassInputException(F(key), $"is not a study field (known: {string.Join(", ", TopLevelKeys)})");

        var name = String(o, "name", F) ?? Path.GetFileNameWithoutExtension(source);
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/', StringComparison.Ordinal))
            throw new CompassInputException(F("name"), $"must be a non-empty name usable as a folder name, got '{name}'");
        var scenario = String(o, "scenario", F);
        string? scenarioPath = null;
        if (scenario is not null)
        {
            scenarioPath = Path.GetFullPath(Path.IsPathRooted(scenario) ? scenario : Path.Combine(baseDirectory, scenario));
            if (!File.Exists(scenarioPath)) throw new CompassInputException(F("scenario"), $"file not found: {scenarioPath}");
        }

        var set = new List<KeyValuePair<string, JsonNode>>();
        if (o["set"] is { } setNode)
        {
            if (setNode is not JsonObject setObject) throw new CompassInputException(F("set"), "must be an object of \"path\": value");
            foreach (var (key, value) in setObject)
            {
                if (value is null) throw new CompassInputException(F($"set.{key}"), "must not be null");
                set.Add(new(key, value.DeepClone()));
            }
        }

        if (o["axes"] is not JsonArray axesArray) throw new CompassInputException(F("axes"), "is required: an array of { \"path\", \"values\" | \"range\" | \"logRange\" }");
        var axes = new List<StudyAxis>();
        for (var i = 0; i < axesArray.Count; i++) axes.Add(ReadAxis(axesArray[i], $"axes[{i}]", F));
        foreach (var dup in axes.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            throw new CompassInputException(F(dup.Last().Field + ".name"), $"axis name '{dup.Key}' is used twice; give one of them a \"name\"");

        var combine = (String(o, "combine", F) ?? "cross").ToLowerInvariant() switch
        {
            "cross" => AxisCombination.Cross,
            "zip" => AxisCombination.Zip,
            var other => throw new CompassInputException(F("combine"), $"must be cross or zip, got '{other}'"),
        };
        if (combine == AxisCombination.Zip && axes.Count > 1 && axes.Any(a => a.Values.Count != axes[0].Values.Count))
        {
            var bad = axes.First(a => a.Values.Count != axes[0].Values.Count);
            throw new CompassInputException(F(bad.Field), $"axis '{bad.Name}' has {bad.Values.Count} values but '{axes[0].Name}' has {axes[0].Values.Count}: zipped axes must have the same length");
        }

        var seeds = new List<int>();
        if (o["seeds"] is { } seedsNode)
        {
            if (seedsNode is not JsonArray seedArray || seedArray.Count == 0) throw new CompassInputException(F("seeds"), "must be a non-empty array of integers");
            for (var i = 0; i < seedArray.Count; i++)
            {
                if (seedArray[i] is not JsonValue v || !v.TryGetValue<int>(out var s)) throw new CompassInputException(F($"seeds[{i}]"), $"must be an integer, got {seedArray[i]?.ToJsonString() ?? "null"}");
                if (seeds.Contains(s)) throw new CompassInputException(F($"seeds[{i}]"), $"seed {s} is listed twice");
                seeds.Add(s);
            }
        }

        var definition = new StudyDefinition
        {
            Name = name,
            Description = String(o, "description", F) ?? string.Empty,
            ScenarioPath = scenarioPath,
            Set = set,
            Axes = axes,
            Combine = combine,
            Seeds = seeds,
            Parallel = Int(o, "parallel", F, 0, 0, 1024),
            ThreadsPerPoint = Int(o, "threadsPerPoint", F, 1, 0, 1024),
            Codesign = o["codesign"] is { } c ? ReadCodesign(c, F) : null,
            SourceText = text,
        };
        long count = 1;
        foreach (var a in axes) count = combine == AxisCombination.Zip ? a.Values.Count : count * a.Values.Count;
        if (count * Math.Max(1, seeds.Count) > MaxPoints)
            throw new CompassInputException(F("axes"), $"expands to {count * Math.Max(1, seeds.Count):N0} points, more than {MaxPoints:N0}");
        return definition;
    }

    private static StudyAxis ReadAxis(JsonNode? node, string field, Func<string, string> f)
    {
        if (node is not JsonObject a) throw new CompassInputException(f(field), "must be an object { \"path\", \"values\" | \"range\" | \"logRange\" }");
        foreach (var (key, _) in a)
            if (!AxisKeys.Contains(key, StringComparer.Ordinal))
                throw new CompassInputException(f($"{field}.{key}"), $"is not an axis field (known: {string.Join(", ", AxisKeys)})");
        var path = String(a, "path", s => f($"{field}.{s}"));
        if (string.IsNullOrWhiteSpace(path)) throw new CompassInputException(f($"{field}.path"), "is required: a dotted scenario path such as hardware.package.link.bandwidthGBps");
        var name = String(a, "name", s => f($"{field}.{s}")) ?? DefaultName(path);
        var label = $"{field} ('{name}')";
        var kinds = new[] { "values", "range", "logRange" }.Where(k => a[k] is not null).ToList();
        if (kinds.Count != 1)
            throw new CompassInputException(f(label), kinds.Count == 0 ? "needs one of values, range or logRange" : $"has both {kinds[0]} and {kinds[1]}; give one");
        IReadOnlyList<JsonNode> values = kinds[0] switch
        {
            "values" => ListValues(a["values"]!, f($"{label}.values")),
            "range" => AxisRanges.Linear(a["range"]!, f($"{label}.range")),
            _ => AxisRanges.Logarithmic(a["logRange"]!, f($"{label}.logRange")),
        };
        if (values.Count == 0) throw new CompassInputException(f(label), "is empty: an axis needs at least one value");
        return new StudyAxis(name, path.Trim(), values, field);
    }

    private static List<JsonNode> ListValues(JsonNode node, string field)
    {
        if (node is not JsonArray array) throw new CompassInputException(field, "must be an array of values");
        var list = new List<JsonNode>();
        for (var i = 0; i < array.Count; i++)
            list.Add(array[i]?.DeepClone() ?? throw new CompassInputException($"{field}[{i}]", "must not be null"));
        return list;
    }

    private static CodesignSettings ReadCodesign(JsonNode node, Func<string, string> f)
    {
        if (node is not JsonObject c) throw new CompassInputException(f("codesign"), "must be an object");
        foreach (var (key, _) in c)
            if (!CodesignKeys.Contains(key, StringComparer.Ordinal))
                throw new CompassInputException(f($"codesign.{key}"), $"is not a codesign field (known: {string.Join(", ", CodesignKeys)})");
        string G(string s) => f("codesign." + s);
        var rungs = new List<int>();
        if (c["rungBudgets"] is { } r)
        {
            if (r is not JsonArray ra || ra.Count == 0) throw new CompassInputException(G("rungBudgets"), "must be a non-empty array of evaluation budgets");
            for (var i = 0; i < ra.Count; i++)
            {
                if (ra[i] is not JsonValue v || !v.TryGetValue<int>(out var b) || b < 1) throw new CompassInputException(G($"rungBudgets[{i}]"), $"must be an integer >= 1, got {ra[i]?.ToJsonString() ?? "null"}");
                if (rungs.Count > 0 && b <= rungs[^1]) throw new CompassInputException(G($"rungBudgets[{i}]"), $"must be larger than the previous rung's {rungs[^1]}, got {b}");
                rungs.Add(b);
            }
        }
        var settings = new CodesignSettings
        {
            HardwarePoints = Int(c, "hardwarePoints", G, 200, 2, 100_000),
            PopulationSize = Int(c, "populationSize", G, 20, 2, 10_000),
            RungBudgets = rungs.Count > 0 ? rungs : [500, 2000],
            Eta = Int(c, "eta", G, 4, 2, 1000),
            CostLimitUsd = c["costLimitUsd"] is null ? null : Double(c, "costLimitUsd", G, 0, 1e-9, 1e12),
            CrossoverProbability = Double(c, "crossoverProbability", G, 0.9, 0, 1),
            MutationProbability = Double(c, "mutationProbability", G, 0, 0, 1),
        };
        if (settings.PopulationSize % 2 != 0) throw new CompassInputException(G("populationSize"), $"must be even (NSGA-II mates pairs), got {settings.PopulationSize}");
        if (settings.HardwarePoints < settings.PopulationSize)
            throw new CompassInputException(G("hardwarePoints"), $"must be >= populationSize ({settings.PopulationSize}), got {settings.HardwarePoints}");
        return settings;
    }

    /// <summary>The last path segment that is not an array selector (<c>hardware.package.slots.*</c> → <c>slots</c>).</summary>
    public static string DefaultName(string path)
    {
        var parts = path.Split('.', StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 1; i >= 0; i--)
            if (parts[i] != "*" && !parts[i].Contains(':', StringComparison.Ordinal) && !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                return parts[i];
        return path;
    }

    private static string? String(JsonObject o, string key, Func<string, string> f)
    {
        if (o[key] is null) return null;
        if (o[key] is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw new CompassInputException(f(key), $"must be a string, got {o[key]!.ToJsonString()}");
    }

    private static int Int(JsonObject o, string key, Func<string, string> f, int fallback, int min, int max)
    {
        if (o[key] is null) return fallback;
        if (o[key] is not JsonValue v || !v.TryGetValue<int>(out var i)) throw new CompassInputException(f(key), $"must be an integer, got {o[key]!.ToJsonString()}");
        if (i < min || i > max) throw new CompassInputException(f(key), $"must be in [{min}, {max}], got {i}");
        return i;
    }

    private static double Double(JsonObject o, string key, Func<string, string> f, double fallback, double min, double max)
    {
        if (o[key] is null) return fallback;
        if (o[key] is not JsonValue v || !v.TryGetValue<double>(out var d) || !double.IsFinite(d)) throw new CompassInputException(f(key), $"must be a number, got {o[key]!.ToJsonString()}");
        if (d < min || d > max) throw new CompassInputException(f(key), $"must be in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}], got {d.ToString(CultureInfo.InvariantCulture)}");
        return d;
    }
}
