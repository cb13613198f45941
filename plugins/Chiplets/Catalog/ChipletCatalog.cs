using Compass.Abstractions.Hardware;

namespace Compass.Chiplets.Catalog;

/// <summary>
/// The built-in chiplet types, each grounded in a published design (docs/reference/hardware.md and
/// docs/reference/compass-method.md §9–§10). Every number is cited in the type's <see cref="ChipletType.Source"/>; evidence tags
/// ([verified], [secondary], [unverified], [computed], [assumption]) are kept.
/// </summary>
/// <remarks>
/// Conventions used by every entry unless its source says otherwise:
/// <list type="bullet">
/// <item>The first precision is the native 8-bit one. 16-bit runs at half the MAC rate on paired 8-bit units and
/// costs 2 × the 8-bit MAC energy; 4-bit runs at twice the rate at half the energy. Power per cycle is therefore the
/// same at every precision [assumption].</item>
/// <item>Per-byte buffer energies are the source's per-access energy divided by the port width in bytes; for a
/// port with a width range the widest width is used [computed].</item>
/// <item>A buffer's bandwidth is one access of its (widest) port per cycle per instance [assumption].</item>
/// <item>Static power is 0 where the source model has no leakage term (the published Compass code, ZigZag
/// templates, Gemini cores) and is then left to the cost model.</item>
/// </list>
/// </remarks>
public static class ChipletCatalog
{
    private const long KiB = 1024;
    private const long MiB = 1024 * 1024;

    /// <summary>Vector ("LR" special-function) energy per operation of the published Compass / Gemini code, pJ.</summary>
    public const double LrEnergyPerOpPj = 0.0873;

    /// <summary>Simba whole-chip energy per INT8 MAC including buffers and NoC: 0.11 pJ/op × 2 (JSSC 2020), pJ.</summary>
    public const double SimbaChipEnergyPerMacPj = 0.22;

    // --- Simba: Accelergy 45 nm ERT (timeloop-accelergy-exercises simba_like) and Horowitz 45 nm SRAM, per access.
    private const double SimbaMac45Pj = 0.315;
    private const double SimbaWeightRegisterRead45Pj = 0.260, SimbaWeightRegisterWrite45Pj = 0.080; // 512-bit access
    private const double SimbaAccumulatorRead45Pj = 3.09, SimbaAccumulatorWrite45Pj = 2.88;         // 24-bit access
    private const double SimbaGlobalRead45Pj = 51.87, SimbaGlobalWrite45Pj = 66.31;                 // 256-bit access
    private const double SimbaWeightBuffer45PjPerByte = 20.0 / 8.0;                                  // 32 KB SRAM, 64-bit read 20 pJ
    private const double SimbaInputBuffer45PjPerByte = 10.0 / 8.0;                                   // 8 KB SRAM, 64-bit read 10 pJ

    /// <summary>
    /// Reference access profile of one Simba INT8 MAC, bytes read and written per MAC at each buffer level: a
    /// weight-register read per MAC, registers refilled every 8 uses (weight reuse 8), inputs shared by the 8 vector
    /// MACs of a PE, one 24-bit accumulator read-modify-write per 8-wide dot product, and a global-buffer byte
    /// multicast to 64 MACs. Used to scale the 45 nm energies so the chiplet sums to the published 0.22 pJ/MAC.
    /// </summary>
    public static IReadOnlyList<(string Level, double ReadBytesPerMac, double WriteBytesPerMac)> SimbaReferenceProfile { get; } =
    [
        ("weight-register", 1.0, 1.0 / 8.0),
        ("accumulator", 3.0 / 8.0, 3.0 / 8.0),
        ("input", 1.0 / 8.0, 0.0),
        ("weight", 1.0 / 8.0, 0.0),
        ("global", 1.0 / 64.0, 0.0),
    ];

    /// <summary>
    /// Energy of one MAC plus its buffer accesses under <see cref="SimbaReferenceProfile"/>, using the MAC energy and
    /// per-byte buffer energies of <paramref name="type"/> (levels looked up by name; missing levels count 0), pJ.
    /// </summary>
    public static double ReferenceEnergyPerMacPj(ChipletType type)
    {
        var e = type.Precisions[0].EnergyPerMacPj;
        foreach (var (level, read, write) in SimbaReferenceProfile)
            foreach (var b in type.Buffers)
                if (b.Name == level) e += read * b.ReadEnergyPjPerByte + write * b.WriteEnergyPjPerByte;
        return e;
    }

    /// <summary>Per-MAC energy of the reference profile at 45 nm (Accelergy ERT and Horowitz SRAM numbers), pJ.</summary>
    public static double Simba45nmReferenceEnergyPerMacPj { get; } =
        SimbaMac45Pj
        + 1.0 * SimbaWeightRegisterRead45Pj / 64 + 1.0 / 8 * SimbaWeightRegisterWrite45Pj / 64
        + 3.0 / 8 * SimbaAccumulatorRead45Pj / 3 + 3.0 / 8 * SimbaAccumulatorWrite45Pj / 3
        + 1.0 / 8 * SimbaInputBuffer45PjPerByte
        + 1.0 / 8 * SimbaWeightBuffer45PjPerByte
        + 1.0 / 64 * SimbaGlobalRead45Pj / 32;

