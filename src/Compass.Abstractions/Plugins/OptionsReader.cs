using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Compass.Abstractions.Plugins;

/// <summary>
/// Typed, validated reads of component options from a configuration section. Every failure is a
/// <see cref="CompassInputException"/> whose field is the option's dotted path, so plugins report bad options
/// the same way the host does. Values are parsed with the invariant culture.
/// </summary>
public static class OptionsReader
{
    /// <summary>The dotted path of a key below a section (<c>optimizer.options.populationSize</c>).</summary>
    public static string PathOf(IConfiguration section, string key)
    {
        var basePath = section is IConfigurationSection s ? s.Path : string.Empty;
        var full = string.IsNullOrEmpty(basePath) ? key : basePath + ":" + key;
        return full.Replace(':', '.');
    }

    /// <summary>Reads an integer in [<paramref name="min"/>, <paramref name="max"/>], or the default when absent.</summary>
    public static int GetInt32(this IConfiguration section, string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = section[key];
        if (raw is null) return defaultValue;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new CompassInputException(PathOf(section, key), $"must be a whole number, got '{raw}'");
        if (value < min || value > max)
            throw new CompassInputException(PathOf(section, key), $"must be in [{min}, {max}], got {value}");
        return value;
    }

    /// <summary>Reads a 64-bit integer in range, or the default when absent.</summary>
    public static long GetInt64(this IConfiguration section, string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        var raw = section[key];
        if (raw is null) return defaultValue;
        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new CompassInputException(PathOf(section, key), $"must be a whole number, got '{raw}'");
        if (value < min || value > max)
            throw new CompassInputException(PathOf(section, key), $"must be in [{min}, {max}], got {value}");
        return value;
    }

    /// <summary>Reads a finite number in [<paramref name="min"/>, <paramref name="max"/>], or the default when absent.</summary>
    public static double GetDouble(this IConfiguration section, string key, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        var raw = section[key];
        if (raw is null) return defaultValue;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new CompassInputException(PathOf(section, key), $"must be a finite number, got '{raw}'");
        if (value < min || value > max)
            throw new CompassInputException(PathOf(section, key), $"must be in [{Format(min)}, {Format(max)}], got {Format(value)}");
        return value;
    }

    /// <summary>Reads a number that must be strictly positive, or the default when absent.</summary>
    public static double GetPositiveDouble(this IConfiguration section, string key, double defaultValue)
    {
        var value = section.GetDouble(key, defaultValue);
        if (!(value > 0))
            throw new CompassInputException(PathOf(section, key), $"must be > 0, got {Format(value)}");
        return value;
    }

    /// <summary>Reads a boolean (<c>true</c>/<c>false</c>), or the default when absent.</summary>
    public static bool GetBoolean(this IConfiguration section, string key, bool defaultValue)
    {
        var raw = section[key];
        if (raw is null) return defaultValue;
        if (!bool.TryParse(raw, out var value))
            throw new CompassInputException(PathOf(section, key), $"must be true or false, got '{raw}'");
        return value;
    }

    /// <summary>Reads a string, or the default when absent.</summary>
    public static string GetString(this IConfiguration section, string key, string defaultValue) => section[key] ?? defaultValue;

    /// <summary>Reads a required, non-empty string.</summary>
    public static string GetRequiredString(this IConfiguration section, string key)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
            throw new CompassInputException(PathOf(section, key), "is required");
        return raw;
    }

    /// <summary>Reads one of <paramref name="allowed"/> (case-insensitive), or the default when absent.</summary>
    public static string GetChoice(this IConfiguration section, string key, string defaultValue, params string[] allowed)
    {
        var raw = section[key];
        if (raw is null) return defaultValue;
        foreach (var a in allowed)
            if (string.Equals(a, raw, StringComparison.OrdinalIgnoreCase)) return a;
        throw new CompassInputException(PathOf(section, key), $"must be one of {string.Join(", ", allowed)}, got '{raw}'");
    }

    /// <summary>Reads an enum value by name (case-insensitive, dashes ignored), or the default when absent.</summary>
    public static TEnum GetEnum<TEnum>(this IConfiguration section, string key, TEnum defaultValue) where TEnum : struct, Enum
    {
        var raw = section[key];
        if (raw is null) return defaultValue;
        if (Enum.TryParse<TEnum>(raw.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var value) && Enum.IsDefined(value))
            return value;
        throw new CompassInputException(PathOf(section, key), $"must be one of {string.Join(", ", Enum.GetNames<TEnum>())}, got '{raw}'");
    }

    /// <summary>Rejects keys of the section that are not in <paramref name="known"/>, naming the first unknown one (catches typos).</summary>
    public static void RejectUnknownKeys(this IConfiguration section, params string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            var ok = false;
            foreach (var k in known)
                if (string.Equals(k, child.Key, StringComparison.OrdinalIgnoreCase)) { ok = true; break; }
            if (!ok)
                throw new CompassInputException(PathOf(section, child.Key), $"is not a known option (known: {string.Join(", ", known)})");
        }
    }

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
