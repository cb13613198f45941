using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Schema;
using Json.Schema;

namespace Compass.Scenarios.Tests.Schema;

public sealed class ScenarioSchemaTests
{
    // Built once per process: JsonSchema.Net registers a schema under its $id.
    private static readonly Lazy<JsonSchema> Compiled = new(() => JsonSchema.FromText(ScenarioSchema.ToJsonSchema().ToJsonString()));

    private static EvaluationResults Evaluate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Compiled.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Errors(EvaluationResults r) => string.Join("; ", (r.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    [Fact]
    public void SchemaIsDraft202012AndValidAgainstItsMetaSchema()
    {
        var schema = ScenarioSchema.ToJsonSchema();
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema["$schema"]!.GetValue<string>());
        using var doc = JsonDocument.Parse(schema.ToJsonString());
        var meta = MetaSchemas.Draft202012.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(meta.IsValid, Errors(meta));
    }

    public static TheoryData<string> Shipped() => [.. TestFiles.ShippedScenarios.Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Shipped))]
    public void EveryShippedScenarioValidatesAgainstTheSchema(string file)
    {
        var r = Evaluate(File.ReadAllText(Path.Combine(TestFiles.RepoRoot, "scenarios", file)));
        Assert.True(r.IsValid, $"{file}: {Errors(r)}");
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void EveryShippedScenarioBinds(string file)
    {
        var s = ScenarioLoader.Load(Path.Combine(TestFiles.RepoRoot, "scenarios", file), [], new Hashtable());
        Assert.False(string.IsNullOrEmpty(s.Optimizer.Name));
    }

    [Theory]
    [InlineData("\"graph\": { \"layerz\": 2 }")]
    [InlineData("\"optimiser\": \"ga\"")]
    [InlineData("\"objective\": { \"kind\": \"latency,energy\" }")]
    [InlineData("\"precision\": { \"weightBits\": 12 }")]
    [InlineData("\"budget\": { \"evaluations\": 0 }")]
    [InlineData("\"search\": { \"threads\": \"four\" }")]
    public void WhatTheBinderRefusesTheSchemaRefusesToo(string extra)
    {
        var json = TestFiles.Minimal(extra);
        Assert.False(Evaluate(json).IsValid);
        Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => ScenarioLoader.Load(TestFiles.Write(json), [], new Hashtable()));
    }

    [Fact]
    public void PresetOverridesAndInlineRecordsAreDescribed()
    {
        var withPreset = TestFiles.Minimal().Replace("\"package\": \"p-2x2\"", "\"package\": { \"preset\": \"p-2x2\", \"link\": { \"bandwidthGBps\": 64 }, \"slots\": { \"3\": \"c2\" } }", StringComparison.Ordinal);
        Assert.True(Evaluate(withPreset).IsValid, Errors(Evaluate(withPreset)));
        var typo = withPreset.Replace("\"link\"", "\"lnk\"", StringComparison.Ordinal);
        Assert.False(Evaluate(typo).IsValid);
    }

    [Fact]
    public void DefaultsInTheSchemaAreTheBindersDefaults()
    {
        var schema = ScenarioSchema.ToJsonSchema();
        // Only the required keys: every other key takes its default.
        var bound = ScenarioLoader.Load(TestFiles.Write("""
            { "hardware": { "package": "p" }, "model": "m", "workload": { "trace": "t", "scheduler": "s" },
              "costModels": { "compute": "c", "network": "n" }, "optimizer": "o" }
            """), [], new Hashtable()).Document;
        foreach (var (section, spec) in ScenarioSchema.Root.Fields)
        {
            if (spec is not ObjectField obj) continue;
            foreach (var (key, child) in obj.Fields)
            {
                if (child.Default is not { } d) continue;
                var declared = schema["properties"]![section]!["properties"]![key]!["default"];
                Assert.True(JsonNode.DeepEquals(d, declared), $"{section}.{key}");
                var expected = child.Bind(d.DeepClone(), $"{section}.{key}", new BindContext(TestFiles.RepoRoot)).ToJsonString();
                Assert.Equal(expected, bound[section]![key]!.ToJsonString());
            }
        }
    }
}
