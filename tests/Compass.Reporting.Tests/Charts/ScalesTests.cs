using Compass.Reporting.Charts;

namespace Compass.Reporting.Tests.Charts;

public sealed class ScalesTests
{
    [Theory]
    [InlineData(0.4, 0.5)]
    [InlineData(3, 5)]
    [InlineData(11000, 20000)]
    [InlineData(2.2, 2.5)]
    [InlineData(1, 1)]
    [InlineData(7, 10)]
    public void NiceStepRoundsUpToOneTwoTwoHalfOrFiveTimesAPowerOfTen(double rough, double expected) =>
        Assert.Equal(expected, Scale.NiceStep(rough));

    [Fact]
    public void LinearScaleWidensDomainToTickMultiplesAndMapsEnds()
    {
        var s = Scale.Linear(1030, 2970, 0, 100);
        Assert.Equal(1000, s.DomainMin);
        Assert.Equal(3000, s.DomainMax);
        Assert.Equal(0, s.Map(1000));
        Assert.Equal(100, s.Map(3000));
        Assert.Equal(50, s.Map(2000));
        Assert.Equal([1000.0, 1500, 2000, 2500, 3000], s.Ticks());
    }

    [Fact]
    public void LinearTicksHaveNoBinaryNoise()
    {
        var s = Scale.Linear(0.1, 0.7, 0, 1);
        Assert.All(s.Ticks(), t => Assert.True(t.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Length <= 4, t.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void LogScaleMapsDecadesEvenly()
    {
        var s = Scale.Log(5, 5000, 300, 0);
        Assert.Equal(1, s.DomainMin);
        Assert.Equal(10000, s.DomainMax);
        Assert.Equal(300, s.Map(1), 9);
        Assert.Equal(225, s.Map(10), 9);
        Assert.Equal(0, s.Map(10000), 9);
        Assert.Equal([1.0, 10, 100, 1000, 10000], s.Ticks());
    }

    [Fact]
    public void DegenerateDomainIsWidenedAroundTheValue()
    {
        var s = Scale.Linear(42, 42, 0, 10);
        Assert.True(s.DomainMin < 42 && s.DomainMax > 42);
        Assert.Equal(5, s.Map((s.DomainMin + s.DomainMax) / 2), 9);
    }

    [Fact]
    public void FormatNumberIsInvariantAndCompact()
    {
        Assert.Equal("1,234.6", Format.Number(1234.56, 5));
        Assert.Equal("0.125", Format.Number(0.125));
        Assert.Equal("1.235E+12", Format.Number(1.2345e12));
        Assert.Equal("0", Format.Pixel(-0.001));
        Assert.Equal("12.5 %", Format.Percent(0.125));
        Assert.Equal("&lt;a href=&quot;x&quot;&gt; &amp;", Format.Escape("<a href=\"x\"> &"));
    }
}
