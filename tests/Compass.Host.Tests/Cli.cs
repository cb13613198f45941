using System.Text.Json.Nodes;
using Compass.Host.Commands;

namespace Compass.Host.Tests;

/// <summary>Result of one in-process run of the command line.</summary>
internal sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Non-empty stderr lines.</summary>
    public IReadOnlyList<string> ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The single <c>error:</c> line (fails unless there is exactly one).</summary>
    public string Error => Assert.Single(ErrorLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
}

/// <summary>
/// Runs <see cref="CompassCli.Run"/>, the entry point the executable's <c>Main</c> calls, in this process with
/// captured output (fast: no process start), and builds scenario files from the fixture scenario.
/// </summary>
internal static class Cli
{
    private static readonly Lazy<string> FixturePlugins = new(() => TestPaths.PluginSet(false, "Sample", "Crashing"));

    /// <summary>A plugins folder holding the Sample and Crashing fixtures (copied once per test run).</summary>
    public static string Fixtures => FixturePlugins.Value;

    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CompassCli.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The fixture scenario as a mutable JSON object.</summary>
    public static JsonObject FixtureScenario() => JsonNode.Parse(File.ReadAllText(TestPaths.FixtureScenario))!.AsObject();

    /// <summary>The scenario shipped as <c>scenarios/default.json</c> (real plugins).</summary>
    public static string DefaultScenarioPath => Path.Combine(TestPaths.RepoRoot, "scenarios", "default.json");

    /// <summary>Writes <paramref name="scenario"/> to a fresh folder and returns the file path.</summary>
    public static string Write(JsonNode scenario) => WriteText(scenario.ToJsonString());

    /// <summary>Writes raw text as <c>scenario.json</c> in a fresh folder.</summary>
    public static string WriteText(string text)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "scenario.json");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Applies <c>path=json</c> (set; the path's parents must exist) or <c>-path</c> (delete) to a scenario, paths
    /// dotted with <c>[i]</c> for array items: <c>hardware.package.dramChannels[0].bandwidthGBps=0</c>.
    /// </summary>
    public static JsonObject Mutate(JsonObject scenario, params string[] edits)
    {
        foreach (var edit in edits)
        {
            var delete = edit.StartsWith('-');
            var eq = edit.IndexOf('=', StringComparison.Ordinal);
            var path = delete ? edit[1..] : edit[..eq];
            var steps = Steps(path);
            JsonNode parent = scenario;
            for (var i = 0; i < steps.Count - 1; i++) parent = steps[i] is int k ? parent[k]! : parent[(string)steps[i]]!;
            var last = steps[^1];
            if (delete)
            {
                if (last is int k) parent.AsArray().RemoveAt(k); else parent.AsObject().Remove((string)last);
            }
            else
            {
                var value = JsonNode.Parse(edit[(eq + 1)..]);
                if (last is int k) parent[k] = value; else parent[(string)last] = value;
            }
        }
        return scenario;
    }

    private static List<object> Steps(string path)
    {
        var steps = new List<object>();
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            steps.Add(bracket < 0 ? part : part[..bracket]);
            while (bracket >= 0)
            {
                var close = part.IndexOf(']', bracket);
                steps.Add(int.Parse(part[(bracket + 1)..close], System.Globalization.CultureInfo.InvariantCulture));
                bracket = part.IndexOf('[', close);
            }
        }
        return steps;
    }

    /// <summary>An inline copy of the fixture package <c>fx-2x2</c> (2×2 fx-chiplet, two 16 GB DRAM channels).</summary>
    public static JsonObject InlinePackage() => (JsonNode.Parse("""
        {
          "name": "inline-2x2", "meshWidth": 2, "meshHeight": 2,
          "slots": ["fx-chiplet", "fx-chiplet", "fx-chiplet", "fx-chiplet"],
          "link": { "kind": "custom", "bandwidthGBps": 64, "hopLatencyNs": 5, "energyPjPerBit": 1.0 },
          "dramChannels": [
            { "name": "left", "kind": "custom", "attachedRouters": [ { "x": 0, "y": 0 }, { "x": 0, "y": 1 } ], "bandwidthGBps": 32, "energyPjPerBit": 8.0, "capacityGB": 16 },
            { "name": "right", "kind": "custom", "attachedRouters": [ { "x": 1, "y": 0 }, { "x": 1, "y": 1 } ], "bandwidthGBps": 32, "energyPjPerBit": 8.0, "capacityGB": 16 }
          ]
        }
        """)!).AsObject();

    /// <summary>An inline chiplet type like the fixture's fx-chiplet, named <c>fx-custom</c>.</summary>
    public static JsonObject InlineChiplet() => (JsonNode.Parse("""
        {
          "name": "fx-custom", "peArrayRows": 16, "peArrayColumns": 16, "clockGHz": 1.0,
          "precisions": [ { "bits": 8, "macsPerCycle": 256, "energyPerMacPj": 0.2 } ],
          "buffers": [ { "name": "global", "capacityBytes": 524288, "instances": 1, "bandwidthBytesPerCycle": 64, "readEnergyPjPerByte": 1.2, "writeEnergyPjPerByte": 1.4, "holds": "all" } ]
        }
        """)!).AsObject();

    /// <summary>The fixture's model as an inline configuration.</summary>
    public static JsonObject InlineModel() => (JsonNode.Parse("""
        { "name": "fx-inline", "layers": 2, "hidden": 256, "heads": 4, "kvHeads": 4, "headDim": 64, "ffnHidden": 1024, "vocab": 1000 }
        """)!).AsObject();
}
