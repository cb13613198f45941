using System.Text.Json;

namespace Compass.Host.Tests;

/// <summary>The scenario's package cost model (<c>costModels.cost</c>) is run and its estimate reported.</summary>
public sealed class PackageCostTests
{
    [Fact]
    public void ExploreWritesThePackageCostOfTheDefaultScenario()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("explore", "--scenario", Cli.DefaultScenarioPath, "--plugins", TestPaths.PluginsDir, "--out", outDir, "--quiet", "--budget", "4");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var cost = metrics.RootElement.GetProperty("packageCost");
        Assert.Equal("compass-simple", cost.GetProperty("model").GetString());
        var parts = new[] { "computeDieCostUsd", "ioDieCostUsd", "packagingCostUsd", "memoryCostUsd" }.Sum(p => cost.GetProperty(p).GetDouble());
        Assert.True(cost.GetProperty("totalUsd").GetDouble() > 0);
        Assert.Equal(parts, cost.GetProperty("totalUsd").GetDouble(), parts * 1e-12);
        // 16 compute dies on the 4 × 4 mesh: a positive die area that the report shows beside the cost.
        Assert.True(cost.GetProperty("computeDieAreaMm2").GetDouble() > 0);
        Assert.Contains("package cost (compass-simple)", File.ReadAllText(Path.Combine(outDir, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void ScenarioWithoutACostModelWritesNoPackageCost()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("explore", "--scenario", TestPaths.FixtureScenario, "--plugins", Cli.Fixtures, "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.False(metrics.RootElement.TryGetProperty("packageCost", out _));
    }
}
