using System.Globalization;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;

namespace Compass.Studies.Points;

/// <summary>
/// Writes a value at a dotted path of a resolved scenario (JSON): <c>hardware.package.link.bandwidthGBps</c>,
/// array elements by index (<c>hardware.chipletTypes.0.buffers.2.capacityBytes</c>), every element (<c>slots.*</c>)
/// or a slice (<c>slots.0:18</c>, end exclusive). Paths are checked against the resolved scenario, which holds every
/// field the run uses: a segment that names no field is an error, except inside component <c>options</c> and
/// <c>plugins</c> sections (open-ended; the component validates its own keys). One derived path:
/// <c>hardware.package.mesh</c> = <c>"WxH"</c> resizes the mesh (see <see cref="ResizeMesh"/>), and
/// <c>hardware.package.regions</c> = <c>["compass-os", "compass-ws"]</c> fills the rows in equal horizontal bands, one
/// chiplet type per band (see <see cref="FillRegions"/>). Derived paths apply in axis order: put the mesh axis first.
/// </summary>
public static class ScenarioPaths
{
    /// <summary>The derived mesh-size path.</summary>
    public const string MeshPath = "hardware.package.mesh";

    /// <summary>The derived chiplet-mix path: an array of chiplet type names, one per horizontal band of rows.</summary>
    public const string RegionsPath = "hardware.package.regions";

    /// <summary>
    /// Sets <paramref name="value"/> at <paramref name="path"/> in <paramref name="scenario"/>. When the path runs into a
    /// preset name (a string where an object is needed, e.g. after an axis set <c>hardware.package</c> to a preset),
    /// <paramref name="expand"/> resolves the scenario (presets inlined) and the write is retried once.
    /// </summary>
    /// <returns>The scenario written to (a new object when it had to be expanded).</returns>
    public static JsonObject Apply(JsonObject scenario, string path, JsonNode value, Func<JsonObject, JsonObject>? expand = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        try
        {
            Write(scenario, path, value);
            return scenario;
        }
        catch (PresetInTheWayException) when (expand is not null)
        {
            var expanded = expand(scenario);
            Write(expanded, path, value);
            return expanded;
        }
        catch (PresetInTheWayException e)
        {
            throw new CompassInputException(path, $"'{e.At}' is a preset name, not an object; cannot set a field inside it");
        }
    }

    private sealed class PresetInTheWayException(string at) : Exception(at)
    {
        public string At { get; } = at;
    }

    private static void Write(JsonObject scenario, string path, JsonNode value)
    {
        var mesh = string.Equals(path, MeshPath, StringComparison.OrdinalIgnoreCase);
        if (mesh || string.Equals(path, RegionsPath, StringComparison.OrdinalIgnoreCase))
        {
            var package = scenario["hardware"]?["package"];
            if (package is JsonValue) throw new PresetInTheWayException("hardware.package");
            if (package is not JsonObject p) throw new CompassInputException(path, "the scenario has no hardware.package object");
            if (mesh) ResizeMesh(p, value, path);
            else FillRegions(p, value, path);
            return;
        }
        var segments = path.Split('.');
        if (segments.Any(s => s.Length == 0)) throw new CompassInputException(path, "is not a dotted path (empty segment)");
        WriteAt(scenario, segments, 0, value, path, openEnded: false);
    }

    private static void WriteAt(JsonNode node, string[] segments, int depth, JsonNode value, string path, bool openEnded)
    {
        var segment = segments[depth];
        var last = depth == segments.Length - 1;
        var here = string.Join('.', segments.Take(depth));
        switch (node)
        {
            case JsonObject o:
            {
                var key = o.Select(kv => kv.Key).FirstOrDefault(k => string.Equals(k, segment, StringComparison.OrdinalIgnoreCase));
                var childOpen = openEnded || string.Equals(segment, "options", StringComparison.OrdinalIgnoreCase) || (depth == 0 && string.Equals(segment, "plugins", StringComparison.OrdinalIgnoreCase));
                if (key is null)
                {
                    if (!openEnded)
                    {
                        var known = string.Join(", ", o.Select(kv => kv.Key));
                        throw new CompassInputException(path, $"unknown scenario path: {(here.Length == 0 ? "the scenario" : "'" + here + "'")} has no field '{segment}' (known: {known})");
                    }
                    if (last)
                    {
                        o[segment] = value.DeepClone();
                        return;
                    }
                    o[segment] = new JsonObject();
                    key = segment;
                }
                if (last)
                {
                    o[key] = value.DeepClone();
                    return;
                }
                var child = o[key];
                if (child is null)
                {
                    if (!childOpen) throw new CompassInputException(path, $"'{Join(here, key)}' is null; cannot set a field inside it");
                    child = o[key] = new JsonObject();
                }
                if (child is JsonValue) throw new PresetInTheWayException(Join(here, key));
                WriteAt(child, segments, depth + 1, value, path, childOpen);
                return;
            }
            case JsonArray a:
            {
                var (start, end) = Selection(segment, a.Count, path, here);
                for (var i = start; i < end; i++)
                {
                    if (last)
                    {
                        a[i] = value.DeepClone();
                        continue;
                    }
                    var child = a[i] ?? throw new CompassInputException(path, $"'{Join(here, i.ToString(CultureInfo.InvariantCulture))}' is null");
                    if (child is JsonValue) throw new CompassInputException(path, $"'{Join(here, i.ToString(CultureInfo.InvariantCulture))}' is a value, not an object or array");
                    WriteAt(child, segments, depth + 1, value, path, openEnded);
                }
                return;
            }
            default:
                throw new PresetInTheWayException(here);
        }
    }

