using Compass.Abstractions.Hardware;
using Compass.Chiplets.Catalog;
using Compass.Scenarios.Presets;

namespace Compass.Chiplets.Tests.Catalog;

public sealed class ChipletCatalogTests
{
    [Fact]
    public void EveryCatalogTypeValidatesAndCitesASource()
    {
        Assert.Equal(ChipletCatalog.All.Count, ChipletCatalog.ByName.Count);
        foreach (var t in ChipletCatalog.All)
        {
            HardwareResolver.ValidateChiplet(t, t.Name);
            Assert.False(string.IsNullOrWhiteSpace(t.Source), t.Name);
            Assert.False(string.IsNullOrWhiteSpace(t.Description), t.Name);
            Assert.Equal(8, t.Precisions[0].Bits);
            Assert.Equal("global", t.Buffers[^1].Name);
            Assert.Equal("all", t.Buffers[^1].Holds);
        }
    }

    [Fact]
    public void SimbaEnergiesSumToPublishedChipLevelEnergyPerMac()
    {
        // JSSC 2020: 0.11 pJ/op = 0.22 pJ per INT8 MAC including buffers and NoC.
        Assert.Equal(0.22, ChipletCatalog.ReferenceEnergyPerMacPj(ChipletCatalog.Simba), 12);
        Assert.Equal(0.22, ChipletCatalog.ReferenceEnergyPerMacPj(ChipletCatalog.SimbaPackage), 12);
        // Hand-computed 45 nm reference: 0.315 + 0.260/64 + 0.080/512 + (3.09 + 2.88)/8 + 1.25/8 + 2.5/8 + 51.87/2048.
        var e45 = 0.315 + (0.260 / 64) + (0.080 / 512) + ((3.09 + 2.88) / 8) + (1.25 / 8) + (2.5 / 8) + (51.87 / 2048);
        Assert.Equal(e45, ChipletCatalog.Simba45nmReferenceEnergyPerMacPj, 12);
        Assert.Equal(0.22 / e45, ChipletCatalog.SimbaNodeScale, 12);
        // The scale is a plausible 45 nm -> 16 nm energy reduction (between 3x and 10x).
        Assert.InRange(ChipletCatalog.SimbaNodeScale, 0.1, 0.33);
        // MAC energy alone stays below the chip-level total, buffers take the rest.
        Assert.InRange(ChipletCatalog.Simba.Precisions[0].EnergyPerMacPj, 0.02, 0.22);
    }

    [Fact]
    public void CompassTemplateEnergiesArePerAccessOverPortBytes()
    {
        var os = ChipletCatalog.CompassOs;
        Assert.Equal(Dataflow.OutputStationary, os.Dataflow);
        Assert.Equal(Dataflow.WeightStationary, ChipletCatalog.CompassWs.Dataflow);
        Assert.Equal((32, 32, 1024), (os.PeArrayRows, os.PeArrayColumns, os.MacsPerCycle));
        Assert.Equal(2L * 1024 * 1024, os.GlobalBufferBytes);
        Assert.Equal(0.009, os.Precisions[0].EnergyPerMacPj);
        Assert.Equal(0.0873, os.VectorEnergyPerOpPj);
        Assert.Equal(1.0, os.ClockGHz);
        var byName = os.Buffers.ToDictionary(b => b.Name);
        Assert.Equal(2.08 / 128, byName["global"].ReadEnergyPjPerByte, 12);
        Assert.Equal(2.25 / 128, byName["global"].WriteEnergyPjPerByte, 12);
        Assert.Equal(128, byName["global"].BandwidthBytesPerCycle);
        Assert.Equal(0.56 / 32, byName["weight"].ReadEnergyPjPerByte, 12);
        Assert.Equal(1.04 / 32, byName["input"].ReadEnergyPjPerByte, 12);
        Assert.Equal(0.67 / 32, byName["accumulator"].WriteEnergyPjPerByte, 12);
        Assert.Equal(0.009, byName["register"].ReadEnergyPjPerByte, 12);
        Assert.Equal("outputs", byName["register"].Holds);
        Assert.Equal("weights", ChipletCatalog.CompassWs.Buffers[0].Holds);
    }

    [Fact]
    public void NoSingleBufferInstanceIsLargerThanTheGlobalBuffer()
    {
        foreach (var t in ChipletCatalog.All)
            foreach (var b in t.Buffers)
                Assert.True(b.CapacityBytes <= t.GlobalBufferBytes, $"{t.Name}: {b.Name} is larger than the global buffer");
    }

    [Fact]
    public void SixteenBitRunsAtHalfRateAndFourBitAtDoubleRate()
    {
        var t = ChipletCatalog.TpuLike1k;
        Assert.Equal(1024, t.RateFor(8).MacsPerCycle);
        Assert.Equal(512, t.RateFor(16).MacsPerCycle);
        Assert.Equal(2048, t.RateFor(4).MacsPerCycle);
        // Same energy per cycle at every precision.
        foreach (var p in t.Precisions)
            Assert.Equal(1024 * 0.04, p.MacsPerCycle * p.EnergyPerMacPj, 12);
        // A 12-bit request uses the narrowest wider precision (16-bit).
        Assert.Equal(16, t.RateFor(12).Bits);
    }

