using Compass.Results;

namespace Compass.Results.Tests;

public sealed class EvaluationResultsTests
{
    [Fact]
    public void EnergyTotalIsTheSumOfParts()
    {
        var e = new EnergyBreakdown(1, 2, 3, 4, 5, 6);
        Assert.Equal(21, e.TotalPj);
        Assert.Equal(42, (e + e).TotalPj);
        Assert.Equal(10.5, e.Scale(0.5).TotalPj);
        Assert.Equal(new EnergyBreakdown(2, 4, 6, 8, 10, 12), e + e);
    }

    [Fact]
    public void DramTrafficTotalIsTheSumOfItsSevenParts()
    {
        // 1 + 2 + 4 + ... + 64: each part a distinct power of two, so a missing or doubled part changes the total.
        var t = new DramTraffic(1, 2, 4, 8, 16, 32, 64);
        Assert.Equal(127, t.TotalBytes);
        Assert.Equal(0, default(DramTraffic).TotalBytes);
    }

    [Fact]
    public void ResultRecordsAreNotPartOfThePluginContract()
    {
        // The contract assembly must not carry what the engine hands the report (docs/results.md).
        var contract = typeof(Compass.Abstractions.Evaluation.Fitness).Assembly;
        Assert.Equal("Compass.Abstractions", contract.GetName().Name);
        foreach (var t in typeof(EnergyBreakdown).Assembly.GetExportedTypes())
            Assert.Null(contract.GetType("Compass.Abstractions.Evaluation." + t.Name));
        Assert.DoesNotContain(typeof(EnergyBreakdown).Assembly.GetReferencedAssemblies(), a => a.Name == "Compass.Abstractions");
    }
}
