using Compass.Abstractions.Plugins;
using NuGet.Packaging;
using NuGet.Packaging.Core;

namespace Compass.Host.Plugins.Packages;

/// <summary>
/// An opened and validated Compass plugin package (<c>.nupkg</c>): package type <c>CompassPlugin</c>, a readable
/// <c>plugin/compass-plugin.json</c> whose id and version match the nuspec, the main assembly
/// <c>plugin/&lt;Assembly&gt;.dll</c>, every entry matching its CRC-32, and every file under <c>plugin/</c> with a
/// relative path that stays inside the folder. Nothing is written by <see cref="Open"/>.
/// </summary>
public sealed class PluginPackage : IDisposable
{
    /// <summary>NuGet package type of a Compass plugin package.</summary>
    public const string PackageTypeName = "CompassPlugin";

    /// <summary>Folder of the package that becomes the installed plugin folder.</summary>
    public const string PluginFolder = "plugin/";

    private readonly PackageArchiveReader _reader;
    private readonly List<string> _pluginFiles;

    private PluginPackage(PackageArchiveReader reader, PackageIdentity identity, PluginManifest manifest, List<string> pluginFiles)
    {
        _reader = reader;
        Identity = identity;
        Manifest = manifest;
        _pluginFiles = pluginFiles;
    }

    /// <summary>Id and version from the nuspec.</summary>
    public PackageIdentity Identity { get; }

    /// <summary>The manifest.</summary>
    public PluginManifest Manifest { get; }

    /// <summary>Package paths of the files under <c>plugin/</c>.</summary>
    public IReadOnlyList<string> PluginFiles => _pluginFiles;

    /// <summary>Opens and validates <paramref name="nupkg"/>.</summary>
    /// <exception cref="CompassInputException">Not a readable NuGet package, or not a valid Compass plugin package.</exception>
    /// <param name="nupkg">Seekable package stream; the package owns it afterwards.</param>
    /// <param name="label">Prefix of every error.</param>
    public static PluginPackage Open(Stream nupkg, string label)
    {
        PackageArchiveReader? reader = null;
        try
        {
            ZipIntegrity.Verify(nupkg);
            reader = new PackageArchiveReader(nupkg, leaveStreamOpen: false);
            var nuspec = reader.NuspecReader;
            var identity = nuspec.GetIdentity();
            if (!nuspec.GetPackageTypes().Any(t => string.Equals(t.Name, PackageTypeName, StringComparison.OrdinalIgnoreCase)))
                throw new CompassInputException(label, $"is not a Compass plugin package (its nuspec has no package type {PackageTypeName}; pack the plugin with the Compass.Abstractions targets)");
            var files = reader.GetFiles().Select(f => f.Replace('\\', '/')).ToList();
            var pluginFiles = files.Where(f => f.StartsWith(PluginFolder, StringComparison.Ordinal) && f.Length > PluginFolder.Length).ToList();
            var manifestPath = PluginFolder + PluginManifest.FileName;
            if (!pluginFiles.Contains(manifestPath)) throw new CompassInputException(label, $"has no {manifestPath}");
            string text;
            using (var s = reader.GetStream(manifestPath))
            using (var r = new StreamReader(s))
                text = r.ReadToEnd();
            var manifest = PluginManifest.Parse(text, $"{label} {manifestPath}");
            if (!string.Equals(manifest.PackageId, identity.Id, StringComparison.OrdinalIgnoreCase) || manifest.Version != identity.Version)
                throw new CompassInputException(label, $"{manifestPath} names {manifest.Identity}, but the nuspec says {identity.Id} {identity.Version.ToNormalizedString()}");
            var dll = PluginFolder + manifest.Assembly + ".dll";
            if (!pluginFiles.Contains(dll)) throw new CompassInputException(label, $"has no {dll} (the manifest's main assembly)");
            foreach (var f in pluginFiles)
            {
                var relative = f[PluginFolder.Length..];
                if (relative.Split('/').Any(p => p is "" or "." or "..") || Path.IsPathRooted(relative))
                    throw new CompassInputException(label, $"has an unsafe path {f}");
            }
            var package = new PluginPackage(reader, identity, manifest, pluginFiles);
            reader = null;
            return package;
        }
        catch (CompassInputException)
        {
            throw;
        }
        catch (Exception e) when (e is InvalidDataException or PackagingException or System.Xml.XmlException or IOException or InvalidOperationException or ArgumentException)
        {
            throw new CompassInputException(label, $"is not a valid NuGet package ({PluginFeed.OneLine(e)})");
        }
        finally
        {
            reader?.Dispose();
        }
    }

    /// <summary>Writes the files under <c>plugin/</c> into <paramref name="destination"/> (created), keeping subfolders.</summary>
    public void ExtractPlugin(string destination)
    {
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        foreach (var f in _pluginFiles)
        {
            var path = Path.GetFullPath(Path.Combine(root, f[PluginFolder.Length..]));
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new CompassInputException(f, "resolves outside the plugin folder");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var input = _reader.GetStream(f);
            using var output = File.Create(path);
            input.CopyTo(output);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();
}
