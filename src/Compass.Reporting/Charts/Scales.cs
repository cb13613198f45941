namespace Compass.Reporting.Charts;

/// <summary>Maps data values to pixel coordinates along one axis.</summary>
public interface IScale
{
    /// <summary>Lowest data value of the axis.</summary>
    double DomainMin { get; }

    /// <summary>Highest data value of the axis.</summary>
    double DomainMax { get; }

    /// <summary>Pixel of <see cref="DomainMin"/>.</summary>
    double RangeMin { get; }

    /// <summary>Pixel of <see cref="DomainMax"/>.</summary>
    double RangeMax { get; }

    /// <summary>Pixel coordinate of a data value (values outside the domain map outside the range).</summary>
    double Map(double value);

    /// <summary>Tick values inside the domain, ascending.</summary>
    IReadOnlyList<double> Ticks();
}

/// <summary>Linear scale: pixel = rangeMin + (value − domainMin) / (domainMax − domainMin) × (rangeMax − rangeMin).</summary>
/// <param name="DomainMin">Lowest data value.</param>
/// <param name="DomainMax">Highest data value.</param>
/// <param name="RangeMin">Pixel of the lowest value.</param>
/// <param name="RangeMax">Pixel of the highest value (smaller than RangeMin for a y axis growing upwards).</param>
/// <param name="TickStep">Distance between ticks (0 = five ticks' worth).</param>
public sealed record LinearScale(double DomainMin, double DomainMax, double RangeMin, double RangeMax, double TickStep = 0) : IScale
{
    /// <inheritdoc />
    public double Map(double value)
    {
        var span = DomainMax - DomainMin;
        if (span == 0) return (RangeMin + RangeMax) / 2;
        return RangeMin + (value - DomainMin) / span * (RangeMax - RangeMin);
    }

    /// <inheritdoc />
    public IReadOnlyList<double> Ticks()
    {
        var step = TickStep > 0 ? TickStep : Scale.NiceStep((DomainMax - DomainMin) / 5);
        if (step <= 0 || !double.IsFinite(step)) return [DomainMin];
        var ticks = new List<double>();
        var first = Math.Ceiling(DomainMin / step - 1e-9);
        for (var k = first; k * step <= DomainMax + step * 1e-9 && ticks.Count < 50; k++)
            ticks.Add(Scale.Clean(k * step));
        return ticks;
    }
}

/// <summary>Base-10 logarithmic scale: pixel = rangeMin + (log10 v − log10 min) / (log10 max − log10 min) × (rangeMax − rangeMin).</summary>
/// <param name="DomainMin">Lowest data value (positive).</param>
/// <param name="DomainMax">Highest data value.</param>
/// <param name="RangeMin">Pixel of the lowest value.</param>
/// <param name="RangeMax">Pixel of the highest value.</param>
public sealed record LogScale(double DomainMin, double DomainMax, double RangeMin, double RangeMax) : IScale
{
    /// <inheritdoc />
    public double Map(double value)
    {
        var lo = Math.Log10(DomainMin);
        var span = Math.Log10(DomainMax) - lo;
        if (span == 0) return (RangeMin + RangeMax) / 2;
        return RangeMin + (Math.Log10(value) - lo) / span * (RangeMax - RangeMin);
    }

    /// <inheritdoc />
    public IReadOnlyList<double> Ticks()
    {
        var ticks = new List<double>();
        var lo = (int)Math.Ceiling(Math.Log10(DomainMin) - 1e-9);
        var hi = (int)Math.Floor(Math.Log10(DomainMax) + 1e-9);
        var stride = Math.Max(1, (hi - lo + 7) / 8);
        for (var e = lo; e <= hi; e += stride) ticks.Add(Math.Pow(10, e));
        return ticks;
    }
}

/// <summary>Builds scales with "nice" domains.</summary>
public static class Scale
{
    /// <summary>
    /// A linear scale whose domain is [min, max] widened to multiples of a nice tick step (1, 2, 2.5 or 5 × 10^k,
    /// at least (max − min) / <paramref name="tickCount"/>). A degenerate range is widened around the value.
    /// </summary>
    public static LinearScale Linear(double min, double max, double rangeMin, double rangeMax, int tickCount = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) { min = 0; max = 1; }
        if (min == max)
        {
            var pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        var step = NiceStep((max - min) / Math.Max(1, tickCount));
        var lo = Clean(Math.Floor(min / step + 1e-9) * step);
        var hi = Clean(Math.Ceiling(max / step - 1e-9) * step);
        return new LinearScale(lo, hi, rangeMin, rangeMax, step);
    }

    /// <summary>A log scale whose domain is [min, max] widened to whole decades; non-positive values are not allowed.</summary>
    public static LogScale Log(double min, double max, double rangeMin, double rangeMax)
    {
        if (!(min > 0) || !double.IsFinite(max)) throw new ArgumentOutOfRangeException(nameof(min), "log scale needs positive finite values");
        var lo = Math.Pow(10, Math.Floor(Math.Log10(min) + 1e-9));
        var hi = Math.Pow(10, Math.Ceiling(Math.Log10(max) - 1e-9));
        if (hi <= lo) hi = lo * 10;
        return new LogScale(lo, hi, rangeMin, rangeMax);
    }

    /// <summary>The smallest of 1, 2, 2.5, 5 × 10^k that is at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) return 1;
        var exponent = Math.Floor(Math.Log10(rough));
        var magnitude = Math.Pow(10, exponent);
        var fraction = rough / magnitude;
        var nice = fraction <= 1 + 1e-9 ? 1 : fraction <= 2 + 1e-9 ? 2 : fraction <= 2.5 + 1e-9 ? 2.5 : fraction <= 5 + 1e-9 ? 5 : 10;
        return Clean(nice * magnitude);
    }

    /// <summary>Rounds away binary noise (0.30000000000000004 → 0.3) by keeping 12 significant digits.</summary>
    public static double Clean(double value)
    {
        if (value == 0 || !double.IsFinite(value)) return value == 0 ? 0 : value;
        return double.Parse(value.ToString("G12", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }
}
