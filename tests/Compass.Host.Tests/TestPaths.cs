using System.Reflection;

namespace Compass.Host.Tests;

/// <summary>Folders the build recorded in the test assembly's metadata.</summary>
internal static class TestPaths
{
    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The real plugins folder beside the built host.</summary>
    public static string PluginsDir => Path.GetFullPath(Metadata("CompassPluginsDir"));

    /// <summary>The repository root.</summary>
    public static string RepoRoot => Path.GetFullPath(Metadata("CompassRepoRoot"));

    /// <summary>The fixture plugins folder.</summary>
    public static string TestPluginsDir => Path.GetFullPath(Metadata("CompassTestPluginsDir"));

    /// <summary>The built host's folder (the parent of its plugins folder).</summary>
    public static string HostDir => Path.GetDirectoryName(PluginsDir.TrimEnd('/', '\\'))!;

    /// <summary>The built host's main assembly.</summary>
    public static string HostDll => Path.Combine(HostDir, "compass.dll");

    /// <summary>The fixture scenario (Sample plugin contributions only).</summary>
    public static string FixtureScenario => Path.Combine(AppContext.BaseDirectory, "Scenarios", "fixture.json");

    /// <summary>A fresh temporary folder.</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "compass-host-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A plugins folder holding copies of the named fixtures (and, optionally, a corrupt plugin).</summary>
    public static string PluginSet(bool corrupt, params string[] fixtures)
    {
        var dir = NewTempDir();
        foreach (var f in fixtures) CopyDirectory(Path.Combine(TestPluginsDir, f), Path.Combine(dir, f));
        if (corrupt)
        {
            Directory.CreateDirectory(Path.Combine(dir, "Broken"));
            File.WriteAllBytes(Path.Combine(dir, "Broken", "Broken.dll"), [0x4D, 0x5A, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05]);
        }
        return dir;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
