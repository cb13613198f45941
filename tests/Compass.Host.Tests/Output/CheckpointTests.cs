using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Plugins;
using Compass.Host.Output;
using Compass.Reporting.Files;
using Compass.Reporting.Model;

namespace Compass.Host.Tests;

/// <summary>The streamed search log (the checkpoint), its torn-line tolerance, and resume through the entry point.</summary>
public sealed class CheckpointTests
{
    private static SearchLogRow Row(int i) => new(i, 1e6 / 3 + i, Math.PI * 1e9 + i, (1e6 / 3 + i) * (Math.PI * 1e9 + i), 0.1 / 3 + i, 0.7 / 3, i * 1e-3 / 7, (ulong)i * 0x9E3779B97F4A7C15UL);

    [Fact]
    public void RowsAreOnDiskEveryCheckpointIntervalWithExactBits()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "search-log.csv");
        using var log = CheckpointLog.Create(path, 100);
        for (var i = 0; i < 250; i++) log.Write(Row(i));
        // Not closed: another reader sees the rows of the last checkpoint (200), bit for bit.
        using (var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
        {
            var rows = SearchLogCsv.Parse(reader);
            Assert.Equal(200, rows.Count);
            for (var i = 0; i < rows.Count; i++) Assert.Equal(Row(i), rows[i]);
        }
        log.Dispose();
        var all = SearchLogCsv.Read(path);
        Assert.Equal(250, all.Count);
        Assert.Equal(BitConverter.DoubleToInt64Bits(Row(249).EnergyPj), BitConverter.DoubleToInt64Bits(all[249].EnergyPj));
    }

    [Fact]
    public void ResumeDropsATornLastLineAndAppendsAfterTheLastCompleteOne()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "search-log.csv");
        File.WriteAllText(path, SearchLogCsv.Format([Row(0), Row(1), Row(2)]) + "3,12.5,99");
        var state = CheckpointLog.ReadForResume(path);
        Assert.True(state.DroppedTornLine);
        Assert.Equal([Row(0), Row(1), Row(2)], state.Rows);
        using (var log = CheckpointLog.Append(path, state.ValidLength, 100, state.RowBytes, state.Rows.Count)) log.Write(Row(3));
        Assert.Equal([Row(0), Row(1), Row(2), Row(3)], SearchLogCsv.Read(path));
    }

    [Fact]
    public void LoggedRowsBecomeTheFitnessTheEngineComputed()
    {
        var valid = CheckpointLog.ToFitness(Row(5));
        Assert.Equal(new Fitness(Row(5).LatencyNs, Row(5).EnergyPj, Row(5).Objective, true), valid);
        var invalid = CheckpointLog.ToFitness(new SearchLogRow(0, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0, 1));
        Assert.Equal(Fitness.Invalid, invalid);
    }

    [Fact]
    public void ABadLineInsideTheLogIsNamedByLine()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "search-log.csv");
        File.WriteAllText(path, SearchLogCsv.Format([Row(0), Row(1)]).Replace("\n1,", "\n1,x", StringComparison.Ordinal));
        var e = Assert.Throws<CompassInputException>(() => CheckpointLog.ReadForResume(path));
        Assert.Equal("search-log.csv:3", e.Field);
        File.WriteAllText(path, SearchLogCsv.Format([Row(0), Row(2)]));
        e = Assert.Throws<CompassInputException>(() => CheckpointLog.ReadForResume(path));
        Assert.Equal("search-log.csv:3", e.Field);
        Assert.Contains("index must be 1", e.Reason, StringComparison.Ordinal);
    }

    private static string[] Key(string outDir) =>
        [File.ReadAllText(Path.Combine(outDir, "best-mapping.json")), .. File.ReadAllLines(Path.Combine(outDir, "search-log.csv")).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 6)))];

    [Fact]
    public void ResumeInProcessAfterAFaultReproducesTheUninterruptedRun()
    {
        // fx-random is deterministic; cut its log to 37 rows plus a torn line, as a kill would leave it, and resume.
        var plain = Path.Combine(TestPaths.NewTempDir(), "plain");
        var cut = Path.Combine(TestPaths.NewTempDir(), "cut");
        var scenario = Cli.Write(Cli.Mutate(Cli.FixtureScenario(), "budget.evaluations=120", "search.checkpointEvery=10"));
        Assert.Equal(0, Cli.Run("explore", "--scenario", scenario, "--plugins", Cli.Fixtures, "--out", plain, "--quiet").ExitCode);
        Assert.Equal(0, Cli.Run("explore", "--scenario", scenario, "--plugins", Cli.Fixtures, "--out", cut, "--quiet").ExitCode);
        var lines = File.ReadAllLines(Path.Combine(cut, "search-log.csv"));
        File.WriteAllText(Path.Combine(cut, "search-log.csv"), string.Join('\n', lines.Take(38)) + "\n" + lines[38][..9]);
        foreach (var f in new[] { "best-mapping.json", "metrics.json", "report.html" }) File.Delete(Path.Combine(cut, f));

        var r = Cli.Run("explore", "--resume", cut, "--plugins", Cli.Fixtures);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("Resuming from 37 logged evaluation(s) (a torn last line was dropped)", r.StdOut, StringComparison.Ordinal);
        Assert.Equal(Key(plain), Key(cut));
    }

    [Fact]
    public void ResumeRefusesOptionsThatWouldChangeTheRun()
    {
        var dir = Path.Combine(TestPaths.NewTempDir(), "run");
        Assert.Equal(0, Cli.Run("explore", "--scenario", TestPaths.FixtureScenario, "--plugins", Cli.Fixtures, "--out", dir, "--quiet").ExitCode);
        Assert.Equal("error: --seed: cannot be combined with --resume: the resumed run must use the same seed", Cli.Run("explore", "--resume", dir, "--seed", "3").Error);
        Assert.StartsWith("error: --scenario: cannot be combined with --resume", Cli.Run("explore", "--resume", dir, "--scenario", TestPaths.FixtureScenario).Error, StringComparison.Ordinal);
        var set = Cli.Run("explore", "--resume", dir, "--set", "budget.evaluations=5000");
        Assert.Equal(2, set.ExitCode);
        Assert.Equal("error: --set: cannot be combined with --resume: the resumed run must use the same scenario", set.Error);
        Assert.Equal("error: --budget: cannot be combined with --resume: the resumed run must use the same budget", Cli.Run("explore", "--resume", dir, "--budget", "9").Error);
        Assert.Equal("error: --force: cannot be combined with --resume: it would clear the run to continue", Cli.Run("explore", "--resume", dir, "--force").Error);
        Assert.StartsWith("error: --resume: folder not found", Cli.Run("explore", "--resume", dir + "-missing").Error, StringComparison.Ordinal);
        Assert.Equal(2, Cli.Run("explore", "--resume", TestPaths.NewTempDir()).ExitCode);
    }

    [Fact]
    public void ResumeDetectsALogThatTheOptimizerDoesNotReproduce()
    {
        var dir = Path.Combine(TestPaths.NewTempDir(), "run");
        var scenario = Cli.Write(Cli.Mutate(Cli.FixtureScenario(), "budget.evaluations=30"));
        Assert.Equal(0, Cli.Run("explore", "--scenario", scenario, "--plugins", Cli.Fixtures, "--out", dir, "--quiet").ExitCode);
        var path = Path.Combine(dir, "search-log.csv");
        var lines = File.ReadAllLines(path);
        var parts = lines[6].Split(',');
        parts[7] = "0123456789abcdef";
        lines[6] = string.Join(',', parts);
        File.WriteAllText(path, string.Join('\n', lines.Take(11)) + "\n");
        var r = Cli.Run("explore", "--resume", dir, "--plugins", Cli.Fixtures, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: search-log.csv:7: the resumed search evaluated another mapping at evaluation 5", r.Error, StringComparison.Ordinal);
    }
}
