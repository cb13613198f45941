using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Schema;

namespace Compass.Scenarios.Presets;

/// <summary>
/// Resolves the scenario's hardware and model against the catalogs the plugins registered — a preset is expanded,
/// then the scenario's overrides of its fields are applied — and validates the result: the one validator of
/// packages, chiplet types and models.
/// </summary>
public static class HardwareResolver
{
    /// <summary>
    /// Resolves the package (preset with overrides, or inline) with every slot's chiplet type, then validates the
    /// hardware data. A scenario chiplet type may take a catalog type's name only to replace it (<c>replaces</c>; a preset
    /// with overrides under its own name replaces it implicitly).
    /// </summary>
    public static ResolvedPackage ResolvePackage(PackageReference reference, IReadOnlyList<ChipletTypeReference> extraTypes, IEnumerable<ChipletType> catalogTypes, IEnumerable<PackageDescription> catalogPackages)
    {
        var types = new Dictionary<string, ChipletType>(StringComparer.OrdinalIgnoreCase);
        var catalog = catalogTypes.ToList();
        foreach (var t in catalog) types[t.Name] = t;
        AddScenarioTypes(types, [.. extraTypes.Select((t, i) => ResolveChiplet(t, catalog, $"hardware.chipletTypes[{i}]"))]);
        PackageDescription package;
        string path;
        if (reference.PresetName is { } name)
        {
            var presets = catalogPackages.ToList();
            package = presets.LastOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new CompassInputException("hardware.package", $"unknown package '{name}' (known: {KnownList(presets.Select(p => p.Name))})");
            path = $"package '{package.Name}'";
            if (reference.Overrides is { } overrides)
            {
                package = Expand(package, overrides, "hardware.package");
                path = "hardware.package";
            }
        }
        else
        {
            package = reference.Inline!;
            path = "hardware.package";
        }
        ValidatePackage(package, path);
        var used = new List<ChipletType>();
        var index = new int[package.Slots.Count];
        for (var s = 0; s < package.Slots.Count; s++)
        {
            var slotType = package.Slots[s];
            if (!types.TryGetValue(slotType, out var type))
                throw new CompassInputException($"{path}.slots[{s}]", $"unknown chiplet type '{slotType}' (known: {KnownList(types.Keys)})");
            var k = used.IndexOf(type);
            if (k < 0) { used.Add(type); k = used.Count - 1; }
            index[s] = k;
        }
        for (var i = 0; i < used.Count; i++) ValidateChiplet(used[i], $"chiplet type '{used[i].Name}'");
        return new ResolvedPackage(package, used, index);
    }

