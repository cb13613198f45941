using System.Globalization;
using System.Text;

namespace Compass.Reporting.Charts;

/// <summary>Culture-invariant number formatting for SVG coordinates, axis labels and tables.</summary>
public static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A pixel coordinate: at most two decimals, no trailing zeros, never "-0".</summary>
    public static string Pixel(double value)
    {
        var rounded = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        return rounded == 0 ? "0" : rounded.ToString("0.##", Invariant);
    }

    /// <summary>
    /// A compact label with up to <paramref name="significantDigits"/> significant digits: plain with thousands
    /// separators from 0.001 up to (not including) 1e6, otherwise scientific (<c>1.23E+12</c>).
    /// </summary>
    public static string Number(double value, int significantDigits = 4)
    {
        if (double.IsNaN(value)) return "–";
        if (double.IsPositiveInfinity(value)) return "∞";
        if (double.IsNegativeInfinity(value)) return "−∞";
        if (value == 0) return "0";
        var abs = Math.Abs(value);
        if (abs >= 1e6 || abs < 1e-3)
            return value.ToString("0." + new string('#', Math.Max(0, significantDigits - 1)) + "E+0", Invariant);
        var magnitude = (int)Math.Floor(Math.Log10(abs));
        var decimals = Math.Clamp(significantDigits - 1 - magnitude, 0, 6);
        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        return rounded.ToString("#,0." + new string('#', decimals), Invariant).TrimEnd('.');
    }

    /// <summary>Milliseconds per nanosecond: the reports show time in ms.</summary>
    public const double MsPerNs = 1e-6;

    /// <summary>Millijoules per picojoule: the reports show energy in mJ.</summary>
    public const double MjPerPj = 1e-9;

    /// <summary>Joule-seconds per nanosecond-picojoule: the reports show EDP in J·s.</summary>
    public const double JsPerNsPj = 1e-21;

    /// <summary>A time given in ns, shown in ms (<see cref="Number"/> rules; exact 0 prints as 0).</summary>
    public static string Ms(double ns, int significantDigits = 4) => Number(ns * MsPerNs, significantDigits);

    /// <summary>An energy given in pJ, shown in mJ.</summary>
    public static string MJ(double pj, int significantDigits = 4) => Number(pj * MjPerPj, significantDigits);

    /// <summary>
    /// The display unit and factor of an objective kind: EDP in J·s (from ns·pJ), latency in ms (from ns), energy in
    /// mJ (from pJ); a weighted objective has no physical unit and keeps its value.
    /// </summary>
    public static (string Unit, double Factor) ObjectiveUnit(string kind) => kind.ToLowerInvariant() switch
    {
        "edp" => ("J·s", JsPerNsPj),
        "latency" => ("ms", MsPerNs),
        "energy" => ("mJ", MjPerPj),
        _ => ("pJ^a·ns^b", 1.0),
    };

    /// <summary>A value with its 95 % interval half-width (<c>1.23E-9 ± 4.5E-11</c>); "–" half-width for a single value.</summary>
    public static string PlusMinus(double mean, double halfWidth, int significantDigits = 4) =>
        Number(mean, significantDigits) + " ± " + (double.IsNaN(halfWidth) ? "–" : Number(halfWidth, 2));

    /// <summary>A p-value: <c>&lt; 0.001</c> below a thousandth, three decimals otherwise, "–" when undefined.</summary>
    public static string PValue(double p) =>
        double.IsNaN(p) ? "–" : p < 0.001 ? "< 0.001" : p.ToString("0.000", Invariant);

    /// <summary>A percentage with one decimal (<c>12.3 %</c>).</summary>
    public static string Percent(double fraction) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("0.0", Invariant) + " %" : "–";

    /// <summary>Escapes text for XML/HTML content and attribute values.</summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }
}