    private static (int Start, int End) Selection(string segment, int count, string path, string here)
    {
        if (segment == "*") return (0, count);
        var colon = segment.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!int.TryParse(segment[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                || !int.TryParse(segment[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var e) || e <= s || e > count)
                throw new CompassInputException(path, $"'{segment}' is not a slice start:end (end exclusive) within the {count} elements of '{here}'");
            return (s, e);
        }
        if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            throw new CompassInputException(path, $"'{here}' is an array: use an index, * or start:end, got '{segment}'");
        if (i >= count) throw new CompassInputException(path, $"index {i} is outside the {count} elements of '{here}'");
        return (i, i + 1);
    }

    private static string Join(string here, string key) => here.Length == 0 ? key : here + "." + key;

    /// <summary>
    /// Resizes an inline package to <c>"WxH"</c>: every new slot takes the chiplet type of the old slot at the same
    /// relative position (so halves, quadrants and checkerboards of rows or columns keep their shape), and every DRAM
    /// channel keeps its kind, bandwidth and capacity with its attached routers moved to the same relative position
    /// on the new mesh (edge channels stay on the edges). Channels that collapse onto the same routers stay separate.
    /// </summary>
    public static void ResizeMesh(JsonObject package, JsonNode value, string field)
    {
        ArgumentNullException.ThrowIfNull(package);
        if (value is not JsonValue v || !v.TryGetValue<string>(out var text)) throw new CompassInputException(field, $"must be a string \"WxH\", got {value?.ToJsonString()}");
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) || w < 1 || h < 1 || w > 256 || h > 256)
            throw new CompassInputException(field, $"must be \"WxH\" with 1 <= W, H <= 256, got '{text}'");
        var oldW = IntField(package, "meshWidth", field);
        var oldH = IntField(package, "meshHeight", field);
        if (Field(package, "slots") is not JsonArray slots || slots.Count != oldW * oldH) throw new CompassInputException(field, "the package's slots do not match its mesh");
        var newSlots = new JsonArray();
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var ox = x * oldW / w;
                var oy = y * oldH / h;
                newSlots.Add(slots[oy * oldW + ox]!.DeepClone());
            }
        }
        Set(package, "meshWidth", JsonValue.Create(w));
        Set(package, "meshHeight", JsonValue.Create(h));
        Set(package, "slots", newSlots);
        if (Field(package, "dramChannels") is JsonArray channels)
        {
            foreach (var channel in channels.OfType<JsonObject>())
            {
                if (Field(channel, "attachedRouters") is not JsonArray routers) continue;
                var moved = new JsonArray();
                var seen = new HashSet<(int, int)>();
                foreach (var r in routers.OfType<JsonObject>())
                {
                    var nx = Scale(IntField(r, "x", field), oldW, w);
                    var ny = Scale(IntField(r, "y", field), oldH, h);
                    if (seen.Add((nx, ny))) moved.Add(new JsonObject { ["x"] = nx, ["y"] = ny });
                }
                Set(channel, "attachedRouters", moved);
            }
        }
    }

    /// <summary>
    /// Fills the slots of an inline package with chiplet types in equal horizontal bands: with n types, row y of a mesh
    /// of height H gets type ⌊y·n/H⌋ (one type: homogeneous; two: top and bottom halves; three: thirds).
    /// </summary>
    public static void FillRegions(JsonObject package, JsonNode value, string field)
    {
        ArgumentNullException.ThrowIfNull(package);
        var types = value is JsonArray a && a.Count > 0 && a.All(t => t is JsonValue v && v.TryGetValue<string>(out _))
            ? a.Select(t => t!.GetValue<string>()).ToList()
            : value is JsonValue one && one.TryGetValue<string>(out var single) ? [single]
            : throw new CompassInputException(field, $"must be a chiplet type name or a non-empty array of them (one per horizontal band), got {value?.ToJsonString()}");
        var w = IntField(package, "meshWidth", field);
        var h = IntField(package, "meshHeight", field);
        if (types.Count > h) throw new CompassInputException(field, $"has {types.Count} bands but the mesh has only {h} rows");
        var slots = new JsonArray();
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++) slots.Add(JsonValue.Create(types[y * types.Count / h]));
        Set(package, "slots", slots);
    }

    /// <summary>Maps coordinate <paramref name="c"/> of an axis of <paramref name="oldSize"/> to one of <paramref name="newSize"/>, edges to edges.</summary>
    private static int Scale(int c, int oldSize, int newSize) =>
        oldSize <= 1 ? 0 : c >= oldSize - 1 ? newSize - 1 : Math.Min(newSize - 1, (int)Math.Round((double)c * (newSize - 1) / (oldSize - 1), MidpointRounding.AwayFromZero));

    private static JsonNode? Field(JsonObject o, string key) => o.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    private static void Set(JsonObject o, string key, JsonNode value)
    {
        var existing = o.Select(kv => kv.Key).FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) ?? key;
        o[existing] = value;
    }

    private static int IntField(JsonObject o, string key, string field) =>
        Field(o, key) is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw new CompassInputException(field, $"the package has no integer '{key}'");
}
