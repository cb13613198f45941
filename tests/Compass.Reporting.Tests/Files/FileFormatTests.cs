using Compass.Abstractions.Plugins;
using Compass.Reporting.Files;
using Compass.Reporting.Model;

namespace Compass.Reporting.Tests.Files;

public sealed class FileFormatTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "compass-reporting-" + Guid.NewGuid().ToString("N"));

    public FileFormatTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SearchLogRoundTripsEveryBitIncludingInfinity()
    {
        var rows = TestData.ThreePointLog().Append(new SearchLogRow(3, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity,
            double.PositiveInfinity, 5000, 0.1 + 0.2, 42)).ToList();
        var path = Path.Combine(_dir, "search-log.csv");
        SearchLogCsv.Write(path, rows);
        var text = File.ReadAllText(path);
        Assert.StartsWith(SearchLogCsv.Header + "\n", text, StringComparison.Ordinal);
        Assert.Contains("\n3,Infinity,Infinity,Infinity,Infinity,5000,0.30000000000000004,000000000000002a\n", text, StringComparison.Ordinal);
        Assert.Equal(rows, SearchLogCsv.Read(path));
    }

    [Fact]
    public void MalformedSearchLogLineNamesFileAndLine()
    {
        var ex = Assert.Throws<CompassInputException>(() =>
            SearchLogCsv.Parse(new StringReader(SearchLogCsv.Header + "\n0,1,2,3,4,5,6,ff\n1,1,x,3,4,5,6,ff\n")));
        Assert.Equal("search-log.csv:3", ex.Field);
        Assert.Contains("energy_mj", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SearchLogWritesMillisecondsAndMillijoulesByMovingTheDecimalPoint()
    {
        // 3000 ns = 0.003 ms, 20 pJ = 2E-8 mJ written exactly (no multiplication); the hash stays hexadecimal.
        var line = SearchLogCsv.FormatRow(TestData.ThreePointLog()[0]);
        Assert.StartsWith("0,0.003,0.00000002,60000,", line, StringComparison.Ordinal);
        Assert.Equal("82.4521", SearchLogCsv.Shifted(82_452_100, -6));
        Assert.Equal("1234.5", SearchLogCsv.Shifted(1.2345e12, -9));
        Assert.Equal("0", SearchLogCsv.Shifted(0, -6));
        Assert.Equal("-0.5", SearchLogCsv.Shifted(-5e5, -6));
        Assert.Equal("1.5E-306", SearchLogCsv.Shifted(1.5e-300, -6));
    }

    [Fact]
    public void ShiftedUnitsReadBackBitForBit()
    {
        // Property (fixed seed): any finite double, shifted to ms or mJ text and read back, is the same double.
        var random = new Random(19);
        for (var i = 0; i < 20000; i++)
        {
            var value = i switch
            {
                < 5000 => random.NextDouble() * 1e9,
                < 10000 => Math.Round(random.NextDouble() * 1e7) + random.Next(0, 1000) * 0.001,
                < 15000 => BitConverter.Int64BitsToDouble(random.NextInt64(1L, 0x7FEFFFFFFFFFFFFFL)),
                _ => random.NextDouble() * Math.Pow(10, random.Next(-30, 30)),
            };
            foreach (var exponent in new[] { -6, -9 })
            {
                var text = SearchLogCsv.Shifted(value, exponent);
                var back = SearchLogCsv.Unshifted(text, exponent, "f", "c");
                Assert.True(BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(back), $"{value:R} → {text} → {back:R}");
            }
        }
    }

    [Fact]
    public void SearchLogInTheOldNanosecondUnitsIsStillRead()
    {
        var rows = SearchLogCsv.Parse(new StringReader(SearchLogCsv.LegacyHeader + "\n0,3000,20,60000,6E-17,60000,0.01,abcdef0123456789\n"));
        Assert.Equal(TestData.ThreePointLog()[0], rows[0]);
    }

    [Fact]
    public void MetricsAndTimelineRoundTripToEqualData()
    {
        var data = TestData.Run();
        ReportFiles.WriteRun(_dir, data);
        var back = ReportFiles.ReadRun(_dir);
        Assert.Equal(data.Best, back.Best);
        Assert.Equal(data.Scenario, back.Scenario);
        Assert.Equal(data.Package.ChipletTypeNames, back.Package.ChipletTypeNames);
        Assert.Equal(data.Package.Chiplets, back.Package.Chiplets);
        Assert.Equal(data.Baselines, back.Baselines);
        Assert.Equal(data.ParetoSet, back.ParetoSet);
        Assert.Equal(data.SearchLog, back.SearchLog);
        Assert.Equal(data.Timeline!.Genes, back.Timeline!.Genes);
        Assert.Equal(data.Timeline.MicroBatchPhases, back.Timeline.MicroBatchPhases);
        Assert.Equal(data.Timeline.Tasks, back.Timeline.Tasks);
        Assert.Equal(data.Statistics.OrderBy(k => k.Key), back.Statistics.OrderBy(k => k.Key));
    }

    [Fact]
    public void PackageCostRoundTripsAndShowsInTheReport()
    {
        var report = new Compass.Abstractions.Costs.PackageCostReport(225, 40, 3600, 1000, 100, 84.5, 50, new Dictionary<string, double> { ["computeDieYield"] = 0.87 });
        ReportFiles.WriteRun(_dir, TestData.Run() with { PackageCost = new PackageCostSummary("compass-simple", report) });
        var back = ReportFiles.ReadRun(_dir).PackageCost!;
        Assert.Equal("compass-simple", back.Model);
        Assert.Equal(report with { Details = back.Report.Details }, back.Report);
        Assert.Equal(0.87, back.Report.Details["computeDieYield"]);
        Assert.Equal(1234.5, back.Report.TotalCostUsd);
        var html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        Assert.Contains("package cost (compass-simple)", html, StringComparison.Ordinal);
        Assert.Contains("1,234.5", html, StringComparison.Ordinal);
        var without = Path.Combine(_dir, "no-cost");
        Directory.CreateDirectory(without);
        ReportFiles.WriteRun(without, TestData.Run());
        Assert.Null(ReportFiles.ReadRun(without).PackageCost);
        Assert.DoesNotContain("package cost (", File.ReadAllText(Path.Combine(without, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void ComparisonRoundTripsToEqualData()
    {
        var data = TestData.Comparison();
        ReportFiles.WriteComparison(_dir, data);
        var back = ReportFiles.ReadComparison(_dir);
        Assert.Equal(data.BestBaseline, back.BestBaseline);
        Assert.Equal(data.Runs.Count, back.Runs.Count);
        for (var i = 0; i < data.Runs.Count; i++)
        {
            Assert.Equal(data.Runs[i].Convergence, back.Runs[i].Convergence);
            Assert.Equal(data.Runs[i] with { Convergence = [] }, back.Runs[i] with { Convergence = [] });
        }
    }

    [Fact]
    public void RunReportRegeneratedFromFilesIsByteIdentical()
    {
        var data = TestData.Run() with { GeneratedAt = "2026-01-02 03:04" };
        var report = ReportFiles.WriteRun(_dir, data);
        var original = File.ReadAllBytes(report);
        var trace = File.ReadAllBytes(Path.Combine(_dir, ReportFiles.TraceFile));
        File.Delete(report);
        File.Delete(Path.Combine(_dir, ReportFiles.TraceFile));
        Assert.Equal(report, ReportFiles.RegenerateReport(_dir));
        Assert.Equal(original, File.ReadAllBytes(report));
        Assert.Equal(trace, File.ReadAllBytes(Path.Combine(_dir, ReportFiles.TraceFile)));
    }

    [Fact]
    public void ComparisonReportRegeneratedFromFilesIsByteIdentical()
    {
        var report = ReportFiles.WriteComparison(_dir, TestData.Comparison());
        var original = File.ReadAllBytes(report);
        File.Delete(report);
        ReportFiles.RegenerateReport(_dir);
        Assert.Equal(original, File.ReadAllBytes(report));
    }

    [Fact]
    public void ReplayWithoutSearchLogOrTimelineStillRegenerates()
    {
        var data = TestData.Run() with { SearchLog = [], Timeline = null, OptimizerName = "replay" };
        var report = ReportFiles.WriteRun(_dir, data);
        File.Delete(Path.Combine(_dir, ReportFiles.SearchLogFile));
        var original = File.ReadAllBytes(report);
        ReportFiles.RegenerateReport(_dir);
        Assert.Equal(original, File.ReadAllBytes(report));
        Assert.False(File.Exists(Path.Combine(_dir, ReportFiles.TraceFile)));
    }

    [Fact]
    public void MissingMetricsIsAnInputErrorNamingTheFile()
    {
        File.WriteAllText(Path.Combine(_dir, ReportFiles.ScenarioFile), "{}");
        var ex = Assert.Throws<CompassInputException>(() => ReportFiles.RegenerateReport(_dir));
        Assert.Equal("metrics.json", ex.Field);
    }

    [Fact]
    public void MalformedMetricsNamesTheField()
    {
        ReportFiles.WriteRun(_dir, TestData.Run());
        var path = Path.Combine(_dir, ReportFiles.MetricsFile);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"latencyNs\": 1250.5", "\"latencyNs\": true", StringComparison.Ordinal));
        var ex = Assert.Throws<CompassInputException>(() => ReportFiles.ReadRun(_dir));
        Assert.Equal("metrics.json: latencyNs", ex.Field);
    }

    [Fact]
    public void AtomicWriteReplacesTheFileAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "x.txt");
        AtomicFile.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new ✓");
        Assert.Equal("new ✓", File.ReadAllText(path));
        Assert.Equal(["x.txt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Equal(0xe2, File.ReadAllBytes(path)[4]); // UTF-8, no byte-order mark
    }

    [Fact]
    public void FailedAtomicWriteKeepsTheOldContent()
    {
        var path = Path.Combine(_dir, "y.txt");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteText(path, w =>
        {
            w.Write("half");
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }
}
