using Compass.Reporting.Analysis;
using Compass.Reporting.Files;
using Compass.Reporting.Model;

namespace Compass.Reporting.Tests.Analysis;

/// <summary>
/// The bounded summary the host keeps of a search log: whatever the length of the log, the convergence curve and the
/// Pareto front drawn from the summary are those of the whole log, and the rows kept stay within the capacity.
/// </summary>
public sealed class SearchLogSummaryTests
{
    /// <summary>A seeded random-search-like log: random latency and energy, 2 % invalid rows, best-so-far of latency × energy.</summary>
    private static List<SearchLogRow> Log(int rows, int seed)
    {
        var random = new Random(seed);
        var log = new List<SearchLogRow>(rows);
        var best = double.PositiveInfinity;
        for (var i = 0; i < rows; i++)
        {
            var valid = random.NextDouble() >= 0.02;
            var latency = valid ? 1e6 * (1 + random.NextDouble()) : double.PositiveInfinity;
            var energy = valid ? 1e9 * (1 + random.NextDouble()) : double.PositiveInfinity;
            var objective = valid ? latency * energy : double.PositiveInfinity;
            best = Math.Min(best, objective);
            log.Add(new SearchLogRow(i, latency, energy, objective, objective * 1e-21, best, i * 1e-3, (ulong)i));
        }
        return log;
    }

    [Theory]
    [InlineData(10, 100)]
    [InlineData(5_000, 100)]
    [InlineData(200_000, 1_000)]
    public void ConvergenceAndParetoFrontAreThoseOfTheWholeLog(int rows, int capacity)
    {
        var log = Log(rows, seed: 7);
        var summary = SearchLogSummary.Of(log, capacity);
        var kept = summary.Rows();
        Assert.Equal(rows, summary.Count);
        Assert.Equal(Convergence.FromSearchLog(log), Convergence.FromSearchLog(kept));
        static IReadOnlyList<ParetoPoint> Front(IEnumerable<SearchLogRow> r) => ParetoFront.Of(r.Where(x => x.IsValid).Select(x => new ParetoPoint(x.LatencyNs, x.EnergyPj)));
        Assert.Equal(Front(log), Front(kept));
        Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First.Index < p.Second.Index), "rows in index order, each once");
        Assert.True(kept.Count <= capacity + 2 * Math.Min(capacity, rows) + 1, $"{kept.Count} rows kept");
        Assert.Equal(rows - 1, kept[^1].Index);
        if (rows <= capacity)
        {
            Assert.True(summary.IsComplete);
            Assert.Equal(log, kept);
        }
        else
        {
            Assert.False(summary.IsComplete);
            // The sample is every Stride-th row: evenly spread over the whole log.
            Assert.True(summary.Stride > 1 && rows / summary.Stride <= capacity);
            Assert.All(Enumerable.Range(0, rows / summary.Stride), k => Assert.Contains(kept, r => r.Index == k * summary.Stride));
        }
    }

    [Fact]
    public void AMillionRowsKeepAtMostThreeTimesTheCapacity()
    {
        var summary = new SearchLogSummary(500);
        var best = double.PositiveInfinity;
        for (var i = 0; i < 1_000_000; i++)
        {
            // Every row improves (the worst case for the improvement list) and lies on the front (anti-correlated).
            var latency = 1.0 + i;
            var energy = 1e7 - i;
            best = Math.Min(best, 1e12 - i);
            summary.Add(new SearchLogRow(i, latency, energy, 1e12 - i, 1, best, 0, 0));
        }
        Assert.Equal(1_000_000, summary.Count);
        Assert.InRange(summary.Rows().Count, 1, 3 * 500 + 1);
    }

    [Fact]
    public void StreamedFileGivesTheSameSummaryAsTheRowsInMemory()
    {
        var log = Log(3_000, seed: 11);
        var path = Path.Combine(Path.GetTempPath(), "compass-summary-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            SearchLogCsv.Write(path, log);
            var fromFile = SearchLogSummary.Of(SearchLogCsv.StreamFile(path), 100).Rows();
            var fromMemory = SearchLogSummary.Of(SearchLogCsv.Read(path), 100).Rows();
            Assert.Equal(fromMemory, fromFile);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
