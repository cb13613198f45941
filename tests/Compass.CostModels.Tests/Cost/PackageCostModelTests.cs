using Compass.Abstractions.Hardware;
using Compass.CostModels.Cost;

namespace Compass.CostModels.Tests;

public class PackageCostModelTests
{
    [Fact]
    public void NegativeBinomialYieldIsAProbabilityAndFallsWithArea()
    {
        var previous = 1.0;
        foreach (var area in new[] { 1.0, 10, 50, 100, 300, 600, 858 })
        {
            var y = ChipletActuaryCostModel.Yield(area, ChipletActuaryCostModel.DefectDensityPerCm2(7));
            Assert.InRange(y, double.Epsilon, 1.0);
            Assert.True(y < previous);
            previous = y;
        }
        // (1 + 0.0009 · 100 / 10)^−10 at 7 nm, 100 mm².
        Assert.Equal(Math.Pow(1.009, -10), ChipletActuaryCostModel.Yield(100, 0.09), 12);
    }

    [Fact]
    public void DiesPerWaferFollowsTheScribeAndEdgeFormula()
    {
        var a = Math.Pow(10 + 0.2, 2); // 100 mm² die with 0.2 mm scribe
        var expected = Math.PI * 145 * 145 / a - Math.PI * 290 / Math.Sqrt(2 * a);
        Assert.Equal(expected, ChipletActuaryCostModel.DiesPerWafer(100), 9);
        Assert.InRange(expected, 571, 572);
    }

    [Fact]
    public void KnownGoodDieCostGrowsFasterThanArea()
    {
        var small = ChipletActuaryCostModel.KnownGoodDieCostUsd(50, 7);
        var large = ChipletActuaryCostModel.KnownGoodDieCostUsd(400, 7);
        Assert.True(large > 8 * small);
    }

    [Theory]
    [InlineData(PackagingKind.OrganicSubstrate)]
    [InlineData(PackagingKind.FanOut)]
    [InlineData(PackagingKind.SiliconInterposer)]
    public void PackageCostGrowsWithChipletArea(PackagingKind packaging)
    {
        var model = new ChipletActuaryCostModel(new ChipletActuaryOptions(packaging));
        var small = TestHardware.Compass(Dataflow.OutputStationary) with { AreaMm2 = 20 };
        var large = small with { AreaMm2 = 80 };
        var a = model.Estimate(TestHardware.Resolve(TestHardware.Compass6x6(), small));
        var b = model.Estimate(TestHardware.Resolve(TestHardware.Compass6x6(), large));
        Assert.Equal(36 * 20, a.ComputeDieAreaMm2, 9);
        Assert.True(b.ComputeDieCostUsd > 4 * a.ComputeDieCostUsd);
        Assert.True(b.PackagingCostUsd > a.PackagingCostUsd);
        Assert.True(b.TotalCostUsd > a.TotalCostUsd);
        Assert.All(a.Details.Values, v => Assert.True(v >= 0));
        Assert.InRange(a.Details["bondingYield"], 0.0, 1.0);
        Assert.Equal(4 * 3.5 * Math.Ceiling(64 / 56.0), a.MemoryCostUsd, 9);
    }

    [Fact]
    public void NreIsOffByDefaultAndAmortisedWhenAsked()
    {
        var chiplet = TestHardware.Compass(Dataflow.OutputStationary) with { AreaMm2 = 20 };
        var package = TestHardware.Resolve(TestHardware.Compass6x6(), chiplet);
        var off = new ChipletActuaryCostModel().Estimate(package);
        var on = new ChipletActuaryCostModel(new ChipletActuaryOptions(NreVolume: 1e6)).Estimate(package);
        Assert.Equal(0, off.Details["nreUsdPerUnit"]);
        Assert.True(on.ComputeDieCostUsd > off.ComputeDieCostUsd);
    }

    [Fact]
    public void DieAreaIsEstimatedWhenNotGiven()
    {
        var chiplet = TestHardware.Compass(Dataflow.OutputStationary);
        var bigger = chiplet with { Buffers = [.. chiplet.Buffers.Take(2), chiplet.Buffers[2] with { CapacityBytes = 8L << 20 }] };
        Assert.True(DieAreaEstimator.ComputeDieMm2(bigger, 128) > DieAreaEstimator.ComputeDieMm2(chiplet, 128));
        Assert.Equal(33.3, DieAreaEstimator.ComputeDieMm2(chiplet with { AreaMm2 = 33.3 }, 128));
    }

    [Fact]
    public void CompassSimpleReproducesThePublishedFormulas()
    {
        // Published "os" chiplet: 1,024 MACs, 64 LR MACs; SRAM here = 2 MB + 2 × 8 KB; nop_bw 128 B/cycle.
        var chiplet = TestHardware.Compass(Dataflow.OutputStationary);
        var sram = 2.0 * 1024 * 1024 + 2 * 8 * 1024;
        var core = sram * 0.0964 * 8 + 1024 * 57.9 + 64 * 57.9 * 8 + 128 * 16_781.312;
        var die = (core * 2.2 + 4 * (128 / 4.0 * 333) * 800) * 1.05 * 1.05 / 1e6;
        Assert.Equal(die, CompassSimpleCostModel.PublishedComputeDieMm2(chiplet, 128), 9);

        var report = new CompassSimpleCostModel().Estimate(TestHardware.Resolve(TestHardware.Compass6x6(), chiplet));
        Assert.Equal(36 * die, report.ComputeDieAreaMm2, 6);
        var compute = 36 * die / Math.Pow(0.9, die / 40) * 0.084887 / CompassSimpleCostModel.WaferUtilisation(die);
        Assert.Equal(compute, report.ComputeDieCostUsd, 6);
        var io = (256 / 44.0 * (6.53e6 + 45_900) + 3e6 * 256 / 128 + 333 * 800 * 128 / 4.0 * 6 * 2) * 1.05 * 1.05 / 1e6;
        Assert.Equal(io, report.IoDieAreaMm2, 6);
        Assert.Equal(256 / 44.0 * 3.5, report.MemoryCostUsd, 9);
        var substrate = 4 * (36 * die + io);
        Assert.Equal(substrate, report.SubstrateAreaMm2, 6);
        Assert.Equal(substrate * 4 * 0.005, report.PackagingCostUsd, 6); // > 55 × 55 mm² → factor 4
        Assert.Equal(0.9, CompassSimpleCostModel.Yield(40), 12);
        Assert.True(CompassSimpleCostModel.Yield(80) < CompassSimpleCostModel.Yield(40));
    }
}