    /// <summary>One factor from 45 nm to the 16 nm Simba chip: 0.22 pJ/MAC ÷ the 45 nm reference energy (≈ 0.141).</summary>
    public static double SimbaNodeScale { get; } = SimbaChipEnergyPerMacPj / Simba45nmReferenceEnergyPerMacPj;

    /// <summary>Simba chiplet at its published single-chiplet operating point: 4.01 TOPS.</summary>
    public static ChipletType Simba { get; } = SimbaAt("simba", 4.01, "single-chiplet peak 4.01 TOPS (JSSC 2020 abstract) [verified]");

    /// <summary>
    /// Simba chiplet at the 36-chiplet package operating point: 127.8 TOPS / 36 = 3.55 TOPS per chiplet (the package
    /// runs at a lower clock than a lone chiplet).
    /// </summary>
    public static ChipletType SimbaPackage { get; } = SimbaAt("simba-mcm", 127.8 / 36.0, "package peak 127.8 TOPS over 36 chiplets (JSSC 2020 / MICRO 2019 abstracts) [verified]");

    /// <summary>Published Compass 6 × 6 setup, output-stationary chiplet (ZigZag "os" template).</summary>
    public static ChipletType CompassOs { get; } = CompassTemplate("compass-os", Dataflow.OutputStationary);

    /// <summary>Published Compass 6 × 6 setup, weight-stationary chiplet (ZigZag "ws" template).</summary>
    public static ChipletType CompassWs { get; } = CompassTemplate("compass-ws", Dataflow.WeightStationary);

    /// <summary>TPU-like chiplet, 1,024 MACs as [32,32], 2 MB.</summary>
    public static ChipletType TpuLike1k { get; } = TpuLike("tpu-like-1k", 32, 2 * MiB);

    /// <summary>TPU-like chiplet, 4,096 MACs as [64,64], 8 MB.</summary>
    public static ChipletType TpuLike4k { get; } = TpuLike("tpu-like-4k", 64, 8 * MiB);

    /// <summary>TPU-like chiplet, 16,384 MACs as [128,128], 32 MB.</summary>
    public static ChipletType TpuLike16k { get; } = TpuLike("tpu-like-16k", 128, 32 * MiB);

    /// <summary>Ascend-like chiplet, 1,024 MACs as [16,16,2,2], 2 MB.</summary>
    public static ChipletType AscendLike1k { get; } = AscendLike("ascend-like-1k", 16, 16, 2, 2, 2 * MiB);

    /// <summary>Ascend-like chiplet, 4,096 MACs as [16,16,4,4], 8 MB.</summary>
    public static ChipletType AscendLike4k { get; } = AscendLike("ascend-like-4k", 16, 16, 4, 4, 8 * MiB);

    /// <summary>Ascend-like chiplet, 16,384 MACs as [32,32,4,4], 32 MB.</summary>
    public static ChipletType AscendLike16k { get; } = AscendLike("ascend-like-16k", 32, 32, 4, 4, 32 * MiB);

    /// <summary>Tesla-like (NPU-like) chiplet, 1,024 MACs as [32,8,4], 2 MB.</summary>
    public static ChipletType TeslaLike1k { get; } = TeslaLike("tesla-like-1k", 32, 8, 4, 2 * MiB);

    /// <summary>Tesla-like (NPU-like) chiplet, 4,096 MACs as [64,8,8], 8 MB.</summary>
    public static ChipletType TeslaLike4k { get; } = TeslaLike("tesla-like-4k", 64, 8, 8, 8 * MiB);

    /// <summary>Tesla-like (NPU-like) chiplet, 16,384 MACs as [128,16,8], 32 MB.</summary>
    public static ChipletType TeslaLike16k { get; } = TeslaLike("tesla-like-16k", 128, 16, 8, 32 * MiB);

    /// <summary>NVDLA-like core of the Gemini/SET analytical model (PolarCore), 1,024 MACs at 12 nm.</summary>
    public static ChipletType NvdlaLike { get; } = BuildNvdlaLike();

    /// <summary>Eyeriss-like core: 12 × 14 PEs, 108 KB global buffer, 65 nm Accelergy energies.</summary>
    public static ChipletType EyerissLike { get; } = BuildEyerissLike();

    /// <summary>A100-class single die (SXM): 624 TOPS INT8 / 312 TFLOPS BF16 dense, 40 MB L2.</summary>
    public static ChipletType A100Like { get; } = BuildA100Like();

    /// <summary>
    /// A100-class die on the 300 W PCIe card: the <see cref="A100Like"/> die at its published 1,065 MHz base clock, the clock
    /// the card sustains under a dense tensor-core load within its power cap (235.6 TFLOPS FP16 sustained).
    /// </summary>
    public static ChipletType A100PcieLike { get; } = BuildA100PcieLike();

    /// <summary>H100-class single die (SXM): 1,979 TOPS INT8/FP8 / 989 TFLOPS BF16 dense, 50 MB L2.</summary>
    public static ChipletType H100Like { get; } = BuildH100Like();

