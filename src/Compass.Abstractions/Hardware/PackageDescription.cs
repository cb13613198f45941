namespace Compass.Abstractions.Hardware;

/// <summary>A router position on the package mesh; slot index = <c>Y * width + X</c>.</summary>
/// <param name="X">Column, 0 at the left edge.</param>
/// <param name="Y">Row, 0 at the top edge.</param>
public readonly record struct MeshPosition(int X, int Y);

/// <summary>Network-on-package link parameters, identical for every mesh link.</summary>
/// <param name="Kind">Named link kind (<c>grs</c>, <c>ucie-standard</c>, <c>ucie-advanced</c>, <c>serdes-organic</c>, <c>custom</c>).</param>
/// <param name="BandwidthGBps">Bandwidth of one link in one direction, GB/s (= bytes per ns).</param>
/// <param name="HopLatencyNs">Latency added per hop (router + link), ns.</param>
/// <param name="EnergyPjPerBit">Energy per bit per hop, pJ/bit.</param>
public sealed record LinkSpec(string Kind, double BandwidthGBps, double HopLatencyNs, double EnergyPjPerBit);

/// <summary>An off-chip memory channel (DRAM or HBM) attached to one or more edge routers.</summary>
/// <param name="Name">Channel name.</param>
/// <param name="Kind">Memory technology (<c>gddr6x</c>, <c>hbm2e</c>, <c>hbm3</c>, <c>lpddr5</c>, <c>custom</c>).</param>
/// <param name="AttachedRouters">Routers the channel's controller connects to; traffic is split evenly over them.</param>
/// <param name="BandwidthGBps">Channel bandwidth, GB/s (= bytes per ns).</param>
/// <param name="EnergyPjPerBit">Access energy, pJ/bit.</param>
/// <param name="CapacityGB">Capacity in GB (10⁹ bytes).</param>
public sealed record DramChannel(
    string Name,
    string Kind,
    IReadOnlyList<MeshPosition> AttachedRouters,
    double BandwidthGBps,
    double EnergyPjPerBit,
    double CapacityGB)
{
    /// <summary>
    /// Fraction of <see cref="BandwidthGBps"/> that streaming operators reach in practice (refresh, bank conflicts,
    /// controller efficiency), (0, 1]; 1 (the peak) by default (contract 1.1). Timing uses <see cref="EffectiveBandwidthGBps"/>.
    /// </summary>
    public double AchievableFraction { get; init; } = 1.0;

    /// <summary>Bandwidth streaming operators reach: peak × achievable fraction, GB/s.</summary>
    public double EffectiveBandwidthGBps => BandwidthGBps * AchievableFraction;
}

/// <summary>
/// A package: a <see cref="MeshWidth"/> × <see cref="MeshHeight"/> mesh of chiplet slots, its links and memory.
/// This is pure data; it round-trips through JSON unchanged.
/// </summary>
public sealed record PackageDescription
{
    /// <summary>Preset or user name.</summary>
    public required string Name { get; init; }

    /// <summary>One-line description.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Where the numbers come from.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Mesh columns.</summary>
    public required int MeshWidth { get; init; }

    /// <summary>Mesh rows.</summary>
    public required int MeshHeight { get; init; }

    /// <summary>Chiplet type name for every slot, row-major (index = y × width + x); length width × height.</summary>
    public required IReadOnlyList<string> Slots { get; init; }

    /// <summary>Network-on-package link parameters.</summary>
    public required LinkSpec Link { get; init; }

    /// <summary>Off-chip memory channels.</summary>
    public required IReadOnlyList<DramChannel> DramChannels { get; init; }

    /// <summary>Number of chiplet slots.</summary>
    public int ChipletCount => MeshWidth * MeshHeight;

    /// <summary>Position of slot <paramref name="index"/>.</summary>
    public MeshPosition PositionOf(int index) => new(index % MeshWidth, index / MeshWidth);
}

/// <summary>A package with every slot's chiplet type resolved from the catalog.</summary>
/// <param name="Description">The package description.</param>
/// <param name="ChipletTypes">The distinct chiplet types used, in first-use order.</param>
/// <param name="SlotTypeIndex">For every slot, the index into <paramref name="ChipletTypes"/>.</param>
public sealed record ResolvedPackage(PackageDescription Description, IReadOnlyList<ChipletType> ChipletTypes, int[] SlotTypeIndex)
{
    /// <summary>The chiplet type in slot <paramref name="slot"/>.</summary>
    public ChipletType TypeOf(int slot) => ChipletTypes[SlotTypeIndex[slot]];

    /// <summary>Total DRAM bandwidth, GB/s.</summary>
    public double TotalDramBandwidthGBps
    {
        get { var s = 0.0; foreach (var c in Description.DramChannels) s += c.BandwidthGBps; return s; }
    }

    /// <summary>Total achievable DRAM bandwidth (each channel's peak × its achievable fraction), GB/s.</summary>
    public double EffectiveDramBandwidthGBps
    {
        get { var s = 0.0; foreach (var c in Description.DramChannels) s += c.EffectiveBandwidthGBps; return s; }
    }

    /// <summary>Total DRAM capacity, bytes.</summary>
    public double TotalDramCapacityBytes
    {
        get { var s = 0.0; foreach (var c in Description.DramChannels) s += c.CapacityGB * 1e9; return s; }
    }

    /// <summary>Sum of every chiplet's peak MAC rate at <paramref name="bits"/> precision, in MACs per ns.</summary>
    public double PeakMacsPerNs(int bits)
    {
        var s = 0.0;
        for (var i = 0; i < SlotTypeIndex.Length; i++)
        {
            var t = TypeOf(i);
            s += t.RateFor(bits).MacsPerCycle * t.ClockGHz;
        }
        return s;
    }
}
