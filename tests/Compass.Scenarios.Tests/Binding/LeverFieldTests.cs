using System.Collections;
using Compass.Abstractions.Plugins;
using Compass.Scenarios.Binding;

namespace Compass.Scenarios.Tests.Binding;

/// <summary>The levers of issue 16: a graph option given as a value, <c>"search"</c> or a list of candidates (docs/levers.md).</summary>
public sealed class LeverFieldTests
{
    private static readonly IDictionary NoEnvironment = new Hashtable();

    private static Scenario Load(string extra, params string[] sets) => ScenarioLoader.Load(TestFiles.Write(TestFiles.Minimal(extra)), sets, NoEnvironment);

    [Fact]
    public void AFixedValueLeavesNoLeverAndTheDefaultsAreThePublishedSplit()
    {
        var s = Load("");
        Assert.False(s.Levers.IsActive);
        Assert.Equal(1, s.Graph.MicroBatchSize);
        Assert.Equal(0, s.Graph.PrefillMicroBatchSize);
        // The default objective draws its iterations stratified by phase mix (#16).
        Assert.True(s.Workload.Stratified);
        Assert.Equal("stratified", s.Document["workload"]!["sampling"]!.GetValue<string>());
    }

    [Fact]
    public void ListsAndSearchBecomeCandidatesWithTheFirstAsTheScenariosOwnPlan()
    {
        var s = Load("""
            "graph": { "microBatchSize": [2, 1, 4], "tensorParallel": "search", "prefillMicroBatchSize": "search" }
            """, "workload.sampling=stratified");
        Assert.True(s.Levers.IsActive);
        Assert.Equal([2, 1, 4], s.Levers.MicroBatchSizes);
        Assert.Equal(2, s.Graph.MicroBatchSize);
        // "search" for a micro-batch size: powers of two up to workload.maxBatchRequests (4 in the minimal scenario).
        Assert.Equal([1, 2, 4], s.Levers.PrefillMicroBatchSizes);
        Assert.True(s.Levers.TensorParallelSearch);
        Assert.Empty(s.Levers.TensorParallel);
        Assert.True(s.Workload.Stratified);
        // The resolved document keeps what was written.
        Assert.Equal("search", s.Document["graph"]!["tensorParallel"]!.GetValue<string>());
        Assert.Equal(3, s.Document["graph"]!["microBatchSize"]!.AsArray().Count);
    }

    [Fact]
    public void OverrideTextTakesAValueSearchOrCommaSeparatedCandidates()
    {
        var s = Load("", "graph.tensorParallel=8,16", "graph.microBatchSize=search");
        Assert.Equal([8, 16], s.Levers.TensorParallel);
        Assert.Equal(8, s.Graph.TensorParallel);
        Assert.Equal([1, 2, 4], s.Levers.MicroBatchSizes);
        var fixedValue = Load("", "graph.microBatchSize=2");
        Assert.False(fixedValue.Levers.IsActive);
        Assert.Equal(2, fixedValue.Graph.MicroBatchSize);
    }

    [Theory]
    [InlineData("\"graph\": { \"microBatchSize\": [] }", "graph.microBatchSize: must hold at least one candidate")]
    [InlineData("\"graph\": { \"microBatchSize\": [1, 0] }", "graph.microBatchSize[1]: must be in [1, 1000000], got 0")]
    [InlineData("\"graph\": { \"tensorParallel\": [8, 2.5] }", "graph.tensorParallel[1]: must be a whole number, got 2.5")]
    [InlineData("\"graph\": { \"tensorParallel\": \"all\" }", "graph.tensorParallel: must be a whole number, \"search\" or a list of candidates, got 'all'")]
    [InlineData("\"graph\": { \"microBatchSize\": 8 }", "graph.microBatchSize: must be <= workload.maxBatchRequests (4), got 8")]
    [InlineData("\"workload\": { \"sampling\": \"random\" }", "workload.sampling: must be one of uniform, stratified, got 'random'")]
    public void BadLeverValuesAreRefusedNamingTheField(string extra, string expected)
    {
        var e = Assert.Throws<CompassInputException>(() => Load(extra.StartsWith("\"workload\"", StringComparison.Ordinal) ? "" : extra,
            extra.StartsWith("\"workload\"", StringComparison.Ordinal) ? ["workload.sampling=random"] : []));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ListedCandidatesLargerThanTheBatchPassTheBatchRule()
    {
        // The engine drops candidates beyond the batch; only a fixed size must fit it.
        var s = Load("\"graph\": { \"microBatchSize\": [1, 64] }");
        Assert.Equal([1, 64], s.Levers.MicroBatchSizes);
    }

    [Fact]
    public void TheJsonSchemaOffersAValueSearchOrAList()
    {
        var schema = Compass.Scenarios.Schema.ScenarioSchema.ToJsonSchema().ToJsonString();
        Assert.Contains("\"const\":\"search\"", schema, StringComparison.Ordinal);
        Assert.Contains("prefillMicroBatchSize", schema, StringComparison.Ordinal);
        Assert.Contains("stratified", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void LayerGroupsAndThePlacementLeverBind()
    {
        var s = Load("""
            "graph": { "tensorParallel": [4, 8], "tensorParallelGroups": 2 }, "evaluator": { "placement": "search" }
            """);
        Assert.True(s.Levers.IsActive);
        Assert.Equal(2, s.Levers.TensorParallelGroups);
        Assert.True(s.Levers.PlacementSearch);
        Assert.Equal(Compass.Engine.DramPlacement.Nearest, s.Evaluator.Placement);
        Assert.Equal("search", s.Document["evaluator"]!["placement"]!.GetValue<string>());
        var plain = Load("");
        Assert.Equal(1, plain.Levers.TensorParallelGroups);
        Assert.False(plain.Levers.PlacementSearch);
    }
}
