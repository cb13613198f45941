namespace Compass.Chiplets.Catalog;

/// <summary>A named off-chip memory technology: one device (GDDR chip, HBM stack, LPDDR channel).</summary>
/// <param name="Name">Kind name written into <c>DramChannel.Kind</c> (<c>gddr6x</c>, <c>hbm3</c>, ...).</param>
/// <param name="BandwidthGBpsPerDevice">Bandwidth of one device, GB/s.</param>
/// <param name="EnergyPjPerBit">Access energy, pJ/bit.</param>
/// <param name="CapacityGBPerDevice">Capacity of one device, GB (10⁹ bytes).</param>
/// <param name="Source">Where the numbers come from, with evidence tags.</param>
public sealed record MemoryKind(string Name, double BandwidthGBpsPerDevice, double EnergyPjPerBit, double CapacityGBPerDevice, string Source);

/// <summary>Catalog of off-chip memory kinds (docs/reference/hardware.md §7–§8).</summary>
public static class MemoryKinds
{
    /// <summary>GDDR6X as priced by Gemini and the published Compass code: 10.5 pJ/bit, 64 B/cycle per channel read as 64 GB/s at 1 GHz.</summary>
    public static MemoryKind Gddr6x { get; } = new(
        "gddr6x", 64.0, 10.5, 4.0,
        "GEMINI src/main.cpp and lllbbbyyy/Compass createNoC 10.5 pJ/bit (GDDR6X) [verified]; dram_bw 64 B/cycle per channel, config/hardware_*.json, read as GB/s at 1 GHz [verified]; 4 GB per channel is our choice (published code has no capacity) [assumption]");

    /// <summary>GDDR6 device: 56–64 GB/s, 7.5 pJ/bit (Micron comparison table).</summary>
    public static MemoryKind Gddr6 { get; } = new(
        "gddr6", 64.0, 7.5, 2.0,
        "Micron 'Ultra-Bandwidth Solutions' table: 56-64 GB/s per device, 7.5 pJ/bit [secondary]; 2 GB (16 Gb) per device [assumption]");

    /// <summary>HBM2 stack: 256 GB/s, ~3.9 pJ/bit; 8 GB per stack as on the A100-40GB (5 stacks).</summary>
    public static MemoryKind Hbm2 { get; } = new(
        "hbm2", 256.0, 3.9, 8.0,
        "256 GB/s per stack at 2.0 Gb/s x 1024 [secondary]; ~3.9 pJ/bit O'Connor et al., MICRO 2017 [secondary]; 8 GB = A100 40 GB / 5 stacks [computed]");

    /// <summary>HBM2E stack: 410–461 GB/s, 6.0 pJ/bit (Micron table); 16 GB per stack as on the A100-80GB.</summary>
    public static MemoryKind Hbm2e { get; } = new(
        "hbm2e", 410.0, 6.0, 16.0,
        "Micron 'Ultra-Bandwidth Solutions' table: 410-461 GB/s per stack, 6.0 pJ/bit [secondary]; 16 GB = A100 80 GB / 5 stacks [computed]");

    /// <summary>HBM3 stack: ~819 GB/s (6.4 Gb/s × 1024), priced at Gemini's HBM 5.5 pJ/bit; 16 GB per stack as on the H100 (80 GB / 5).</summary>
    public static MemoryKind Hbm3 { get; } = new(
        "hbm3", 819.2, 5.5, 16.0,
        "819 GB/s per stack = 6.4 Gb/s x 1024 / 8 [secondary]; 5.5 pJ/bit GEMINI src/main.cpp HBM [verified] (HBM3-specific ~3-3.5 pJ/bit [unverified]); 16 GB = H100 80 GB / 5 stacks [computed]");

    /// <summary>LPDDR5 x16 channel: 12.8 GB/s, ~4.5 pJ/bit (unverified).</summary>
    public static MemoryKind Lpddr5 { get; } = new(
        "lpddr5", 12.8, 4.5, 2.0,
        "6.4 Gb/s x 16 / 8 = 12.8 GB/s per x16 channel [computed]; ~4-5 pJ/bit [unverified]; 2 GB per channel [assumption]");

    /// <summary>LPDDR4 x16 channel as in Accelergy's CactiDRAM: 8 pJ/bit.</summary>
    public static MemoryKind Lpddr4 { get; } = new(
        "lpddr4", 6.4, 8.0, 1.0,
        "Accelergy CactiDRAM LPDDR4 512 pJ per 64-bit access = 8 pJ/bit, timeloop-accelergy-exercises ERT [verified]; 3.2 Gb/s x 16 / 8 = 6.4 GB/s [computed]; 1 GB per channel [assumption]");

    /// <summary>Every memory kind.</summary>
    public static IReadOnlyList<MemoryKind> All { get; } = [Gddr6x, Gddr6, Hbm2, Hbm2e, Hbm3, Lpddr5, Lpddr4];

    /// <summary>The memory kind named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static MemoryKind? Find(string name)
    {
        foreach (var k in All)
            if (string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase)) return k;
        return null;
    }
}
