using Compass.Abstractions.Sampling;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Workloads.Traces;

namespace Compass.Workloads.Tests;

public sealed class TraceGeneratorTests
{
    [Fact]
    public void PoissonGapsHaveMeanOneOverRateAndCvOne()
    {
        var (mean, cv) = GapStatistics(new PoissonArrivals(4.0), 100_000);
        LengthModelTests.AssertWithin(0.25, mean, 0.02, "poisson mean gap");
        LengthModelTests.AssertWithin(1.0, cv, 0.02, "poisson cv");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.09)]
    [InlineData(3.0)]
    public void GammaGapsHaveMeanOneOverRateAndTheRequestedCv(double cv)
    {
        var process = new GammaArrivals(2.0, cv);
        Assert.Equal(1 / (cv * cv), process.Shape, 1e-12);
        var (mean, measuredCv) = GapStatistics(process, 100_000);
        LengthModelTests.AssertWithin(0.5, mean, 0.03, "gamma mean gap");
        LengthModelTests.AssertWithin(cv, measuredCv, 0.04, "gamma cv");
    }

    [Fact]
    public void BurstsReleaseTheirRequestsTogetherThenPause()
    {
        var cursor = new BurstArrivals(BurstSize: 3, BurstGapSeconds: 5, InBurstRatePerSecond: 0).Start(new Xoshiro256StarStar(1));
        var times = Enumerable.Range(0, 7).Select(_ => cursor.Next()).ToArray();
        Assert.Equal([0, 0, 0, 5, 5, 5, 10], times);
    }

    [Fact]
    public void BurstsWithAnInBurstRateSpreadInsideTheBurst()
    {
        var cursor = new BurstArrivals(4, 100, 1000).Start(new Xoshiro256StarStar(1));
        var times = Enumerable.Range(0, 8).Select(_ => cursor.Next()).ToArray();
        Assert.Equal(0, times[0]);
        Assert.True(times[3] > 0 && times[3] < 1, "three in-burst gaps at 1000 req/s stay well under a second");
        Assert.Equal(times[3] + 100, times[4], 1e-9);
        Assert.True(times.Zip(times.Skip(1)).All(p => p.Second >= p.First));
    }

    [Theory]
    [InlineData("poisson")]
    [InlineData("gamma")]
    [InlineData("burst")]
    public void GeneratorIsBitIdenticalForTheSameSeed(string name)
    {
        var source = TestConfig.Trace(name, ("requests", "500"), ("lengths", "lmsys"));
        var a = source.Read(42, default).ToArray();
        var b = source.Read(42, default).ToArray();
        var c = source.Read(43, default).ToArray();
        Assert.Equal(500, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), a.Select(r => r.Id));
        Assert.True(a.Zip(a.Skip(1)).All(p => p.Second.ArrivalSeconds >= p.First.ArrivalSeconds));
    }

    [Fact]
    public void ArrivalRateDoesNotChangeLengths()
    {
        var slow = TestConfig.Trace("poisson", ("ratePerSecond", "1"), ("requests", "200")).Read(5, default).ToArray();
        var fast = TestConfig.Trace("poisson", ("ratePerSecond", "50"), ("requests", "200")).Read(5, default).ToArray();
        Assert.Equal(slow.Select(r => (r.PromptTokens, r.OutputTokens)), fast.Select(r => (r.PromptTokens, r.OutputTokens)));
        LengthModelTests.AssertWithin(50, slow[^1].ArrivalSeconds / fast[^1].ArrivalSeconds, 1e-9, "same gaps scaled by the rate");
    }

    [Fact]
    public void FixedLengthsOptionObjectIsHonoured()
    {
        var trace = TestConfig.Trace("poisson", ("requests", "10"), ("lengths:name", "fixed"), ("lengths:promptTokens", "100"), ("lengths:outputTokens", "7"))
            .Read(1, default).ToArray();
        Assert.All(trace, r => Assert.Equal((100, 7), (r.PromptTokens, r.OutputTokens)));
    }

    [Fact]
    public void UniformAndLognormalOptionsAreParsed()
    {
        var uniform = TestConfig.Trace("gamma", ("requests", "1000"), ("lengths:name", "uniform"), ("lengths:promptMin", "5"), ("lengths:promptMax", "9"), ("lengths:min", "1"), ("lengths:max", "3"))
            .Read(1, default).ToArray();
        Assert.All(uniform, r => Assert.InRange(r.PromptTokens, 5, 9));
        Assert.All(uniform, r => Assert.InRange(r.OutputTokens, 1, 3));
        var lognormal = TestConfig.Trace("poisson", ("requests", "20000"), ("lengths:name", "lognormal"), ("lengths:mean", "400"), ("lengths:median", "250"))
            .Read(1, default).ToArray();
        LengthModelTests.AssertWithin(400, lognormal.Average(r => r.PromptTokens), 0.05, "lognormal prompt mean");
        var zipf = TestConfig.Trace("burst", ("requests", "100"), ("lengths:name", "zipf"), ("lengths:min", "2000"), ("lengths:max", "3000"))
            .Read(1, default).ToArray();
        Assert.All(zipf, r => Assert.InRange(r.PromptTokens + r.OutputTokens, 2000, 3000));
    }

    [Theory]
    [InlineData("poisson", "ratePerSecond", "-1", "workload.trace.options.ratePerSecond")]
    [InlineData("poisson", "requests", "0", "workload.trace.options.requests")]
    [InlineData("poisson", "rate", "2", "workload.trace.options.rate")]
    [InlineData("gamma", "cv", "abc", "workload.trace.options.cv")]
    [InlineData("burst", "burstSize", "0", "workload.trace.options.burstSize")]
    [InlineData("poisson", "lengths", "sharegtp", "workload.trace.options.lengths")]
    [InlineData("poisson", "lengths:name", "nope", "workload.trace.options.lengths.name")]
    [InlineData("poisson", "lengths:promptTokenz", "1", "workload.trace.options.lengths.promptTokenz")]
    public void BadGeneratorOptionNamesItsPath(string name, string key, string value, string field)
    {
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Trace(name, (key, value)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void LognormalNeedsMeanAboveMedian()
    {
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Trace("poisson", ("lengths:name", "lognormal"), ("lengths:mean", "100"), ("lengths:median", "200")));
        Assert.Equal("workload.trace.options.lengths.mean", e.Field);
    }

    private static (double Mean, double Cv) GapStatistics(IArrivalProcess process, int count)
    {
        var cursor = process.Start(new Xoshiro256StarStar(2024, 1));
        var previous = 0.0;
        double sum = 0, sumSquares = 0;
        for (var i = 0; i < count; i++)
        {
            var t = cursor.Next();
            var gap = t - previous;
            previous = t;
            sum += gap;
            sumSquares += gap * gap;
        }

        var mean = sum / count;
        var variance = (sumSquares / count) - (mean * mean);
        return (mean, Math.Sqrt(variance) / mean);
    }
}
