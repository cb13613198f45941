using Compass.Chiplets.Catalog;

namespace Compass.Chiplets.Tests.Catalog;

public sealed class PresetPeakTests
{
    [Fact]
    public void SimbaChipletPeakIsPublishedFourTops()
    {
        // JSSC 2020 abstract: 4.01 TOPS per chiplet; 1024 MACs x 2 x clock.
        TestHelpers.WithinRelative(4.01, ChipletCatalog.Simba.PeakTops, 0.02);
        Assert.Equal(1024, ChipletCatalog.Simba.MacsPerCycle);
        TestHelpers.WithinRelative(1.958, ChipletCatalog.Simba.ClockGHz, 0.001);
    }

    [Fact]
    public void Simba6x6PeakIsPublished128Tops()
    {
        var tops = TestHelpers.PackagePeakTops(PackagePresets.Simba6x6);
        TestHelpers.WithinRelative(127.8, tops, 0.02);
        TestHelpers.WithinRelative(128.0, tops, 0.02);
        Assert.Equal(36, PackagePresets.Simba6x6.ChipletCount);
    }

    [Theory]
    [InlineData("compass-6x6-os")]
    [InlineData("compass-6x6-ws")]
    [InlineData("compass-6x6-hetero")]
    public void Compass6x6PeakIs36Times1024MacsAtOneGigahertz(string name)
    {
        // 36 x 1024 x 2 x 1 GHz = 73.728 TOPS.
        var tops = TestHelpers.PackagePeakTops(PackagePresets.ByName[name]);
        Assert.Equal(73.728, tops, 9);
    }

    [Fact]
    public void A100SingleMatchesPublishedInt8AndBf16Peaks()
    {
        TestHelpers.WithinRelative(624, TestHelpers.PackagePeakTops(PackagePresets.A100Single, 8), 0.02);
        TestHelpers.WithinRelative(312, TestHelpers.PackagePeakTops(PackagePresets.A100Single, 16), 0.02);
        TestHelpers.WithinRelative(624, TestHelpers.PackagePeakTops(PackagePresets.A100Single80, 8), 0.02);
    }

    [Fact]
    public void H100SingleMatchesPublishedInt8AndBf16Peaks()
    {
        TestHelpers.WithinRelative(1979, TestHelpers.PackagePeakTops(PackagePresets.H100Single, 8), 0.02);
        TestHelpers.WithinRelative(989, TestHelpers.PackagePeakTops(PackagePresets.H100Single, 16), 0.02);
        // No INT4 tensor path: 4-bit falls back to the 8-bit rate.
        TestHelpers.WithinRelative(1979, TestHelpers.PackagePeakTops(PackagePresets.H100Single, 4), 0.02);
    }

    [Theory]
    [InlineData("a100-single", 1555.0, 40.0)]
    [InlineData("a100-80gb-single", 2039.0, 80.0)]
    [InlineData("h100-single", 3350.0, 80.0)]
    public void GpuPresetsCarryPublishedMemoryBandwidthAndCapacity(string name, double bandwidthGBps, double capacityGB)
    {
        var package = PackagePresets.ByName[name];
        Assert.Equal(bandwidthGBps, package.DramChannels.Sum(c => c.BandwidthGBps), 6);
        Assert.Equal(capacityGB, package.DramChannels.Sum(c => c.CapacityGB), 6);
    }

    [Theory]
    [InlineData("tpu-8x8")]
    [InlineData("tpu-16x16")]
    [InlineData("tpu-32x32")]
    [InlineData("ascend-8x8")]
    [InlineData("ascend-16x16")]
    [InlineData("ascend-32x32")]
    [InlineData("tesla-8x8")]
    [InlineData("tesla-16x16")]
    [InlineData("tesla-32x32")]
    public void BudgetMeshesHoldTheSameMillionMacs(string name)
    {
        // docs/reference/compass-method.md 9.3: the 2048-TOPS budget is 1,048,576 MACs whichever mesh; label ~ 2 x MACs x 1 GHz.
        var tops = TestHelpers.PackagePeakTops(PackagePresets.ByName[name]);
        Assert.Equal(2 * 1_048_576 / 1000.0, tops, 9);
        TestHelpers.WithinRelative(2048, tops, 0.025);
    }

    [Fact]
    public void MixtralCheckerboardIsTheFiveHundredTwelveTopsBudget()
    {
        // 64 chiplets x 4096 MACs x 2 x 1 GHz = 524.288 TOPS (the "512 TOPS" budget label).
        Assert.Equal(524.288, TestHelpers.PackagePeakTops(PackagePresets.Mixtral8x8Hetero), 9);
    }

    [Theory]
    [InlineData("tpu-like", 32, 32, 1, 64, 64, 1, 128, 128, 1)]
    [InlineData("ascend-like", 16, 16, 4, 16, 16, 16, 32, 32, 16)]
    [InlineData("tesla-like", 32, 8, 4, 64, 8, 8, 128, 16, 8)]
    public void TemplateTypesUsePublishedArrayShapes(string family, int r1, int c1, int m1, int r4, int c4, int m4, int r16, int c16, int m16)
    {
        var expected = new[] { (r1, c1, m1, 1024, 2), (r4, c4, m4, 4096, 8), (r16, c16, m16, 16384, 32) };
        var suffixes = new[] { "1k", "4k", "16k" };
        for (var i = 0; i < 3; i++)
        {
            var t = ChipletCatalog.ByName[$"{family}-{suffixes[i]}"];
            Assert.Equal((expected[i].Item1, expected[i].Item2, expected[i].Item3), (t.PeArrayRows, t.PeArrayColumns, t.MacsPerPe));
            Assert.Equal(expected[i].Item4, t.MacsPerCycle);
            Assert.Equal(expected[i].Item5 * 1024L * 1024, t.GlobalBufferBytes);
            Assert.Equal(1.0, t.ClockGHz);
            Assert.Equal(0.04, t.Precisions[0].EnergyPerMacPj);
        }
    }

    [Fact]
    public void EyerissAndNvdlaLikeHavePublishedShapes()
    {
        var eyeriss = ChipletCatalog.EyerissLike;
        Assert.Equal(168, eyeriss.MacsPerCycle);
        Assert.Equal(108 * 1024, eyeriss.GlobalBufferBytes);
        Assert.Equal(0.208, eyeriss.Precisions[0].EnergyPerMacPj);
        Assert.Equal(65, eyeriss.ProcessNm);
        Assert.Equal(0.0672, eyeriss.PeakTops, 9);

        var nvdla = ChipletCatalog.NvdlaLike;
        Assert.Equal(1024, nvdla.MacsPerCycle);
        Assert.Equal(0.018, nvdla.Precisions[0].EnergyPerMacPj);
        // Gemini 'ul3': 0.217125 pJ/bit per MB, linear in size: 2 MB x 8 bit = 3.474 pJ/B.
        Assert.Equal(3.474, nvdla.Buffers[^1].ReadEnergyPjPerByte, 9);
    }
}
