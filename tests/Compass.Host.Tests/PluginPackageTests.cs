using System.Security.Cryptography;
using System.Text;
using Compass.Abstractions.Plugins;
using Compass.Host.Plugins.Packages;
using Microsoft.Extensions.Configuration;
using NuGet.Versioning;

namespace Compass.Host.Tests;

/// <summary>The package-install building blocks: folder swap and recovery, manifest, version requirements, contract check.</summary>
public sealed class PluginPackageTests
{
    private const string Manifest = """
        { "schema": 1, "packageId": "Acme.Photonic", "version": "1.2.0", "assembly": "AcmePhotonic", "contract": "2.0",
          "contributions": [ { "kind": "chiplets", "name": "photonic-x" }, { "kind": "optimizers", "name": "photon-search" } ] }
        """;

    private sealed class Interrupted(string step) : Exception("interrupted after " + step);

    private static PluginHome NewHome(out string pluginFile)
    {
        var home = new PluginHome(TestPaths.NewTempDir());
        var old = Path.Combine(home.Folder, "AcmePhotonic");
        Directory.CreateDirectory(Path.Combine(old, "runtimes"));
        pluginFile = Path.Combine(old, "AcmePhotonic.dll");
        File.WriteAllText(pluginFile, "version 1");
        File.WriteAllText(Path.Combine(old, "runtimes", "native.so"), "native 1");
        File.WriteAllText(Path.Combine(home.Folder, "unrelated.txt"), "keep");
        return home;
    }

    private static string Stage(PluginHome home, out string transaction)
    {
        transaction = home.NewTransaction();
        var staged = Path.Combine(transaction, "new", "AcmePhotonic");
        Directory.CreateDirectory(staged);
        File.WriteAllText(Path.Combine(staged, "AcmePhotonic.dll"), "version 2");
        return staged;
    }

