using System.Reflection;
using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NuGet.Versioning;

namespace Compass.Host.Plugins.Packages;

/// <summary>What <c>compass plugins install|update</c> was asked for.</summary>
/// <param name="PackageId">Package id.</param>
/// <param name="Version">Exact version, or null for the newest.</param>
/// <param name="Source">Feed (folder or v3 URL), or null for the recorded / configured ones.</param>
/// <param name="Prerelease">Consider prerelease versions when <paramref name="Version"/> is null.</param>
public sealed record InstallRequest(string PackageId, NuGetVersion? Version, string? Source, bool Prerelease);

/// <summary>
/// Installs, updates and removes plugin packages in a <see cref="PluginHome"/>. Every check runs before the
/// plugin folder is touched: the package must be a valid Compass plugin package, built against a contract this
/// host accepts, and neither its folder name nor any contribution name (per kind, case-insensitive) may clash with
/// a built-in or another installed plugin. The package is then extracted into <c>.staging/</c>, loaded once in a
/// collectible context (its entry point runs with an empty configuration) to confirm it loads and registers
/// exactly what its manifest declares, and renamed into place.
/// </summary>
/// <param name="home">The plugin home written to.</param>
/// <param name="builtInDirectory">The host's own plugin folder (searched before the home).</param>
public sealed class PluginInstaller(PluginHome home, string builtInDirectory)
{
    /// <summary>How long a command waits for another one on the same home to finish.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    /// <summary>Called after each step of the folder swap; tests interrupt an install here.</summary>
    internal Action<string>? Step { get; init; }

    /// <summary>Installs (or replaces with) the requested version; returns the line to print.</summary>
    /// <exception cref="CompassInputException">Any refusal, with the reason in one line; the home is unchanged.</exception>
    public string Install(InstallRequest request, CancellationToken ct) => Run(request, updateOnly: false, ct);

    /// <summary>Replaces an installed package with the newest (or requested) version; returns the line to print.</summary>
    /// <exception cref="CompassInputException">Not installed, or any refusal of <see cref="Install"/>.</exception>
    public string Update(InstallRequest request, CancellationToken ct) => Run(request, updateOnly: true, ct);

    /// <summary>Removes an installed package; returns the line to print.</summary>
    /// <exception cref="CompassInputException">The package is not installed in the home.</exception>
    public string Remove(string packageId)
    {
        using var held = home.Lock(LockWait);
        home.Recover();
        var existing = home.Find(packageId) ?? throw NotInstalled(packageId);
        home.Remove(Path.GetFileName(existing.Folder), Step);
        return $"removed {existing.Manifest.Identity} ({existing.Folder})";
    }

    private string Run(InstallRequest request, bool updateOnly, CancellationToken ct)
    {
        using var held = home.Lock(LockWait);
        home.Recover();
        PluginHome.CheckUsable(home, "--plugin-home");
        var existing = home.Find(request.PackageId);
        if (updateOnly && existing is null) throw NotInstalled(request.PackageId);
        var source = request.Source ?? (existing is { Source.Length: > 0 } ? existing.Source : null);
        var found = PluginFeed.Resolve(request.PackageId, request.Version, request.Prerelease, PluginFeed.Sources(source), ct);
        var label = $"{found.PackageId} {found.Version.ToNormalizedString()}";
        if (existing is not null && existing.Manifest.Version == found.Version)
            return $"{existing.Manifest.Identity} is already installed ({existing.Folder})";
        if (updateOnly && request.Version is null && existing!.Manifest.Version > found.Version)
            return $"{existing.Manifest.Identity} is newer than the newest version on {found.Source} ({found.Version.ToNormalizedString()}); nothing to do";

        using var stream = PluginFeed.Download(found, ct);
        using var package = PluginPackage.Open(stream, label);
        var manifest = package.Manifest;
        CheckContract(manifest, label);
        CheckAgainstLoadedPlugins(manifest, existing, label);

        var transaction = home.NewTransaction();
        var staged = Path.Combine(transaction, "new", manifest.Assembly);
        try
        {
            package.ExtractPlugin(staged);
            VerifyStaged(Path.Combine(transaction, "new"), manifest, label);
            PluginHome.WriteInstallRecord(staged, found.Source);
        }
        catch
        {
            home.Discard(transaction);
            throw;
        }
        try
        {
            home.Replace(transaction, staged, manifest.Assembly, Step);
            if (existing is not null && !string.Equals(Path.GetFileName(existing.Folder), manifest.Assembly, StringComparison.Ordinal))
                home.Remove(Path.GetFileName(existing.Folder), Step);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            home.Recover();
            throw new CompassInputException(label, $"could not be put in place in {home.Folder}: {e.Message}; the previous state is kept");
        }
        var folder = Path.Combine(home.Folder, manifest.Assembly);
        var contributions = string.Join(", ", manifest.Contributions);
        return existing is null
            ? $"installed {manifest.Identity} into {folder} (contract {manifest.ContractText}; {contributions})"
            : $"updated {existing.Manifest.Identity} -> {manifest.Version.ToNormalizedString()} in {folder} (contract {manifest.ContractText}; {contributions})";
    }

