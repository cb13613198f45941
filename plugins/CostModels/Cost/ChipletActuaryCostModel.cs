using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.CostModels.Cost;

/// <summary>Packaging technology of the <c>chiplet-actuary</c> model (docs/reference/hardware.md §9.3).</summary>
public enum PackagingKind
{
    /// <summary>Dies flip-chipped on an organic substrate.</summary>
    OrganicSubstrate,

    /// <summary>Chip-last fan-out RDL on an organic substrate.</summary>
    FanOut,

    /// <summary>2.5D silicon interposer on an organic substrate.</summary>
    SiliconInterposer,
}

/// <summary>Options of the <c>chiplet-actuary</c> cost model.</summary>
/// <param name="Packaging">Packaging technology.</param>
/// <param name="NreVolume">Units over which NRE is amortised; 0 (default) leaves NRE out.</param>
/// <param name="IoProcessNm">Node of the I/O dies that host the DRAM PHYs.</param>
public sealed record ChipletActuaryOptions(PackagingKind Packaging = PackagingKind.OrganicSubstrate, double NreVolume = 0, int IoProcessNm = 12)
{
    /// <summary>Reads and validates the options section (keys: packaging, nreVolume, ioProcessNm).</summary>
    public static ChipletActuaryOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys("packaging", "nreVolume", "ioProcessNm");
        var packaging = section.GetChoice("packaging", "organic-substrate", "organic-substrate", "fan-out", "silicon-interposer") switch
        {
            "fan-out" => PackagingKind.FanOut,
            "silicon-interposer" => PackagingKind.SiliconInterposer,
            _ => PackagingKind.OrganicSubstrate,
        };
        return new ChipletActuaryOptions(packaging, section.GetDouble("nreVolume", 0, 0), section.GetInt32("ioProcessNm", 12, 3, 55));
    }
}

/// <summary>
/// The <c>chiplet-actuary</c> cost model: Gemini's current cost model, which follows Feng &amp; Ma, "Chiplet Actuary",
/// DAC 2022 (GEMINI-HPCA2024 <c>src/cost.cpp</c>, docs/reference/hardware.md §9.1–9.3): negative-binomial die yield with α = 10 and
/// D0 per node, dies per wafer with scribe and edge loss on a 300 mm wafer, known-good-die cost, organic / fan-out /
/// silicon-interposer packaging with bonding yields, memory devices, and optional NRE amortisation.
/// Die areas come from <see cref="ChipletType.AreaMm2"/> or <see cref="DieAreaEstimator"/>.
/// </summary>
public sealed class ChipletActuaryCostModel : IPackageCostModel
{
    private static readonly int[] Nodes = [3, 5, 7, 12, 14, 20, 28, 40, 55];
    private static readonly double[] WaferUsd = [30_000, 16_988, 9_346, 5_992, 3_984, 3_677, 2_891, 2_274, 1_937];
    private static readonly double[] DefectsPerCm2 = [0.20, 0.11, 0.09, 0.08, 0.08, 0.07, 0.07, 0.07, 0.07];
    private static readonly double[] NreUsd = [1.0e9, 5.42e8, 2.98e8, 1.74e8, 1.06e8, 7.0e7, 5.1e7, 3.8e7, 2.8e7];

    /// <summary>Negative-binomial clustering parameter ("critical level") for dies.</summary>
    public const double Alpha = 10;

    /// <summary>Wafer diameter, mm.</summary>
    public const double WaferDiameterMm = 300;

    /// <summary>Scribe line, mm.</summary>
    public const double ScribeMm = 0.2;

    /// <summary>Wafer edge loss, mm.</summary>
    public const double EdgeLossMm = 5;

    /// <summary>Creates the model.</summary>
    public ChipletActuaryCostModel(ChipletActuaryOptions? options = null) => Options = options ?? new ChipletActuaryOptions();

    /// <summary>The options.</summary>
    public ChipletActuaryOptions Options { get; }

    /// <summary>Index of the table node nearest to <paramref name="nm"/> (ties to the larger node).</summary>
    public static int NodeIndex(int nm)
    {
        var best = 0;
        for (var i = 1; i < Nodes.Length; i++)
            if (Math.Abs(Nodes[i] - nm) <= Math.Abs(Nodes[best] - nm)) best = i;
        return best;
    }

    /// <summary>Wafer cost at <paramref name="nm"/>, USD.</summary>
    public static double WaferCostUsd(int nm) => WaferUsd[NodeIndex(nm)];

    /// <summary>Defect density at <paramref name="nm"/>, per cm².</summary>
    public static double DefectDensityPerCm2(int nm) => DefectsPerCm2[NodeIndex(nm)];

    /// <summary>Negative-binomial yield Y = (1 + D0·A/α)^(−α), with D0 in per cm² and A in mm².</summary>
    public static double Yield(double areaMm2, double defectsPerCm2, double alpha = Alpha)
        => Math.Pow(1 + defectsPerCm2 / 100 * areaMm2 / alpha, -alpha);

    /// <summary>Dies per 300 mm wafer: π(D/2 − e)²/A′ − π(D − 2e)/√(2A′), A′ = (√A + s)².</summary>
    public static double DiesPerWafer(double areaMm2)
    {
        var a = Math.Pow(Math.Sqrt(areaMm2) + ScribeMm, 2);
        var r = WaferDiameterMm / 2 - EdgeLossMm;
        return Math.Max(0, Math.PI * r * r / a - Math.PI * (WaferDiameterMm - 2 * EdgeLossMm) / Math.Sqrt(2 * a));
    }

