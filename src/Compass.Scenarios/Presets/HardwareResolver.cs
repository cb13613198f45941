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
        var (package, path) = FromCatalog(reference.PresetName, reference.Inline, reference.Overrides, catalogPackages, p => p.Name, "hardware.package", "package");
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

    /// <summary>
    /// Validates a package description — the one validator of packages, for scenario packages and catalog presets
    /// alike: a name, a mesh within <see cref="ScenarioLimits.MaxMeshSide"/>, one slot per mesh position, a link of a
    /// named kind with positive bandwidth and non-negative latency and energy, and at least one uniquely named DRAM
    /// channel with positive bandwidth and capacity, an achievable fraction in (0, 1] and routers on the mesh.
    /// </summary>
    /// <param name="p">The package.</param>
    /// <param name="path">Dotted path of the package in the scenario (<c>hardware.package</c>), named by every error.</param>
    public static void ValidatePackage(PackageDescription p, string path)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (string.IsNullOrWhiteSpace(p.Name)) throw new CompassInputException(path + ".name", "is required");
        if (p.Slots is null) throw new CompassInputException(path + ".slots", "is required");
        if (p.Link is null) throw new CompassInputException(path + ".link", "is required");
        if (p.DramChannels is null || p.DramChannels.Count == 0) throw new CompassInputException(path + ".dramChannels", "must list at least one DRAM channel (weights and the KV cache live in DRAM)");
        if (p.MeshWidth < 1) throw new CompassInputException(path + ".meshWidth", $"must be >= 1, got {p.MeshWidth}");
        if (p.MeshHeight < 1) throw new CompassInputException(path + ".meshHeight", $"must be >= 1, got {p.MeshHeight}");
        if (p.MeshWidth > ScenarioLimits.MaxMeshSide) throw new CompassInputException(path + ".meshWidth", $"must be <= {ScenarioLimits.MaxMeshSide}, got {p.MeshWidth}");
        if (p.MeshHeight > ScenarioLimits.MaxMeshSide) throw new CompassInputException(path + ".meshHeight", $"must be <= {ScenarioLimits.MaxMeshSide}, got {p.MeshHeight}");
        if (p.Slots.Count != p.MeshWidth * p.MeshHeight)
            throw new CompassInputException(path + ".slots", $"must have meshWidth × meshHeight = {p.MeshWidth * p.MeshHeight} entries, got {p.Slots.Count}");
        for (var s = 0; s < p.Slots.Count; s++)
            if (string.IsNullOrWhiteSpace(p.Slots[s])) throw new CompassInputException($"{path}.slots[{s}]", "must name a chiplet type");
        if (string.IsNullOrWhiteSpace(p.Link.Kind)) throw new CompassInputException(path + ".link.kind", "is required");
        Positive(p.Link.BandwidthGBps, path + ".link.bandwidthGBps");
        NonNegative(p.Link.HopLatencyNs, path + ".link.hopLatencyNs");
        NonNegative(p.Link.EnergyPjPerBit, path + ".link.energyPjPerBit");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < p.DramChannels.Count; c++)
        {
            var ch = p.DramChannels[c];
            var cp = $"{path}.dramChannels[{c}]";
            if (string.IsNullOrWhiteSpace(ch.Name)) throw new CompassInputException(cp + ".name", "is required");
            if (!names.Add(ch.Name)) throw new CompassInputException(cp + ".name", $"'{ch.Name}' is used by another channel");
            if (string.IsNullOrWhiteSpace(ch.Kind)) throw new CompassInputException(cp + ".kind", "is required");
            Positive(ch.BandwidthGBps, cp + ".bandwidthGBps");
            NonNegative(ch.EnergyPjPerBit, cp + ".energyPjPerBit");
            Positive(ch.CapacityGB, cp + ".capacityGB");
            if (!(ch.AchievableFraction > 0 && ch.AchievableFraction <= 1))
                throw new CompassInputException(cp + ".achievableFraction", $"must be in (0, 1], got {ch.AchievableFraction.ToString("G6", CultureInfo.InvariantCulture)}");
            if (ch.AttachedRouters is null || ch.AttachedRouters.Count == 0) throw new CompassInputException(cp + ".attachedRouters", "must name at least one mesh router");
            for (var r = 0; r < ch.AttachedRouters.Count; r++)
            {
                var pos = ch.AttachedRouters[r];
                if (pos.X < 0 || pos.X >= p.MeshWidth || pos.Y < 0 || pos.Y >= p.MeshHeight)
                    throw new CompassInputException($"{cp}.attachedRouters[{r}]", $"router ({pos.X},{pos.Y}) is off the {p.MeshWidth}×{p.MeshHeight} mesh");
            }
        }
    }

    /// <summary>
    /// Validates a chiplet type — the one validator of chiplet types, for scenario types and catalog entries alike:
    /// a PE array, a clock, distinct precisions of 4, 8, 16 or 32 bits with the native (first) one matching the
    /// array, buffer levels that hold weights, inputs, outputs or all, vector units, and non-negative energies,
    /// power, area and launch overheads.
    /// </summary>
    /// <param name="t">The chiplet type.</param>
    /// <param name="path">Dotted path of the type (<c>hardware.chipletTypes[0]</c>, <c>chiplet type 'compass-os'</c>).</param>
    public static void ValidateChiplet(ChipletType t, string path)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (string.IsNullOrWhiteSpace(t.Name)) throw new CompassInputException(path + ".name", "is required");
        AtLeastOne(t.PeArrayRows, path + ".peArrayRows");
        AtLeastOne(t.PeArrayColumns, path + ".peArrayColumns");
        AtLeastOne(t.MacsPerPe, path + ".macsPerPe");
        Positive(t.ClockGHz, path + ".clockGHz");
        if (t.Precisions is null || t.Precisions.Count == 0) throw new CompassInputException(path + ".precisions", "must list at least one precision");
        var bits = new HashSet<int>();
        for (var i = 0; i < t.Precisions.Count; i++)
        {
            var r = t.Precisions[i];
            if (r.Bits is not (4 or 8 or 16 or 32)) throw new CompassInputException($"{path}.precisions[{i}].bits", $"must be 4, 8, 16 or 32, got {r.Bits}");
            if (!bits.Add(r.Bits)) throw new CompassInputException($"{path}.precisions[{i}].bits", $"{r.Bits}-bit is listed twice");
            AtLeastOne(r.MacsPerCycle, $"{path}.precisions[{i}].macsPerCycle");
            NonNegative(r.EnergyPerMacPj, $"{path}.precisions[{i}].energyPerMacPj");
        }
        var arrayMacs = (long)t.PeArrayRows * t.PeArrayColumns * t.MacsPerPe;
        if (t.Precisions[0].MacsPerCycle != arrayMacs)
            throw new CompassInputException($"{path}.precisions[0].macsPerCycle",
                $"must equal peArrayRows × peArrayColumns × macsPerPe = {arrayMacs} (the first precision is the native one), got {t.Precisions[0].MacsPerCycle}");
        if (t.Buffers is null || t.Buffers.Count == 0) throw new CompassInputException(path + ".buffers", "must list at least the global buffer (last)");
        for (var i = 0; i < t.Buffers.Count; i++)
        {
            var b = t.Buffers[i];
            var bp = $"{path}.buffers[{i}]";
            if (string.IsNullOrWhiteSpace(b.Name)) throw new CompassInputException(bp + ".name", "is required");
            if (b.CapacityBytes < 1) throw new CompassInputException(bp + ".capacityBytes", $"must be > 0, got {b.CapacityBytes}");
            AtLeastOne(b.Instances, bp + ".instances");
            Positive(b.BandwidthBytesPerCycle, bp + ".bandwidthBytesPerCycle");
            NonNegative(b.ReadEnergyPjPerByte, bp + ".readEnergyPjPerByte");
            NonNegative(b.WriteEnergyPjPerByte, bp + ".writeEnergyPjPerByte");
            if (!BufferHolds.Contains(b.Holds, StringComparer.OrdinalIgnoreCase))
                throw new CompassInputException(bp + ".holds", $"must be one of {string.Join(", ", BufferHolds)}, got '{b.Holds}'");
        }
        AtLeastOne(t.VectorOpsPerCycle, path + ".vectorOpsPerCycle");
        NonNegative(t.VectorEnergyPerOpPj, path + ".vectorEnergyPerOpPj");
        NonNegative(t.StaticPowerW, path + ".staticPowerW");
        NonNegative(t.AreaMm2, path + ".areaMm2");
        if (t.ProcessNm < 1) throw new CompassInputException(path + ".processNm", $"must be > 0, got {t.ProcessNm}");
        if (t.LaunchOverhead is null) throw new CompassInputException(path + ".launchOverhead", "is required");
        NonNegative(t.LaunchOverhead.GemmNs, path + ".launchOverhead.gemmNs");
        NonNegative(t.LaunchOverhead.ElementwiseNs, path + ".launchOverhead.elementwiseNs");
        NonNegative(t.LaunchOverhead.PointwiseNs, path + ".launchOverhead.pointwiseNs");
        NonNegative(t.LaunchOverhead.SoftmaxNs, path + ".launchOverhead.softmaxNs");
        NonNegative(t.LaunchOverhead.NormNs, path + ".launchOverhead.normNs");
        NonNegative(t.KernelFixedNs, path + ".kernelFixedNs");
    }

    /// <summary>What a buffer level may hold (<see cref="BufferLevel.Holds"/>).</summary>
    public static IReadOnlyList<string> BufferHolds { get; } = ["weights", "inputs", "outputs", "all"];

    /// <summary>Resolves the model (catalog name with overrides, or inline) and validates it.</summary>
    public static ModelConfig ResolveModel(ModelReference reference, IEnumerable<ModelConfig> catalog)
    {
        var (model, path) = FromCatalog(reference.PresetName, reference.Inline, reference.Overrides, catalog, m => m.Name, "model", "model");
        ValidateModel(model, path);
        return model;
    }

    /// <summary>
    /// A catalog entry by name (the last registered of that name wins), expanded with the scenario's overrides, or the
    /// inline record; with the path its errors are named by: the field when the scenario wrote or changed the record,
    /// <c>package 'name'</c> for an unchanged catalog entry.
    /// </summary>
    private static (T Value, string Path) FromCatalog<T>(string? name, T? inline, JsonObject? overrides, IEnumerable<T> catalog, Func<T, string> nameOf, string field, string what) where T : class
    {
        if (name is null) return (inline!, field);
        var list = catalog.ToList();
        var entry = list.LastOrDefault(e => string.Equals(nameOf(e), name, StringComparison.OrdinalIgnoreCase))
            ?? throw new CompassInputException(field, $"unknown {what} '{name}' (known: {KnownList(list.Select(nameOf))})");
        return overrides is null ? (entry, $"{what} '{nameOf(entry)}'") : (Expand(entry, overrides, field), field);
    }

    /// <summary>
    /// Validates a model configuration — the one validator of models, for scenario models and catalog entries alike:
    /// positive shapes, KV heads that divide the heads, latent-attention and MoE fields when used, a
    /// known norm and position encoding, and a context window when positions are learned.
    /// </summary>
    /// <param name="m">The model.</param>
    /// <param name="path">Dotted path of the model (<c>model</c>, <c>model 'llama-3-8b'</c>).</param>
    public static void ValidateModel(ModelConfig m, string path)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (string.IsNullOrWhiteSpace(m.Name)) throw new CompassInputException(path + ".name", "is required");
        AtLeastOne(m.Layers, path + ".layers");
        AtLeastOne(m.Hidden, path + ".hidden");
        AtLeastOne(m.Heads, path + ".heads");
        if (m.KvHeads < 1 || m.KvHeads > m.Heads) throw new CompassInputException(path + ".kvHeads", $"must be in [1, heads = {m.Heads}], got {m.KvHeads}");
        if (m.Heads % m.KvHeads != 0) throw new CompassInputException(path + ".kvHeads", $"must divide heads = {m.Heads}, got {m.KvHeads}");
        AtLeastOne(m.HeadDim, path + ".headDim");
        AtLeastOne(m.FfnHidden, path + ".ffnHidden");
        AtLeastOne(m.Vocab, path + ".vocab");
        if (m.MaxPosition < 0) throw new CompassInputException(path + ".maxPosition", $"must be >= 0, got {m.MaxPosition}");
        if (m.SlidingWindow is { } window && window <= 0) throw new CompassInputException(path + ".slidingWindow", $"must be > 0 when set, got {window}");
        if (m.Attention == AttentionKind.Mla && m.Mla is null) throw new CompassInputException(path + ".mla", "is required when attention is Mla");
        if (m.Mla is { } mla)
        {
            if (mla.QLoraRank < 0) throw new CompassInputException(path + ".mla.qLoraRank", $"must be >= 0, got {mla.QLoraRank}");
            AtLeastOne(mla.KvLoraRank, path + ".mla.kvLoraRank");
            AtLeastOne(mla.QkNopeHeadDim, path + ".mla.qkNopeHeadDim");
            AtLeastOne(mla.QkRopeHeadDim, path + ".mla.qkRopeHeadDim");
            AtLeastOne(mla.VHeadDim, path + ".mla.vHeadDim");
        }
        if (m.Moe is { } moe)
        {
            AtLeastOne(moe.Experts, path + ".moe.experts");
            if (moe.TopK < 1 || moe.TopK > moe.Experts) throw new CompassInputException(path + ".moe.topK", $"must be in [1, experts = {moe.Experts}], got {moe.TopK}");
            AtLeastOne(moe.ExpertFfnHidden, path + ".moe.expertFfnHidden");
            if (moe.SharedExperts < 0) throw new CompassInputException(path + ".moe.sharedExperts", $"must be >= 0, got {moe.SharedExperts}");
            if (moe.FirstDenseLayers < 0 || moe.FirstDenseLayers > m.Layers)
                throw new CompassInputException(path + ".moe.firstDenseLayers", $"must be in [0, layers = {m.Layers}], got {moe.FirstDenseLayers}");
        }
        if (m.LinearBias && m.Heads * m.HeadDim != m.Hidden)
            throw new CompassInputException(path + ".headDim", $"heads × headDim must equal hidden ({m.Hidden}) for a biased 2-matrix model, got {m.Heads * m.HeadDim}");
        if (!IsOneOf(m.Norm, "layernorm", "rmsnorm")) throw new CompassInputException(path + ".norm", $"must be layernorm or rmsnorm, got '{m.Norm}'");
        if (!IsOneOf(m.PositionEncoding, "rope", "learned")) throw new CompassInputException(path + ".positionEncoding", $"must be rope or learned, got '{m.PositionEncoding}'");
        if (string.Equals(m.PositionEncoding, "learned", StringComparison.OrdinalIgnoreCase) && m.MaxPosition <= 0)
            throw new CompassInputException(path + ".maxPosition", "must be > 0 with learned positions (it sizes the position table)");
    }

    private static bool IsOneOf(string? value, string a, string b) =>
        string.Equals(value, a, StringComparison.OrdinalIgnoreCase) || string.Equals(value, b, StringComparison.OrdinalIgnoreCase);

    private static void AtLeastOne(int value, string path)
    {
        if (value < 1) throw new CompassInputException(path, $"must be >= 1, got {value}");
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
