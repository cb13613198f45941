using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;

namespace Compass.Abstractions.Tests.Hardware;

public sealed class ChipletTypeTests
{
    private static ChipletType Type() => new()
    {
        Name = "t",
        PeArrayRows = 16,
        PeArrayColumns = 16,
        MacsPerPe = 4,
        ClockGHz = 2.0,
        Precisions = [new PrecisionRate(8, 1024, 0.01), new PrecisionRate(16, 512, 0.04), new PrecisionRate(4, 2048, 0.005)],
        Buffers = [new BufferLevel("global", 2 << 20, 1, 256, 0.1, 0.1, "all")],
    };

    [Fact]
    public void PeakTopsIsTwoOpsPerMacTimesClock()
    {
        // 16·16·4 = 1024 MACs × 2 × 2 GHz = 4.096 TOPS.
        Assert.Equal(4.096, Type().PeakTops, 9);
        Assert.Equal(2L << 20, Type().GlobalBufferBytes);
    }

    [Fact]
    public void RateForPicksExactThenNarrowestWider()
    {
        var t = Type();
        Assert.Equal(16, t.RateFor(16).Bits);
        Assert.Equal(8, t.RateFor(6).Bits);
        Assert.Equal(16, t.RateFor(32).Bits); // nothing wider: the widest
    }

    [Fact]
    public void GemmShapeCountsMacsAndBytes()
    {
        var op = new OperatorShape(OperatorKind.Gemm, 4, 8, 16, 2, 16, 8, 16, true);
        Assert.Equal(4.0 * 8 * 16 * 2, op.Macs);
        Assert.Equal(4.0 * 8 * 2 * 2, op.InputBytes);
        Assert.Equal(8.0 * 16 * 2 * 1, op.WeightBytes);
        Assert.Equal(4.0 * 16 * 2 * 2, op.OutputBytes);
    }

    [Fact]
    public void ElementwiseReadsTwoInputsAndHasNoWeights()
    {
        var op = new OperatorShape(OperatorKind.Elementwise, 3, 1, 5, 1, 16, 16, 16, false);
        Assert.Equal(15, op.Macs);
        Assert.Equal(3 * 5 * 2 * 2, op.InputBytes);
        Assert.Equal(0, op.WeightBytes);
    }

    [Fact]
    public void ResolvedPackageSumsPeakAndDram()
    {
        var t = Type();
        var pkg = new PackageDescription
        {
            Name = "p", MeshWidth = 2, MeshHeight = 1, Slots = ["t", "t"],
            Link = new LinkSpec("custom", 100, 0, 1),
            DramChannels = [new DramChannel("c0", "custom", [new MeshPosition(0, 0)], 64, 10, 4), new DramChannel("c1", "custom", [new MeshPosition(1, 0)], 32, 10, 2)],
        };
        var r = new ResolvedPackage(pkg, [t], [0, 0]);
        Assert.Equal(96, r.TotalDramBandwidthGBps);
        Assert.Equal(6e9, r.TotalDramCapacityBytes);
        Assert.Equal(2 * 1024 * 2.0, r.PeakMacsPerNs(8));
        Assert.Equal(2 * 512 * 2.0, r.PeakMacsPerNs(16));
        Assert.Equal(new MeshPosition(1, 0), pkg.PositionOf(1));
    }
}
