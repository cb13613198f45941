using System.Reflection;

namespace Compass.Scenarios.Tests;

/// <summary>Files and folders the tests use.</summary>
internal static class TestFiles
{
    /// <summary>The repository root (recorded by the build).</summary>
    public static string RepoRoot => Path.GetFullPath(typeof(TestFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CompassRepoRoot").Value!);

    /// <summary>The shipped scenarios.</summary>
    public static IReadOnlyList<string> ShippedScenarios => [.. Directory.GetFiles(Path.Combine(RepoRoot, "scenarios"), "*.json").Order(StringComparer.Ordinal)];

    /// <summary>Writes <paramref name="json"/> to a fresh scenario file and returns its path.</summary>
    public static string Write(string json, string name = "scenario.json")
    {
        var dir = Path.Combine(Path.GetTempPath(), "compass-scenario-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>A minimal valid scenario with presets by name, with <paramref name="extra"/> spliced in as more top-level keys.</summary>
    public static string Minimal(string extra = "") => $$"""
        {
          "hardware": { "package": "p-2x2" },
          "model": "m-tiny",
          "workload": { "trace": "t", "scheduler": "s", "maxBatchRequests": 4 },
          "costModels": { "compute": "c", "network": "n" },
          "optimizer": { "name": "o", "options": { "batch": 4 } }{{(extra.Length > 0 ? "," + extra : "")}}
        }
        """;
}
