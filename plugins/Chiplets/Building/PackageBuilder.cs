using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Chiplets.Catalog;

namespace Compass.Chiplets.Building;

/// <summary>How <see cref="PackageBuilder.Halves"/> cuts the mesh.</summary>
public enum HalfSplit
{
    /// <summary>First type in the top rows, second in the bottom rows.</summary>
    TopBottom,

    /// <summary>First type in the left columns, second in the right columns.</summary>
    LeftRight,
}

/// <summary>Which mesh edges carry the DRAM / HBM channels.</summary>
public enum DramEdges
{
    /// <summary>Left column (x = 0) and right column (x = W − 1), as in the published Compass method.</summary>
    LeftRight,

    /// <summary>Top row (y = 0) and bottom row (y = H − 1).</summary>
    TopBottom,
}

/// <summary>
/// Builds package descriptions: slot maps for homogeneous and heterogeneous placements (rows, halves, checkerboard,
/// explicit map) and DRAM channel placement on the mesh edges. Slot lists are row-major (index = y × width + x).
/// Bad arguments throw <see cref="CompassInputException"/> naming the package field.
/// </summary>
public static class PackageBuilder
{
    /// <summary>Largest supported mesh side.</summary>
    public const int MaxMeshSide = 64;

    /// <summary>Every slot holds <paramref name="chipletType"/>.</summary>
    public static string[] Homogeneous(int width, int height, string chipletType)
    {
        CheckSize(width, height);
        var slots = new string[width * height];
        Array.Fill(slots, chipletType);
        return slots;
    }

    /// <summary>Row y holds <paramref name="rowTypes"/>[y]; the mesh height is the number of rows.</summary>
    public static string[] ByRows(int width, IReadOnlyList<string> rowTypes)
    {
        CheckSize(width, rowTypes.Count);
        var slots = new string[width * rowTypes.Count];
        for (var y = 0; y < rowTypes.Count; y++)
            for (var x = 0; x < width; x++) slots[(y * width) + x] = rowTypes[y];
        return slots;
    }

    /// <summary>
    /// <paramref name="first"/> in the top (or left) half, <paramref name="second"/> in the bottom (or right) half. With an
    /// odd side the first half gets ⌊side/2⌋ rows or columns.
    /// </summary>
    public static string[] Halves(int width, int height, string first, string second, HalfSplit split)
    {
        CheckSize(width, height);
        var slots = new string[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var inFirst = split == HalfSplit.TopBottom ? y < height / 2 : x < width / 2;
                slots[(y * width) + x] = inFirst ? first : second;
            }
        return slots;
    }

    /// <summary><paramref name="even"/> where x + y is even (including (0,0)), <paramref name="odd"/> elsewhere.</summary>
    public static string[] Checkerboard(int width, int height, string even, string odd)
    {
        CheckSize(width, height);
        var slots = new string[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++) slots[(y * width) + x] = ((x + y) & 1) == 0 ? even : odd;
        return slots;
    }

    /// <summary>
    /// An explicit map: one string per row, one character per slot, each character looked up in
    /// <paramref name="legend"/> (for example <c>"AABB"</c> with A = tpu-like-4k, B = ascend-like-4k).
    /// </summary>
    public static string[] FromMap(IReadOnlyList<string> rows, IReadOnlyDictionary<char, string> legend)
    {
        if (rows.Count == 0) throw new CompassInputException("package.slots", "the map has no rows");
        var width = rows[0].Length;
        CheckSize(width, rows.Count);
        var slots = new string[width * rows.Count];
        for (var y = 0; y < rows.Count; y++)
        {
            if (rows[y].Length != width)
                throw new CompassInputException($"package.slots[row {y}]", $"has {rows[y].Length} slots, expected {width} like row 0");
            for (var x = 0; x < width; x++)
            {
                if (!legend.TryGetValue(rows[y][x], out var type))
                    throw new CompassInputException($"package.slots[row {y}]", $"character '{rows[y][x]}' at x = {x} is not in the legend");
                slots[(y * width) + x] = type;
            }
        }
        return slots;
    }

    /// <summary>
    /// Contiguous groups of <paramref name="count"/> routers split into <paramref name="groups"/> parts as evenly as
    /// possible: group i covers [⌊i·count/groups⌋, ⌊(i+1)·count/groups⌋).
    /// </summary>
    public static (int Start, int End)[] SplitContiguous(int count, int groups)
    {
        if (groups < 1 || groups > count)
            throw new CompassInputException("package.dramChannels", $"cannot split {count} edge routers into {groups} channel groups");
        var result = new (int, int)[groups];
        for (var i = 0; i < groups; i++) result[i] = (i * count / groups, (i + 1) * count / groups);
        return result;
    }