    [Fact]
    public void LinkAndMemoryKindsCarryPublishedEnergies()
    {
        Assert.Equal(2.0, LinkKinds.CompassSimba.EnergyPjPerBit);
        Assert.Equal(0.0, LinkKinds.CompassSimba.HopLatencyNs);
        Assert.Equal(0.6, LinkKinds.UcieStandard.EnergyPjPerBit);
        Assert.Equal(0.3, LinkKinds.UcieAdvanced.EnergyPjPerBit);
        Assert.Equal(2.4, LinkKinds.SerdesOrganic.EnergyPjPerBit);
        Assert.InRange(LinkKinds.Grs.EnergyPjPerBit, 0.54, 1.17);
        Assert.Equal(10.5, MemoryKinds.Gddr6x.EnergyPjPerBit);
        Assert.Equal(5.5, MemoryKinds.Hbm3.EnergyPjPerBit);
        Assert.Same(LinkKinds.UcieAdvanced, LinkKinds.Find("UCIE-ADVANCED"));
        Assert.Same(MemoryKinds.Hbm2e, MemoryKinds.Find("hbm2e"));
        Assert.Null(LinkKinds.Find("optical"));
        Assert.Equal(new LinkSpec("ucie-advanced", 512, 2.0, 0.3), LinkKinds.UcieAdvanced.ToSpec(512));
        foreach (var k in LinkKinds.All) Assert.False(string.IsNullOrWhiteSpace(k.Source));
        foreach (var k in MemoryKinds.All) Assert.False(string.IsNullOrWhiteSpace(k.Source));
    }
}

/// <summary>
/// The shipped catalog says where its figures come from: every chiplet type's, package preset's, memory kind's and link
/// kind's source carries evidence tags, and the GPU entries' figures that are assumed rather than published are tagged
/// <c>[assumption]</c> where they are stated (static power, cache and register bandwidths, the element-wise launch
/// overhead, the PCIe card's clock under tensor load, the achievable HBM fraction and the kernel fixed time taken for
/// other GPUs); the PCIe card's base clock is not in docs/reference/hardware.md and stays <c>[unverified]</c>.
/// </summary>
public class CatalogEvidenceTagTests
{
    private static readonly string[] Tags = ["[verified", "[secondary", "[unverified", "[computed", "[measured", "[assumption", "[published"];

    public static TheoryData<string, string> Sources()
    {
        var data = new TheoryData<string, string>();
        foreach (var t in ChipletCatalog.All) data.Add("chiplet " + t.Name, t.Source);
        foreach (var p in PackagePresets.All) data.Add("package " + p.Name, p.Source);
        foreach (var m in MemoryKinds.All) data.Add("memory " + m.Name, m.Source);
        foreach (var l in LinkKinds.All) data.Add("link " + l.Name, l.Source);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void EverySourceCarriesEvidenceTags(string what, string source)
    {
        Assert.False(string.IsNullOrWhiteSpace(source), what + " has no source");
        Assert.True(Tags.Any(t => source.Contains(t, StringComparison.Ordinal)), $"{what}: no evidence tag in '{source}'");
    }

    [Theory]
    [InlineData("a100-like", "static power 100 W = 25% of the 400 W TDP [assumption]")]
    [InlineData("a100-like", "register file 384 B/cycle per sub-partition (3 operands x 32 lanes x 4 B) [assumption]")]
    [InlineData("a100-like", "element-wise as softmax [assumption]")]
    [InlineData("a100-like", "the 1-token residual add (24 KB), takes 0.002 ms [measured]")]
    [InlineData("a100-pcie-like", "base clock 1,065 MHz, the clock NVIDIA guarantees at TDP (product brief; nvidia-smi 'tdp' application clock) [unverified]")]
    [InlineData("h100-like", "the same launch path and a kernel start of the same order) [assumption]")]
    [InlineData("a100-pcie-like", "so it runs at the base clock, not the boost clock [assumption]")]
    [InlineData("a100-pcie-like", "static power 75 W = 25% of the 300 W TDP [assumption]")]
    [InlineData("h100-like", "L1/shared 128 B/cycle per SM and L2 5,120 B/cycle as on the A100 [assumption]")]
    [InlineData("h100-like", "static power 175 W = 25% of the 700 W TDP [assumption]")]
    public void AssumedGpuFiguresAreTaggedAsAssumed(string type, string clause)
    {
        Assert.Contains(clause, ChipletCatalog.ByName[type].Source, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAchievableHbmFractionIsTaggedAsMeasuredOnTheA100AndAssumedElsewhere()
    {
        foreach (var p in new[] { PackagePresets.A100Single, PackagePresets.A100Single80, PackagePresets.A100Pcie80, PackagePresets.H100Single })
            Assert.Contains("[computed from measurements; assumption for other GPUs]", p.Source, StringComparison.Ordinal);
    }
}
