using System.Collections;
using System.Globalization;
using System.Text.Json;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Host.Commands;
using Compass.Host.Composition;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;

namespace Compass.Host.Tests;

/// <summary>Plugin faults mid-run, numeric safety, and stray environment variables, through the entry point.</summary>
public sealed class FaultTests
{
    private static (CliResult Result, string OutDir) Explore(params string[] edits)
    {
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var scenario = Cli.Write(Cli.Mutate(Cli.FixtureScenario(), edits));
        return (Cli.Run("explore", "--scenario", scenario, "--plugins", Cli.Fixtures, "--out", outDir, "--quiet"), outDir);
    }

    [Fact]
    public void OptimizerThatThrowsMidRunStopsWithExit3AndKeepsTheBestSoFar()
    {
        var (r, outDir) = Explore("optimizer={\"name\":\"fx-crash\",\"options\":{\"throwAfter\":12}}", "budget.evaluations=100", "search.startFrom=\"none\"");
        Assert.Equal(CompassCli.PluginFault, r.ExitCode);
        Assert.True(r.Error.StartsWith("error: plugin Crashing: optimizers 'fx-crash' threw InvalidOperationException: fx-crash gives up after 12 evaluations (run stopped after 12 evaluations; results so far are in ", StringComparison.Ordinal), r.Error);

        var log = Compass.Reporting.Files.SearchLogCsv.Read(Path.Combine(outDir, "search-log.csv"));
        Assert.Equal(12, log.Count);
        var bestLogged = log.Where(x => x.IsValid).Min(x => x.Objective);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.True(metrics.RootElement.GetProperty("incomplete").GetBoolean());
        Assert.StartsWith("stopped by a plugin fault: plugin Crashing: optimizers 'fx-crash' threw", metrics.RootElement.GetProperty("incompleteReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(12, metrics.RootElement.GetProperty("evaluations").GetInt32());
        // The best mapping so far is the best row of the log, bit for bit.
        Assert.Equal(bestLogged, metrics.RootElement.GetProperty("objective").GetDouble());
        using var mapping = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "best-mapping.json")));
        Assert.Equal(bestLogged, mapping.RootElement.GetProperty("fitness").GetProperty("objective").GetDouble());
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp"));
    }

    [Fact]
    public void OptimizerThatThrowsBeforeAnyEvaluationKeepsTheScenarioAndAnEmptyLog()
    {
        var (r, outDir) = Explore("optimizer={\"name\":\"fx-crash\",\"options\":{\"throwAfter\":0}}");
        Assert.Equal(CompassCli.PluginFault, r.ExitCode);
        Assert.Contains("fx-crash gives up after 0 evaluations", r.Error, StringComparison.Ordinal);
        Assert.Equal([Compass.Reporting.Files.SearchLogCsv.Header], File.ReadAllLines(Path.Combine(outDir, "search-log.csv")));
        Assert.True(File.Exists(Path.Combine(outDir, "scenario.resolved.json")));
        Assert.False(File.Exists(Path.Combine(outDir, "metrics.json")));
    }

    [Fact]
    public void CostModelReturningNaNIsAPluginFaultUnderTheStopPolicy()
    {
        var (r, outDir) = Explore("costModels.compute.name=\"fx-nan\"");
        Assert.Equal(CompassCli.PluginFault, r.ExitCode);
        Assert.StartsWith("error: plugin Crashing: compute 'fx-nan' returned time NaN ns for Gemm M=", r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void CostModelReturningNaNUnderTheContinuePolicyIsRefusedBeforeTheSearch()
    {
        // Every operator cost is infinite under "continue", so the first heuristic mapping is not finite: refused up front.
        var (r, outDir) = Explore("costModels.compute.name=\"fx-nan\"", "resilience.onPluginFault=\"continue\"");
        Assert.Equal(CompassCli.UserError, r.ExitCode);
        Assert.StartsWith("error: costModels.compute: the first heuristic mapping (", r.Error, StringComparison.Ordinal);
        Assert.Contains("has no finite cost because of a plugin fault, so no mapping can be valid: plugin Crashing: compute 'fx-nan' returned time NaN ns", r.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void NonFiniteOrNegativeCostsAreNamedWithTheirPart()
    {
        var ok = new OperatorCost(10, 1, 2, 3, 0.5, 0, "t");
        Assert.Null(ResilientComputeCostModel.NumericProblem(ok));
        Assert.Equal("time NaN ns", ResilientComputeCostModel.NumericProblem(ok with { TimeNs = double.NaN }));
        Assert.Equal("MAC energy ∞ pJ".Replace("∞", double.PositiveInfinity.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), ResilientComputeCostModel.NumericProblem(ok with { MacEnergyPj = double.PositiveInfinity }));
        Assert.Equal("buffer energy -1 pJ", ResilientComputeCostModel.NumericProblem(ok with { BufferEnergyPj = -1 }));
        Assert.Equal("DRAM refetch NaN B", ResilientComputeCostModel.NumericProblem(ok with { OffChipRefetchBytes = double.NaN }));
    }

    [Fact]
    public void OnlySoundFitnessValuesReachTheOutputFiles()
    {
        Assert.True(ExploreCommand.IsSound(new Fitness(1e6, 1e9, 1e15, true)));
        Assert.False(ExploreCommand.IsSound(new Fitness(double.NaN, 1e9, 1e15, true)));
        Assert.False(ExploreCommand.IsSound(new Fitness(1e6, double.PositiveInfinity, 1e15, true)));
        Assert.False(ExploreCommand.IsSound(new Fitness(1e6, 1e9, double.PositiveInfinity, true)));
        // Finite latency and energy whose EDP overflows a double.
        Assert.False(ExploreCommand.IsSound(new Fitness(1e300, 1e300, 1, true)));
        Assert.False(ExploreCommand.IsSound(Fitness.Invalid));
        Assert.False(ExploreCommand.IsSound(new Fitness(-1, 1, 1, true)));
    }

    [Fact]
    public void ParallelismChecksNameTheFieldForEachShape()
    {
        var model = new Compass.Abstractions.Workload.ModelConfig { Name = "m", Layers = 1, Hidden = 4096, Heads = 32, KvHeads = 8, HeadDim = 128, FfnHidden = 14336, Vocab = 32000 };
        ExplorationSetup.CheckParallelism(new Compass.Engine.GraphOptions { TensorParallel = 8 }, model);
        ExplorationSetup.CheckParallelism(new Compass.Engine.GraphOptions { TensorParallel = 64, HeadGroups = 0 }, model);
        var e = Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => ExplorationSetup.CheckParallelism(new Compass.Engine.GraphOptions { TensorParallel = 6 }, model));
        Assert.Equal("graph.tensorParallel", e.Field);
        e = Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => ExplorationSetup.CheckParallelism(new Compass.Engine.GraphOptions { TensorParallel = 8, HeadGroups = 5 }, model));
        Assert.Equal("graph.headGroups", e.Field);
    }

    [Fact]
    public void ChipletWithoutBufferIsRejectedByTheResolver()
    {
        var t = new ChipletType
        {
            Name = "empty", PeArrayRows = 4, PeArrayColumns = 4, ClockGHz = 1,
            Precisions = [new PrecisionRate(8, 16, 0.1)],
            Buffers = [],
        };
        var e = Assert.Throws<Compass.Abstractions.Plugins.CompassInputException>(() => HardwareResolver.ValidateChiplet(t, "hardware.chipletTypes[0]"));
        Assert.Equal("hardware.chipletTypes[0].buffers", e.Field);
    }
}
