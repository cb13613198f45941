using Compass.Abstractions.Hardware;

namespace Compass.CostModels.Tests;

/// <summary>Chiplet types and packages the tests need, with the published numbers they come from.</summary>
internal static class TestHardware
{
    /// <summary>A bare array with one shared buffer: for hand-computed cycle counts.</summary>
    public static ChipletType Array(Dataflow dataflow, int rows, int cols, int macsPerPe = 1, long bufferBytes = 1 << 30, double bandwidth = 1e9, string? name = null) => new()
    {
        Name = name ?? $"array-{dataflow}-{rows}x{cols}x{macsPerPe}-{bufferBytes}-{bandwidth}",
        Dataflow = dataflow,
        PeArrayRows = rows,
        PeArrayColumns = cols,
        MacsPerPe = macsPerPe,
        ClockGHz = 1.0,
        Precisions = [new PrecisionRate(8, rows * cols * macsPerPe, 0.009)],
        Buffers = [new BufferLevel("global", bufferBytes, 1, bandwidth, 2.08 / 128, 2.25 / 128, "all")],
    };

    /// <summary>
    /// The published Compass "os"/"ws" chiplet: 1,024 INT8 MACs as a 32 × 32 array (tpu shape, docs/reference/compass-method.md §9.3),
    /// 2 MB global buffer with a 1,024-bit port (2.08 / 2.25 pJ per access), 8 KB weight / input buffers (0.56 / 0.67 and
    /// 1.04 / 0.67 pJ per 256-bit access), MAC 0.009 pJ (lllbbbyyy/Compass zigzag_template.py, docs/reference/hardware.md §3.3), 1 GHz.
    /// </summary>
    public static ChipletType Compass(Dataflow dataflow) => new()
    {
        Name = dataflow == Dataflow.OutputStationary ? "test-compass-os" : dataflow == Dataflow.WeightStationary ? "test-compass-ws" : "test-compass-is",
        Dataflow = dataflow,
        PeArrayRows = 32,
        PeArrayColumns = 32,
        ClockGHz = 1.0,
        Precisions = [new PrecisionRate(8, 1024, 0.009)],
        Buffers =
        [
            new BufferLevel("weight", 8 * 1024, 1, 32, 0.56 / 32, 0.67 / 32, "weights"),
            new BufferLevel("input", 8 * 1024, 1, 32, 1.04 / 32, 0.67 / 32, "inputs"),
            new BufferLevel("global", 2 * 1024 * 1024, 1, 128, 2.08 / 128, 2.25 / 128, "all"),
        ],
        VectorOpsPerCycle = 64,
        VectorEnergyPerOpPj = 0.0873,
    };

    /// <summary>
    /// An A100-like device from public specifications only (NVIDIA A100 Tensor Core GPU Architecture whitepaper, 2020;
    /// docs/reference/hardware.md §8): 108 SMs, 1.41 GHz boost, 4 Tensor Cores per SM × 256 dense FP16/BF16 FMA per clock
    /// (= 110,592 MACs/cycle = 312 TFLOPS), INT8 at twice that, 40 MB L2 at 5,120 B/clk, 192 KB L1/shared per SM.
    /// Modelled as an output-stationary array: rows = the 108 SMs (M), 128 columns (N) × 8-wide dot products (K) per SM.
    /// Energies are placeholders for time-only validation (not validated): BF16 MAC 0.59 pJ (TPUv4i table, unverified),
    /// SRAM 1.06 / 1.75 pJ/B (same table, 32 KB / 1 MB).
    /// </summary>
    public static ChipletType A100Like() => new()
    {
        Name = "test-a100-like",
        Dataflow = Dataflow.OutputStationary,
        PeArrayRows = 108,
        PeArrayColumns = 128,
        MacsPerPe = 8,
        ClockGHz = 1.41,
        Precisions = [new PrecisionRate(16, 110_592, 0.59), new PrecisionRate(8, 221_184, 0.3)],
        Buffers =
        [
            new BufferLevel("shared", 192 * 1024, 108, 128 * 108, 1.06, 1.06, "inputs,weights"),
            new BufferLevel("l2", 40L * 1024 * 1024, 1, 5120, 1.75, 1.75, "all"),
        ],
        VectorOpsPerCycle = 108 * 64,
        ProcessNm = 7,
    };

    /// <summary>HBM2 bandwidth of the A100 40 GB, GB/s (docs/reference/hardware.md §8).</summary>
    public const double A100HbmGBps = 1555;

    /// <summary>
    /// The published 6 × 6 Compass package (docs/reference/compass-method.md §9.1, docs/reference/formulas.md §9): 128 B/cycle links at 2 pJ/bit, four
    /// 64 B/cycle GDDR6X channels at 10.5 pJ/bit, two on the right column and two on the left, each serving three rows.
    /// Read at 1 GHz.
    /// </summary>
    public static PackageDescription Compass6x6(string chiplet = "test-compass-os")
    {
        static DramChannel Ch(string name, int x, int y0) =>
            new(name, "gddr6x", [new MeshPosition(x, y0), new MeshPosition(x, y0 + 1), new MeshPosition(x, y0 + 2)], 64, 10.5, 4);
        return new PackageDescription
        {
            Name = "test-compass-6x6",
            MeshWidth = 6,
            MeshHeight = 6,
            Slots = Enumerable.Repeat(chiplet, 36).ToArray(),
            Link = new LinkSpec("grs", 128, 0, 2.0),
            DramChannels = [Ch("right-top", 5, 0), Ch("right-bottom", 5, 3), Ch("left-top", 0, 0), Ch("left-bottom", 0, 3)],
        };
    }

    /// <summary>The package resolved against one chiplet type.</summary>
    public static ResolvedPackage Resolve(PackageDescription package, ChipletType type)
        => new(package, [type], new int[package.ChipletCount]);
}