    /// <summary>Known-good-die cost: wafer cost / (dies per wafer × yield), USD.</summary>
    public static double KnownGoodDieCostUsd(double areaMm2, int nm)
    {
        var n = DiesPerWafer(areaMm2);
        if (n < 1) return double.PositiveInfinity;
        return WaferCostUsd(nm) / (n * Yield(areaMm2, DefectDensityPerCm2(nm)));
    }

    /// <inheritdoc />
    public PackageCostReport Estimate(ResolvedPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var d = package.Description;
        var details = new Dictionary<string, double>();
        double computeArea = 0, kgdCost = 0, rawCost = 0, nre = 0;
        var dies = 0;
        foreach (var type in package.ChipletTypes)
        {
            var count = 0;
            for (var s = 0; s < package.SlotTypeIndex.Length; s++) if (package.TypeOf(s) == type) count++;
            if (count == 0) continue;
            var area = DieAreaEstimator.ComputeDieMm2(type, d.Link.BandwidthGBps / type.ClockGHz);
            var y = Yield(area, DefectDensityPerCm2(type.ProcessNm));
            var n = DiesPerWafer(area);
            var kgd = KnownGoodDieCostUsd(area, type.ProcessNm);
            computeArea += area * count;
            kgdCost += kgd * count;
            rawCost += WaferCostUsd(type.ProcessNm) / Math.Max(n, 1) * count;
            dies += count;
            details[$"dieAreaMm2[{type.Name}]"] = area;
            details[$"yield[{type.Name}]"] = y;
            details[$"diesPerWafer[{type.Name}]"] = n;
            details[$"kgdCostUsd[{type.Name}]"] = kgd;
            var full = NreUsd[NodeIndex(type.ProcessNm)];
            nre += 0.5 * full / 300 * area + 0.3 * full / 300 * area + 0.2 * full;
        }

        // I/O dies: one per DRAM channel, carrying the channel's PHY (docs/reference/hardware.md §9.3 memory row).
        double ioArea = 0, ioCost = 0, memoryCost = 0;
        foreach (var ch in d.DramChannels)
        {
            var hbm = ch.Kind.Contains("hbm", StringComparison.OrdinalIgnoreCase);
            var phyUm2 = hbm ? 502_665 * ch.BandwidthGBps / 819 : 5_940 * 1_100 * ch.BandwidthGBps / 56;
            var area = phyUm2 * DieAreaEstimator.ControlAndDftFactor / 1e6;
            ioArea += area;
            ioCost += KnownGoodDieCostUsd(area, Options.IoProcessNm);
            memoryCost += hbm ? 320 * Math.Ceiling(ch.BandwidthGBps / 819) : 3.5 * Math.Ceiling(ch.BandwidthGBps / 56);
            dies++;
        }

        var totalDie = computeArea + ioArea;
        var substrate = 4.0 * totalDie;
        var substrateFactor = dies <= 1 ? 1.0 : substrate <= 17.0 * 17 ? 1.5 : substrate <= 30.0 * 30 ? 1.75 : 2.0;
        var substrateCost = 0.005 * substrate * substrateFactor;
        const double osBondYield = 0.99;
        double interposerCost = 0, interposerYield = 1, bondYield, bumpCost;
        switch (Options.Packaging)
        {
            case PackagingKind.FanOut:
            {
                var rdl = 1.2 * totalDie;
                interposerYield = Yield(rdl, 0.05, 3);
                interposerCost = 1_200 / Math.Max(DiesPerWafer(rdl), 1);
                bondYield = Math.Pow(0.98, dies);
                bumpCost = 0.005 * totalDie;
                break;
            }
            case PackagingKind.SiliconInterposer:
            {
                var si = 1.1 * totalDie;
                interposerYield = Yield(si, 0.06, 6);
                interposerCost = WaferCostUsd(55) / Math.Max(DiesPerWafer(si), 1);
                bondYield = Math.Pow(0.95, dies);
                bumpCost = 0.01 * totalDie;
                break;
            }
            default:
                bondYield = Math.Pow(osBondYield, dies);
                bumpCost = 0.005 * totalDie;
                break;
        }
        var y3 = Options.Packaging == PackagingKind.OrganicSubstrate ? 1.0 : osBondYield;
        var packageDefect = interposerCost * (1 / (interposerYield * bondYield * y3) - 1) + substrateCost * (1 / (Options.Packaging == PackagingKind.OrganicSubstrate ? bondYield : y3) - 1);
        var wastedDies = (kgdCost + ioCost) * (1 / (bondYield * y3) - 1);
        var packaging = substrateCost + bumpCost + interposerCost + packageDefect + wastedDies;
        var nrePerUnit = Options.NreVolume > 0 ? nre / Options.NreVolume : 0;

        details["rawComputeDieCostUsd"] = rawCost;
        details["bondingYield"] = bondYield;
        details["interposerYield"] = interposerYield;
        details["interposerCostUsd"] = interposerCost;
        details["wastedDieCostUsd"] = wastedDies;
        details["packageDefectCostUsd"] = packageDefect;
        details["substrateFactor"] = substrateFactor;
        details["nreUsdPerUnit"] = nrePerUnit;
        return new PackageCostReport(computeArea, ioArea, substrate, kgdCost + nrePerUnit, ioCost, packaging, memoryCost, details);
    }
}
