using System.Text.Json.Nodes;
using Compass.Studies.Definition;
using Compass.Studies.Points;
using Compass.Studies.Results;

namespace Compass.Studies.Tests;

public sealed class StudyDatabaseTests
{
    private static string TempFile(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "compass-studies-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    private static PointResult Result(int index, double edp, string status = PointStatus.Completed)
    {
        var scenario = $"{{\"seed\":{index}}}";
        return new PointResult
        {
            Id = StudyPoint.IdOf(scenario),
            Index = index,
            Kind = "sweep",
            Study = "t",
            Seed = index,
            Values = new JsonObject { ["bw"] = 32 * (index + 1), ["flow"] = index % 2 == 0 ? "os" : "ws, \"quoted\"" },
            ScenarioJson = scenario,
            Status = status,
            Metrics = status == PointStatus.Completed ? new PointMetrics { LatencyNs = 1e6 * (index + 1), EnergyPj = 0.1 + index, EdpJs = edp, Objective = edp, MacPj = 0.05, CostUsd = 100 + index, CostModel = "chiplet-actuary" } : null,
            Error = status == PointStatus.Completed ? null : "no valid mapping",
            WallSeconds = 1.5,
        };
    }

    [Fact]
    public void UpsertIsIdempotentAndRoundTripsDoublesBitForBit()
    {
        using var db = StudyDatabase.Open(TempFile("a.db"));
        var edp = 1.0 / 3.0 * 1e-7;
        db.Upsert(Result(0, edp));
        db.Upsert(Result(0, edp));
        db.UpsertMany([Result(1, 2e-7), Result(2, 0, PointStatus.NoValidMapping)]);
        Assert.Equal(3, db.Count());
        var back = db.Points();
        Assert.Equal(BitConverter.DoubleToInt64Bits(edp), BitConverter.DoubleToInt64Bits(back[0].Metrics!.EdpJs));
        Assert.Null(back[2].Metrics);
        Assert.Equal("no valid mapping", back[2].Error);
        Assert.Equal(101, back[1].Metrics!.CostUsd);
    }

    [Fact]
    public void CsvHasOneTidyRowPerPointWithAxisColumns()
    {
        using var db = StudyDatabase.Open(TempFile("b.db"));
        db.RecordStudy(new StudyDefinition
        {
            Name = "t",
            Axes = [new StudyAxis("bw", "hardware.package.link.bandwidthGBps", [JsonValue.Create(32), JsonValue.Create(64)], "axes[0]"), new StudyAxis("flow", "x", [JsonValue.Create("os"), JsonValue.Create("ws")], "axes[1]")],
        }, "sweep");
        db.UpsertMany([Result(0, 1e-7), Result(1, 2e-7)]);
        using var w = new StringWriter();
        db.WriteCsv(w);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(["point_id", "point_index", "kind", "study", "seed", "bw", "flow", "status"], header[..8]);
        Assert.Contains("edp_js", header);
        Assert.Contains("cost_usd", header);
        Assert.Contains(",64,\"ws, \"\"quoted\"\"\",completed,", lines[2], StringComparison.Ordinal);
        Assert.Contains("1E-07", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ConcurrentWritersFromTwoConnectionsLoseNothing()
    {
        var path = TempFile("c.db");
        using (StudyDatabase.Open(path)) { }
        Parallel.For(0, 4, w =>
        {
            using var db = StudyDatabase.Open(path);
            for (var i = 0; i < 25; i++) db.Upsert(Result(w * 100 + i, 1e-7 * (i + 1)));
        });
        using var check = StudyDatabase.Open(path);
        Assert.Equal(100, check.Count());
    }

    [Fact]
    public void AFileThatIsNotAStudyDatabaseIsRefused()
    {
        var path = TempFile("d.db");
        File.WriteAllText(path, "this is not sqlite");
        var e = Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => StudyDatabase.Open(path));
        Assert.StartsWith("--db:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultFileRoundTripsAndATornFileReadsAsMissing()
    {
        var path = TempFile("result.json");
        var r = Result(3, 1.0 / 7.0);
        r.Save(path);
        var back = PointResult.TryLoad(path)!;
        Assert.Equal(r.Id, back.Id);
        Assert.Equal(BitConverter.DoubleToInt64Bits(r.Metrics!.EdpJs), BitConverter.DoubleToInt64Bits(back.Metrics!.EdpJs));
        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        Assert.Null(PointResult.TryLoad(path));
    }

    [Fact]
    public void PointIdsAreStableHashesOfTheScenario()
    {
        Assert.Equal(StudyPoint.IdOf("{\"seed\":1}"), StudyPoint.IdOf("{\"seed\":1}"));
        Assert.NotEqual(StudyPoint.IdOf("{\"seed\":1}"), StudyPoint.IdOf("{\"seed\":2}"));
        Assert.Matches("^[0-9a-f]{16}$", StudyPoint.IdOf("{}"));
        // SHA-256("{}") starts with 44136fa355b3678a.
        Assert.Equal("44136fa355b3678a", StudyPoint.IdOf("{}"));
    }
}
