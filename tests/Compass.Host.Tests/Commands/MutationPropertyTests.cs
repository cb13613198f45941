using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Compass.Host.Tests;

/// <summary>Random mutations of a valid scenario never crash the host: a result (exit 0) or one validation error (exit 2).</summary>
public sealed class MutationPropertyTests
{
    private enum Kind
    {
        Delete,
        Negate,
        Scale,
        Retype,
        Rename,
    }

    private static readonly double[] Factors = [0, 1e-9, 0.5, 1000, 1e12];
    private static readonly string[] Replacements = ["\"abc\"", "42", "-1", "true", "null", "[]", "{}", "\"\"", "1e400", "3.5"];

    /// <summary>Every node of the scenario (objects, arrays and values) with its parent and key.</summary>
    private static List<(JsonNode Parent, object Key)> Nodes(JsonNode node)
    {
        var list = new List<(JsonNode, object)>();
        void Walk(JsonNode n)
        {
            if (n is JsonObject o)
                foreach (var (k, v) in o) { list.Add((o, k)); if (v is not null) Walk(v); }
            else if (n is JsonArray a)
                for (var i = 0; i < a.Count; i++) { list.Add((a, i)); if (a[i] is { } v) Walk(v); }
        }
        Walk(node);
        return list;
    }

    private static JsonObject Apply(JsonObject scenario, (int Node, Kind Kind, int Choice)[] mutations)
    {
        foreach (var (index, kind, choice) in mutations)
        {
            var nodes = Nodes(scenario);
            if (nodes.Count == 0) break;
            var (parent, key) = nodes[index % nodes.Count];
            var current = key is int i ? parent[i] : parent[(string)key];
            JsonNode? replacement;
            switch (kind)
            {
                case Kind.Delete:
                    if (key is int j) parent.AsArray().RemoveAt(j); else parent.AsObject().Remove((string)key);
                    continue;
                case Kind.Negate when current is JsonValue v && v.TryGetValue<double>(out var d):
                    replacement = JsonValue.Create(-d);
                    break;
                case Kind.Scale when current is JsonValue v && v.TryGetValue<double>(out var d):
                    // Repeated scaling can overflow; a JSON file holds at most ±double.MaxValue, never ∞.
                    var scaled = d * Factors[choice % Factors.Length];
                    replacement = JsonValue.Create(double.IsFinite(scaled) ? scaled : Math.CopySign(double.MaxValue, scaled));
                    break;
                case Kind.Rename when current is JsonValue v && v.TryGetValue<string>(out var s):
                    replacement = JsonValue.Create(s + "x");
                    break;
                default:
                    replacement = JsonNode.Parse(Replacements[choice % Replacements.Length]);
                    break;
            }
            if (key is int k) parent[k] = replacement; else parent[(string)key] = replacement;
        }
        return scenario;
    }

    [Fact]
    public void RandomMutationsOfAValidScenarioGiveAResultOrOneValidationError()
    {
        var mutation =
            from node in Gen.Choose(0, 10_000)
            from kind in Gen.Elements(Enum.GetValues<Kind>())
            from choice in Gen.Choose(0, 100)
            select (Node: node, Kind: kind, Choice: choice);
        var mutations =
            from n in Gen.Choose(1, 3)
            from list in Gen.ArrayOf(mutation, n)
            select list;
        var exits = new int[4];
        bool Property((int Node, Kind Kind, int Choice)[] m)
        {
            var scenario = Apply(Cli.FixtureScenario(), m);
            var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
            var r = Cli.Run("explore", "--scenario", Cli.Write(scenario), "--plugins", Cli.Fixtures, "--out", outDir, "--quiet", "--set", "budget.wallSeconds=20");
            var errors = r.ErrorLines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
            var ok = r.ExitCode switch
            {
                0 => errors.Count == 0 && File.Exists(Path.Combine(outDir, "best-mapping.json")),
                2 => errors.Count == 1 && errors[0].IndexOf(": ", 7, StringComparison.Ordinal) > 7,
                _ => false,
            };
            if (!ok) throw new InvalidOperationException($"exit {r.ExitCode} for {scenario.ToJsonString()}\n{r.StdErr}");
            exits[r.ExitCode == 0 ? 0 : 2]++;
            return true;
        }
        PropertySeed.Check(Prop.ForAll(mutations.ToArbitrary(), Property), 200);
        // Both outcomes happen: mutations that keep the scenario valid and ones that break it.
        Assert.True(exits[0] > 0 && exits[2] > 0, $"results {exits[0]}, validation errors {exits[2]}");
    }
}
