using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Compass.Host.Tests;

namespace Compass.PluginKit.Tests;

/// <summary>
/// Builds the sample vendor plugin and a project made from the <c>dotnet new</c> template outside the solution,
/// against a freshly packed Compass.Abstractions package, drops them into a plugins folder and runs the real host.
/// </summary>
public sealed partial class PluginKitTests : IClassFixture<PluginKitTests.BuiltPlugins>
{
    private readonly BuiltPlugins _built;

    public PluginKitTests(BuiltPlugins built) => _built = built;

    [Fact]
    public void PluginsCommandListsTheThirdPartyContributions()
    {
        var r = HostProcess.Run(TimeSpan.FromSeconds(120), "plugins", "--plugins", _built.PluginsDir);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.Contains("VendorPlugin", r.StdOut);
        Assert.Contains("vendor-npu-x1", r.StdOut);
        Assert.Contains("vendor-corrected", r.StdOut);
        Assert.Contains("hill-climb", r.StdOut);
        Assert.Contains("AcmePlugin", r.StdOut);
        Assert.Contains("acmeplugin-greedy", r.StdOut);
        Assert.Contains("0 failed", r.StdOut);
    }

    [Fact]
    public void VendorCostModelAppliesItsCorrectionToTheDefaultModel()
    {
        double Time(string model)
        {
            var r = HostProcess.Run(TimeSpan.FromSeconds(120), "cost", "--chiplet", "vendor-npu-x1", "--op", "gemm",
                "--m", "64", "--k", "1024", "--n", "1024", "--model", model, "--json", "--plugins", _built.PluginsDir);
            Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
            return JsonDocument.Parse(r.StdOut).RootElement.GetProperty("timeNs").GetDouble();
        }

        Assert.Equal(1.15, Time("vendor-corrected") / Time("dataflow"), 9);
    }

    [Fact]
    public void ExplorationRunsTheSamplePluginsOptimizerOnTheVendorChiplet()
    {
        var outDir = Path.Combine(_built.Root, "out-vendor");
        var r = HostProcess.Run(TimeSpan.FromSeconds(180), "explore", "--plugins", _built.PluginsDir, "--out", outDir,
            "--set", "optimizer.name=hill-climb", "--set", "optimizer.options.batchSize=8",
            "--set", "costModels.compute.name=vendor-corrected",
            "--set", "hardware.package.slots.0=vendor-npu-x1", "--set", "hardware.package.slots.5=vendor-npu-x1",
            "--set", "budget.evaluations=40");
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal("hill-climb", metrics.RootElement.GetProperty("optimizer").GetString());
        var resolved = File.ReadAllText(Path.Combine(outDir, "scenario.resolved.json"));
        Assert.Contains("vendor-npu-x1", resolved);
        Assert.Contains("vendor-corrected", resolved);
        var rows = File.ReadAllLines(Path.Combine(outDir, "search-log.csv")).Length - 1;
        Assert.InRange(rows, 1, 40);
    }

    [Fact]
    public void ExplorationRunsTheTemplateProjectsOptimizer()
    {
        var outDir = Path.Combine(_built.Root, "out-template");
        var r = HostProcess.Run(TimeSpan.FromSeconds(180), "explore", "--plugins", _built.PluginsDir, "--out", outDir,
            "--set", "optimizer.name=acmeplugin-greedy", "--set", "budget.evaluations=30");
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal("acmeplugin-greedy", metrics.RootElement.GetProperty("optimizer").GetString());
        Assert.Equal(30, File.ReadAllLines(Path.Combine(outDir, "search-log.csv")).Length - 1);
    }

    /// <summary>
    /// Packs the contract, then packs both third-party plugins (which builds them) into a local folder feed — the
    /// sample at 1.0.0 and, from the same build, 1.1.0 — and copies their build outputs into a plugins folder.
    /// </summary>
    public sealed class BuiltPlugins : IDisposable
    {
        public BuiltPlugins()
        {
            Root = TestPaths.NewTempDir();
            PluginsDir = Path.Combine(Root, "plugins");
            Feed = Path.Combine(Root, "feed");
            var repo = Metadata("CompassRepoRoot");
            var configuration = Metadata("CompassConfiguration");
            var packages = Path.Combine(Root, "packages");
            // A unique package version so the NuGet cache never serves a stale contract.
            var version = $"1.0.0-kit.{DateTime.UtcNow:yyyyMMddHHmmssfff}";

            Dotnet(repo, "pack", Path.Combine(repo, "src", "Compass.Abstractions"), "-c", configuration, "--no-build",
                "-o", packages, $"-p:PackageVersion={version}");

            // The sample, copied out of the repository so nothing of the Compass build leaks into it.
            var sample = Path.Combine(Root, "src", "VendorPlugin");
            Directory.CreateDirectory(sample);
            foreach (var file in Directory.GetFiles(Path.Combine(repo, "samples", "VendorPlugin")))
                if (!file.EndsWith("nuget.config", StringComparison.OrdinalIgnoreCase)) File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
            File.WriteAllText(Path.Combine(sample, "nuget.config"),
                $"<?xml version=\"1.0\" encoding=\"utf-8\"?><configuration><packageSources><add key=\"kit\" value=\"{packages}\" /></packageSources></configuration>");
            Dotnet(sample, "pack", sample, "-c", "Release", "-o", Feed, $"-p:CompassAbstractionsVersion={version}", "-p:Version=1.0.0");
            Dotnet(sample, "pack", sample, "-c", "Release", "-o", Feed, "--no-build", $"-p:CompassAbstractionsVersion={version}", "-p:Version=1.1.0");
            CopyDirectory(Path.Combine(sample, "bin", "Release", "net10.0"), Path.Combine(PluginsDir, "VendorPlugin"));

            // A project from the template, installed into a private template hive.
            var hive = Path.Combine(Root, "hive");
            var acme = Path.Combine(Root, "src", "AcmePlugin");
            Dotnet(Root, "new", "install", Path.Combine(repo, "templates", "CompassPlugin"), "--debug:custom-hive", hive);
            Dotnet(Root, "new", "compass-plugin", "-n", "AcmePlugin", "-o", acme, "--packageSource", packages,
                "--abstractionsVersion", version, "--debug:custom-hive", hive);
            Dotnet(acme, "pack", acme, "-c", "Release", "-o", Feed);
            CopyDirectory(Path.Combine(acme, "bin", "Release", "net10.0"), Path.Combine(PluginsDir, "AcmePlugin"));
        }

        /// <summary>Local folder feed: Acme.VendorPlugin 1.0.0 and 1.1.0, AcmePlugin 1.0.0.</summary>
        public string Feed { get; }

        public string Root { get; }

        public string PluginsDir { get; }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
        }

        private static void CopyDirectory(string from, string to)
        {
            foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
                Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
                File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }

        private static string Metadata(string key) =>
            typeof(BuiltPlugins).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

        private static void Dotnet(string workingDirectory, params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 5 minutes");
            }
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed ({p.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        }
    }
}
