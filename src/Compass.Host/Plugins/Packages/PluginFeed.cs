using Compass.Abstractions.Plugins;
using NuGet.Configuration;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGet.Versioning;
using NuGetLogger = NuGet.Common.NullLogger;

namespace Compass.Host.Plugins.Packages;

/// <summary>A package version found on a feed.</summary>
/// <param name="PackageId">Package id as asked.</param>
/// <param name="Version">Version chosen.</param>
/// <param name="Source">Feed it is on.</param>
public sealed record FeedPackage(string PackageId, NuGetVersion Version, string Source);

/// <summary>
/// Finds and downloads plugin packages with the NuGet client (NuGet.Protocol): a local folder feed (flat
/// <c>*.nupkg</c> or the hierarchical <c>id/version/</c> layout) or any NuGet v3 feed URL. Without an explicit
/// source the enabled sources of the NuGet configuration in effect for the working directory are tried in order.
/// </summary>
public static class PluginFeed
{
    /// <summary>The sources to search: <paramref name="explicitSource"/> alone, else the NuGet configuration's enabled sources.</summary>
    public static IReadOnlyList<string> Sources(string? explicitSource)
    {
        if (!string.IsNullOrWhiteSpace(explicitSource)) return [Normalize(explicitSource)];
        var settings = Settings.LoadDefaultSettings(Directory.GetCurrentDirectory());
        var sources = new PackageSourceProvider(settings).LoadPackageSources().Where(s => s.IsEnabled).Select(s => s.Source).ToList();
        if (sources.Count == 0) throw new CompassInputException("--source", "no package source given and the NuGet configuration has none enabled");
        return sources;
    }

    /// <summary>A URL as is; a local folder as a full path (it must exist).</summary>
    public static string Normalize(string source)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)) return source;
        var full = Path.GetFullPath(source);
        if (!Directory.Exists(full)) throw new CompassInputException("--source", $"feed folder not found: {source}");
        return full;
    }

    /// <summary>
    /// The version of <paramref name="packageId"/> to install: exactly <paramref name="version"/> when given, else the
    /// highest stable version (the highest of all when <paramref name="prerelease"/>). The first source that has the
    /// package wins.
    /// </summary>
    /// <exception cref="CompassInputException">No source has the package or the version; a feed cannot be read.</exception>
    public static FeedPackage Resolve(string packageId, NuGetVersion? version, bool prerelease, IReadOnlyList<string> sources, CancellationToken ct)
    {
        var seen = new List<string>();
        foreach (var source in sources)
        {
            var versions = AllVersions(packageId, source, ct);
            if (versions.Count == 0) continue;
            if (version is not null)
            {
                if (versions.Contains(version)) return new FeedPackage(packageId, version, source);
                seen.AddRange(versions.Select(v => v.ToNormalizedString()));
                continue;
            }
            var candidates = prerelease ? versions : [.. versions.Where(v => !v.IsPrerelease)];
            if (candidates.Count > 0) return new FeedPackage(packageId, candidates.Max()!, source);
            seen.AddRange(versions.Select(v => v.ToNormalizedString()));
        }
        var where = sources.Count == 1 ? sources[0] : $"any of {string.Join(", ", sources)}";
        if (seen.Count == 0) throw new CompassInputException(packageId, $"no package with this id in {where}");
        var wanted = version is null ? "no stable version (add --prerelease)" : $"no version {version.ToNormalizedString()}";
        throw new CompassInputException(packageId, $"{wanted} in {where} (available: {string.Join(", ", seen.Distinct())})");
    }

    /// <summary>Downloads the package into memory.</summary>
    /// <exception cref="CompassInputException">The feed fails or no longer has the package.</exception>
    public static MemoryStream Download(FeedPackage package, CancellationToken ct)
    {
        var stream = new MemoryStream();
        bool found;
        try
        {
            using var cache = NewCache();
            var finder = Finder(package.Source, ct);
            found = finder.CopyNupkgToStreamAsync(package.PackageId, package.Version, stream, cache, NuGetLogger.Instance, ct).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            stream.Dispose();
            throw new CompassInputException($"{package.PackageId} {package.Version.ToNormalizedString()}", $"cannot download from {package.Source}: {OneLine(e)}");
        }
        if (!found)
        {
            stream.Dispose();
            throw new CompassInputException($"{package.PackageId} {package.Version.ToNormalizedString()}", $"not found in {package.Source}");
        }
        stream.Position = 0;
        return stream;
    }

    private static List<NuGetVersion> AllVersions(string packageId, string source, CancellationToken ct)
    {
        try
        {
            using var cache = NewCache();
            var finder = Finder(source, ct);
            return [.. finder.GetAllVersionsAsync(packageId, cache, NuGetLogger.Instance, ct).GetAwaiter().GetResult()];
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new CompassInputException(packageId, $"cannot read feed {source}: {OneLine(e)}");
        }
    }

    private static FindPackageByIdResource Finder(string source, CancellationToken ct) =>
        Repository.Factory.GetCoreV3(source).GetResource<FindPackageByIdResource>(ct)
            ?? throw new CompassInputException("--source", $"{source} is not a NuGet feed (no package lookup by id)");

    private static SourceCacheContext NewCache() => new() { NoCache = true, DirectDownload = true };

    /// <summary>The message of an exception and its inner ones, on one line.</summary>
    internal static string OneLine(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null && parts.Count < 3; x = x.InnerException)
            if (!parts.Contains(x.Message)) parts.Add(x.Message);
        return string.Join(" <- ", parts).ReplaceLineEndings(" ").Trim();
    }
}
