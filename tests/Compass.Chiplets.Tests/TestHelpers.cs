using Compass.Abstractions.Hardware;
using Compass.Chiplets.Building;
using Compass.Chiplets.Catalog;

namespace Compass.Chiplets.Tests;

internal static class TestHelpers
{
    /// <summary>Peak tera-operations per second of a package at <paramref name="bits"/>: Σ MACs × 2 × clock.</summary>
    public static double PackagePeakTops(PackageDescription package, int bits = 8) =>
        PackageBuilder.Resolve(package, ChipletCatalog.ByName).PeakMacsPerNs(bits) * 2.0 / 1000.0;

    public static void WithinRelative(double expected, double actual, double relative)
    {
        var error = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(error <= relative, $"expected {expected} within {relative:P1}, got {actual} ({error:P2} off)");
    }

    /// <summary>Contents equality of two packages (records compare lists by reference).</summary>
    public static void SameContents(PackageDescription expected, PackageDescription actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.MeshWidth, actual.MeshWidth);
        Assert.Equal(expected.MeshHeight, actual.MeshHeight);
        Assert.Equal(expected.Slots, actual.Slots);
        Assert.Equal(expected.Link, actual.Link);
        Assert.Equal(expected.DramChannels.Count, actual.DramChannels.Count);
        for (var i = 0; i < expected.DramChannels.Count; i++)
        {
            var e = expected.DramChannels[i];
            var a = actual.DramChannels[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Kind, a.Kind);
            Assert.Equal(e.AttachedRouters, a.AttachedRouters);
            Assert.Equal(e.BandwidthGBps, a.BandwidthGBps);
            Assert.Equal(e.EnergyPjPerBit, a.EnergyPjPerBit);
            Assert.Equal(e.CapacityGB, a.CapacityGB);
        }
    }

    /// <summary>Contents equality of two chiplet types.</summary>
    public static void SameContents(ChipletType expected, ChipletType actual)
    {
        Assert.Equal(expected with { Precisions = [], Buffers = [] }, actual with { Precisions = [], Buffers = [] }, new ChipletTypeScalarComparer());
        Assert.Equal(expected.Precisions, actual.Precisions);
        Assert.Equal(expected.Buffers, actual.Buffers);
    }

    private sealed class ChipletTypeScalarComparer : IEqualityComparer<ChipletType>
    {
        public bool Equals(ChipletType? x, ChipletType? y) =>
            x is not null && y is not null
            && x.Name == y.Name && x.Description == y.Description && x.Source == y.Source && x.Dataflow == y.Dataflow
            && x.PeArrayRows == y.PeArrayRows && x.PeArrayColumns == y.PeArrayColumns && x.MacsPerPe == y.MacsPerPe
            && x.ClockGHz.Equals(y.ClockGHz) && x.VectorOpsPerCycle == y.VectorOpsPerCycle
            && x.VectorEnergyPerOpPj.Equals(y.VectorEnergyPerOpPj) && x.StaticPowerW.Equals(y.StaticPowerW)
            && x.AreaMm2.Equals(y.AreaMm2) && x.ProcessNm == y.ProcessNm;

        public int GetHashCode(ChipletType obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
