using System.Text.Json;
using Compass.Abstractions.Plugins;

namespace Compass.Host.Plugins.Packages;

/// <summary>A plugin installed from a package: its folder, manifest and the feed it came from.</summary>
/// <param name="Folder">Installed folder (<c>&lt;home&gt;/&lt;Assembly&gt;</c>).</param>
/// <param name="Manifest">The package's manifest.</param>
/// <param name="Source">Feed it was installed from (empty when unknown).</param>
public sealed record InstalledPlugin(string Folder, PluginManifest Manifest, string Source);

/// <summary>
/// The per-user plugin folder (<c>compass plugins install</c> writes here, every command loads from here): by
/// default <c>&lt;LocalApplicationData&gt;/compass/plugins</c> (<c>~/.local/share/compass/plugins</c> on Linux,
/// <c>%LOCALAPPDATA%\compass\plugins</c> on Windows), overridden by <c>COMPASS_PLUGIN_HOME</c>, overridden in
/// turn by <c>--plugin-home</c>. Installs stage under <c>.staging/</c> in it (folders starting with a dot are
/// never loaded) and swap folders by rename, so an interrupted install or removal leaves the previous state
/// (<see cref="Recover"/> finishes or rolls back the swap on the next <c>compass plugins ...</c>).
/// </summary>
public sealed class PluginHome
{
    /// <summary>Environment variable that overrides the default per-user plugin folder.</summary>
    public const string EnvironmentVariable = "COMPASS_PLUGIN_HOME";

    /// <summary>Name of the staging folder inside the home.</summary>
    public const string StagingFolderName = ".staging";

    /// <summary>File in an installed folder recording where it came from.</summary>
    public const string InstallRecordFileName = ".compass-install.json";

    private const string CommittedMarker = "committed";

    /// <summary>Creates the home at <paramref name="path"/> (need not exist yet).</summary>
    public PluginHome(string path) => Folder = Path.GetFullPath(path);

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>Resolves the home: <paramref name="option"/>, else <c>COMPASS_PLUGIN_HOME</c>, else the per-user default.</summary>
    public static PluginHome Resolve(string? option = null)
    {
        if (!string.IsNullOrWhiteSpace(option)) return new PluginHome(option);
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return new PluginHome(env);
        return new PluginHome(DefaultPath);
    }

    /// <summary>The per-user default folder.</summary>
    public static string DefaultPath
    {
        get
        {
            var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            if (string.IsNullOrEmpty(data)) data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(data, "compass", "plugins");
        }
    }

    /// <summary>The staging folder.</summary>
    public string Staging => Path.Combine(Folder, StagingFolderName);

    /// <summary>Every plugin folder of the home that holds a manifest (installed from a package), in ordinal order.</summary>
    public IReadOnlyList<InstalledPlugin> Installed()
    {
        var list = new List<InstalledPlugin>();
        if (!Directory.Exists(Folder)) return list;
        var folders = Directory.GetDirectories(Folder);
        Array.Sort(folders, StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            if (Path.GetFileName(folder).StartsWith('.')) continue;
            var manifest = PluginManifest.TryReadFolder(folder);
            if (manifest is not null) list.Add(new InstalledPlugin(folder, manifest, ReadSource(folder)));
        }
        return list;
    }

