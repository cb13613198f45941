using System.Globalization;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;

namespace Compass.Chiplets.Validation;

/// <summary>
/// Checks chiplet types and package descriptions before any work starts. Every failure is a
/// <see cref="CompassInputException"/> whose field is the JSON path of the offending value
/// (<c>package.link.bandwidthGBps: must be &gt; 0, got -3</c>).
/// </summary>
public static class HardwareValidator
{
    private static readonly string[] HoldsValues = ["weights", "inputs", "outputs", "all"];

    /// <summary>
    /// Validates <paramref name="package"/> and every chiplet type its slots use, looked up in <paramref name="chipletTypes"/>.
    /// </summary>
    /// <param name="package">The package.</param>
    /// <param name="chipletTypes">Known chiplet types by name (the lookup's comparer decides case sensitivity).</param>
    /// <param name="path">Path prefix of the package in the scenario.</param>
    public static void Validate(PackageDescription package, IReadOnlyDictionary<string, ChipletType> chipletTypes, string path = "package")
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(chipletTypes);
        if (string.IsNullOrWhiteSpace(package.Name)) throw new CompassInputException($"{path}.name", "is required");
        if (package.MeshWidth < 1) throw new CompassInputException($"{path}.meshWidth", $"must be >= 1, got {package.MeshWidth}");
        if (package.MeshHeight < 1) throw new CompassInputException($"{path}.meshHeight", $"must be >= 1, got {package.MeshHeight}");
        var expected = (long)package.MeshWidth * package.MeshHeight;
        if (package.Slots is null) throw new CompassInputException($"{path}.slots", "is required");
        if (package.Slots.Count != expected)
            throw new CompassInputException($"{path}.slots", $"must have meshWidth x meshHeight = {expected} entries, got {package.Slots.Count}");

