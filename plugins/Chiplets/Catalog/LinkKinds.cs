using Compass.Abstractions.Hardware;

namespace Compass.Chiplets.Catalog;

/// <summary>A named network-on-package link technology with its per-hop energy and latency.</summary>
/// <param name="Name">Kind name written into <see cref="LinkSpec.Kind"/> (<c>grs</c>, <c>ucie-advanced</c>, ...).</param>
/// <param name="DefaultBandwidthGBps">Bandwidth of one link in one direction when a preset does not choose another, GB/s.</param>
/// <param name="HopLatencyNs">Latency added per hop, ns (0 where the source models none).</param>
/// <param name="EnergyPjPerBit">Energy per bit per hop, pJ/bit.</param>
/// <param name="Source">Where the numbers come from, with evidence tags.</param>
public sealed record LinkKind(string Name, double DefaultBandwidthGBps, double HopLatencyNs, double EnergyPjPerBit, string Source)
{
    /// <summary>A link of this kind at its default bandwidth.</summary>
    public LinkSpec ToSpec() => new(Name, DefaultBandwidthGBps, HopLatencyNs, EnergyPjPerBit);

    /// <summary>A link of this kind at <paramref name="bandwidthGBps"/> per direction.</summary>
    public LinkSpec ToSpec(double bandwidthGBps) => new(Name, bandwidthGBps, HopLatencyNs, EnergyPjPerBit);
}

/// <summary>
/// Catalog of die-to-die link kinds (docs/reference/hardware.md §5–§6). Presets take their link parameters from
/// here; users can take a kind and override the bandwidth, or give a <see cref="LinkSpec"/> directly.
/// </summary>
public static class LinkKinds
{
    /// <summary>
    /// The published Compass / initial Gemini "Simba" NoP: 2 pJ/bit per hop, 128 B/cycle per link read as 128 GB/s at
    /// 1 GHz, and no per-hop latency term.
    /// </summary>
    public static LinkKind CompassSimba { get; } = new(
        "compass-simba", 128.0, 0.0, 2.0,
        "lllbbbyyy/Compass src/compass/utils_compass.cpp createNoC (2 x 8 pJ/byte) and config/hardware_*.json nop_bw 128 B/cycle, read as GB/s at 1 GHz; src/noc.cpp has no per-hop latency [verified]; GEMINI commit b6fd522 [verified]");

    /// <summary>
    /// NVIDIA ground-referenced signaling across an organic package as in Simba: 0.58 pJ/bit (Turner et al., CICC 2018);
    /// Simba-derived models use 1.17 pJ/bit and the 28 nm GRS paper reports 0.54 pJ/bit. 100 GB/s per link and ~20 ns
    /// per hop are commonly attributed to Simba but not confirmed.
    /// </summary>
    public static LinkKind Grs { get; } = new(
        "grs", 100.0, 20.0, 0.58,
        "energy: Turner et al., CICC 2018, 0.58 pJ/b across organic package [verified] (range 0.54 Poulton JSSC 2013 [verified] to 1.17 hetero_gem5 DIE2DIE [secondary]); 25 Gb/s/pin Simba-era GRS [secondary]; 100 GB/s per link hetero_gem5 config.py [secondary/unverified]; ~20 ns per hop, Shao et al. MICRO 2019 [unverified]");

    /// <summary>UCIe standard package (organic, 16 lanes per direction at 32 GT/s = 64 GB/s), 0.6 pJ/bit above 16 GT/s, ≤ 2 ns.</summary>
    public static LinkKind UcieStandard { get; } = new(
        "ucie-standard", 64.0, 2.0, 0.6,
        "UCIe 1.x Table 1-4 / Das Sharma Hot Interconnects 2025 Table 1: 0.5 pJ/b (<= 16 GT/s), 0.6 pJ/b (> 16 GT/s), latency <= 2 ns, 16 lanes per direction [secondary]; 64 GB/s = 16 lanes x 32 GT/s / 8 [computed]");

    /// <summary>UCIe advanced package (bridge or interposer, 64 lanes per direction at 32 GT/s = 256 GB/s), 0.3 pJ/bit above 16 GT/s, ≤ 2 ns.</summary>
    public static LinkKind UcieAdvanced { get; } = new(
        "ucie-advanced", 256.0, 2.0, 0.3,
        "UCIe 1.x Table 1-4 / Das Sharma Hot Interconnects 2025 Table 1: 0.25 pJ/b (<= 16 GT/s), 0.3 pJ/b (> 16 GT/s), latency <= 2 ns, 64 lanes per direction [secondary]; 256 GB/s = 64 lanes x 32 GT/s / 8 [computed]");

    /// <summary>Ultra-short-reach SerDes on an organic substrate (Gemini "USR", 56G lanes), 2.4 pJ/bit at 12 nm.</summary>
    public static LinkKind SerdesOrganic { get; } = new(
        "serdes-organic", 112.0, 0.0, 2.4,
        "GEMINI-HPCA2024 src/main.cpp USR 2.4 pJ/bit at 12 nm (1.7 at 7 nm) [verified]; 112 GB/s = 16 lanes x 56 Gb/s / 8 is our choice [assumption]; Gemini models no per-hop latency [verified]");

    /// <summary>Extra-short-reach 112G SerDes (Gemini "XSR"), 0.87 pJ/bit at 12 nm.</summary>
    public static LinkKind SerdesXsr { get; } = new(
        "serdes-xsr", 112.0, 0.0, 0.87,
        "GEMINI-HPCA2024 src/main.cpp XSR 97.44 mW per 112G lane at 12 nm [verified] = 0.87 pJ/bit [computed]; 112 GB/s = 8 lanes x 112 Gb/s / 8 is our choice [assumption]");

    /// <summary>Every link kind, by name.</summary>
    public static IReadOnlyList<LinkKind> All { get; } = [CompassSimba, Grs, UcieStandard, UcieAdvanced, SerdesOrganic, SerdesXsr];

    /// <summary>The link kind named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static LinkKind? Find(string name)
    {
        foreach (var k in All)
            if (string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase)) return k;
        return null;
    }
}