    /// <summary>Every built-in chiplet type.</summary>
    public static IReadOnlyList<ChipletType> All { get; } =
    [
        Simba, SimbaPackage, CompassOs, CompassWs,
        TpuLike1k, TpuLike4k, TpuLike16k,
        AscendLike1k, AscendLike4k, AscendLike16k,
        TeslaLike1k, TeslaLike4k, TeslaLike16k,
        NvdlaLike, EyerissLike, A100Like, A100PcieLike, H100Like,
    ];

    /// <summary>The built-in types keyed by name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, ChipletType> ByName { get; } =
        All.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The standard precision set: 8-bit native at <paramref name="macsPerCycle8"/> and <paramref name="energyPerMac8Pj"/>,
    /// 16-bit at half rate and twice the energy, and (when <paramref name="with4Bit"/>) 4-bit at twice the rate and half the energy.
    /// </summary>
    public static IReadOnlyList<PrecisionRate> StandardPrecisions(int macsPerCycle8, double energyPerMac8Pj, bool with4Bit = true)
    {
        var list = new List<PrecisionRate>
        {
            new(8, macsPerCycle8, energyPerMac8Pj),
            new(16, macsPerCycle8 / 2, energyPerMac8Pj * 2.0),
        };
        if (with4Bit) list.Add(new PrecisionRate(4, macsPerCycle8 * 2, energyPerMac8Pj / 2.0));
        return list;
    }

    /// <summary>
    /// A buffer level from per-access energies: per-byte energy = energy per access ÷ (port width / 8), bandwidth =
    /// one port-width access per cycle per instance.
    /// </summary>
    public static BufferLevel FromAccessEnergy(string name, long capacityBytes, int instances, int portBits, double readPjPerAccess, double writePjPerAccess, string holds)
    {
        var portBytes = portBits / 8.0;
        return new BufferLevel(name, capacityBytes, instances, portBytes * instances, readPjPerAccess / portBytes, writePjPerAccess / portBytes, holds);
    }

    /// <summary>
    /// Global buffer of a template family scaled past 1,024 MACs: the template's port (per-byte energy = access energy ÷
    /// port bytes) replicated once per 1,024 MACs, so the banked SRAM feeds a 4k/16k array as the single port feeds the
    /// 1k one [assumption: the published templates give one port width for every size].
    /// </summary>
    private static BufferLevel BankedGlobal(long globalBytes, int macs, int portBits, double readPjPerAccess, double writePjPerAccess)
    {
        var banks = Math.Max(1, macs / 1024);
        var portBytes = portBits / 8.0;
        return new BufferLevel("global", globalBytes, 1, portBytes * banks, readPjPerAccess / portBytes, writePjPerAccess / portBytes, "all");
    }

    private static ChipletType SimbaAt(string name, double peakTops, string peakSource)
    {
        var clockGHz = peakTops * 1000.0 / (2.0 * 1024);
        var k = SimbaNodeScale;
        return new ChipletType
        {
            Name = name,
            Description = $"NVIDIA Simba chiplet: 16 PEs x 64 INT8 MACs = 1024 MACs at {clockGHz:0.###} GHz = {peakTops:0.##} TOPS, 64 KB global buffer, 16 nm, 6 mm2",
            Source = "Shao et al. MICRO 2019; Zimmer et al. JSSC 2020. " + peakSource + "; clock = TOPS / (2 x 1024 MACs) [computed]; "
                + "16 PEs [secondary] x 64 MACs/PE [verified] (timeloop-accelergy-exercises simba_like README/arch.yaml); 8-bit datapath, 24-bit partial sums [secondary]; "
                + "global buffer 64 KB (2048 x 256 b), PE weight buffer 32 KB (4096 x 64 b) [secondary], accumulation 128 x 24 b per vector MAC = 3 KB per PE [secondary/unverified], PE input buffer 8 KB [unverified]; "
                + "energies: Accelergy 45 nm ERT (MAC 0.315 pJ; weight register 512 b 0.260/0.080 pJ; accumulation 24 b 3.09/2.88 pJ; global 256 b 51.87/66.31 pJ) [verified] and Horowitz 45 nm SRAM 64-bit reads (8 KB 10 pJ [secondary], 32 KB 20 pJ [unverified]; write = read [assumption]), "
                + $"all scaled by one factor {k:0.####} so that the reference access profile (ChipletCatalog.SimbaReferenceProfile) sums to the chip-level 0.11 pJ/op = 0.22 pJ/MAC (JSSC 2020) [computed]; "
                + "16-bit/4-bit rates by the catalog convention [assumption]; area 6 mm2 [secondary]; static power not published (0, left to the cost model)",
            Dataflow = Dataflow.WeightStationary,
            PeArrayRows = 4,
            PeArrayColumns = 4,
            MacsPerPe = 64,
            ClockGHz = clockGHz,
            Precisions = StandardPrecisions(1024, SimbaMac45Pj * k),
            Buffers =
            [
                new BufferLevel("weight-register", 64, 128, 8.0 * 128, SimbaWeightRegisterRead45Pj / 64 * k, SimbaWeightRegisterWrite45Pj / 64 * k, "weights"),
                new BufferLevel("accumulator", 384, 128, 3.0 * 128, SimbaAccumulatorRead45Pj / 3 * k, SimbaAccumulatorWrite45Pj / 3 * k, "outputs"),
                new BufferLevel("input", 8 * KiB, 16, 8.0 * 16, SimbaInputBuffer45PjPerByte * k, SimbaInputBuffer45PjPerByte * k, "inputs"),
                new BufferLevel("weight", 32 * KiB, 16, 8.0 * 16, SimbaWeightBuffer45PjPerByte * k, SimbaWeightBuffer45PjPerByte * k, "weights"),
                new BufferLevel("global", 64 * KiB, 1, 32.0, SimbaGlobalRead45Pj / 32 * k, SimbaGlobalWrite45Pj / 32 * k, "all"),
            ],
            VectorOpsPerCycle = 64,
            VectorEnergyPerOpPj = LrEnergyPerOpPj,
            StaticPowerW = 0.0,
            AreaMm2 = 6.0,
            ProcessNm = 16,
        };
    }