    /// <summary>
    /// Adds the scenario's own chiplet types to <paramref name="types"/> (the catalog). Names are case-insensitive:
    /// two scenario types with one name are refused, and a scenario type may reuse a catalog name only when it says
    /// <c>"replaces": "&lt;that name&gt;"</c>.
    /// </summary>
    public static void AddScenarioTypes(Dictionary<string, ChipletType> types, IReadOnlyList<ChipletType> extraTypes)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(extraTypes);
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < extraTypes.Count; i++)
        {
            var extra = extraTypes[i];
            var path = $"hardware.chipletTypes[{i}]";
            ValidateChiplet(extra, path);
            if (seen.TryGetValue(extra.Name, out var first))
                throw new CompassInputException(path + ".name", $"'{extra.Name}' is already defined by hardware.chipletTypes[{first}] (names are case-insensitive); give each type its own name");
            seen[extra.Name] = i;
            if (extra.Replaces is { } replaces && !string.Equals(replaces, extra.Name, StringComparison.OrdinalIgnoreCase))
                throw new CompassInputException(path + ".replaces", $"must be the type's own name '{extra.Name}' (the catalog type it replaces), got '{replaces}'");
            if (types.TryGetValue(extra.Name, out var existing))
            {
                if (extra.Replaces is null)
                    throw new CompassInputException(path + ".name", $"'{extra.Name}' is the name of the catalog chiplet type '{existing.Name}'; choose another name, or add \"replaces\": \"{existing.Name}\" to replace it on purpose");
            }
            else if (extra.Replaces is not null)
            {
                throw new CompassInputException(path + ".replaces", $"there is no catalog chiplet type '{extra.Replaces}' to replace (known: {KnownList(types.Keys)})");
            }
            types[extra.Name] = extra;
        }
    }

    /// <summary>
    /// Every chiplet type of the package must compute at the scenario's operand precision: GEMMs with weights run
    /// at max(weight, activation) bits, attention over the KV cache at max(activation, KV-cache) bits. A type
    /// without that precision is refused rather than silently run at another one.
    /// </summary>
    public static void CheckPrecisions(ResolvedPackage package, PrecisionConfig precision)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(precision);
        var needed = new SortedSet<int> { Math.Max(precision.WeightBits, precision.ActivationBits), Math.Max(precision.ActivationBits, precision.KvCacheBits) };
        foreach (var type in package.ChipletTypes)
        {
            foreach (var bits in needed)
            {
                if (!type.Precisions.Any(p => p.Bits == bits))
                    throw new CompassInputException("precision", $"chiplet type '{type.Name}' has no {bits}-bit precision (it has {string.Join(", ", type.Precisions.Select(p => p.Bits + "-bit"))}); the scenario's weight/activation/KV bits {precision.WeightBits}/{precision.ActivationBits}/{precision.KvCacheBits} need {string.Join(" and ", needed.Select(b => b + "-bit"))} operands");
            }
        }
    }

    /// <summary>Validates a package description: positive sizes, bandwidths and energies, slot count, channels on the mesh.</summary>
    public static void ValidatePackage(PackageDescription p, string path)
    {
        if (p.Slots is null) throw new CompassInputException(path + ".slots", "is required");
        if (p.Link is null) throw new CompassInputException(path + ".link", "is required");
        if (p.DramChannels is null || p.DramChannels.Count == 0) throw new CompassInputException(path + ".dramChannels", "must list at least one DRAM channel (weights and the KV cache live in DRAM)");
        if (p.MeshWidth < 1) throw new CompassInputException(path + ".meshWidth", $"must be >= 1, got {p.MeshWidth}");
        if (p.MeshHeight < 1) throw new CompassInputException(path + ".meshHeight", $"must be >= 1, got {p.MeshHeight}");
        if (p.MeshWidth > ScenarioLimits.MaxMeshSide) throw new CompassInputException(path + ".meshWidth", $"must be <= {ScenarioLimits.MaxMeshSide}, got {p.MeshWidth}");
        if (p.MeshHeight > ScenarioLimits.MaxMeshSide) throw new CompassInputException(path + ".meshHeight", $"must be <= {ScenarioLimits.MaxMeshSide}, got {p.MeshHeight}");
        if (p.Slots.Count != p.MeshWidth * p.MeshHeight)
            throw new CompassInputException(path + ".slots", $"must have meshWidth × meshHeight = {p.MeshWidth * p.MeshHeight} entries, got {p.Slots.Count}");
        Positive(p.Link.BandwidthGBps, path + ".link.bandwidthGBps");
        NonNegative(p.Link.HopLatencyNs, path + ".link.hopLatencyNs");
        NonNegative(p.Link.EnergyPjPerBit, path + ".link.energyPjPerBit");
        for (var c = 0; c < p.DramChannels.Count; c++)
        {
            var ch = p.DramChannels[c];
            var cp = $"{path}.dramChannels[{c}]";
            Positive(ch.BandwidthGBps, cp + ".bandwidthGBps");
            NonNegative(ch.EnergyPjPerBit, cp + ".energyPjPerBit");
            Positive(ch.CapacityGB, cp + ".capacityGB");
            if (!(ch.AchievableFraction > 0 && ch.AchievableFraction <= 1))
                throw new CompassInputException(cp + ".achievableFraction", $"must be in (0, 1], got {ch.AchievableFraction}");
            if (ch.AttachedRouters is null || ch.AttachedRouters.Count == 0) throw new CompassInputException(cp + ".attachedRouters", "must name at least one mesh router");
            for (var r = 0; r < ch.AttachedRouters.Count; r++)
            {
                var pos = ch.AttachedRouters[r];
                if (pos.X < 0 || pos.X >= p.MeshWidth || pos.Y < 0 || pos.Y >= p.MeshHeight)
                    throw new CompassInputException($"{cp}.attachedRouters[{r}]", $"router ({pos.X},{pos.Y}) is off the {p.MeshWidth}×{p.MeshHeight} mesh");
            }
        }
    }

    /// <summary>Validates a chiplet type: positive array, clock, precisions and buffers.</summary>
    public static void ValidateChiplet(ChipletType t, string path)
    {
        if (string.IsNullOrWhiteSpace(t.Name)) throw new CompassInputException(path + ".name", "is required");
        if (t.PeArrayRows < 1) throw new CompassInputException(path + ".peArrayRows", $"must be >= 1, got {t.PeArrayRows}");
        if (t.PeArrayColumns < 1) throw new CompassInputException(path + ".peArrayColumns", $"must be >= 1, got {t.PeArrayColumns}");
        if (t.MacsPerPe < 1) throw new CompassInputException(path + ".macsPerPe", $"must be >= 1, got {t.MacsPerPe}");
        Positive(t.ClockGHz, path + ".clockGHz");
        if (t.Precisions is null || t.Precisions.Count == 0) throw new CompassInputException(path + ".precisions", "must list at least one precision");
        for (var i = 0; i < t.Precisions.Count; i++)
        {
            var r = t.Precisions[i];
            if (r.Bits is not (4 or 8 or 16 or 32)) throw new CompassInputException($"{path}.precisions[{i}].bits", $"must be 4, 8, 16 or 32, got {r.Bits}");
            if (r.MacsPerCycle < 1) throw new CompassInputException($"{path}.precisions[{i}].macsPerCycle", $"must be >= 1, got {r.MacsPerCycle}");
            NonNegative(r.EnergyPerMacPj, $"{path}.precisions[{i}].energyPerMacPj");
        }
        if (t.Buffers is null || t.Buffers.Count == 0) throw new CompassInputException(path + ".buffers", "must list at least the global buffer");
        for (var i = 0; i < t.Buffers.Count; i++)
        {
            var b = t.Buffers[i];
            if (b.CapacityBytes < 1) throw new CompassInputException($"{path}.buffers[{i}].capacityBytes", $"must be > 0, got {b.CapacityBytes}");
            if (b.Instances < 1) throw new CompassInputException($"{path}.buffers[{i}].instances", $"must be >= 1, got {b.Instances}");
            Positive(b.BandwidthBytesPerCycle, $"{path}.buffers[{i}].bandwidthBytesPerCycle");
            NonNegative(b.ReadEnergyPjPerByte, $"{path}.buffers[{i}].readEnergyPjPerByte");
            NonNegative(b.WriteEnergyPjPerByte, $"{path}.buffers[{i}].writeEnergyPjPerByte");
        }
        if (t.VectorOpsPerCycle < 1) throw new CompassInputException(path + ".vectorOpsPerCycle", $"must be >= 1, got {t.VectorOpsPerCycle}");
        NonNegative(t.StaticPowerW, path + ".staticPowerW");
        NonNegative(t.AreaMm2, path + ".areaMm2");
        if (t.LaunchOverhead is null) throw new CompassInputException(path + ".launchOverhead", "must not be null");
        NonNegative(t.LaunchOverhead.GemmNs, path + ".launchOverhead.gemmNs");
        NonNegative(t.LaunchOverhead.ElementwiseNs, path + ".launchOverhead.elementwiseNs");
        NonNegative(t.LaunchOverhead.PointwiseNs, path + ".launchOverhead.pointwiseNs");
        NonNegative(t.LaunchOverhead.SoftmaxNs, path + ".launchOverhead.softmaxNs");
        NonNegative(t.LaunchOverhead.NormNs, path + ".launchOverhead.normNs");
    }

    /// <summary>Resolves the model (catalog name with overrides, or inline) and validates it.</summary>
    public static ModelConfig ResolveModel(ModelReference reference, IEnumerable<ModelConfig> catalog)
    {
        ModelConfig model;
        string path;
        if (reference.PresetName is { } name)
        {
            var list = catalog.ToList();
            model = list.LastOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new CompassInputException("model", $"unknown model '{name}' (known: {KnownList(list.Select(m => m.Name))})");
            path = $"model '{model.Name}'";
            if (reference.Overrides is { } overrides)
            {
                model = Expand(model, overrides, "model");
                path = "model";
            }
        }
        else
        {
            model = reference.Inline!;
            path = "model";
        }
        ValidateModel(model, path);
        return model;
    }

    /// <summary>Validates a model configuration.</summary>
    public static void ValidateModel(ModelConfig m, string path)
    {
        if (m.Layers < 1) throw new CompassInputException(path + ".layers", $"must be >= 1, got {m.Layers}");
        if (m.Hidden < 1) throw new CompassInputException(path + ".hidden", $"must be >= 1, got {m.Hidden}");
        if (m.Heads < 1) throw new CompassInputException(path + ".heads", $"must be >= 1, got {m.Heads}");
        if (m.KvHeads < 1 || m.KvHeads > m.Heads) throw new CompassInputException(path + ".kvHeads", $"must be in [1, heads = {m.Heads}], got {m.KvHeads}");
        if (m.Heads % m.KvHeads != 0) throw new CompassInputException(path + ".kvHeads", $"must divide heads = {m.Heads}, got {m.KvHeads}");
        if (m.HeadDim < 1) throw new CompassInputException(path + ".headDim", $"must be >= 1, got {m.HeadDim}");
        if (m.FfnHidden < 1) throw new CompassInputException(path + ".ffnHidden", $"must be >= 1, got {m.FfnHidden}");
        if (m.Vocab < 1) throw new CompassInputException(path + ".vocab", $"must be >= 1, got {m.Vocab}");
        if (m.Moe is { } moe)
        {
            if (moe.Experts < 1) throw new CompassInputException(path + ".moe.experts", $"must be >= 1, got {moe.Experts}");
            if (moe.TopK < 1 || moe.TopK > moe.Experts) throw new CompassInputException(path + ".moe.topK", $"must be in [1, experts = {moe.Experts}], got {moe.TopK}");
            if (moe.ExpertFfnHidden < 1) throw new CompassInputException(path + ".moe.expertFfnHidden", $"must be >= 1, got {moe.ExpertFfnHidden}");
        }
        if (m.Attention == AttentionKind.Mla && m.Mla is null) throw new CompassInputException(path + ".mla", "is required when attention is Mla");
    }

    /// <summary>An extra chiplet type: inline, or a catalog type expanded with the scenario's overrides.</summary>
    public static ChipletType ResolveChiplet(ChipletTypeReference reference, IReadOnlyList<ChipletType> catalog, string path)
    {
        if (reference.PresetName is not { } name) return reference.Inline!;
        var preset = catalog.LastOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new CompassInputException(path + "." + PresetField.PresetKey, $"unknown chiplet type '{name}' (known: {KnownList(catalog.Select(t => t.Name))})");
        var expanded = reference.Overrides is { } overrides ? Expand(preset, overrides, path) : preset;
        // A preset kept under its own name is an edit of that catalog type: it replaces it on purpose.
        return string.Equals(expanded.Name, preset.Name, StringComparison.OrdinalIgnoreCase) && expanded.Replaces is null ? expanded with { Replaces = preset.Name } : expanded;
    }

    /// <summary>
    /// A catalog entry with the scenario's (already bound) overrides applied: the entry is written as JSON, the
    /// overrides merged in (<see cref="PresetMerge"/>), and the result read back as the record.
    /// </summary>
    public static T Expand<T>(T preset, JsonObject overrides, string path) where T : class
    {
        var node = JsonSerializer.SerializeToNode(preset, ConfigJson.Options)!.AsObject();
        PresetMerge.Apply(node, overrides, path);
        return (T)RecordField.For(typeof(T), partial: false).Materialize(node, path);
    }

    /// <summary>Comma-separated, sorted list of known names.</summary>
    public static string KnownList(IEnumerable<string> names)
    {
        var list = names.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        return list.Count == 0 ? "none registered" : string.Join(", ", list);
    }

    private static void Positive(double v, string path)
    {
        if (!(v > 0) || !double.IsFinite(v)) throw new CompassInputException(path, $"must be > 0, got {v.ToString("G6", CultureInfo.InvariantCulture)}");
    }

    private static void NonNegative(double v, string path)
    {
        if (!(v >= 0) || !double.IsFinite(v)) throw new CompassInputException(path, $"must be >= 0, got {v.ToString("G6", CultureInfo.InvariantCulture)}");
    }
}
