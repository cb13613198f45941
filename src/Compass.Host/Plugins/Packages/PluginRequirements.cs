using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using NuGet.Versioning;

namespace Compass.Host.Plugins.Packages;

/// <summary>A scenario's <c>requires</c> entry: a plugin package and the versions it accepts.</summary>
/// <param name="PackageId">Package id (<c>Acme.Photonic</c>).</param>
/// <param name="Range">Accepted versions.</param>
/// <param name="Text">The range as written (<c>&gt;=1.2</c>).</param>
public sealed record PluginRequirement(string PackageId, VersionRange Range, string Text)
{
    /// <summary>Dotted path of the entry in the scenario.</summary>
    public string Field => $"requires.{PackageId}";
}

/// <summary>
/// Reads and checks a scenario's <c>"requires": { "Acme.Photonic": "&gt;=1.2" }</c>. A range is <c>&gt;=V</c>,
/// <c>&gt;V</c>, <c>=V</c>, a bare <c>V</c> (at least V) or NuGet interval notation (<c>[1.2,2.0)</c>). A plugin
/// satisfies an entry when a loaded plugin's manifest has that package id (case-insensitive) and a version in the
/// range; a plugin without a manifest (a build folder dropped in by hand) is matched by its folder name and assembly version.
/// </summary>
public static class PluginRequirements
{
    /// <summary>Parses the <c>requires</c> section (package ids may contain dots: nested keys are joined with '.').</summary>
    /// <exception cref="CompassInputException">A value that is not a version range, naming the entry.</exception>
    public static IReadOnlyList<PluginRequirement> Read(IConfigurationSection section)
    {
        var list = new List<PluginRequirement>();
        Walk(section, "", list);
        return list;
    }

    /// <summary>Parses the scenario's bound <c>requires</c> entries (package id → range as written), in order.</summary>
    /// <exception cref="CompassInputException">A value that is not a version range, naming the entry.</exception>
    public static IReadOnlyList<PluginRequirement> Read(IReadOnlyDictionary<string, string> requires)
    {
        ArgumentNullException.ThrowIfNull(requires);
        return [.. requires.Select(r => new PluginRequirement(r.Key, ParseRange(r.Value, $"requires.{r.Key}"), r.Value.Trim()))];
    }

    private static void Walk(IConfigurationSection section, string prefix, List<PluginRequirement> list)
    {
        foreach (var child in section.GetChildren())
        {
            var id = prefix.Length == 0 ? child.Key : prefix + "." + child.Key;
            if (child.Value is null)
            {
                if (!child.GetChildren().Any()) throw new CompassInputException($"requires.{id}", "must be a version range like \">=1.2\", got an empty value");
                Walk(child, id, list);
                continue;
            }
            list.Add(new PluginRequirement(id, ParseRange(child.Value, $"requires.{id}"), child.Value.Trim()));
        }
    }

    /// <summary>Parses <c>&gt;=1.2</c>, <c>&gt;1.2</c>, <c>=1.2</c>, <c>1.2</c> or NuGet interval notation.</summary>
    /// <exception cref="CompassInputException">Not a range; names <paramref name="field"/>.</exception>
    public static VersionRange ParseRange(string text, string field)
    {
        var t = text.Trim();
        VersionRange? range = null;
        if (t.StartsWith(">=", StringComparison.Ordinal) && NuGetVersion.TryParse(t[2..].Trim(), out var min)) range = new VersionRange(min, includeMinVersion: true);
        else if (t.StartsWith('>') && NuGetVersion.TryParse(t[1..].Trim(), out var above)) range = new VersionRange(above, includeMinVersion: false);
        else if (t.StartsWith("==", StringComparison.Ordinal) && NuGetVersion.TryParse(t[2..].Trim(), out var exact2)) range = new VersionRange(exact2, true, exact2, true);
        else if (t.StartsWith('=') && NuGetVersion.TryParse(t[1..].Trim(), out var exact)) range = new VersionRange(exact, true, exact, true);
        else if (t.Length > 0 && !t.StartsWith('<') && VersionRange.TryParse(t, out var nuget)) range = nuget;
        return range ?? throw new CompassInputException(field, $"must be a version range like \">=1.2\", \"=1.2.0\" or \"[1.2,2.0)\", got '{text}'");
    }

    /// <summary>Package id and version of a loaded plugin: from its manifest, else its folder name and assembly version.</summary>
    public static (string PackageId, string Version) IdentityOf(LoadedPlugin plugin)
    {
        var manifest = TryManifest(plugin.Folder);
        return manifest is null ? (plugin.Name, plugin.Version) : (manifest.PackageId, manifest.Version.ToNormalizedString());
    }

    /// <summary>
    /// Throws for the first requirement no loaded plugin satisfies: absent (failed plugins are named with their
    /// reason), or present at a version outside the range.
    /// </summary>
    /// <exception cref="CompassInputException">Names <c>requires.&lt;id&gt;</c>.</exception>
    public static void Check(IReadOnlyList<PluginRequirement> requirements, PluginCatalog catalog)
    {
        foreach (var r in requirements)
        {
            var matches = catalog.Plugins.Select(p => (Plugin: p, Id: IdentityOf(p)))
                .Where(x => string.Equals(x.Id.PackageId, r.PackageId, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 0)
            {
                var failed = catalog.Errors.FirstOrDefault(e => string.Equals(TryManifest(e.Folder)?.PackageId ?? e.Name, r.PackageId, StringComparison.OrdinalIgnoreCase));
                if (failed is not null)
                    throw new CompassInputException(r.Field, $"plugin {r.PackageId} is installed ({failed.Folder}) but did not load: {failed.Reason}");
                throw new CompassInputException(r.Field, $"plugin {r.PackageId} {r.Text} is required but not installed (compass plugins install {r.PackageId})");
            }
            if (matches.Any(m => NuGetVersion.TryParse(m.Id.Version, out var v) && r.Range.Satisfies(v))) continue;
            var have = string.Join(", ", matches.Select(m => m.Id.Version));
            throw new CompassInputException(r.Field, $"plugin {r.PackageId} {r.Text} is required but version {have} is installed (compass plugins update {r.PackageId})");
        }
    }

    private static PluginManifest? TryManifest(string folder)
    {
        try
        {
            return PluginManifest.TryReadFolder(folder);
        }
        catch (CompassInputException)
        {
            return null;
        }
    }
}