        var validated = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < package.Slots.Count; i++)
        {
            var name = package.Slots[i];
            if (string.IsNullOrWhiteSpace(name))
                throw new CompassInputException($"{path}.slots[{i}]", "must name a chiplet type");
            if (!chipletTypes.TryGetValue(name, out var type))
                throw new CompassInputException(
                    $"{path}.slots[{i}]",
                    $"unknown chiplet type '{name}' at ({i % package.MeshWidth}, {i / package.MeshWidth}); known: {string.Join(", ", chipletTypes.Keys.Order(StringComparer.Ordinal))}");
            if (validated.Add(name)) Validate(type, $"chipletTypes[{name}]");
        }

        var link = package.Link ?? throw new CompassInputException($"{path}.link", "is required");
        if (string.IsNullOrWhiteSpace(link.Kind)) throw new CompassInputException($"{path}.link.kind", "is required");
        Positive(link.BandwidthGBps, $"{path}.link.bandwidthGBps");
        NonNegative(link.HopLatencyNs, $"{path}.link.hopLatencyNs");
        NonNegative(link.EnergyPjPerBit, $"{path}.link.energyPjPerBit");

        if (package.DramChannels is null || package.DramChannels.Count == 0)
            throw new CompassInputException($"{path}.dramChannels", "must list at least one DRAM channel");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < package.DramChannels.Count; c++)
        {
            var channelPath = $"{path}.dramChannels[{c}]";
            var channel = package.DramChannels[c] ?? throw new CompassInputException(channelPath, "is null");
            if (string.IsNullOrWhiteSpace(channel.Name)) throw new CompassInputException($"{channelPath}.name", "is required");
            if (!names.Add(channel.Name)) throw new CompassInputException($"{channelPath}.name", $"'{channel.Name}' is used by another channel");
            if (string.IsNullOrWhiteSpace(channel.Kind)) throw new CompassInputException($"{channelPath}.kind", "is required");
            Positive(channel.BandwidthGBps, $"{channelPath}.bandwidthGBps");
            NonNegative(channel.EnergyPjPerBit, $"{channelPath}.energyPjPerBit");
            Positive(channel.CapacityGB, $"{channelPath}.capacityGB");
            if (!double.IsFinite(channel.AchievableFraction) || !(channel.AchievableFraction > 0) || channel.AchievableFraction > 1)
                throw new CompassInputException($"{channelPath}.achievableFraction", $"must be in (0, 1], got {Format(channel.AchievableFraction)}");
            if (channel.AttachedRouters is null || channel.AttachedRouters.Count == 0)
                throw new CompassInputException($"{channelPath}.attachedRouters", "must list at least one router");
            for (var r = 0; r < channel.AttachedRouters.Count; r++)
            {
                var p = channel.AttachedRouters[r];
                if (p.X < 0 || p.X >= package.MeshWidth || p.Y < 0 || p.Y >= package.MeshHeight)
                    throw new CompassInputException(
                        $"{channelPath}.attachedRouters[{r}]",
                        $"({p.X}, {p.Y}) is off the {package.MeshWidth}x{package.MeshHeight} mesh (x in [0, {package.MeshWidth - 1}], y in [0, {package.MeshHeight - 1}])");
            }
        }
    }

    /// <summary>Validates one chiplet type.</summary>
    /// <param name="type">The chiplet type.</param>
    /// <param name="path">Path prefix of the type in the scenario (<c>chipletTypes[0]</c>).</param>
    public static void Validate(ChipletType type, string path = "chipletType")
    {
        ArgumentNullException.ThrowIfNull(type);
        if (string.IsNullOrWhiteSpace(type.Name)) throw new CompassInputException($"{path}.name", "is required");
        AtLeastOne(type.PeArrayRows, $"{path}.peArrayRows");
        AtLeastOne(type.PeArrayColumns, $"{path}.peArrayColumns");
        AtLeastOne(type.MacsPerPe, $"{path}.macsPerPe");
        Positive(type.ClockGHz, $"{path}.clockGHz");

        if (type.Precisions is null || type.Precisions.Count == 0)
            throw new CompassInputException($"{path}.precisions", "must list at least one precision");
        var bits = new HashSet<int>();
        for (var i = 0; i < type.Precisions.Count; i++)
        {
            var p = type.Precisions[i] ?? throw new CompassInputException($"{path}.precisions[{i}]", "is null");
            if (p.Bits < 1 || p.Bits > 64) throw new CompassInputException($"{path}.precisions[{i}].bits", $"must be in [1, 64], got {p.Bits}");
            if (!bits.Add(p.Bits)) throw new CompassInputException($"{path}.precisions[{i}].bits", $"{p.Bits}-bit is listed twice");
            AtLeastOne(p.MacsPerCycle, $"{path}.precisions[{i}].macsPerCycle");
            NonNegative(p.EnergyPerMacPj, $"{path}.precisions[{i}].energyPerMacPj");
        }
        var arrayMacs = (long)type.PeArrayRows * type.PeArrayColumns * type.MacsPerPe;
        if (type.Precisions[0].MacsPerCycle != arrayMacs)
            throw new CompassInputException(
                $"{path}.precisions[0].macsPerCycle",
                $"must equal peArrayRows x peArrayColumns x macsPerPe = {arrayMacs} (the first precision is the native one), got {type.Precisions[0].MacsPerCycle}");

        if (type.Buffers is null || type.Buffers.Count == 0)
            throw new CompassInputException($"{path}.buffers", "must list at least one buffer level (the global buffer last)");
        for (var i = 0; i < type.Buffers.Count; i++)
        {
            var bufferPath = $"{path}.buffers[{i}]";
            var b = type.Buffers[i] ?? throw new CompassInputException(bufferPath, "is null");
            if (string.IsNullOrWhiteSpace(b.Name)) throw new CompassInputException($"{bufferPath}.name", "is required");
            if (b.CapacityBytes < 1) throw new CompassInputException($"{bufferPath}.capacityBytes", $"must be > 0, got {b.CapacityBytes}");
            AtLeastOne(b.Instances, $"{bufferPath}.instances");
            Positive(b.BandwidthBytesPerCycle, $"{bufferPath}.bandwidthBytesPerCycle");
            NonNegative(b.ReadEnergyPjPerByte, $"{bufferPath}.readEnergyPjPerByte");
            NonNegative(b.WriteEnergyPjPerByte, $"{bufferPath}.writeEnergyPjPerByte");
            if (!HoldsValues.Contains(b.Holds, StringComparer.OrdinalIgnoreCase))
                throw new CompassInputException($"{bufferPath}.holds", $"must be one of {string.Join(", ", HoldsValues)}, got '{b.Holds}'");
        }

        AtLeastOne(type.VectorOpsPerCycle, $"{path}.vectorOpsPerCycle");
        NonNegative(type.VectorEnergyPerOpPj, $"{path}.vectorEnergyPerOpPj");
        NonNegative(type.StaticPowerW, $"{path}.staticPowerW");
        NonNegative(type.AreaMm2, $"{path}.areaMm2");
        if (type.ProcessNm < 1) throw new CompassInputException($"{path}.processNm", $"must be > 0, got {type.ProcessNm}");
        var launch = type.LaunchOverhead ?? throw new CompassInputException($"{path}.launchOverhead", "is null");
        NonNegative(launch.GemmNs, $"{path}.launchOverhead.gemmNs");
        NonNegative(launch.ElementwiseNs, $"{path}.launchOverhead.elementwiseNs");
        NonNegative(launch.PointwiseNs, $"{path}.launchOverhead.pointwiseNs");
        NonNegative(launch.SoftmaxNs, $"{path}.launchOverhead.softmaxNs");
        NonNegative(launch.NormNs, $"{path}.launchOverhead.normNs");
    }

    private static void Positive(double value, string field)
    {
        if (!double.IsFinite(value) || !(value > 0))
            throw new CompassInputException(field, $"must be > 0, got {Format(value)}");
    }

    private static void NonNegative(double value, string field)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new CompassInputException(field, $"must be >= 0, got {Format(value)}");
    }

    private static void AtLeastOne(int value, string field)
    {
        if (value < 1) throw new CompassInputException(field, $"must be >= 1, got {value}");
    }

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