    private static ChipletType CompassTemplate(string name, Dataflow dataflow)
    {
        var os = dataflow == Dataflow.OutputStationary;
        return new ChipletType
        {
            Name = name,
            Description = $"Published Compass 6x6 setup chiplet, {(os ? "output" : "weight")}-stationary: 1024 MACs (32x32) at 1 GHz = 2.05 TOPS, 2 MB global buffer",
            Source = "lllbbbyyy/Compass config/hardware_{os,ws,he}.json: compute_units 1024, buffer_size 2048 KB [verified]; "
                + $"zigzag_call/zigzag_template.py hardware_{(os ? "os" : "ws")}_template [verified]: MAC 0.009 pJ; {(os ? "output" : "weight")} register 8 b port 8 b 0.009/0.009 pJ; weight and accumulation buffers 8 KB port 256 b 0.56/0.67 pJ; input buffer 8 KB port 256 b 1.04/0.67 pJ; global buffer port 1024 b 2.08/2.25 pJ, converted to pJ/byte per access / port bytes [computed]; "
                + "the template's comment describes the array as 4x4 PEs x 8 vector MACs x 8 lanes; we model it as a 32x32 array whose 256-bit buffer ports feed 32 bytes per edge per cycle [assumption]; "
                + "LR vector unit 0.0873 pJ/op (src/compass/utils_compass.cpp) [verified], 64 ops/cycle [assumption]; clock 1.0 GHz because the published code works in cycles [assumption]; "
                + "8-bit native as in the template (operand_precision 8) [verified], 16/4-bit by the catalog convention [assumption]; no leakage term in the published model (static 0); area left to the cost model (12 nm Gemini constants)",
            Dataflow = dataflow,
            PeArrayRows = 32,
            PeArrayColumns = 32,
            MacsPerPe = 1,
            ClockGHz = 1.0,
            Precisions = StandardPrecisions(1024, 0.009),
            Buffers =
            [
                FromAccessEnergy("register", 1, 1024, 8, 0.009, 0.009, os ? "outputs" : "weights"),
                FromAccessEnergy("weight", 8 * KiB, 1, 256, 0.56, 0.67, "weights"),
                FromAccessEnergy("accumulator", 8 * KiB, 1, 256, 0.56, 0.67, "outputs"),
                FromAccessEnergy("input", 8 * KiB, 1, 256, 1.04, 0.67, "inputs"),
                FromAccessEnergy("global", 2 * MiB, 1, 1024, 2.08, 2.25, "all"),
            ],
            VectorOpsPerCycle = 64,
            VectorEnergyPerOpPj = LrEnergyPerOpPj,
            StaticPowerW = 0.0,
            AreaMm2 = 0.0,
            ProcessNm = 12,
        };
    }

    private static string TemplateSizes(long globalBytes) =>
        $"1,024/4,096/16,384 MACs with 2/8/32 MB buffers, this one {globalBytes / MiB} MB (docs/reference/compass-method.md 9.3; exp.py, bo.py, docs.md) [verified]; "
        + "MAC 0.04 pJ (zigzag_template.py) [verified]; clock 1.0 GHz because the published code works in cycles [assumption]; "
        + "LR vector unit 0.0873 pJ/op [verified], 64 ops/cycle [assumption]; 8-bit native [verified], 16/4-bit by the catalog convention [assumption]; "
        + "global-buffer port replicated once per 1,024 MACs (banked SRAM) so larger arrays are fed like the 1k one [assumption]; no leakage term in the published model (static 0)";

