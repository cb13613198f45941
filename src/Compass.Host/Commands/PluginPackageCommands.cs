using System.CommandLine;
using Compass.Abstractions.Plugins;
using Compass.Host.Plugins;
using Compass.Host.Plugins.Packages;
using NuGet.Versioning;

namespace Compass.Host.Commands;

/// <summary>
/// <c>compass plugins install|update|remove|list</c>: plugin packages in the per-user plugin folder
/// (<see cref="PluginHome"/>). Refusals are one line on stderr with exit code 2 and leave the folder unchanged.
/// </summary>
public static class PluginPackageCommands
{
    /// <summary>Adds the subcommands to the <c>plugins</c> command.</summary>
    public static void AddTo(Command plugins, TextWriter stdout, TextWriter stderr)
    {
        plugins.Subcommands.Add(InstallOrUpdate("install", "Install a plugin package from a NuGet feed (a folder or a v3 URL) into the user plugin folder", update: false, stdout, stderr));
        plugins.Subcommands.Add(InstallOrUpdate("update", "Replace an installed plugin package with the newest (or a given) version from its feed", update: true, stdout, stderr));
        plugins.Subcommands.Add(Remove(stdout, stderr));
        plugins.Subcommands.Add(List(stdout, stderr));
    }

    /// <summary>The shared <c>--plugin-home DIR</c> option.</summary>
    public static Option<string?> HomeOption() => new("--plugin-home")
    {
        Description = $"User plugin folder (default: ${PluginHome.EnvironmentVariable}, else {PluginHome.DefaultPath})",
    };

    private static Command InstallOrUpdate(string name, string description, bool update, TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("id") { Description = "Package id (Acme.VendorPlugin)" };
        var version = new Option<string?>("--version") { Description = "Exact version (default: the newest stable one)" };
        var source = new Option<string?>("--source") { Description = update ? "Feed folder or NuGet v3 URL (default: the feed it was installed from)" : "Feed folder or NuGet v3 URL (default: the sources of the NuGet configuration)" };
        var prerelease = new Option<bool>("--prerelease") { Description = "Allow prerelease versions when no --version is given" };
        var home = HomeOption();
        var command = new Command(name, description);
        command.Arguments.Add(id);
        foreach (var o in new Option[] { version, source, prerelease, home }) command.Options.Add(o);
        command.SetAction((pr, ct) => Task.FromResult(CompassCli.Guard(stderr, () =>
        {
            var request = new InstallRequest(pr.GetValue(id)!, ParseVersion(pr.GetValue(version)), pr.GetValue(source), pr.GetValue(prerelease));
            var installer = new PluginInstaller(PluginHome.Resolve(pr.GetValue(home)), PluginCatalog.DefaultDirectory);
            stdout.WriteLine(update ? installer.Update(request, ct) : installer.Install(request, ct));
            return 0;
        })));
        return command;
    }

    private static Command Remove(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("id") { Description = "Package id of an installed plugin" };
        var home = HomeOption();
        var command = new Command("remove", "Remove an installed plugin package from the user plugin folder");
        command.Arguments.Add(id);
        command.Options.Add(home);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            stdout.WriteLine(new PluginInstaller(PluginHome.Resolve(pr.GetValue(home)), PluginCatalog.DefaultDirectory).Remove(pr.GetValue(id)!));
            return 0;
        }));
        return command;
    }

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var home = HomeOption();
        var command = new Command("list", "List the plugin packages installed in the user plugin folder: id, version, contract, contributions, feed");
        command.Options.Add(home);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            var h = PluginHome.Resolve(pr.GetValue(home));
            using (h.Lock(PluginInstaller.LockWait))
                foreach (var line in h.Recover()) stdout.WriteLine(line);
            var installed = h.Installed();
            stdout.WriteLine($"{installed.Count} package(s) in {h.Folder}");
            foreach (var p in installed)
            {
                var m = p.Manifest;
                stdout.WriteLine($"{m.PackageId} {m.Version.ToNormalizedString()}  folder: {Path.GetFileName(p.Folder)}  contract: {m.ContractText}{(p.Source.Length > 0 ? "  source: " + p.Source : "")}");
                foreach (var group in m.Contributions.GroupBy(c => c.Kind))
                    stdout.WriteLine($"  {group.Key}: {string.Join(", ", group.Select(c => c.Name))}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The <c>  package: id version</c> part of a <c>compass plugins</c> line (<c>(no package)</c> for a plugin dropped in as a build folder).</summary>
    public static string PackageText(LoadedPlugin plugin)
    {
        PluginManifest? m;
        try { m = PluginManifest.TryReadFolder(plugin.Folder); }
        catch (CompassInputException e) { return "  package: (unreadable manifest: " + e.Message + ")"; }
        return m is null ? "  package: (none)" : $"  package: {m.PackageId} {m.Version.ToNormalizedString()}";
    }

    private static NuGetVersion? ParseVersion(string? text)
    {
        if (text is null) return null;
        return NuGetVersion.TryParse(text, out var v) ? v : throw new CompassInputException("--version", $"is not a NuGet version: '{text}'");
    }
}
