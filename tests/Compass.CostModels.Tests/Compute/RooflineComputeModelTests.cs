using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.CostModels.Compute;

namespace Compass.CostModels.Tests;

public class RooflineComputeModelTests
{
    [Fact]
    public void ComputeBoundGemmTakesMacsOverPeak()
    {
        var chiplet = TestHardware.Compass(Dataflow.OutputStationary); // 1,024 MACs/cycle at 1 GHz, 128 B/cycle buffer
        var op = new OperatorShape(OperatorKind.Gemm, 512, 512, 512, 1, 8, 8, 8, true);
        var cost = new RooflineComputeModel().Estimate(chiplet, op, CancellationToken.None);
        Assert.Equal(512.0 * 512 * 512 / 1024, cost.TimeNs, 9);
        Assert.Equal(1.0, cost.Utilisation, 12);
        Assert.Equal(op.Macs * 0.009, cost.MacEnergyPj, 6);
        Assert.Equal(2 * 512.0 * 512 * (2.08 / 128) + 512.0 * 512 * (2.25 / 128), cost.BufferEnergyPj, 6); // one read per input byte, one write per output byte
    }

    [Fact]
    public void MemoryBoundGemvTakesBytesOverBandwidth()
    {
        var chiplet = TestHardware.Compass(Dataflow.OutputStationary);
        var op = new OperatorShape(OperatorKind.Gemm, 1, 4096, 4096, 1, 8, 8, 8, true);
        var cost = new RooflineComputeModel(new RooflineModelOptions(BandwidthGBps: 64)).Estimate(chiplet, op, CancellationToken.None);
        Assert.Equal((4096.0 + 4096 * 4096 + 4096) / 64, cost.TimeNs, 9);
        Assert.Equal(4096.0 * 4096 / 1024 / cost.TimeNs, cost.Utilisation, 12);
    }

    [Fact]
    public void EfficiencyScalesComputeTime()
    {
        var chiplet = TestHardware.Compass(Dataflow.OutputStationary);
        var op = new OperatorShape(OperatorKind.Gemm, 512, 512, 512, 1, 8, 8, 8, true);
        var full = new RooflineComputeModel().Estimate(chiplet, op, CancellationToken.None);
        var half = new RooflineComputeModel(new RooflineModelOptions(0.5)).Estimate(chiplet, op, CancellationToken.None);
        Assert.Equal(2 * full.TimeNs, half.TimeNs, 9);
    }
}
