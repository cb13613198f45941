using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Compass.Host.Tests;

/// <summary>The command line as a user meets it: help, --quiet, list --json, show, completion and the installed .NET tool (real executable).</summary>
public sealed class CliPolishTests
{
    [Fact]
    public void HelpCommandPrintsTheSameHelpAsTheOption()
    {
        var viaCommand = HostProcess.Run("help", "explore");
        var viaOption = HostProcess.Run("explore", "--help");
        Assert.Equal(0, viaCommand.ExitCode);
        Assert.Equal(viaOption.StdOut, viaCommand.StdOut);
        Assert.Contains("--scenario", viaCommand.StdOut, StringComparison.Ordinal);
        var root = HostProcess.Run("help");
        Assert.Equal(0, root.ExitCode);
        foreach (var command in new[] { "explore", "compare", "replay", "list", "show", "validate", "report", "help" })
            Assert.Contains("  " + command, root.StdOut, StringComparison.Ordinal);
        var unknown = HostProcess.Run("help", "frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("error: unknown command 'frobnicate'", unknown.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateHelpDoesNotClaimADefaultForItsRequiredScenario()
    {
        var help = HostProcess.Run("validate", "--help").StdOut;
        var line = Assert.Single(help.Split('\n'), l => l.Contains("--scenario", StringComparison.Ordinal));
        Assert.Contains("(REQUIRED)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("default", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("default: the embedded default scenario", HostProcess.Run("explore", "--help").StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void QuietExplorePrintsOnlyTheOutputFolder()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = HostProcess.Run("explore", "--scenario", TestPaths.FixtureScenario, "--plugins", TestPaths.PluginSet(false, "Sample"), "--budget", "10", "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(outDir, r.StdOut.Trim());
    }

    [Fact]
    public void ExploreSummaryUsesOneUnitSystemAndTheWallTimeOfMetricsJson()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = HostProcess.Run("explore", "--scenario", TestPaths.FixtureScenario, "--plugins", TestPaths.PluginSet(false, "Sample"), "--budget", "10", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("Latency (ms)", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("Energy (mJ)", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("EDP (J·s)", r.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("(ns)", r.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("(pJ)", r.StdOut, StringComparison.Ordinal);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var wall = metrics.RootElement.GetProperty("wallSeconds").GetDouble();
        Assert.Contains($"search {wall.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} s (as in metrics.json)", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void ListJsonNamesThePluginAndTheSourceOfEveryModel()
    {
        var r = HostProcess.Run("list", "models", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var models = JsonNode.Parse(r.StdOut)!.AsArray();
        Assert.True(models.Count >= 20);
        var llama = models.Single(m => (string?)m!["name"] == "llama-3-8b")!;
        Assert.Equal("Compass.Workloads", (string?)llama["plugin"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)llama["source"]));
        Assert.Equal(32, (int)llama["layers"]!);
        Assert.All(models, m => Assert.False(string.IsNullOrWhiteSpace((string?)m!["source"])));
        var optimizers = JsonNode.Parse(HostProcess.Run("list", "optimizers", "--json").StdOut)!.AsArray();
        Assert.Contains(optimizers, o => (string?)o!["name"] == "ga" && (string?)o["plugin"] == "Compass.Optimizers");
        var text = HostProcess.Run("list", "models").StdOut;
        Assert.Contains("source: ", Assert.Single(text.Split('\n'), l => l.StartsWith("llama-3-8b ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void ShownPresetsLoadBackFromAScenarioAsFiles()
    {
        var dir = TestPaths.NewTempDir();
        var model = HostProcess.Run("show", "model", "llama-3-8b");
        var package = HostProcess.Run("show", "package", "compass-6x6-os");
        var chiplet = HostProcess.Run("show", "chiplet", "compass-os");
        Assert.True(model.ExitCode == 0 && package.ExitCode == 0 && chiplet.ExitCode == 0, model.StdErr + package.StdErr + chiplet.StdErr);
        Assert.Equal(32, (int)JsonNode.Parse(model.StdOut)!["layers"]!);
        // Edit the saved copies: a renamed chiplet type, a package that uses it, a model with fewer layers.
        var types = JsonNode.Parse(chiplet.StdOut)!.AsArray();
        types[0]!["name"] = "my-os";
        var pkg = JsonNode.Parse(package.StdOut)!.AsObject();
        pkg["name"] = "my-package";
        pkg["slots"] = new JsonArray([.. pkg["slots"]!.AsArray().Select(_ => (JsonNode?)JsonValue.Create("my-os"))]);
        var m = JsonNode.Parse(model.StdOut)!.AsObject();
        m["name"] = "my-llama";
        m["layers"] = 4;
        File.WriteAllText(Path.Combine(dir, "my-chiplets.json"), types.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "my-package.json"), pkg.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "my-model.json"), m.ToJsonString());
        var scenario = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "scenarios", "default.json")))!.AsObject();
        scenario["hardware"] = new JsonObject { ["package"] = "my-package.json", ["chipletTypes"] = "my-chiplets.json" };
        scenario["model"] = "my-model.json";
        File.WriteAllText(Path.Combine(dir, "scenario.json"), scenario.ToJsonString());
        var validate = HostProcess.Run("validate", "--scenario", Path.Combine(dir, "scenario.json"));
        Assert.True(validate.ExitCode == 0, validate.StdErr);
        Assert.Contains("my-package 6x6, model my-llama", validate.StdOut, StringComparison.Ordinal);
        var unknown = HostProcess.Run("show", "model", "no-such-model");
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("error: name: unknown model 'no-such-model'", unknown.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void SuggestDirectiveCompletesCommandsAndOptions()
    {
        // What the documented shell completion calls: System.CommandLine's [suggest:position] directive.
        Assert.Equal("explore", HostProcess.Run("[suggest:4]", "expl").StdOut.Trim());
        Assert.Contains("--scenario", HostProcess.Run("[suggest:11]", "validate --").StdOut.Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void PackedToolInstallsIntoAToolPathAndFindsItsPlugins()
    {
        var dir = TestPaths.NewTempDir();
        var feed = Path.Combine(dir, "feed");
        var pack = Dotnet(dir, TimeSpan.FromMinutes(4), "pack", Path.Combine(TestPaths.RepoRoot, "src", "Compass.Host"), "-c", "Release", "--no-build", "-o", feed);
        Assert.True(pack.ExitCode == 0, pack.Output);
        var package = Assert.Single(Directory.GetFiles(feed, "compass.*.nupkg"));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            foreach (var plugin in new[] { "Compass.Chiplets", "Compass.Workloads", "Compass.CostModels", "Compass.Optimizers" })
                Assert.Contains(zip.Entries, e => e.FullName == $"tools/net10.0/any/plugins/{plugin}/{plugin}.dll");
        }
        // Only the local feed: the install must not depend on (or pick up anything from) a remote registry.
        File.WriteAllText(Path.Combine(dir, "nuget.config"),
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
        var tools = Path.Combine(dir, "tools");
        var install = Dotnet(dir, TimeSpan.FromMinutes(3), "tool", "install", "compass", "--tool-path", tools, "--configfile", Path.Combine(dir, "nuget.config"));
        Assert.True(install.ExitCode == 0, install.Output);
        var compass = Path.Combine(tools, OperatingSystem.IsWindows() ? "compass.exe" : "compass");
        var plugins = Run(compass, dir, TimeSpan.FromMinutes(1), "plugins");
        Assert.True(plugins.ExitCode == 0, plugins.Output);
        Assert.Contains("4 plugin(s) loaded, 0 failed", plugins.Output, StringComparison.Ordinal);
        var outDir = Path.Combine(dir, "run");
        var explore = Run(compass, dir, TimeSpan.FromMinutes(2), "explore", "--budget", "20", "--out", outDir, "--quiet");
        Assert.True(explore.ExitCode == 0, explore.Output);
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
    }

    private static (int ExitCode, string Output) Dotnet(string workingDirectory, TimeSpan timeout, params string[] args) => Run("dotnet", workingDirectory, timeout, args);

    private static (int ExitCode, string Output) Run(string file, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
