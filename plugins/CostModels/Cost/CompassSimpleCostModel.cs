using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;

namespace Compass.CostModels.Cost;

/// <summary>
/// The <c>compass-simple</c> cost model: the monetary cost of the published Compass code (lllbbbyyy/Compass
/// <c>src/model_engine.cpp</c>, <c>calcMonetaryCost</c>; initial GEMINI artifact b6fd522), docs/reference/hardware.md §9.4.
/// Bandwidths in that code are bytes per cycle with no clock; we read the package's GB/s as bytes/cycle at 1 GHz.
/// <list type="bullet">
/// <item>compute die (µm²) = [(SRAM bytes × 0.7712 + MACs × 57.9 + LR MACs × 463.2 + nop_bw × 16,781.312) × 2.2 +
/// 4 × (nop_bw/4 × 333) × 800] × 1.05 × 1.05 (the chiplet's <see cref="ChipletType.AreaMm2"/> wins when set);</item>
/// <item>IO die (µm²) = [DRAM_BW/44 × (6.53 mm² PHY + 0.0459 mm² controller) + 3 mm² × DRAM_BW/128 +
/// 333 × 800 × nop_bw/4 × mesh rows × 2] × 1.05 × 1.05, split over one die per DRAM channel for yield and wafer use;</item>
/// <item>yield 0.9^(A/40 mm²); silicon 0.084887 USD/mm² (compute), 0.056383 (IO), each divided by the wafer
/// utilisation of the die size; organic substrate 4 × total die area at 0.005 USD/mm² × 1.5 (≤ 30 × 30 mm²),
/// 2 (≤ 55 × 55) or 4; DRAM devices 3.5 USD per 44 GB/s (in the code part of the IO cost; reported here as memory).</item>
/// </list>
/// </summary>
public sealed class CompassSimpleCostModel : IPackageCostModel
{
    /// <summary>Compute silicon price, USD per mm².</summary>
    public const double ComputeUsdPerMm2 = 0.084887;

    /// <summary>IO silicon price, USD per mm².</summary>
    public const double IoUsdPerMm2 = 0.056383;

    /// <summary>Organic substrate price, USD per mm² (before the size factor).</summary>
    public const double SubstrateUsdPerMm2 = 0.005;

    /// <summary>DRAM device price, USD per 44 GB/s.</summary>
    public const double DramUsdPer44GBps = 3.5;

    /// <summary>Die yield 0.9^(A/40).</summary>
    public static double Yield(double areaMm2) => Math.Pow(0.9, areaMm2 / 40);

    /// <summary>Wafer utilisation by die area (published table).</summary>
    public static double WaferUtilisation(double areaMm2) => areaMm2 switch
    {
        <= 25 => 0.865,
        <= 50 => 0.859,
        <= 100 => 0.849,
        <= 200 => 0.815,
        <= 300 => 0.806,
        <= 400 => 0.792,
        <= 500 => 0.778,
        <= 600 => 0.764,
        _ => 0.743,
    };

    /// <summary>Substrate price factor by substrate area.</summary>
    public static double SubstrateFactor(double substrateMm2) => substrateMm2 <= 30.0 * 30 ? 1.5 : substrateMm2 <= 55.0 * 55 ? 2 : 4;

    /// <inheritdoc />
    public PackageCostReport Estimate(ResolvedPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var d = package.Description;
        var nopBw = d.Link.BandwidthGBps; // bytes/cycle at 1 GHz
        var dramBw = package.TotalDramBandwidthGBps;
        var dramCount = Math.Max(1, d.DramChannels.Count);

        double computeArea = 0, computeCost = 0;
        for (var slot = 0; slot < d.ChipletCount; slot++)
        {
            var t = package.TypeOf(slot);
            var area = t.AreaMm2 > 0 ? t.AreaMm2 : PublishedComputeDieMm2(t, nopBw);
            computeArea += area;
            computeCost += area / Yield(area) * ComputeUsdPerMm2 / WaferUtilisation(area);
        }

        var ioUm2 = dramBw / 44.0 * (6.53e6 + 510 * 1000 * 0.09) + 3e6 * dramBw / 128 + NopPhyArea(nopBw) * d.MeshHeight * 2;
        var ioArea = ioUm2 * DieAreaEstimator.ControlAndDftFactor / 1e6;
        var ioPerDie = ioArea / dramCount;
        var ioYield = Yield(ioPerDie);
        var ioCost = ioArea * IoUsdPerMm2 / WaferUtilisation(ioPerDie) / ioYield;
        var memoryCost = dramBw / 44.0 * DramUsdPer44GBps;
        var substrate = 4 * (computeArea + ioArea);
        var substrateCost = substrate * SubstrateFactor(substrate) * SubstrateUsdPerMm2;
        var details = new Dictionary<string, double>
        {
            ["ioDieYield"] = ioYield,
            ["ioDies"] = dramCount,
            ["substrateFactor"] = SubstrateFactor(substrate),
            ["costIoAsCodedUsd"] = ioCost + memoryCost,
        };
        if (d.ChipletCount > 0)
        {
            var first = package.TypeOf(0);
            var a = first.AreaMm2 > 0 ? first.AreaMm2 : PublishedComputeDieMm2(first, nopBw);
            details["firstComputeDieYield"] = Yield(a);
        }
        return new PackageCostReport(computeArea, ioArea, substrate, computeCost, ioCost, substrateCost, memoryCost, details);
    }

    /// <summary>The published compute-die formula (no node scaling), mm².</summary>
    public static double PublishedComputeDieMm2(ChipletType chiplet, double nopBytesPerCycle)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        var core = DieAreaEstimator.SramBytes(chiplet) * DieAreaEstimator.SramUm2PerByte
            + chiplet.MacsPerCycle * DieAreaEstimator.Int8MacUm2
            + chiplet.VectorOpsPerCycle * DieAreaEstimator.Fp16MacUm2
            + nopBytesPerCycle * DieAreaEstimator.RouterUm2PerBytePerCycle;
        var um2 = (core * DieAreaEstimator.PostLayoutFactor + NopPhyArea(nopBytesPerCycle) * 4) * DieAreaEstimator.ControlAndDftFactor;
        return um2 / 1e6;
    }

    private static double NopPhyArea(double nopBytesPerCycle) => nopBytesPerCycle / 4 * DieAreaEstimator.NopPhyLengthUm * DieAreaEstimator.NopPhyWidthUm;
}
