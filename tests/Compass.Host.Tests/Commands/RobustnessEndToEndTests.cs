using System.Diagnostics;
using System.Text.Json;
using Compass.Scenarios.Binding;

namespace Compass.Host.Tests;

/// <summary>
/// Robustness through the real executable: bad inputs, stray environment variables, a run killed with SIGKILL or
/// stopped with SIGTERM mid-search and resumed, ending with exactly the result of an uninterrupted run.
/// </summary>
public sealed class RobustnessEndToEndTests
{
    private const int Budget = 2500;

    // The shipped default scenario (real plugins, GA) with a budget of a few thousand evaluations and no wall limit.
    private static string[] ExploreArgs(string outDir) =>
        ["explore", "--scenario", Cli.DefaultScenarioPath, "--out", outDir, "--quiet", "--seed", "5", "--budget", Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--set", "budget.wallSeconds=0", "--set", "optimizer.options.generations=1000"];

    [Theory]
    [InlineData("{ \"name\": ", "scenario.json: malformed JSON")]
    [InlineData("{ \"optimizer\": { \"name\": \"gaa\" } }", "optimizer.name: unknown optimizers component 'gaa'")]
    [InlineData("{ \"budget\": { \"evaluations\": 0 } }", "budget.evaluations: must be in [1, ")]
    [InlineData("{ \"graph\": { \"tensorParallel\": 3 } }", "graph.tensorParallel: must divide the model's hidden size 4096, got 3")]
    public void BadInputThroughTheExecutableExitsWith2AndOneLine(string scenarioPatch, string expected)
    {
        string path;
        if (scenarioPatch.StartsWith("{ \"name\": ", StringComparison.Ordinal) && !scenarioPatch.Contains('}', StringComparison.Ordinal))
        {
            path = Cli.WriteText(scenarioPatch);
        }
        else
        {
            var scenario = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Cli.DefaultScenarioPath))!.AsObject();
            foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(scenarioPatch)!.AsObject())
            {
                foreach (var (k, v) in value!.AsObject()) scenario[key]![k] = v?.DeepClone();
            }
            path = Cli.Write(scenario);
        }
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = HostProcess.Run("explore", "--scenario", path, "--out", outDir, "--quiet");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void CompassVariableNamingNoFieldIsRefusedWhileReservedOnesKeepWorking()
    {
        // A stray or misspelt override is refused like --set: exit 2, one line naming the variable and the field.
        var stray = HostProcess.Run(TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["COMPASS_HOME"] = "/opt/compass" }, "validate", "--scenario", Cli.DefaultScenarioPath);
        Assert.Equal(2, stray.ExitCode);
        Assert.StartsWith("error: COMPASS_HOME: names no scenario field: home is not a known scenario field (", Assert.Single(stray.ErrorLines), StringComparison.Ordinal);
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var typo = HostProcess.Run(TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["COMPASS_HARDWARE__PACKAGE__LINK__BANDWIDTHGPBS"] = "64" }, "explore", "--out", outDir, "--quiet");
        Assert.Equal(2, typo.ExitCode);
        Assert.StartsWith("error: COMPASS_HARDWARE__PACKAGE__LINK__BANDWIDTHGPBS: names no scenario field: hardware.package.link.bandwidthgpbs is not a known field (known: ",
            Assert.Single(typo.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));

        // The reserved COMPASS_ variables are not overrides: a run with all of them set validates silently, and the
        // plugin home is still the one COMPASS_PLUGIN_HOME names.
        var home = TestPaths.NewTempDir();
        var reserved = new Dictionary<string, string>
        {
            ["COMPASS_PLUGIN_HOME"] = home, ["COMPASS_DLL"] = "/nonexistent/compass.dll", ["COMPASS_REPORT_DEMO_OUT"] = TestPaths.NewTempDir(), ["COMPASS_WRITE_SAMPLES"] = "1",
        };
        Assert.Equal(reserved.Keys.Order(StringComparer.Ordinal), ScenarioLoader.ReservedVariables.Order(StringComparer.Ordinal));
        var ok = HostProcess.Run(TimeSpan.FromSeconds(60), reserved, "validate", "--scenario", Cli.DefaultScenarioPath);
        Assert.True(ok.ExitCode == 0 && ok.ErrorLines.Count == 0, ok.StdErr);
        var list = HostProcess.Run(TimeSpan.FromSeconds(60), reserved, "plugins", "list");
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Contains("0 package(s) in " + home, list.StdOut, StringComparison.Ordinal);

        var bad = HostProcess.Run(TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["COMPASS_BUDGET__EVALUATIONS"] = "0" }, "validate", "--scenario", Cli.DefaultScenarioPath);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: budget.evaluations: must be in [1, ", Assert.Single(bad.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>Starts explore, waits until its log holds at least <paramref name="rows"/> rows, then signals it.</summary>
    private static (int ExitCode, string StdErr, int RowsAtSignal) Interrupt(string outDir, int rows, bool kill)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = TestPaths.NewTempDir() };
        psi.ArgumentList.Add(TestPaths.HostDll);
        foreach (var a in ExploreArgs(outDir)) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var log = Path.Combine(outDir, "search-log.csv");
        var clock = Stopwatch.StartNew();
        var seen = 0;
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (File.Exists(log))
            {
                using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
                seen = reader.ReadToEnd().Count(c => c == '\n') - 1;
                if (seen >= rows) break;
            }
            Thread.Sleep(10);
        }
        Assert.False(process.HasExited, $"the run ended before its log had {rows} rows");
        if (kill)
        {
            process.Kill();
        }
        else
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            term.WaitForExit();
        }
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)));
        return (process.ExitCode, stderr.Result, seen);
    }

    private static (string Mapping, string[] Log, long EdpBits) Result(string outDir)
    {
        var mapping = File.ReadAllText(Path.Combine(outDir, "best-mapping.json"));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var edp = metrics.RootElement.GetProperty("edpJs").GetDouble();
        // Every column but the wall-clock one.
        var log = File.ReadAllLines(Path.Combine(outDir, "search-log.csv")).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 6))).ToArray();
        return (mapping, log, BitConverter.DoubleToInt64Bits(edp));
    }

    /// <summary>
    /// Two real processes: while a long exploration writes a folder (its pid in the lock file), a second explore, a
    /// <c>--resume</c> and a <c>replay --out</c> into that folder are each refused within seconds with exit 2 and the
    /// one-line lock message naming the live run's pid; the folder's log is not touched by them; the lock goes with the
    /// run (SIGTERM).
    /// </summary>
    [Fact]
    public void ALiveRunsFolderIsRefusedToEveryOtherProcessNamingItsPid()
    {
        var dir = Path.Combine(TestPaths.NewTempDir(), "out");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = TestPaths.NewTempDir() };
        psi.ArgumentList.Add(TestPaths.HostDll);
        foreach (var a in (string[])["explore", "--scenario", Cli.DefaultScenarioPath, "--out", dir, "--quiet", "--budget", "10000000", "--set", "budget.wallSeconds=0"]) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var owner = Process.Start(psi)!;
        _ = owner.StandardOutput.ReadToEndAsync();
        _ = owner.StandardError.ReadToEndAsync();
        try
        {
            var lockPath = Path.Combine(dir, ".compass.lock");
            var log = Path.Combine(dir, "search-log.csv");
            var clock = Stopwatch.StartNew();
            while (!owner.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)
                   && !(File.Exists(log) && new FileInfo(log).Length > 200 && File.Exists(lockPath) && new FileInfo(lockPath).Length > 0))
                Thread.Sleep(20);
            Assert.False(owner.HasExited, "the owner run ended early");
            Assert.StartsWith(owner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", File.ReadAllText(lockPath), StringComparison.Ordinal);
            var message = $"{dir} is being written by another compass run (pid {owner.Id}); wait for it or choose another folder";

            var second = HostProcess.Run(TimeSpan.FromSeconds(60), "explore", "--scenario", Cli.DefaultScenarioPath, "--out", dir, "--quiet", "--budget", "5");
            Assert.Equal(2, second.ExitCode);
            Assert.Equal("error: --out: " + message, Assert.Single(second.ErrorLines));

            var resume = HostProcess.Run(TimeSpan.FromSeconds(60), "explore", "--resume", dir, "--quiet");
            Assert.Equal(2, resume.ExitCode);
            Assert.Equal("error: --resume: " + message, Assert.Single(resume.ErrorLines));

            var forced = HostProcess.Run(TimeSpan.FromSeconds(60), "explore", "--scenario", Cli.DefaultScenarioPath, "--out", dir, "--quiet", "--budget", "5", "--force");
            Assert.Equal(2, forced.ExitCode);
            Assert.Equal("error: --out: " + message, Assert.Single(forced.ErrorLines));
            Assert.False(owner.HasExited, "the owner run must still be running");
            Assert.True(File.Exists(log), "a refused run must not clear the live run's log");
        }
        finally
        {
            if (!owner.HasExited)
            {
                using var term = Process.Start("kill", ["-TERM", owner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                term.WaitForExit();
            }
            Assert.True(owner.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        Assert.Equal(130, owner.ExitCode);
        Assert.False(File.Exists(Path.Combine(dir, ".compass.lock")));
    }

    [Fact]
    public void KilledRunResumesToExactlyTheUninterruptedResult()
    {
        var plain = Path.Combine(TestPaths.NewTempDir(), "plain");
        var full = HostProcess.Run(TimeSpan.FromSeconds(120), ExploreArgs(plain));
        Assert.True(full.ExitCode == 0, full.StdErr);
        var expected = Result(plain);
        Assert.Equal(Budget + 1, expected.Log.Length);

        // SIGKILL: no handler runs; the streamed log is all that is left (plus a torn line a kill mid-write leaves).
        var killed = Path.Combine(TestPaths.NewTempDir(), "killed");
        var (_, _, rows) = Interrupt(killed, 200, kill: true);
        Assert.True(rows >= 200);
        Assert.False(File.Exists(Path.Combine(killed, "metrics.json")));
        // Only the resolved scenario and the checkpoint header (no half-written result file, no temporary file).
        Assert.Equal(["checkpoint.json", "scenario.resolved.json"], Directory.GetFiles(killed, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // A SIGKILL can land while the checkpoint header's temporary copy is being written; the resume removes it.
        File.AppendAllText(Path.Combine(killed, "search-log.csv"), "9999,1.5,2");
        var resumed = HostProcess.Run(TimeSpan.FromSeconds(120), "explore", "--resume", killed, "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Empty(Directory.GetFiles(killed, "*.tmp"));
        var actual = Result(killed);
        Assert.Equal(expected.Mapping, actual.Mapping);
        Assert.Equal(expected.EdpBits, actual.EdpBits);
        Assert.Equal(expected.Log, actual.Log);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(killed, "metrics.json")));
        Assert.True(metrics.RootElement.GetProperty("statistics").GetProperty("driver.resumedEvaluations").GetDouble() >= 200);
    }

    [Fact]
    public void TerminatedRunExits130WithIncompleteResultsAndResumesToTheSameResult()
    {
        var plain = Path.Combine(TestPaths.NewTempDir(), "plain");
        var full = HostProcess.Run(TimeSpan.FromSeconds(120), ExploreArgs(plain));
        Assert.True(full.ExitCode == 0, full.StdErr);
        var expected = Result(plain);

        var stopped = Path.Combine(TestPaths.NewTempDir(), "stopped");
        var (code, stderr, _) = Interrupt(stopped, 200, kill: false);
        Assert.True(code == 130, stderr);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith("error: interrupted by SIGTERM after ", line, StringComparison.Ordinal);
        Assert.EndsWith("continue with: compass explore --resume " + stopped, line, StringComparison.Ordinal);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(stopped, "metrics.json"))))
        {
            Assert.True(metrics.RootElement.GetProperty("incomplete").GetBoolean());
            Assert.Equal("interrupted by SIGTERM", metrics.RootElement.GetProperty("incompleteReason").GetString());
            Assert.True(metrics.RootElement.GetProperty("cancelled").GetBoolean());
        }
        Assert.True(File.Exists(Path.Combine(stopped, "best-mapping.json")));
        Assert.True(File.Exists(Path.Combine(stopped, "report.html")));
        Assert.Empty(Directory.GetFiles(stopped, "*.tmp"));

        var resumed = HostProcess.Run(TimeSpan.FromSeconds(120), "explore", "--resume", stopped, "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        var actual = Result(stopped);
        Assert.Equal(expected.Mapping, actual.Mapping);
        Assert.Equal(expected.EdpBits, actual.EdpBits);
        Assert.Equal(expected.Log, actual.Log);
        using var done = JsonDocument.Parse(File.ReadAllText(Path.Combine(stopped, "metrics.json")));
        Assert.False(done.RootElement.TryGetProperty("incomplete", out _));
    }
}