    private static ChipletType TpuLike(string name, int side, long globalBytes)
    {
        var macs = side * side;
        return new ChipletType
        {
            Name = name,
            Description = $"TPU-like weight-stationary systolic array [{side},{side}] = {macs} MACs at 1 GHz = {macs * 2.0 / 1000:0.##} TOPS, {globalBytes / MiB} MB SRAM",
            Source = $"lllbbbyyy/Compass zigzag_call/zigzag_template.py hardware_tpu [verified]: weight RF 128 B per MAC port 8 b 0.095 pJ; output RF 2 B per MAC port 16 b 0.021 pJ; SRAM (inputs, outputs; we count weights against it too) port up to 2048 b 208.16/189.4 pJ, per byte over the widest port [computed]; shape [{side},{side}] and "
                + TemplateSizes(globalBytes),
            Dataflow = Dataflow.WeightStationary,
            PeArrayRows = side,
            PeArrayColumns = side,
            MacsPerPe = 1,
            ClockGHz = 1.0,
            Precisions = StandardPrecisions(macs, 0.04),
            Buffers =
            [
                FromAccessEnergy("weight-register", 128, macs, 8, 0.095, 0.095, "weights"),
                FromAccessEnergy("output-register", 2, macs, 16, 0.021, 0.021, "outputs"),
                BankedGlobal(globalBytes, macs, 2048, 208.16, 189.4),
            ],
            VectorOpsPerCycle = 64,
            VectorEnergyPerOpPj = LrEnergyPerOpPj,
            ProcessNm = 12,
        };
    }

    private static ChipletType AscendLike(string name, int d1, int d2, int d3, int d4, long globalBytes)
    {
        var macs = d1 * d2 * d3 * d4;
        return new ChipletType
        {
            Name = name,
            Description = $"Ascend-like cube [{d1},{d2},{d3},{d4}] = {d1}x{d2} PEs x {d3 * d4} MACs = {macs} MACs at 1 GHz = {macs * 2.0 / 1000:0.##} TOPS, {globalBytes / MiB} MB SRAM",
            Source = $"lllbbbyyy/Compass zigzag_call/zigzag_template.py hardware_ascend [verified]: weight register 1 B port 8 b 0.01 pJ shared over D3,D4; output register 2 B port 16 b 0.02 pJ shared over D2; input RF 64 KB port up to 512 b 26.56/30.72 pJ; weight RF 64 KB port up to 2048 b 50.16/108.0 pJ; output SRAM 256 KB port up to 2048 b 123.2/212.8 pJ; SRAM port up to 1024 b 208.08/189.2 pJ; per byte over the widest port [computed]; "
                + $"instances = MACs / product of served dimensions [computed]; output-stationary (partial sums accumulate in the output registers, as in Ascend's cube/L0C) [assumption]; shape [{d1},{d2},{d3},{d4}] and "
                + TemplateSizes(globalBytes),
            Dataflow = Dataflow.OutputStationary,
            PeArrayRows = d1,
            PeArrayColumns = d2,
            MacsPerPe = d3 * d4,
            ClockGHz = 1.0,
            Precisions = StandardPrecisions(macs, 0.04),
            Buffers =
            [
                FromAccessEnergy("weight-register", 1, d1 * d2, 8, 0.01, 0.01, "weights"),
                FromAccessEnergy("output-register", 2, macs / d2, 16, 0.02, 0.02, "outputs"),
                FromAccessEnergy("input", 64 * KiB, 1, 512, 26.56, 30.72, "inputs"),
                FromAccessEnergy("weight", 64 * KiB, 1, 2048, 50.16, 108.0, "weights"),
                FromAccessEnergy("output", 256 * KiB, 1, 2048, 123.2, 212.8, "outputs"),
                BankedGlobal(globalBytes, macs, 1024, 208.08, 189.2),
            ],
            VectorOpsPerCycle = 64,
            VectorEnergyPerOpPj = LrEnergyPerOpPj,
            ProcessNm = 12,
        };
    }

    private static ChipletType TeslaLike(string name, int d1, int d2, int d3, long globalBytes)
    {
        var macs = d1 * d2 * d3;
        return new ChipletType
        {
            Name = name,
            Description = $"Tesla-like NPU [{d1},{d2},{d3}] = {d1}x{d2} PEs x {d3} MACs = {macs} MACs at 1 GHz = {macs * 2.0 / 1000:0.##} TOPS, {globalBytes / MiB} MB SRAM",
            Source = $"lllbbbyyy/Compass zigzag_call/zigzag_template.py hardware_tesla ('npu_like') [verified]: weight register 1 B port 8 b 0.01 pJ shared over D2,D3; output register 4 B port 16 b 0.022 pJ per MAC; 1 KB input and 1 KB weight SRAM port up to 256 b 4.78/5.59 pJ; SRAM port up to 1024 b 208.08/189.2 pJ; per byte over the widest port [computed]; "
                + $"output-stationary (4-byte accumulators per MAC) [assumption]; shape [{d1},{d2},{d3}] and "
                + TemplateSizes(globalBytes),
            Dataflow = Dataflow.OutputStationary,
            PeArrayRows = d1,
            PeArrayColumns = d2,
            MacsPerPe = d3,
            ClockGHz = 1.0,
            Precisions = StandardPrecisions(macs, 0.04),
            Buffers =
            [
                FromAccessEnergy("weight-register", 1, d1, 8, 0.01, 0.01, "weights"),
                FromAccessEnergy("output-register", 4, macs, 16, 0.022, 0.022, "outputs"),
                FromAccessEnergy("input", 1 * KiB, 1, 256, 4.78, 5.59, "inputs"),
                FromAccessEnergy("weight", 1 * KiB, 1, 256, 4.78, 5.59, "weights"),
                BankedGlobal(globalBytes, macs, 1024, 208.08, 189.2),
            ],
            VectorOpsPerCycle = 64,
            VectorEnergyPerOpPj = LrEnergyPerOpPj,
            ProcessNm = 12,
        };
    }

