using Compass.Abstractions.Hardware;
using Compass.Chiplets.Building;

namespace Compass.Chiplets.Catalog;

/// <summary>
/// The built-in package presets (docs/reference/compass-method.md §9, docs/reference/hardware.md §5–§8). Slot lists are row-major; DRAM channels
/// sit on the left and right edges unless said otherwise.
/// </summary>
public static class PackagePresets
{
    private const string CompassNopDram =
        "NoP: lllbbbyyy/Compass config/hardware_{os,ws,he}.json nop_bw 128 B/cycle per link and direction, read as 128 GB/s at 1 GHz, 2 pJ/bit per hop, no per-hop latency (src/noc.cpp, createNoC) [verified]; "
        + "DRAM: dram_num 4 channels x dram_bw 64 B/cycle = 64 GB/s at 1 GHz, 10.5 pJ/bit GDDR6X; floor(4/2) = 2 on the right column and 2 on the left, each serving 3 contiguous rows (docs/reference/formulas.md 9) [verified]; 4 GB per channel is our choice [assumption]";

    /// <summary>Published Compass 6 × 6 package, 36 output-stationary chiplets.</summary>
    public static PackageDescription Compass6x6Os { get; } = Compass6x6(
        "compass-6x6-os", PackageBuilder.Homogeneous(6, 6, ChipletCatalog.CompassOs.Name),
        "Published Compass 6x6 setup: 36 output-stationary chiplets (1024 MACs, 2 MB), 73.7 TOPS; NoP 128 GB/s; 4 GDDR6X channels of 64 GB/s on the left and right edges",
        "config/hardware_os.json (36 x 'os') [verified]");

    /// <summary>Published Compass 6 × 6 package, 36 weight-stationary chiplets.</summary>
    public static PackageDescription Compass6x6Ws { get; } = Compass6x6(
        "compass-6x6-ws", PackageBuilder.Homogeneous(6, 6, ChipletCatalog.CompassWs.Name),
        "Published Compass 6x6 setup: 36 weight-stationary chiplets (1024 MACs, 2 MB), 73.7 TOPS; NoP 128 GB/s; 4 GDDR6X channels of 64 GB/s on the left and right edges",
        "config/hardware_ws.json (36 x 'ws') [verified]");

    /// <summary>Published Compass 6 × 6 heterogeneous package: 18 output-stationary chiplets in rows 0–2, 18 weight-stationary in rows 3–5.</summary>
    public static PackageDescription Compass6x6Hetero { get; } = Compass6x6(
        "compass-6x6-hetero",
        PackageBuilder.Halves(6, 6, ChipletCatalog.CompassOs.Name, ChipletCatalog.CompassWs.Name, HalfSplit.TopBottom),
        "Published Compass 6x6 heterogeneous setup: 18 output-stationary chiplets (rows 0-2) + 18 weight-stationary (rows 3-5), 73.7 TOPS",
        "config/hardware_he.json: 18 OS + 18 WS, one type in the top half of the list and the other in the bottom half [verified]; list order = row-major slots, so the halves are rows 0-2 and 3-5 [computed]");

    /// <summary>NVIDIA Simba 36-chiplet package at its published operating point (127.8 TOPS) with GRS links.</summary>
    public static PackageDescription Simba6x6 { get; } = PackageBuilder.Create(
        "simba-6x6", 6, 6, PackageBuilder.Homogeneous(6, 6, ChipletCatalog.SimbaPackage.Name),
        LinkKinds.Grs.ToSpec(),
        PackageBuilder.DramOnEdges(6, 6, 4, MemoryKinds.Gddr6x),
        "NVIDIA Simba: 6x6 mesh of 36 chiplets, 127.8 TOPS, ground-referenced signaling links (100 GB/s, ~20 ns, 0.58 pJ/bit); 4 GDDR6X channels of 64 GB/s on the left and right edges",
        "Shao et al. MICRO 2019, Zimmer et al. JSSC 2020: 36 chiplets, 6x6 [secondary], 127.8 TOPS [verified]; link: LinkKinds.Grs; "
        + "Simba's prototype has no package DRAM, so the memory follows the published Compass setup (4 x 64 GB/s GDDR6X, 4 GB each) [assumption]");

