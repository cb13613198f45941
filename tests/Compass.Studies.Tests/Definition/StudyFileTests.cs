using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;
using Compass.Studies.Definition;

namespace Compass.Studies.Tests;

public sealed class StudyFileTests
{
    private static StudyDefinition Parse(string json) => StudyFile.Parse(json, "study.json", Path.GetTempPath());

    private static CompassInputException Refused(string json) => Assert.Throws<CompassInputException>(() => Parse(json));

    [Fact]
    public void LogRangeDoublesFromEndToEndAsIntegers()
    {
        var s = Parse("""{ "axes": [ { "path": "hardware.package.link.bandwidthGBps", "logRange": { "from": 32, "to": 512, "count": 5 } } ] }""");
        Assert.Equal(["32", "64", "128", "256", "512"], s.Axes[0].Values.Select(v => v.ToJsonString()));
        Assert.Equal("bandwidthGBps", s.Axes[0].Name);
    }

    [Fact]
    public void LinearRangeIncludesBothEndsWithoutBinaryNoise()
    {
        var s = Parse("""{ "axes": [ { "name": "x", "path": "a.b", "range": { "from": 0.1, "to": 0.5, "step": 0.1 } } ] }""");
        Assert.Equal(["0.1", "0.2", "0.3", "0.4", "0.5"], s.Axes[0].Values.Select(v => v.ToJsonString()));
    }

    [Fact]
    public void RoundedLogRangeGivesIntegers()
    {
        var s = Parse("""{ "axes": [ { "path": "graph.microBatchSize", "logRange": { "from": 1, "to": 10, "count": 4, "round": true } } ] }""");
        Assert.Equal(["1", "2", "5", "10"], s.Axes[0].Values.Select(v => v.ToJsonString()));
    }

    [Fact]
    public void CrossedGridSizeIsTheProductTimesSeeds()
    {
        var s = Parse("""{ "axes": [ { "path": "a", "values": [1, 2, 3] }, { "path": "b", "values": ["x", "y"] } ], "seeds": [1, 2] }""");
        Assert.Equal(12, s.PointCount);
        var combos = Points.StudyGrid.Combinations(s);
        Assert.Equal(6, combos.Count);
        Assert.Equal(["1 x", "1 y", "2 x", "2 y", "3 x", "3 y"], combos.Select(c => string.Join(' ', c.Select(v => v.Label))));
    }

    [Fact]
    public void ZippedAxesPairValues()
    {
        var s = Parse("""{ "combine": "zip", "axes": [ { "path": "a", "values": [1, 2] }, { "path": "b", "values": ["x", "y"] } ] }""");
        Assert.Equal(2, s.PointCount);
        Assert.Equal(["1 x", "2 y"], Points.StudyGrid.Combinations(s).Select(c => string.Join(' ', c.Select(v => v.Label))));
    }

    [Fact]
    public void EmptyAxisIsRefusedNamingTheAxis()
    {
        var e = Refused("""{ "axes": [ { "name": "bw", "path": "hardware.package.link.bandwidthGBps", "values": [] } ] }""");
        Assert.Contains("axes[0] ('bw')", e.Message, StringComparison.Ordinal);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "axes": [ { "path": "a", "values": [1], "range": { "from": 1, "to": 2, "step": 1 } } ] }""", "has both")]
    [InlineData("""{ "axes": [ { "path": "a", "logRange": { "from": 0, "to": 2, "count": 3 } } ] }""", "logRange.from: must be > 0")]
    [InlineData("""{ "axes": [ { "path": "a", "range": { "from": 3, "to": 2, "step": 1 } } ] }""", "range.to: must be >= from")]
    [InlineData("""{ "axes": [ { "path": "a", "values": [1] } ], "seeds": [1, 1] }""", "seeds[1]: seed 1 is listed twice")]
    [InlineData("""{ "combine": "zip", "axes": [ { "path": "a", "values": [1, 2] }, { "path": "b", "values": [1] } ] }""", "same length")]
    [InlineData("""{ "axes": [ { "path": "a", "values": [1] } ], "sweep": 3 }""", "sweep: is not a study field")]
    [InlineData("""{ "axes": [ { "values": [1] } ] }""", "axes[0].path: is required")]
    [InlineData("""{ "axes": [ { "path": "a.b", "values": [1] }, { "path": "c.b", "values": [2] } ] }""", "axis name 'b' is used twice")]
    [InlineData("""{ "axes": [ { "path": "a", "values": [1] } ], "codesign": { "populationSize": 7 } }""", "codesign.populationSize: must be even")]
    [InlineData("""{ "axes": [ { "path": "a", "values": [1] } ], "codesign": { "rungBudgets": [100, 50] } }""", "rungBudgets[1]: must be larger")]
    public void BadStudiesAreRefusedNamingTheField(string json, string expected)
    {
        var e = Refused(json);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("study.json: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingScenarioFileIsRefused()
    {
        var e = Refused("""{ "scenario": "no-such-file.json", "axes": [] }""");
        Assert.Contains("study.json: scenario: file not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AxisValuesKeepTheirJsonType()
    {
        var s = Parse("""{ "axes": [ { "path": "a", "values": [true, "s", 2.5, { "k": 1 }] } ] }""");
        Assert.Equal(["true", "\"s\"", "2.5", "{\"k\":1}"], s.Axes[0].Values.Select(v => v.ToJsonString()));
        Assert.False(s.Axes[0].IsNumeric);
        Assert.IsType<JsonObject>(s.Axes[0].Values[3]);
    }
}