    private static ChipletType BuildNvdlaLike()
    {
        // Gemini "ul3" global buffer: 0.217125 / 0.234025 pJ/bit for 1 MB, linear in size; 2 MB here.
        const double globalMb = 2.0;
        return new ChipletType
        {
            Name = "nvdla-like",
            Description = "NVDLA-like core (Gemini PolarCore): 32x32 = 1024 INT8 MACs at 1 GHz = 2.05 TOPS, 2 MB global buffer, 12 nm",
            Source = "SET-Scheduling-Project/GEMINI-HPCA2024 src/main.cpp and lllbbbyyy/Compass src/compass/utils_compass.cpp [verified]: PE MAC 0.018 pJ at 12 nm; LR 0.0873 pJ/op; "
                + "8-bit weight RF 0.0545/0.054 pJ/bit and activation RF 0.0509/0.0506 pJ/bit (x 8 = pJ/byte, no turnover factor); global buffer 'ul3' 0.217125/0.234025 pJ/bit per MB, linear in size [verified], x 2 MB x 8 [computed]; clock 1.0 GHz at 12 nm (Gemini) [verified]; "
                + "1024 MACs as 32x32 and 2 MB buffer as in the Compass v1 chiplets (compute_units 1024, buffer_size 2048 KB) [verified]; weight-stationary as in NVDLA's convolution MAC array [assumption]; register sizes 1 B, global bandwidth 128 B/cycle [assumption]; "
                + "16/4-bit by the catalog convention [assumption]; no leakage term in Gemini (static 0); area left to the cost model",
            Dataflow = Dataflow.WeightStationary,
            PeArrayRows = 32,
            PeArrayColumns = 32,
            MacsPerPe = 1,
            ClockGHz = 1.0,
            Precisions = StandardPrecisions(1024, 0.018),
            Buffers =
            [
                new BufferLevel("weight-register", 1, 1024, 1024, 0.0545 * 8, 0.054 * 8, "weights"),
                new BufferLevel("input-register", 1, 32, 32, 0.0509 * 8, 0.0506 * 8, "inputs"),
                new BufferLevel("global", (long)(globalMb * MiB), 1, 128, 0.217125 * globalMb * 8, 0.234025 * globalMb * 8, "all"),
            ],
            VectorOpsPerCycle = 64,
            VectorEnergyPerOpPj = LrEnergyPerOpPj,
            ProcessNm = 12,
        };
    }

    private static ChipletType BuildEyerissLike() => new()
    {
        Name = "eyeriss-like",
        Description = "Eyeriss-like row-stationary core: 12x14 = 168 PEs at 200 MHz = 0.067 TOPS, 108 KB global buffer, 65 nm",
        Source = "Chen et al., ISSCC 2016 / ISCA 2016: 12x14 PEs, 108 KB global buffer, 200 MHz [unverified]; "
            + "Accelergy-Project/timeloop-accelergy-exercises eyeriss_like ERT (65 nm) [verified]: 8-bit MAC with 16-bit adder 0.208 pJ; ifmap spad 12 x 16 b read 0.202 pJ, weight spad 192 x 16 b read 1.977 pJ, psum spad 16 x 16 b read 0.251 pJ, per 16-bit access; "
            + "shared GLB (128 KB in the example) 64-bit read/write 18.18/14.14 pJ; per byte = per access / port bytes [computed]; spad writes priced as reads [assumption]; "
            + "row-stationary modelled as weight-stationary (filter rows stay in the PE) [assumption]; 16/4-bit by the catalog convention [assumption]; static power and area not used (0)",
        Dataflow = Dataflow.WeightStationary,
        PeArrayRows = 12,
        PeArrayColumns = 14,
        MacsPerPe = 1,
        ClockGHz = 0.2,
        Precisions = StandardPrecisions(168, 0.208),
        Buffers =
        [
            FromAccessEnergy("input", 24, 168, 16, 0.202, 0.202, "inputs"),
            FromAccessEnergy("weight", 384, 168, 16, 1.977, 1.977, "weights"),
            FromAccessEnergy("accumulator", 32, 168, 16, 0.251, 0.251, "outputs"),
            FromAccessEnergy("global", 108 * KiB, 1, 64, 18.18, 14.14, "all"),
        ],
        VectorOpsPerCycle = 16,
        VectorEnergyPerOpPj = LrEnergyPerOpPj,
        ProcessNm = 65,
    };

    /// <summary>
    /// Device-side fixed time of one GPU kernel, ns: the shortest kernel of Vidur's A100 profile (MLSys 2024), the 1-token
    /// residual add, takes 0.002 ms (the profile's resolution is 1 µs) while its 24 KB need 0.016 µs at the achievable HBM
    /// bandwidth, so 2 µs is kernel start, one memory round trip and drain [measured]. Charged once per operator inside
    /// the operator's time (<see cref="ChipletType.KernelFixedNs"/>).
    /// </summary>
    public const double GpuKernelFixedNs = 2_000;

