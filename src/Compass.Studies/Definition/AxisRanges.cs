using System.Globalization;
using System.Text.Json.Nodes;
using Compass.Abstractions.Plugins;

namespace Compass.Studies.Definition;

/// <summary>
/// Numeric axis values: <c>"range": { "from", "to", "step" }</c> (inclusive, linear) and
/// <c>"logRange": { "from", "to", "count", "round" }</c> (<c>count</c> values evenly spaced in log space, both ends
/// included). Values are cleaned to 12 significant digits (no 63.99999999 for 64); <c>"round": true</c> rounds to
/// integers (mesh sizes, channel counts). Integral ranges yield JSON integers.
/// </summary>
public static class AxisRanges
{
    /// <summary>Largest number of values one range may produce.</summary>
    public const int MaxValues = 100_000;

    /// <summary>Values of a linear range.</summary>
    public static IReadOnlyList<JsonNode> Linear(JsonNode node, string field)
    {
        var o = Object(node, field, "from", "to", "step");
        var from = Number(o, "from", field);
        var to = Number(o, "to", field);
        var step = Number(o, "step", field);
        if (step <= 0) throw new CompassInputException(field + ".step", $"must be > 0, got {Text(step)}");
        if (to < from) throw new CompassInputException(field + ".to", $"must be >= from ({Text(from)}), got {Text(to)}");
        var n = (long)Math.Floor((to - from) / step * (1 + 1e-12)) + 1;
        if (n > MaxValues) throw new CompassInputException(field, $"produces {n:N0} values, more than {MaxValues:N0}");
        var integral = IsInteger(from) && IsInteger(step);
        var list = new List<JsonNode>();
        for (var i = 0; i < n; i++) list.Add(Value(Clean(from + i * step), integral));
        return list;
    }

    /// <summary>Values of a logarithmic range.</summary>
    public static IReadOnlyList<JsonNode> Logarithmic(JsonNode node, string field)
    {
        var o = Object(node, field, "from", "to", "count", "round");
        var from = Number(o, "from", field);
        var to = Number(o, "to", field);
        var countNumber = Number(o, "count", field);
        if (from <= 0) throw new CompassInputException(field + ".from", $"must be > 0 for a log range, got {Text(from)}");
        if (to < from) throw new CompassInputException(field + ".to", $"must be >= from ({Text(from)}), got {Text(to)}");
        if (!IsInteger(countNumber) || countNumber < 1 || countNumber > MaxValues) throw new CompassInputException(field + ".count", $"must be an integer in [1, {MaxValues}], got {Text(countNumber)}");
        var count = (int)countNumber;
        if (count == 1 && to != from) throw new CompassInputException(field + ".count", "must be >= 2 when from and to differ");
        var round = false;
        if (o["round"] is { } r && (r is not JsonValue rv || !rv.TryGetValue(out round)))
            throw new CompassInputException(field + ".round", $"must be true or false, got {r.ToJsonString()}");
        var list = new List<JsonNode>();
        var seen = new HashSet<double>();
        for (var i = 0; i < count; i++)
        {
            var v = count == 1 ? from : i == count - 1 ? to : from * Math.Pow(to / from, (double)i / (count - 1));
            v = round ? Math.Round(v, MidpointRounding.AwayFromZero) : Clean(v);
            if (!seen.Add(v)) throw new CompassInputException(field + ".count", $"gives the value {Text(v)} twice after rounding; use fewer values");
            list.Add(Value(v, round || (IsInteger(from) && IsInteger(to) && IsInteger(v))));
        }
        return list;
    }

    private static JsonObject Object(JsonNode node, string field, params string[] keys)
    {
        if (node is not JsonObject o) throw new CompassInputException(field, $"must be an object with {string.Join(", ", keys)}");
        foreach (var (key, _) in o)
            if (!keys.Contains(key, StringComparer.Ordinal)) throw new CompassInputException($"{field}.{key}", $"is not a range field (known: {string.Join(", ", keys)})");
        return o;
    }

    private static double Number(JsonObject o, string key, string field)
    {
        if (o[key] is not JsonValue v || !v.TryGetValue<double>(out var d) || !double.IsFinite(d))
            throw new CompassInputException($"{field}.{key}", o[key] is null ? "is required" : $"must be a number, got {o[key]!.ToJsonString()}");
        return d;
    }

    private static bool IsInteger(double v) => Math.Abs(v) < 1e15 && v == Math.Floor(v);

    /// <summary>Rounds away binary noise: 12 significant digits.</summary>
    private static double Clean(double v) => v == 0 ? 0 : double.Parse(v.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static JsonValue Value(double v, bool integral) =>
        integral && IsInteger(v) && Math.Abs(v) <= long.MaxValue / 2 ? JsonValue.Create((long)v) : JsonValue.Create(v);

    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