    /// <summary>8 × 8 mesh of 16,384-MAC TPU-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Tpu8x8 { get; } = BudgetMesh("tpu-8x8", 8, ChipletCatalog.TpuLike16k);

    /// <summary>16 × 16 mesh of 4,096-MAC TPU-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Tpu16x16 { get; } = BudgetMesh("tpu-16x16", 16, ChipletCatalog.TpuLike4k);

    /// <summary>32 × 32 mesh of 1,024-MAC TPU-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Tpu32x32 { get; } = BudgetMesh("tpu-32x32", 32, ChipletCatalog.TpuLike1k);

    /// <summary>8 × 8 mesh of 16,384-MAC Ascend-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Ascend8x8 { get; } = BudgetMesh("ascend-8x8", 8, ChipletCatalog.AscendLike16k);

    /// <summary>16 × 16 mesh of 4,096-MAC Ascend-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Ascend16x16 { get; } = BudgetMesh("ascend-16x16", 16, ChipletCatalog.AscendLike4k);

    /// <summary>32 × 32 mesh of 1,024-MAC Ascend-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Ascend32x32 { get; } = BudgetMesh("ascend-32x32", 32, ChipletCatalog.AscendLike1k);

    /// <summary>8 × 8 mesh of 16,384-MAC Tesla-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Tesla8x8 { get; } = BudgetMesh("tesla-8x8", 8, ChipletCatalog.TeslaLike16k);

    /// <summary>16 × 16 mesh of 4,096-MAC Tesla-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Tesla16x16 { get; } = BudgetMesh("tesla-16x16", 16, ChipletCatalog.TeslaLike4k);

    /// <summary>32 × 32 mesh of 1,024-MAC Tesla-like chiplets (2,048-TOPS budget).</summary>
    public static PackageDescription Tesla32x32 { get; } = BudgetMesh("tesla-32x32", 32, ChipletCatalog.TeslaLike1k);

    /// <summary>8 × 8 heterogeneous package for Mixtral: a checkerboard of 4,096-MAC TPU-like and Ascend-like chiplets (512-TOPS budget).</summary>
    public static PackageDescription Mixtral8x8Hetero { get; } = PackageBuilder.Create(
        "mixtral-8x8-hetero", 8, 8,
        PackageBuilder.Checkerboard(8, 8, ChipletCatalog.TpuLike4k.Name, ChipletCatalog.AscendLike4k.Name),
        LinkKinds.CompassSimba.ToSpec(),
        PackageBuilder.DramOnEdges(8, 8, 8, MemoryKinds.Hbm3, bandwidthGBpsPerChannel: MemoryKinds.Hbm3.BandwidthGBpsPerDevice / 2, capacityGBPerChannel: MemoryKinds.Hbm3.CapacityGBPerDevice / 2),
        "8x8 heterogeneous: checkerboard of tpu-like-4k (x + y even) and ascend-like-4k (odd), 524 TOPS; NoP 128 GB/s; 4 HBM3 stacks as 8 half-stack channels (409.6 GB/s, 8 GB) on the left and right edges",
        "mesh 8x8 with 4,096-MAC chiplets = the 512-TOPS budget pairing (docs/reference/compass-method.md 9.3) [computed]; the checkerboard of TPU-like and Ascend-like types is our choice [assumption]; "
        + "NoP as the published Compass (LinkKinds.CompassSimba) [verified]; HBM3 per MemoryKinds.Hbm3, 4 stacks (2 per side) each split into 2 channels [assumption]");