    /// <summary>The installed plugin with package id <paramref name="packageId"/> (case-insensitive), or null.</summary>
    public InstalledPlugin? Find(string packageId) =>
        Installed().FirstOrDefault(p => string.Equals(p.Manifest.PackageId, packageId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes the install record (feed and time) into a staged folder.</summary>
    public static void WriteInstallRecord(string folder, string source) =>
        File.WriteAllText(Path.Combine(folder, InstallRecordFileName),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["source"] = source, ["installedUtc"] = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) }));

    private static string ReadSource(string folder)
    {
        var path = Path.Combine(folder, InstallRecordFileName);
        if (!File.Exists(path)) return string.Empty;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("source", out var s) ? s.GetString() ?? string.Empty : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }

    /// <summary>Creates a fresh transaction folder <c>.staging/&lt;guid&gt;</c> and returns its path.</summary>
    public string NewTransaction()
    {
        var dir = Path.Combine(Staging, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes a transaction folder, and the staging folder when it is left empty.</summary>
    public void Discard(string transaction)
    {
        if (Directory.Exists(transaction)) Directory.Delete(transaction, recursive: true);
        DropEmptyStaging();
    }

    private void DropEmptyStaging()
    {
        if (Directory.Exists(Staging) && !Directory.EnumerateFileSystemEntries(Staging).Any()) Directory.Delete(Staging);
    }

    /// <summary>
    /// Puts <paramref name="staged"/> (a folder inside <paramref name="transaction"/>) in place as <c>&lt;home&gt;/&lt;name&gt;</c>:
    /// moves a present folder of that name to <c>&lt;transaction&gt;/old/</c>, renames the staged folder into place,
    /// then deletes the old one. Both moves are renames within one file system.
    /// </summary>
    /// <param name="transaction">The transaction folder (from <see cref="NewTransaction"/>).</param>
    /// <param name="staged">The complete new folder.</param>
    /// <param name="name">Target folder name.</param>
    /// <param name="step">Called after each step (<c>old-moved</c>, <c>new-moved</c>); tests interrupt here.</param>
    public void Replace(string transaction, string staged, string name, Action<string>? step = null)
    {
        var target = Path.Combine(Folder, name);
        if (Directory.Exists(target))
        {
            Directory.CreateDirectory(Path.Combine(transaction, "old"));
            Directory.Move(target, Path.Combine(transaction, "old", name));
            step?.Invoke("old-moved");
        }
        Directory.Move(staged, target);
        step?.Invoke("new-moved");
        Discard(transaction);
    }

    /// <summary>Removes <c>&lt;home&gt;/&lt;name&gt;</c>: renames it into a transaction, marks it committed, deletes it.</summary>
    /// <param name="name">Folder name.</param>
    /// <param name="step">Called after each step (<c>old-moved</c>, <c>committed</c>); tests interrupt here.</param>
    public void Remove(string name, Action<string>? step = null)
    {
        var transaction = NewTransaction();
        Directory.CreateDirectory(Path.Combine(transaction, "old"));
        Directory.Move(Path.Combine(Folder, name), Path.Combine(transaction, "old", name));
        step?.Invoke("old-moved");
        File.WriteAllText(Path.Combine(transaction, CommittedMarker), name);
        step?.Invoke("committed");
        Discard(transaction);
    }

    /// <summary>
    /// Finishes or rolls back transactions an interrupted install, update or removal left in <c>.staging/</c>:
    /// a removal that was marked committed, or an install whose new folder is in place, is completed (the old
    /// folder deleted); otherwise a moved-away folder whose target is missing is moved back. Returns one line per
    /// transaction handled.
    /// </summary>
    public IReadOnlyList<string> Recover()
    {
        var lines = new List<string>();
        if (!Directory.Exists(Staging)) return lines;
        foreach (var transaction in Directory.GetDirectories(Staging))
        {
            var oldRoot = Path.Combine(transaction, "old");
            var committed = File.Exists(Path.Combine(transaction, CommittedMarker));
            if (!committed && Directory.Exists(oldRoot))
            {
                foreach (var old in Directory.GetDirectories(oldRoot))
                {
                    var target = Path.Combine(Folder, Path.GetFileName(old));
                    if (Directory.Exists(target)) continue;
                    Directory.Move(old, target);
                    lines.Add($"restored {Path.GetFileName(old)} (an earlier install or removal was interrupted)");
                }
            }
            Discard(transaction);
        }
        DropEmptyStaging();
        return lines;
    }

    /// <summary>
    /// Takes the home's lock for one <c>compass plugins</c> command, so two commands never swap folders (or recover
    /// each other's transactions) at once. The lock file lives in the temporary folder, not in the home, and is
    /// released when the returned handle is disposed or the process ends. Waits up to <paramref name="wait"/>.
    /// </summary>
    /// <exception cref="CompassInputException">Another command holds the lock longer than <paramref name="wait"/>.</exception>
    public IDisposable Lock(TimeSpan wait)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Folder)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"compass-plugin-home-{key}.lock");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (clock.Elapsed < wait)
            {
                Thread.Sleep(100);
            }
            catch (IOException)
            {
                throw new CompassInputException("--plugin-home", $"another compass plugins command is changing {Folder}; try again when it has finished");
            }
        }
    }

    /// <summary>Throws a one-line error when <paramref name="home"/> is not usable as a folder path.</summary>
    public static void CheckUsable(PluginHome home, string field)
    {
        if (File.Exists(home.Folder)) throw new CompassInputException(field, $"{home.Folder} is a file, not a folder");
    }
}
