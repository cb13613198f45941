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