    /// <summary>A100-SXM-40GB-class single die with its HBM2 as 5 channels (1,555 GB/s, 40 GB).</summary>
    public static PackageDescription A100Single { get; } = Gpu(
        "a100-single", ChipletCatalog.A100Like, MemoryKinds.Hbm2, 5, 1555.0 / 5, 8.0,
        "A100 SXM 40 GB class: one a100-like die, 5 HBM2 stacks = 1555 GB/s, 40 GB",
        "docs/reference/hardware.md 8: 40 GB HBM2, 1,555 GB/s (cli99/llm-analysis a100-sxm-40gb.json) [secondary]; 5 active stacks [unverified] (311 GB/s and 8 GB each [computed]) as one interleaved channel; HBM2 energy per MemoryKinds.Hbm2");

    /// <summary>A100-SXM-80GB-class single die with its HBM2E as 5 channels (2,039 GB/s, 80 GB).</summary>
    public static PackageDescription A100Single80 { get; } = Gpu(
        "a100-80gb-single", ChipletCatalog.A100Like, MemoryKinds.Hbm2e, 5, 2039.0 / 5, 16.0,
        "A100 SXM 80 GB class: one a100-like die, 5 HBM2E stacks = 2039 GB/s, 80 GB",
        "docs/reference/hardware.md 8: 80 GB HBM2e, 2,039 GB/s (llm-analysis a100-sxm-80gb.json) [secondary]; 5 active stacks [unverified] (407.8 GB/s and 16 GB each [computed]) as one interleaved channel; HBM2E energy per MemoryKinds.Hbm2e");

    /// <summary>A100-PCIe-80GB-class single die with its HBM2E as one interleaved channel (1,935 GB/s, 80 GB).</summary>
    public static PackageDescription A100Pcie80 { get; } = Gpu(
        "a100-80gb-pcie-single", ChipletCatalog.A100PcieLike, MemoryKinds.Hbm2e, 5, 1935.0 / 5, 16.0,
        "A100 PCIe 80 GB class: one a100-pcie-like die (300 W, base clock under tensor load), 5 HBM2E stacks = 1935 GB/s, 80 GB",
        "NVIDIA A100 80GB PCIe product brief (PB-10577-001): 80 GB HBM2e, 1,935 GB/s [secondary]; 5 active stacks [unverified] (387 GB/s and 16 GB each [computed]) as one interleaved channel; HBM2E energy per MemoryKinds.Hbm2e");

    /// <summary>H100-SXM-class single die with its HBM3 as 5 channels (3,350 GB/s, 80 GB).</summary>
    public static PackageDescription H100Single { get; } = Gpu(
        "h100-single", ChipletCatalog.H100Like, MemoryKinds.Hbm3, 5, 3350.0 / 5, 16.0,
        "H100 SXM class: one h100-like die, 5 HBM3 stacks = 3350 GB/s, 80 GB",
        "docs/reference/hardware.md 8: 80 GB HBM3, 3,350 GB/s (llm-analysis h100-sxm-80gb.json) [secondary]; 5 active stacks [unverified] (670 GB/s and 16 GB each [computed]) as one interleaved channel; HBM3 energy per MemoryKinds.Hbm3");

    /// <summary>Every built-in package preset.</summary>
    public static IReadOnlyList<PackageDescription> All { get; } =
    [
        Compass6x6Os, Compass6x6Ws, Compass6x6Hetero, Simba6x6,
        Tpu8x8, Tpu16x16, Tpu32x32, Ascend8x8, Ascend16x16, Ascend32x32, Tesla8x8, Tesla16x16, Tesla32x32,
        Mixtral8x8Hetero, A100Single, A100Single80, A100Pcie80, H100Single,
    ];

    /// <summary>The presets keyed by name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, PackageDescription> ByName { get; } =
        All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static PackageDescription Compass6x6(string name, string[] slots, string description, string sourceDetail) =>
        PackageBuilder.Create(
            name, 6, 6, slots,
            LinkKinds.CompassSimba.ToSpec(),
            PackageBuilder.DramOnEdges(6, 6, 4, MemoryKinds.Gddr6x),
            description,
            "Li et al., Compass, arXiv 2512.06093; lllbbbyyy/Compass " + sourceDetail + "; 36 chiplets on a 6x6 mesh, 1024 MACs and 2048 KB each [verified]; " + CompassNopDram);