    private CompassInputException NotInstalled(string packageId)
    {
        var installed = home.Installed().Select(p => p.Manifest.PackageId).ToList();
        return new CompassInputException(packageId, $"is not installed in {home.Folder} (installed: {(installed.Count == 0 ? "none" : string.Join(", ", installed))})");
    }

    /// <summary>Refuses a manifest whose contract this host does not accept (same rule as the loader).</summary>
    public static void CheckContract(PluginManifest manifest, string label)
    {
        var reference = new AssemblyName(ContractVersionGuard.ContractAssemblyName) { Version = new Version(manifest.Contract.Major, manifest.Contract.Minor, 0, 0) };
        if (ContractVersionGuard.Check([reference], ContractVersionGuard.HostVersion) is { } refusal)
            throw new CompassInputException(label, "refused: " + refusal);
    }

    /// <summary>
    /// Loads the built-in and installed plugins (collectible, unloaded afterwards) and refuses the package when its
    /// folder name or a declared contribution clashes with one of them; the installed version being replaced is left out.
    /// </summary>
    private void CheckAgainstLoadedPlugins(PluginManifest manifest, InstalledPlugin? replaced, string label)
    {
        var catalog = PluginCatalog.Load([builtInDirectory, home.Folder], new ServiceCollection(), new ConfigurationBuilder().Build(), new PluginLoadOptions(Collectible: true));
        try
        {
            bool IsReplaced(string folder) => replaced is not null && string.Equals(Path.GetFullPath(folder), Path.GetFullPath(replaced.Folder), StringComparison.Ordinal);
            var taken = new List<(string Kind, string Name, string Plugin, string Folder)>();
            foreach (var p in catalog.Plugins.Where(p => !IsReplaced(p.Folder)))
                taken.AddRange(p.Contributions.Where(c => c.Kind != "services").Select(c => (c.Kind, c.Name, p.Name, p.Folder)));
            foreach (var broken in home.Installed().Where(i => !IsReplaced(i.Folder) && catalog.Plugins.All(p => Path.GetFullPath(p.Folder) != i.Folder)))
                taken.AddRange(broken.Manifest.Contributions.Select(c => (c.Kind, c.Name, Path.GetFileName(broken.Folder), broken.Folder)));
            foreach (var declared in manifest.Contributions)
            {
                var clash = taken.FirstOrDefault(t => declared.SameAs(t.Kind, t.Name));
                if (clash.Plugin is not null)
                    throw new CompassInputException(label, $"refused: it contributes {declared}, which plugin {clash.Plugin}{Owner(clash.Folder)} already registers (names must be unique per kind)");
            }
            foreach (var (name, folder) in catalog.Plugins.Select(p => (p.Name, p.Folder)).Concat(catalog.Errors.Select(e => (e.Name, e.Folder))))
            {
                if (IsReplaced(folder) || !string.Equals(name, manifest.Assembly, StringComparison.OrdinalIgnoreCase)) continue;
                throw new CompassInputException(label, $"refused: its folder {manifest.Assembly} clashes with the plugin already in {folder}{Owner(folder)}");
            }
        }
        finally
        {
            catalog.Unload();
        }
    }

    private string Owner(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (full.StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(builtInDirectory)) + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return " (built into the host)";
        var m = PluginManifest.TryReadFolder(full);
        return m is null ? $" ({full})" : $" (package {m.Identity})";
    }

    /// <summary>Loads the staged plugin once and checks that it loads and registers exactly what the manifest declares.</summary>
    private static void VerifyStaged(string stagingRoot, PluginManifest manifest, string label)
    {
        var catalog = PluginCatalog.Load([stagingRoot], new ServiceCollection(), new ConfigurationBuilder().Build(), new PluginLoadOptions(Collectible: true));
        try
        {
            if (catalog.Errors.Count > 0) throw new CompassInputException(label, $"refused: the plugin does not load: {catalog.Errors[0].Reason}");
            var actual = catalog.Plugins.SelectMany(p => p.Contributions).Where(c => c.Kind != "services").ToList();
            var undeclared = actual.Where(a => !manifest.Contributions.Any(d => d.SameAs(a.Kind, a.Name))).Select(a => $"{a.Kind} '{a.Name}'").ToList();
            var missing = manifest.Contributions.Where(d => !actual.Any(a => d.SameAs(a.Kind, a.Name))).Select(d => d.ToString()).ToList();
            if (undeclared.Count > 0 || missing.Count > 0)
            {
                var parts = new List<string>();
                if (missing.Count > 0) parts.Add("declared but not registered: " + string.Join(", ", missing));
                if (undeclared.Count > 0) parts.Add("registered but not declared: " + string.Join(", ", undeclared));
                throw new CompassInputException(label, $"refused: its {PluginManifest.FileName} does not match the plugin ({string.Join("; ", parts)})");
            }
        }
        finally
        {
            catalog.Unload();
        }
    }
}
