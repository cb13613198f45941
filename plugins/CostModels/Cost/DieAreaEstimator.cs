using Compass.Abstractions.Hardware;

namespace Compass.CostModels.Cost;

/// <summary>
/// Die area from MAC, SRAM and I/O densities (docs/reference/hardware.md §3.4 and §9.4; constants of GEMINI <c>src/main.cpp</c> and
/// lllbbbyyy/Compass <c>src/model_engine.cpp</c>, 12 nm): SRAM 0.0964 µm² per bit, INT8 MAC 57.9 µm², FP16 "LR" MAC
/// 463.2 µm², NoC router 16,781.312 µm² per byte/cycle of link bandwidth, layout × 2.2, D2D PHY 4 sides ×
/// (bandwidth/4 × 333 µm) × 800 µm, control × 1.05 and DFT × 1.05. Gemini scales area by 0.7 at 7 nm and below.
/// </summary>
public static class DieAreaEstimator
{
    /// <summary>SRAM area per byte, µm² (0.0964 per bit × 8).</summary>
    public const double SramUm2PerByte = 0.0964 * 8;

    /// <summary>INT8 MAC area, µm².</summary>
    public const double Int8MacUm2 = 57.9;

    /// <summary>FP16 MAC ("LR" unit) area, µm² (8 × the INT8 MAC).</summary>
    public const double Fp16MacUm2 = Int8MacUm2 * 8;

    /// <summary>NoC router area per byte/cycle of link bandwidth, µm².</summary>
    public const double RouterUm2PerBytePerCycle = 16_781.312;

    /// <summary>D2D PHY length per 4 bytes/cycle of bandwidth, µm.</summary>
    public const double NopPhyLengthUm = 333;

    /// <summary>D2D PHY width, µm.</summary>
    public const double NopPhyWidthUm = 800;

    /// <summary>Post-layout area factor.</summary>
    public const double PostLayoutFactor = 2.2;

    /// <summary>Control-unit and DFT factors (1.05 each).</summary>
    public const double ControlAndDftFactor = 1.05 * 1.05;

    /// <summary>On-chip SRAM of a chiplet (every level × instances), bytes.</summary>
    public static double SramBytes(ChipletType chiplet)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        var s = 0.0;
        foreach (var b in chiplet.Buffers) s += (double)b.CapacityBytes * Math.Max(1, b.Instances);
        return s;
    }

    /// <summary>
    /// Area of one native-precision MAC, µm²: 57.9 for ≤ 8-bit operands; for wider ones the FP16 "LR" MAC density
    /// 463.2 scaled by (bits/16)² (multiplier area grows with the square of the operand width) [computed].
    /// </summary>
    public static double MacUm2(ChipletType chiplet)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        var bits = chiplet.Precisions.Count > 0 ? chiplet.Precisions[0].Bits : 8;
        return bits <= 8 ? Int8MacUm2 : Fp16MacUm2 * (bits / 16.0) * (bits / 16.0);
    }

    /// <summary>
    /// Estimated compute-die area, mm², for a chiplet with links of <paramref name="linkBytesPerCycle"/> bytes/cycle.
    /// Uses <see cref="ChipletType.AreaMm2"/> when it is set.
    /// </summary>
    public static double ComputeDieMm2(ChipletType chiplet, double linkBytesPerCycle)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        if (chiplet.AreaMm2 > 0) return chiplet.AreaMm2;
        var core = SramBytes(chiplet) * SramUm2PerByte
            + chiplet.MacsPerCycle * MacUm2(chiplet)
            + chiplet.VectorOpsPerCycle * Fp16MacUm2
            + linkBytesPerCycle * RouterUm2PerBytePerCycle;
        var d2d = 4 * (linkBytesPerCycle / 4 * NopPhyLengthUm) * NopPhyWidthUm;
        var um2 = (core * PostLayoutFactor + d2d) * ControlAndDftFactor;
        if (chiplet.ProcessNm <= 7) um2 *= 0.7;
        return um2 / 1e6;
    }
}
