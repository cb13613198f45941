using Compass.Reporting.Charts;

namespace Compass.Reporting.Tests.Charts;

public sealed class FormatUnitsTests
{
    [Fact]
    public void TimesPrintInMillisecondsAndEnergiesInMillijoules()
    {
        Assert.Equal("82.45", Format.Ms(82_452_100));          // ns → ms
        Assert.Equal("0.00125", Format.Ms(1250));
        Assert.Equal("268.6", Format.MJ(268_565_000_000));      // pJ → mJ
        Assert.Equal("21,999", Format.MJ(21_999_000_000_000));
        Assert.Equal("0", Format.Ms(0));
        Assert.Equal("0", Format.MJ(0));
    }

    [Theory]
    [InlineData("edp", "J·s", 1e-21)]
    [InlineData("latency", "ms", 1e-6)]
    [InlineData("Energy", "mJ", 1e-9)]
    public void ObjectiveUnitsFollowTheReportUnits(string kind, string unit, double factor)
    {
        Assert.Equal((unit, factor), Format.ObjectiveUnit(kind));
    }
}