    /// <summary>
    /// Host-side launch overheads of isolated operators: what LLMCompass measured on an A100 for isolated PyTorch operators
    /// and adds to its simulations (PrincetonUniversity/LLMCompass <c>hardware_model/compute_module.py</c>: matmul 21 µs,
    /// softmax 12 µs, layernorm 45 µs, GELU 45 µs) less the device-side <see cref="GpuKernelFixedNs"/> that the
    /// operator's time already holds [computed]; a two-input element-wise kernel is taken as the softmax's [assumption].
    /// </summary>
    public static LaunchOverheads GpuLaunchOverheads => new(
        GemmNs: 21_000 - GpuKernelFixedNs, ElementwiseNs: 12_000 - GpuKernelFixedNs, PointwiseNs: 45_000 - GpuKernelFixedNs,
        SoftmaxNs: 12_000 - GpuKernelFixedNs, NormNs: 45_000 - GpuKernelFixedNs);

    private const string GpuLaunchSource =
        "device-side fixed time per kernel 2 us: the shortest kernel of Vidur's A100 Llama-2-7B profile, the 1-token residual add (24 KB), takes 0.002 ms [measured]; "
        + "host-side launch overheads of isolated operators (not charged in a serving schedule, where launches are asynchronous or in CUDA graphs): matmul 21 us, softmax 12 us, layernorm 45 us, GELU 45 us measured on an A100 for isolated PyTorch operators (LLMCompass, ISCA 2024, hardware_model/compute_module.py) [verified] less the 2 us the kernel time holds [computed], element-wise as softmax [assumption]";

    private const string GpuSramEnergySource =
        "SRAM energies from Jouppi et al. ISCA 2021 Table 2 (7 nm): 8 KB / 32 KB / 1 MB per 64-bit access 7.5 / 8.5 / 14 pJ = 0.94 / 1.06 / 1.75 pJ/B for register file / L1-shared / L2 [unverified]; "
        + "MAC energies INT8 mult 0.07 + INT32 add 0.03 = 0.10 pJ, BF16 mult 0.21 + FP32 add 0.38 = 0.59 pJ (same table) [unverified], 4-bit half the 8-bit energy [assumption]; "
        + "vector op = FP32 mult + add 1.31 + 0.38 = 1.69 pJ [unverified]; tensor cores read register operands once per MMA instruction (m16n8k16), not per MAC (TileParallelGemm)";

    /// <summary>TSMC N5-class versus N7 power at the same speed (-30 %), used to scale the 7 nm energies to the H100's 4N [secondary].</summary>
    public const double N5VersusN7Power = 0.7;

    private static ChipletType BuildA100Like() => new()
    {
        Name = "a100-like",
        Description = "A100-class GPU die (SXM): 108 SMs x 4 tensor cores (256 FP16 / 512 INT8 MACs per cycle each) at 1.41 GHz = 312 TFLOPS FP16 / 624 TOPS INT8 dense; 256 KB registers and 192 KB L1/shared per SM, 40 MB L2; 7 nm",
        Source = "Peaks 624 TOPS INT8 / 312 TFLOPS FP16/BF16 dense (docs/reference/hardware.md 8; cli99/llm-analysis a100-sxm-40gb.json, microsoft/vidur a100.yml) [secondary]; "
            + "108 SMs, 4 tensor cores per SM, 1.41 GHz boost, 40 MB L2, 192 KB L1/shared and 65,536 x 32-bit registers (256 KB, 64 KB per SM sub-partition) per SM, 826 mm2, TSMC N7, 400 W TDP (NVIDIA A100 whitepaper) [unverified]; "
            + "256 FP16 / 512 INT8 MACs per tensor core per cycle = 312e12 / (2 x 432 x 1.41e9) [computed]; "
            + "L1/shared bandwidth 128 B/cycle per SM and L2 read bandwidth 5,120 B/cycle (A100 whitepaper) [unverified]; register file 384 B/cycle per sub-partition (3 operands x 32 lanes x 4 B) [assumption]; "
            + "dataflow tile-parallel: each SM owns output tiles, its 4 tensor cores split them, the registers hold 32-bit accumulators, shared memory stages operands (TileParallelGemm) [computed from the CUDA programming model]; "
            + GpuSramEnergySource + "; " + GpuLaunchSource + "; static power 100 W = 25% of the 400 W TDP [assumption]",
        Dataflow = Dataflow.TileParallel,
        PeArrayRows = 108,
        PeArrayColumns = 4,
        MacsPerPe = 512,
        ClockGHz = 1.41,
        Precisions =
        [
            new PrecisionRate(8, 221_184, 0.10),
            new PrecisionRate(16, 110_592, 0.59),
            new PrecisionRate(4, 442_368, 0.05),
        ],
        Buffers =
        [
            new BufferLevel("register", 64 * KiB, 432, 384.0 * 432, 7.5 / 8, 7.5 / 8, "all"),
            new BufferLevel("shared", 192 * KiB, 108, 128.0 * 108, 8.5 / 8, 8.5 / 8, "all"),
            new BufferLevel("global", 40 * MiB, 1, 5120.0, 14.0 / 8, 14.0 / 8, "all"),
        ],
        VectorOpsPerCycle = 6912,
        VectorEnergyPerOpPj = 1.69,
        LaunchOverhead = GpuLaunchOverheads,
        KernelFixedNs = GpuKernelFixedNs,
        StaticPowerW = 100.0,
        AreaMm2 = 826.0,
        ProcessNm = 7,
    };