    /// <summary>
    /// DRAM channels on two opposite edges, as in the published Compass method (docs/reference/formulas.md §9): ⌊n/2⌋ channels on the
    /// right column (or bottom row), the rest on the left column (or top row); each side's routers are cut into
    /// contiguous groups, one per channel. Left (top) channels come first in the list. Bandwidth, energy and capacity
    /// per channel come from <paramref name="kind"/> unless overridden.
    /// </summary>
    public static IReadOnlyList<DramChannel> DramOnEdges(
        int width, int height, int channelCount, MemoryKind kind, DramEdges edges = DramEdges.LeftRight,
        double? bandwidthGBpsPerChannel = null, double? capacityGBPerChannel = null)
    {
        CheckSize(width, height);
        if (channelCount < 1) throw new CompassInputException("package.dramChannels", $"must have at least 1 channel, got {channelCount}");
        var second = channelCount / 2;
        var first = channelCount - second;
        var sideLength = edges == DramEdges.LeftRight ? height : width;
        var channels = new List<DramChannel>(channelCount);
        AddSide(first, edges == DramEdges.LeftRight ? "left" : "top", fixedCoordinate: 0);
        if (second > 0)
            AddSide(second, edges == DramEdges.LeftRight ? "right" : "bottom", fixedCoordinate: edges == DramEdges.LeftRight ? width - 1 : height - 1);
        return channels;

        void AddSide(int n, string side, int fixedCoordinate)
        {
            var groups = SplitContiguous(sideLength, n);
            for (var i = 0; i < n; i++)
            {
                var routers = new List<MeshPosition>(groups[i].End - groups[i].Start);
                for (var r = groups[i].Start; r < groups[i].End; r++)
                    routers.Add(edges == DramEdges.LeftRight ? new MeshPosition(fixedCoordinate, r) : new MeshPosition(r, fixedCoordinate));
                channels.Add(new DramChannel(
                    $"{kind.Name}-{side}-{i}", kind.Name, routers,
                    bandwidthGBpsPerChannel ?? kind.BandwidthGBpsPerDevice, kind.EnergyPjPerBit,
                    capacityGBPerChannel ?? kind.CapacityGBPerDevice));
            }
        }
    }

    /// <summary>One channel per entry of <paramref name="routersPerChannel"/>, attached to exactly those routers.</summary>
    public static IReadOnlyList<DramChannel> DramAt(
        IReadOnlyList<IReadOnlyList<MeshPosition>> routersPerChannel, MemoryKind kind,
        double? bandwidthGBpsPerChannel = null, double? capacityGBPerChannel = null)
    {
        var channels = new List<DramChannel>(routersPerChannel.Count);
        for (var i = 0; i < routersPerChannel.Count; i++)
            channels.Add(new DramChannel(
                $"{kind.Name}-{i}", kind.Name, [.. routersPerChannel[i]],
                bandwidthGBpsPerChannel ?? kind.BandwidthGBpsPerDevice, kind.EnergyPjPerBit,
                capacityGBPerChannel ?? kind.CapacityGBPerDevice));
        return channels;
    }

    /// <summary>A package from a slot list (length width × height), a link and DRAM channels.</summary>
    public static PackageDescription Create(
        string name, int width, int height, IReadOnlyList<string> slots, LinkSpec link, IReadOnlyList<DramChannel> dramChannels,
        string description = "", string source = "")
    {
        CheckSize(width, height);
        if (slots.Count != width * height)
            throw new CompassInputException("package.slots", $"must have width x height = {width * height} entries, got {slots.Count}");
        return new PackageDescription
        {
            Name = name,
            Description = description,
            Source = source,
            MeshWidth = width,
            MeshHeight = height,
            Slots = [.. slots],
            Link = link,
            DramChannels = [.. dramChannels],
        };
    }

    /// <summary>
    /// A homogeneous <paramref name="width"/> × <paramref name="height"/> mesh of <paramref name="chipletType"/> with
    /// <paramref name="channelCount"/> channels of <paramref name="memory"/> on the left and right edges.
    /// </summary>
    public static PackageDescription Mesh(
        string name, int width, int height, string chipletType, LinkSpec link, MemoryKind memory, int channelCount,
        string description = "", string source = "")
        => Create(name, width, height, Homogeneous(width, height, chipletType), link,
            DramOnEdges(width, height, channelCount, memory), description, source);

    /// <summary>
    /// Resolves every slot's chiplet type from <paramref name="chipletTypes"/> (distinct types in first-use order).
    /// An unknown name is a <see cref="CompassInputException"/> on <c>package.slots[i]</c>.
    /// </summary>
    public static ResolvedPackage Resolve(PackageDescription package, IReadOnlyDictionary<string, ChipletType> chipletTypes)
    {
        var types = new List<ChipletType>();
        var indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var slotTypeIndex = new int[package.Slots.Count];
        for (var i = 0; i < slotTypeIndex.Length; i++)
        {
            var name = package.Slots[i];
            if (!indexByName.TryGetValue(name, out var index))
            {
                if (!chipletTypes.TryGetValue(name, out var type))
                    throw new CompassInputException($"package.slots[{i}]", $"unknown chiplet type '{name}'");
                index = types.Count;
                types.Add(type);
                indexByName.Add(name, index);
            }
            slotTypeIndex[i] = index;
        }
        return new ResolvedPackage(package, types, slotTypeIndex);
    }

    private static void CheckSize(int width, int height)
    {
        if (width < 1 || width > MaxMeshSide)
            throw new CompassInputException("package.meshWidth", $"must be in [1, {MaxMeshSide}], got {width}");
        if (height < 1 || height > MaxMeshSide)
            throw new CompassInputException("package.meshHeight", $"must be in [1, {MaxMeshSide}], got {height}");
    }
}
