using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.Abstractions.Tests.Plugins;

public sealed class OptionsReaderTests
{
    private static IConfigurationSection Options(params (string Key, string Value)[] values)
    {
        var dict = values.ToDictionary(v => "optimizer:options:" + v.Key, v => (string?)v.Value);
        return new ConfigurationBuilder().AddInMemoryCollection(dict).Build().GetSection("optimizer:options");
    }

    [Fact]
    public void ReadsValuesWithInvariantCulture()
    {
        var o = Options(("rate", "0.25"), ("size", "50"), ("on", "true"));
        Assert.Equal(0.25, o.GetDouble("rate", 1));
        Assert.Equal(50, o.GetInt32("size", 1, 2, 100));
        Assert.True(o.GetBoolean("on", false));
        Assert.Equal(7, o.GetInt32("missing", 7));
    }

    [Fact]
    public void OutOfRangeNamesTheDottedPath()
    {
        var o = Options(("populationSize", "1"));
        var e = Assert.Throws<CompassInputException>(() => o.GetInt32("populationSize", 50, 2, 10000));
        Assert.Equal("optimizer.options.populationSize", e.Field);
        Assert.Equal("optimizer.options.populationSize: must be in [2, 10000], got 1", e.Message);
    }

    [Fact]
    public void WrongTypeNamesTheValue()
    {
        var o = Options(("rate", "fast"));
        var e = Assert.Throws<CompassInputException>(() => o.GetDouble("rate", 1));
        Assert.Contains("'fast'", e.Message);
        Assert.StartsWith("optimizer.options.rate:", e.Message);
    }

    [Fact]
    public void NonPositiveIsRejected()
    {
        var o = Options(("bandwidthGBps", "-3"));
        var e = Assert.Throws<CompassInputException>(() => o.GetPositiveDouble("bandwidthGBps", 1));
        Assert.Equal("optimizer.options.bandwidthGBps: must be > 0, got -3", e.Message);
    }

    [Fact]
    public void UnknownKeyIsRejected()
    {
        var o = Options(("populationSise", "10"));
        var e = Assert.Throws<CompassInputException>(() => o.RejectUnknownKeys("populationSize", "generations"));
        Assert.Equal("optimizer.options.populationSise", e.Field);
    }

    [Fact]
    public void ChoiceIsCaseInsensitiveAndCanonical()
    {
        var o = Options(("routing", "XY"));
        Assert.Equal("xy", o.GetChoice("routing", "yx", "xy", "yx"));
        Assert.Throws<CompassInputException>(() => Options(("routing", "zz")).GetChoice("routing", "xy", "xy", "yx"));
    }
}