    /// <summary>SHA-256 over every relative path (folders too) and file content, in ordinal order.</summary>
    internal static string HashFolder(string folder)
    {
        var entries = Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var e in entries)
        {
            text.Append(Path.GetRelativePath(folder, e)).Append('|');
            if (File.Exists(e)) text.Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e))));
            text.Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    [Fact]
    public void ReplaceInterruptedBetweenTheRenamesIsRolledBackToThePreviousState()
    {
        var home = NewHome(out var dll);
        var before = HashFolder(home.Folder);
        var staged = Stage(home, out var tx);

        Assert.Throws<Interrupted>(() => home.Replace(tx, staged, "AcmePhotonic", s => { if (s == "old-moved") throw new Interrupted(s); }));
        Assert.False(File.Exists(dll));   // the interruption left no plugin in place ...

        var lines = home.Recover();       // ... until the next `compass plugins ...` recovers
        Assert.Single(lines);
        Assert.Equal("version 1", File.ReadAllText(dll));
        Assert.Equal(before, HashFolder(home.Folder));
    }

    [Fact]
    public void ReplaceInterruptedAfterTheNewFolderIsInPlaceIsCompleted()
    {
        var home = NewHome(out var dll);
        var staged = Stage(home, out var tx);

        Assert.Throws<Interrupted>(() => home.Replace(tx, staged, "AcmePhotonic", s => { if (s == "new-moved") throw new Interrupted(s); }));
        Assert.True(Directory.Exists(home.Staging));
        Assert.Empty(home.Recover());

        Assert.Equal("version 2", File.ReadAllText(dll));
        Assert.False(Directory.Exists(Path.Combine(home.Folder, "AcmePhotonic", "runtimes")));   // nothing of the old version is mixed in
        Assert.False(Directory.Exists(home.Staging));
    }

    [Fact]
    public void ReplaceWithoutInterruptionLeavesNoStagingFolder()
    {
        var home = NewHome(out var dll);
        var staged = Stage(home, out var tx);
        home.Replace(tx, staged, "AcmePhotonic");
        Assert.Equal("version 2", File.ReadAllText(dll));
        Assert.Equal(["AcmePhotonic", "unrelated.txt"], Directory.GetFileSystemEntries(home.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RemoveInterruptedBeforeItIsCommittedRestoresAndAfterItCompletes()
    {
        var home = NewHome(out var dll);
        var before = HashFolder(home.Folder);
        Assert.Throws<Interrupted>(() => home.Remove("AcmePhotonic", s => { if (s == "old-moved") throw new Interrupted(s); }));
        home.Recover();
        Assert.Equal(before, HashFolder(home.Folder));

        Assert.Throws<Interrupted>(() => home.Remove("AcmePhotonic", s => { if (s == "committed") throw new Interrupted(s); }));
        home.Recover();
        Assert.False(File.Exists(dll));
        Assert.Equal(["unrelated.txt"], Directory.GetFileSystemEntries(home.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void ManifestIsParsedAndItsFieldsValidated()
    {
        var m = PluginManifest.Parse(Manifest, "compass-plugin.json");
        Assert.Equal("Acme.Photonic 1.2.0", m.Identity);
        Assert.Equal(new Version(2, 0), m.Contract);
        Assert.Equal([new DeclaredContribution("chiplets", "photonic-x"), new DeclaredContribution("optimizers", "photon-search")], m.Contributions);

        var e = Assert.Throws<CompassInputException>(() => PluginManifest.Parse(Manifest.Replace("\"chiplets\"", "\"gadgets\""), "m.json"));
        Assert.Equal("m.json: contributions[0].kind", e.Field);
        e = Assert.Throws<CompassInputException>(() => PluginManifest.Parse(Manifest.Replace("\"2.0\"", "\"one\""), "m.json"));
        Assert.Equal("m.json: contract", e.Field);
        e = Assert.Throws<CompassInputException>(() => PluginManifest.Parse(Manifest.Replace("\"AcmePhotonic\"", "\"../evil\""), "m.json"));
        Assert.Equal("m.json: assembly", e.Field);
        e = Assert.Throws<CompassInputException>(() => PluginManifest.Parse(Manifest.Replace("photon-search", "PHOTONIC-X").Replace("optimizers", "chiplets"), "m.json"));
        Assert.Contains("declared twice", e.Message);
    }

    [Theory]
    [InlineData("2.0", true)]
    [InlineData("2.1", false)]    // a newer minor version may use members this host lacks
    [InlineData("3.0", false)]
    [InlineData("1.2", false)]    // the last 1.x contract: its result records moved out of the contract in 2.0
    [InlineData("0.9", false)]
    public void ContractCheckAcceptsTheSameMajorUpToTheHostsMinor(string contract, bool accepted)
    {
        var m = PluginManifest.Parse(Manifest.Replace("\"contract\": \"2.0\"", $"\"contract\": \"{contract}\""), "m.json");
        var e = Record.Exception(() => PluginInstaller.CheckContract(m, "Acme.Photonic 1.2.0"));
        if (accepted) Assert.Null(e);
        else Assert.StartsWith("Acme.Photonic 1.2.0: refused: was built against Compass.Abstractions " + contract, Assert.IsType<CompassInputException>(e).Message);
    }

    [Theory]
    [InlineData(">=1.2", "1.2.0", true)]
    [InlineData(">=1.2", "1.10.0", true)]
    [InlineData(">=1.2", "1.1.9", false)]
    [InlineData(">=1.2", "1.2.0-beta", false)]
    [InlineData(">1.2", "1.2.0", false)]
    [InlineData(">1.2", "1.2.1", true)]
    [InlineData("=1.2", "1.2.0", true)]
    [InlineData("=1.2", "1.2.1", false)]
    [InlineData("1.2", "3.0.0", true)]
    [InlineData("[1.2,2.0)", "2.0.0", false)]
    [InlineData("[1.2,2.0)", "1.9.9", true)]
    public void RequirementRangesFollowTheirOperator(string range, string version, bool satisfied) =>
        Assert.Equal(satisfied, PluginRequirements.ParseRange(range, "requires.x").Satisfies(NuGetVersion.Parse(version)));

    [Fact]
    public void RequiresSectionKeepsDottedPackageIdsAndNamesABadRange()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["requires:Acme.Photonic"] = ">=1.2",        // a dotted key from JSON stays one key
            ["requires:Acme:Laser"] = "2.0",             // --set requires.Acme.Laser=2.0 splits at the dots
        }).Build();
        var list = PluginRequirements.Read(config.GetSection("requires"));
        Assert.Equal(["Acme.Laser", "Acme.Photonic"], list.Select(r => r.PackageId).Order(StringComparer.Ordinal));

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["requires:Acme.Photonic"] = "<2" }).Build();
        var e = Assert.Throws<CompassInputException>(() => PluginRequirements.Read(bad.GetSection("requires")));
        Assert.Equal("requires.Acme.Photonic", e.Field);
    }

    [Fact]
    public void ZipChecksumMatchesTheStandardCheckValueAndCatchesAFlippedByte()
    {
        Assert.Equal(0xCBF43926u, ZipIntegrity.Compute("123456789"u8));   // the CRC-32/IEEE check value

        var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var w = zip.CreateEntry("plugin/a.dll", System.IO.Compression.CompressionLevel.NoCompression).Open();
            w.Write("payload of the plugin"u8);
        }
        ZipIntegrity.Verify(ms);
        var bytes = ms.ToArray();
        var at = bytes.AsSpan().IndexOf("payload"u8);
        bytes[at] ^= 1;
        var e = Assert.Throws<InvalidDataException>(() => ZipIntegrity.Verify(new MemoryStream(bytes)));
        Assert.StartsWith("plugin/a.dll is damaged", e.Message);
    }

    [Fact]
    public void TheHomeLockIsExclusiveUntilReleased()
    {
        var home = new PluginHome(TestPaths.NewTempDir());
        var before = HashFolder(home.Folder);
        using (home.Lock(TimeSpan.Zero))
        {
            var e = Assert.Throws<CompassInputException>(() => home.Lock(TimeSpan.FromMilliseconds(200)));
            Assert.Contains("another compass plugins command", e.Message);
        }
        using (home.Lock(TimeSpan.Zero)) { }
        Assert.Equal(before, HashFolder(home.Folder));   // the lock file is not in the home
    }
}

