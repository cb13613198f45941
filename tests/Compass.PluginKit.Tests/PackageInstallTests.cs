using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compass.Host.Tests;

namespace Compass.PluginKit.Tests;

/// <summary>
/// Plugin packages end to end, against a local folder feed: the packed layout, install / list / explore / update /
/// remove through the real host, and refusals (another contract major, clashing names, a corrupt package, an
/// unknown id) that must exit 2 with one line and leave the user plugin folder byte-for-byte unchanged.
/// </summary>
public sealed partial class PluginKitTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private static HostResult Compass(string home, params string[] args) =>
        HostProcess.Run(Limit, new Dictionary<string, string> { ["COMPASS_PLUGIN_HOME"] = home }, args);

    private string Nupkg(string id, string version) => Path.Combine(_built.Feed, $"{id}.{version}.nupkg");

    [Fact]
    public void SamplePackageHasThePluginFolderAndAManifestWithContractAndContributions()
    {
        using var zip = ZipFile.OpenRead(Nupkg("Acme.VendorPlugin", "1.1.0"));
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("plugin/VendorPlugin.dll", names);
        Assert.Contains("plugin/VendorPlugin.deps.json", names);
        Assert.DoesNotContain(names, n => n.StartsWith("lib/", StringComparison.Ordinal));               // never restorable as a library
        Assert.DoesNotContain(names, n => n.EndsWith("Compass.Abstractions.dll", StringComparison.Ordinal)); // the host provides the contract

        using var manifest = JsonDocument.Parse(Read(zip, "plugin/compass-plugin.json"));
        var m = manifest.RootElement;
        Assert.Equal("Acme.VendorPlugin", m.GetProperty("packageId").GetString());
        Assert.Equal("1.1.0", m.GetProperty("version").GetString());
        Assert.Equal("VendorPlugin", m.GetProperty("assembly").GetString());
        Assert.Equal("2.0", m.GetProperty("contract").GetString());
        var contributions = m.GetProperty("contributions").EnumerateArray().Select(c => $"{c.GetProperty("kind").GetString()}:{c.GetProperty("name").GetString()}");
        Assert.Equal(["chiplets:vendor-npu-x1", "compute:vendor-corrected", "optimizers:hill-climb"], contributions);
        Assert.Contains("<packageType name=\"CompassPlugin\" />", Read(zip, "Acme.VendorPlugin.nuspec"));

        using var template = ZipFile.OpenRead(Nupkg("AcmePlugin", "1.0.0"));
        var t = Read(template, "plugin/compass-plugin.json");
        Assert.Contains("\"acmeplugin-greedy\"", t);
        Assert.Contains("\"acmeplugin-chiplet\"", t);
        Assert.NotNull(template.GetEntry("plugin/AcmePlugin.dll"));
    }

    [Fact]
    public void InstallExploreUpdateAndRemoveTheSampleFromAFolderFeed()
    {
        var home = Path.Combine(_built.Root, "home-lifecycle");
        var install = Compass(home, "plugins", "install", "Acme.VendorPlugin", "--version", "1.0.0", "--source", _built.Feed);
        Assert.True(install.ExitCode == 0, install.StdOut + install.StdErr);
        Assert.StartsWith("installed Acme.VendorPlugin 1.0.0 into " + Path.Combine(home, "VendorPlugin"), install.StdOut.Trim());
        Assert.True(File.Exists(Path.Combine(home, "VendorPlugin", "VendorPlugin.dll")));
        Assert.False(Directory.Exists(Path.Combine(home, ".staging")));

        var list = Compass(home, "plugins", "list");
        Assert.Contains("Acme.VendorPlugin 1.0.0  folder: VendorPlugin  contract: 2.0  source: " + _built.Feed, list.StdOut);
        var plugins = Compass(home, "plugins");
        Assert.Contains("package: Acme.VendorPlugin 1.0.0", plugins.StdOut);
        Assert.Contains("0 failed", plugins.StdOut);

        // The installed plugin is found without --plugins: an exploration selects all three of its contributions.
        var outDir = Path.Combine(_built.Root, "out-installed");
        var run = Compass(home, "explore", "--out", outDir, "--set", "requires.Acme.VendorPlugin=>=1.0",
            "--set", "optimizer.name=hill-climb", "--set", "costModels.compute.name=vendor-corrected",
            "--set", "hardware.package.slots.0=vendor-npu-x1", "--budget", "20");
        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json"))))
            Assert.Equal("hill-climb", metrics.RootElement.GetProperty("optimizer").GetString());
        using (var resolved = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "scenario.resolved.json"))))
        {
            Assert.Equal("vendor-corrected", resolved.RootElement.GetProperty("costModels").GetProperty("compute").GetProperty("name").GetString());
            Assert.Equal(">=1.0", resolved.RootElement.GetProperty("requires").GetProperty("Acme.VendorPlugin").GetString());   // a rerun demands the plugin too
        }

        var tooOld = Compass(home, "explore", "--out", Path.Combine(_built.Root, "out-too-old"), "--set", "requires.Acme.VendorPlugin=>=1.1", "--budget", "5");
        Assert.Equal(2, tooOld.ExitCode);
        Assert.Equal("error: requires.Acme.VendorPlugin: plugin Acme.VendorPlugin >=1.1 is required but version 1.0.0 is installed (compass plugins update Acme.VendorPlugin)", Assert.Single(tooOld.ErrorLines));

        // update finds 1.1.0 on the feed it was installed from.
        var update = Compass(home, "plugins", "update", "Acme.VendorPlugin");
        Assert.True(update.ExitCode == 0, update.StdOut + update.StdErr);
        Assert.StartsWith("updated Acme.VendorPlugin 1.0.0 -> 1.1.0", update.StdOut.Trim());
        Assert.Contains("Acme.VendorPlugin 1.1.0", Compass(home, "plugins", "list").StdOut);
        var again = Compass(home, "plugins", "update", "Acme.VendorPlugin");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already installed", again.StdOut);
        var satisfied = Compass(home, "explore", "--out", Path.Combine(_built.Root, "out-updated"), "--set", "requires.Acme.VendorPlugin=>=1.1",
            "--set", "optimizer.name=hill-climb", "--budget", "5");
        Assert.True(satisfied.ExitCode == 0, satisfied.StdOut + satisfied.StdErr);

        var remove = Compass(home, "plugins", "remove", "Acme.VendorPlugin");
        Assert.True(remove.ExitCode == 0, remove.StdOut + remove.StdErr);
        Assert.Empty(Directory.GetFileSystemEntries(home));
        Assert.Contains("0 package(s)", Compass(home, "plugins", "list").StdOut);
        var absent = Compass(home, "explore", "--out", Path.Combine(_built.Root, "out-absent"), "--set", "requires.Acme.VendorPlugin=>=1.0", "--budget", "5");
        Assert.Equal(2, absent.ExitCode);
        Assert.Contains("requires.Acme.VendorPlugin: plugin Acme.VendorPlugin >=1.0 is required but not installed", Assert.Single(absent.ErrorLines));
        var removeAgain = Compass(home, "plugins", "remove", "Acme.VendorPlugin");
        Assert.Equal(2, removeAgain.ExitCode);
        Assert.Contains("is not installed", Assert.Single(removeAgain.ErrorLines));
    }

    /// <summary>Each refusal case: how to make its feed, the command, and what the one error line must say.</summary>
    public static TheoryData<string> Refusals => ["another-major", "clash-installed", "clash-builtin", "corrupt", "unknown-id", "wrong-type"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public void RefusedPackagesExitTwoWithOneLineAndLeaveThePluginFolderUnchanged(string refusal)
    {
        var home = Path.Combine(_built.Root, "home-" + refusal);
        var feed = Path.Combine(_built.Root, "feed-" + refusal);
        Directory.CreateDirectory(feed);
        var first = Compass(home, "plugins", "install", "Acme.VendorPlugin", "--version", "1.0.0", "--source", _built.Feed);
        Assert.True(first.ExitCode == 0, first.StdOut + first.StdErr);
        var before = HashFolder(home);

        var sample = File.ReadAllBytes(Nupkg("Acme.VendorPlugin", "1.0.0"));
        string[] args;
        string expected;
        switch (refusal)
        {
            case "another-major":
                File.WriteAllBytes(Path.Combine(feed, "acme.vendorplugin.2.0.0.nupkg"), Rewrite(sample, "Acme.VendorPlugin", "2.0.0", contract: "3.0"));
                args = ["plugins", "update", "Acme.VendorPlugin", "--source", feed];
                expected = "error: Acme.VendorPlugin 2.0.0: refused: was built against Compass.Abstractions 3.0, but this host implements contract 2.0";
                break;
            case "clash-installed":
                File.WriteAllBytes(Path.Combine(feed, "other.vendor.1.0.0.nupkg"), Rewrite(sample, "Other.Vendor", "1.0.0"));
                args = ["plugins", "install", "Other.Vendor", "--source", feed];
                expected = "error: Other.Vendor 1.0.0: refused: it contributes chiplets 'vendor-npu-x1', which plugin VendorPlugin (package Acme.VendorPlugin 1.0.0) already registers";
                break;
            case "clash-builtin":
                // The first declared contribution that clashes is reported: here a built-in chiplet name.
                File.WriteAllBytes(Path.Combine(feed, "other.vendor.1.0.0.nupkg"), Rewrite(sample, "Other.Vendor", "1.0.0", renameOptimizer: "GA", renameChiplet: "simba"));
                args = ["plugins", "install", "Other.Vendor", "--source", feed];
                expected = "error: Other.Vendor 1.0.0: refused: it contributes chiplets 'simba', which plugin Compass.Chiplets (built into the host) already registers";
                break;
            case "corrupt":
                File.WriteAllBytes(Path.Combine(feed, "acme.vendorplugin.1.2.0.nupkg"), Corrupt(Rewrite(sample, "Acme.VendorPlugin", "1.2.0", store: true)));
                args = ["plugins", "update", "Acme.VendorPlugin", "--source", feed];
                expected = "error: Acme.VendorPlugin 1.2.0: is not a valid NuGet package (";
                break;
            case "unknown-id":
                args = ["plugins", "install", "No.Such.Plugin", "--source", _built.Feed];
                expected = $"error: No.Such.Plugin: no package with this id in {_built.Feed}";
                break;
            default:
                File.WriteAllBytes(Path.Combine(feed, "plain.library.1.0.0.nupkg"), Rewrite(sample, "Plain.Library", "1.0.0", packageType: "Dependency"));
                args = ["plugins", "install", "Plain.Library", "--source", feed];
                expected = "error: Plain.Library 1.0.0: is not a Compass plugin package";
                break;
        }

        var r = Compass(home, args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.StdOut}{r.StdErr}");
        Assert.StartsWith(expected, Assert.Single(r.ErrorLines));
        Assert.Equal(before, HashFolder(home));
    }

    private static string Read(ZipArchive zip, string entry)
    {
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>A copy of a plugin package with another id / version / contract / names / package type (nuspec and manifest kept consistent).</summary>
    private static byte[] Rewrite(byte[] nupkg, string id, string version, string? contract = null, string? renameOptimizer = null, string? renameChiplet = null, string? packageType = null, bool store = false)
    {
        using var input = new ZipArchive(new MemoryStream(nupkg), ZipArchiveMode.Read);
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in input.Entries)
            {
                using var ms = new MemoryStream();
                using (var s = e.Open()) s.CopyTo(ms);
                var bytes = ms.ToArray();
                var name = e.FullName;
                if (name.EndsWith(".nuspec", StringComparison.Ordinal))
                {
                    var text = Encoding.UTF8.GetString(bytes).Replace("<id>Acme.VendorPlugin</id>", $"<id>{id}</id>").Replace("<version>1.0.0</version>", $"<version>{version}</version>");
                    if (packageType is not null) text = text.Replace("name=\"CompassPlugin\"", $"name=\"{packageType}\"");
                    bytes = Encoding.UTF8.GetBytes(text);
                    name = id + ".nuspec";
                }
                else if (name == "plugin/compass-plugin.json")
                {
                    var text = Encoding.UTF8.GetString(bytes).Replace("\"Acme.VendorPlugin\"", $"\"{id}\"").Replace("\"1.0.0\"", $"\"{version}\"");
                    if (contract is not null) text = System.Text.RegularExpressions.Regex.Replace(text, "\"contract\": \"[0-9]+\\.[0-9]+\"", $"\"contract\": \"{contract}\"");
                    if (renameOptimizer is not null) text = text.Replace("\"hill-climb\"", $"\"{renameOptimizer}\"");
                    if (renameChiplet is not null) text = text.Replace("\"vendor-npu-x1\"", $"\"{renameChiplet}\"");
                    bytes = Encoding.UTF8.GetBytes(text);
                }
                var entry = zip.CreateEntry(name, store ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
                using var target = entry.Open();
                target.Write(bytes);
            }
        }
        return output.ToArray();
    }

    /// <summary>Flips one byte inside the (stored, uncompressed) plugin dll, so its checksum no longer matches.</summary>
    private static byte[] Corrupt(byte[] nupkg)
    {
        var marker = Encoding.ASCII.GetBytes("This program cannot be run in DOS mode");
        var at = nupkg.AsSpan().IndexOf(marker);
        Assert.True(at > 0, "no PE header found in the stored package");
        var copy = (byte[])nupkg.Clone();
        copy[at + 5] ^= 0x20;
        return copy;
    }

    /// <summary>SHA-256 over every relative path (folders too) and file content under <paramref name="folder"/>.</summary>
    private static string HashFolder(string folder)
    {
        var text = new StringBuilder();
        foreach (var e in Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            text.Append(Path.GetRelativePath(folder, e)).Append('|');
            if (File.Exists(e)) text.Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e))));
            text.Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
