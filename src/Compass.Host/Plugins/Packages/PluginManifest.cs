using System.Text.Json;
using System.Text.RegularExpressions;
using Compass.Abstractions.Plugins;
using NuGet.Versioning;

namespace Compass.Host.Plugins.Packages;

/// <summary>One contribution a package declares: its kind (<c>optimizers</c>) and name (<c>hill-climb</c>).</summary>
/// <param name="Kind">Kind, as <c>compass list &lt;kind&gt;</c> names it.</param>
/// <param name="Name">Name a scenario selects it by.</param>
public sealed record DeclaredContribution(string Kind, string Name)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind} '{Name}'";

    /// <summary>True when both have the same kind and name (names compare case-insensitively, as the host resolves them).</summary>
    public bool SameAs(string kind, string name) =>
        string.Equals(Kind, kind, StringComparison.Ordinal) && string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// <c>compass-plugin.json</c>: what a Compass plugin package declares (written by the packing targets of
/// Compass.Abstractions; it sits in the package's <c>plugin/</c> folder and so in the installed plugin folder).
/// </summary>
/// <param name="PackageId">NuGet package id.</param>
/// <param name="Version">Package version.</param>
/// <param name="Assembly">Main assembly's simple name; the installed folder is named after it.</param>
/// <param name="Contract">Compass.Abstractions version the plugin was built against (major.minor).</param>
/// <param name="Contributions">Everything it registers, by kind and name.</param>
public sealed partial record PluginManifest(string PackageId, NuGetVersion Version, string Assembly, Version Contract, IReadOnlyList<DeclaredContribution> Contributions)
{
    /// <summary>File name of the manifest.</summary>
    public const string FileName = "compass-plugin.json";

    /// <summary>The manifest schema this host reads.</summary>
    public const int Schema = 1;

    /// <summary>The contribution kinds a manifest may declare.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [.. ComponentKinds.All.Select(k => k.Kind)];

    /// <summary>Reads the manifest in <paramref name="folder"/>, or null when there is none.</summary>
    /// <exception cref="CompassInputException">The file exists but is malformed.</exception>
    public static PluginManifest? TryReadFolder(string folder)
    {
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) ? Parse(File.ReadAllText(path), path) : null;
    }

    /// <summary>Parses and validates manifest text; errors name <paramref name="source"/> and the field.</summary>
    /// <exception cref="CompassInputException">Malformed JSON, a missing or invalid field.</exception>
    public static PluginManifest Parse(string text, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CompassInputException(source, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CompassInputException(source, "must be a JSON object");
            var schema = root.TryGetProperty("schema", out var s) && s.TryGetInt32(out var si) ? si : 0;
            if (schema != Schema) throw new CompassInputException($"{source}: schema", $"must be {Schema}, got {(s.ValueKind == JsonValueKind.Undefined ? "nothing" : s.GetRawText())}");
            var id = Text(root, "packageId", source);
            var versionText = Text(root, "version", source);
            if (!NuGetVersion.TryParse(versionText, out var version)) throw new CompassInputException($"{source}: version", $"is not a NuGet version: '{versionText}'");
            var assembly = Text(root, "assembly", source);
            if (!SimpleName().IsMatch(assembly)) throw new CompassInputException($"{source}: assembly", $"must be a simple assembly name (letters, digits, '.', '_', '-'), got '{assembly}'");
            var contractText = Text(root, "contract", source);
            if (!System.Version.TryParse(contractText, out var contract) || contractText.Count(c => c == '.') != 1)
                throw new CompassInputException($"{source}: contract", $"must be major.minor, got '{contractText}'");
            if (!root.TryGetProperty("contributions", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new CompassInputException($"{source}: contributions", "is required (an array of { \"kind\", \"name\" })");
            var contributions = new List<DeclaredContribution>();
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var field = $"{source}: contributions[{i++}]";
                if (item.ValueKind != JsonValueKind.Object) throw new CompassInputException(field, "must be an object { \"kind\", \"name\" }");
                var kind = Text(item, "kind", field);
                if (!Kinds.Contains(kind)) throw new CompassInputException($"{field}.kind", $"must be one of {string.Join(", ", Kinds)}, got '{kind}'");
                var name = Text(item, "name", field);
                if (contributions.Any(c => c.SameAs(kind, name))) throw new CompassInputException($"{field}.name", $"{kind} '{name}' is declared twice");
                contributions.Add(new DeclaredContribution(kind, name));
            }
            return new PluginManifest(id, version, assembly, contract, contributions);
        }
    }

    /// <summary>The contract as <c>major.minor</c>.</summary>
    public string ContractText => Contract.ToString(2);

    /// <summary><c>id version</c>.</summary>
    public string Identity => $"{PackageId} {Version.ToNormalizedString()}";

    private static string Text(JsonElement parent, string key, string source)
    {
        if (!parent.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
            throw new CompassInputException(source.EndsWith(']') ? $"{source}.{key}" : $"{source}: {key}", "is required (a non-empty string)");
        return v.GetString()!;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")]
    private static partial Regex SimpleName();
}