    /// <summary>Published base clock of the A100 80 GB PCIe card, GHz (its boost clock is the SXM part's 1.41 GHz).</summary>
    public const double A100PcieBaseClockGHz = 1.065;

    private static ChipletType BuildA100PcieLike() => BuildA100Like() with
    {
        Name = "a100-pcie-like",
        Description = "A100-class GPU die on the 300 W PCIe card: the a100-like die (108 SMs x 4 tensor cores, 40 MB L2) at its 1.065 GHz base clock = 235.6 TFLOPS FP16 / 471 TOPS INT8 sustained under dense tensor-core load; 7 nm",
        Source = "Same GA100 die as a100-like (108 SMs, 432 tensor cores, 40 MB L2, 1,410 MHz boost, 826 mm2; NVIDIA A100 80GB PCIe product brief PB-10577-001) [secondary]; "
            + "300 W TDP and 1,935 GB/s HBM2e for the 80 GB PCIe card (NVIDIA product brief; thundercompute A100 specification table) [secondary]; "
            + "base clock 1,065 MHz, the clock NVIDIA guarantees at TDP (product brief; nvidia-smi 'tdp' application clock) [unverified]; "
            + "a dense FP16/INT8 tensor-core GEMM is the card's heaviest load, so it runs at the base clock, not the boost clock [assumption]: "
            + "Vidur's A100 profile (docs/profiling.md: the compute data may come from A100 80GB PCIe, Azure NC96ads_A100_v4) plateaus at 216-233 TFLOPS on Llama-2-7B GEMMs, 92-99 % of the 235.6 TFLOPS base-clock peak and 69-75 % of the boost-clock peak [computed]; "
            + "everything else (buffers, energies per operation, launch overheads) as a100-like, whose source applies; "
            + "static power 75 W = 25% of the 300 W TDP [assumption]",
        ClockGHz = A100PcieBaseClockGHz,
        StaticPowerW = 75.0,
    };

    private static ChipletType BuildH100Like()
    {
        const double k = N5VersusN7Power;
        return new ChipletType
        {
            Name = "h100-like",
            Description = "H100-class GPU die (SXM): 132 SMs x 4 tensor cores (512 FP16 / 1024 INT8-FP8 MACs per cycle each) at 1.83 GHz = 989 TFLOPS FP16 / 1979 TOPS dense; 256 KB registers and 256 KB L1/shared per SM, 50 MB L2; TSMC 4N",
            Source = "Peaks 1,979 TOPS INT8/FP8 / 989 TFLOPS FP16/BF16 dense (docs/reference/hardware.md 8; cli99/llm-analysis h100-sxm-80gb.json) [secondary]; "
                + "132 SMs, 4 tensor cores per SM, 1.83 GHz boost, 50 MB L2, 256 KB L1/shared and 256 KB registers per SM, 814 mm2, TSMC 4N (a 5 nm-class node, ProcessNm 5 for cost tables), 700 W TDP (NVIDIA H100 whitepaper) [unverified]; "
                + "512 FP16 / 1024 INT8 MACs per tensor core per cycle = 989e12 / (2 x 528 x 1.83e9) [computed]; no INT4 tensor path (4-bit falls back to 8-bit); "
                + "registers as 2 x 128 KB per SM because Hopper's wgmma is issued per warpgroup (two consumer warpgroups per SM read each staged operand once each) [assumption from the CUDA programming model]; "
                + "L1/shared 128 B/cycle per SM and L2 5,120 B/cycle as on the A100 [assumption]; register file 768 B/cycle per warpgroup [assumption]; "
                + GpuSramEnergySource + ", all energies x 0.7 for N5-class vs N7 power (TSMC) [secondary]; " + GpuLaunchSource + " (taken for the H100 too: the same launch path and a kernel start of the same order) [assumption]; static power 175 W = 25% of the 700 W TDP [assumption]",
            Dataflow = Dataflow.TileParallel,
            PeArrayRows = 132,
            PeArrayColumns = 4,
            MacsPerPe = 1024,
            ClockGHz = 1.83,
            Precisions =
            [
                new PrecisionRate(8, 540_672, 0.10 * k),
                new PrecisionRate(16, 270_336, 0.59 * k),
            ],
            Buffers =
            [
                new BufferLevel("register", 128 * KiB, 264, 768.0 * 264, 7.5 / 8 * k, 7.5 / 8 * k, "all"),
                new BufferLevel("shared", 256 * KiB, 132, 128.0 * 132, 8.5 / 8 * k, 8.5 / 8 * k, "all"),
                new BufferLevel("global", 50 * MiB, 1, 5120.0, 14.0 / 8 * k, 14.0 / 8 * k, "all"),
            ],
            VectorOpsPerCycle = 16_896,
            VectorEnergyPerOpPj = 1.69 * k,
            LaunchOverhead = GpuLaunchOverheads,
            KernelFixedNs = GpuKernelFixedNs,
            StaticPowerW = 175.0,
            AreaMm2 = 814.0,
            ProcessNm = 5,
        };
    }
}
