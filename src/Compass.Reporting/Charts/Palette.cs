using System.Globalization;

namespace Compass.Reporting.Charts;

/// <summary>Colours of the charts: a ten-colour categorical palette (Tableau 10) and a white-to-blue ramp.</summary>
public static class Palette
{
    private static readonly string[] Categorical =
    [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ];

    /// <summary>Categorical colour <paramref name="index"/> (wraps after ten; negative gives grey).</summary>
    public static string Colour(int index) => index < 0 ? "#888888" : Categorical[index % Categorical.Length];

    /// <summary>Colour of <paramref name="value"/> in 0..1 on a white → mid blue → dark blue ramp.</summary>
    public static string Ramp(double value)
    {
        var t = double.IsFinite(value) ? Math.Clamp(value, 0, 1) : 0;
        (int R, int G, int B) lo = (247, 251, 255), mid = (107, 174, 214), hi = (8, 48, 107);
        var (a, b, f) = t < 0.5 ? (lo, mid, t * 2) : (mid, hi, (t - 0.5) * 2);
        static int Lerp(int x, int y, double f) => (int)Math.Round(x + (y - x) * f, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture, $"#{Lerp(a.R, b.R, f):x2}{Lerp(a.G, b.G, f):x2}{Lerp(a.B, b.B, f):x2}");
    }

    /// <summary>Text colour readable on <see cref="Ramp"/> of <paramref name="value"/>.</summary>
    public static string TextOn(double value) => value > 0.55 ? "#ffffff" : "#111111";
}