    private static PackageDescription BudgetMesh(string name, int side, ChipletType chiplet)
    {
        // One HBM3 stack per 4 edge routers of each side: 4 / 8 / 16 stacks for 8 / 16 / 32 rows, each stack split into
        // two half-stack channels, so every channel serves 2 contiguous rows.
        var stacks = side / 2;
        var channels = stacks * 2;
        var hbm = MemoryKinds.Hbm3;
        var totalTops = chiplet.PeakTops * side * side;
        return PackageBuilder.Create(
            name, side, side, PackageBuilder.Homogeneous(side, side, chiplet.Name),
            LinkKinds.CompassSimba.ToSpec(),
            PackageBuilder.DramOnEdges(side, side, channels, hbm, bandwidthGBpsPerChannel: hbm.BandwidthGBpsPerDevice / 2, capacityGBPerChannel: hbm.CapacityGBPerDevice / 2),
            $"{side}x{side} mesh of {chiplet.Name} ({chiplet.MacsPerCycle} MACs, {chiplet.GlobalBufferBytes / (1024 * 1024)} MB), {totalTops:0} TOPS; NoP 128 GB/s; {stacks} HBM3 stacks as {channels} channels of {hbm.BandwidthGBpsPerDevice / 2:0.#} GB/s on the left and right edges ({stacks * hbm.BandwidthGBpsPerDevice / 1000:0.##} TB/s, {stacks * hbm.CapacityGBPerDevice:0} GB)",
            $"2048-TOPS budget of the published Compass v3 sweep: {side}x{side} paired with {chiplet.MacsPerCycle}-MAC chiplets, 1,048,576 MACs in total (docs/reference/compass-method.md 9.3) [verified/computed]; "
            + "NoP as the published Compass (LinkKinds.CompassSimba) [verified]; memory: HBM3 per MemoryKinds.Hbm3, side/2 stacks (one per 4 edge routers) each split into 2 channels on the left and right edges [assumption]");
    }

    /// <summary>
    /// Fraction of peak HBM bandwidth streaming operators reach on an A100: Vidur's measured single-token Llama-2-7B
    /// GEMMs move their weights at 76-79 % of 2,039 GB/s (tests/Compass.CostModels.Tests/Measured/README.md; e.g. the fused QKV
    /// projection, 100.7 MB in 65 µs = 1.55 TB/s) [computed from measurements]; taken for every GPU preset.
    /// </summary>
    public const double GpuHbmAchievableFraction = 0.775;

    private static PackageDescription Gpu(string name, ChipletType die, MemoryKind memory, int channels, double bandwidthGBps, double capacityGB, string description, string source)
    {
        // The stacks sit behind one memory controller complex whose addresses interleave over all of them, so they are
        // one channel of the stacks' total bandwidth and capacity (a traffic policy that prefers one channel per chiplet
        // would otherwise use a single stack).
        var package = PackageBuilder.Create(
            name, 1, 1, [die.Name],
            new LinkSpec("nvlink", 300.0, 0.0, 1.3),
            PackageBuilder.DramAt([[new MeshPosition(0, 0)]], memory, bandwidthGBps * channels, capacityGB * channels),
            description,
            source + "; achievable HBM bandwidth 77.5 % of peak (Vidur A100 single-token GEMMs reach 76-79 %) [computed from measurements; assumption for other GPUs]"
            + "; a 1x1 mesh has no NoP hops, the link (NVLink 300 GB/s per direction [secondary], 1.3 pJ/bit NVLink-C2C [secondary]) is never used");
        var achievable = new List<DramChannel>(package.DramChannels.Count);
        foreach (var c in package.DramChannels) achievable.Add(c with { AchievableFraction = GpuHbmAchievableFraction });
        return package with { DramChannels = achievable };
    }
}
