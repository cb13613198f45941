using Compass.Abstractions.Sampling;
using Compass.Workloads.Lengths;

namespace Compass.Workloads.Tests;

public sealed class LengthModelTests
{
    private const int Draws = 100_000;

    public static TheoryData<string> Datasets
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var d in DatasetLengths.All) data.Add(d.Name);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Datasets))]
    public void DatasetFitReproducesPublishedMeanAndMedianWithinFivePercent(string name)
    {
        var stats = DatasetLengths.Find(name)!;
        var model = stats.Build();
        var rng = new Xoshiro256StarStar(42, 7);
        var prompts = new int[Draws];
        var outputs = new int[Draws];
        for (var i = 0; i < Draws; i++)
        {
            var r = model.Sample(rng);
            prompts[i] = r.PromptTokens;
            outputs[i] = r.OutputTokens;
        }

        AssertWithin(stats.PromptMean, prompts.Average(), 0.05, $"{name} prompt mean");
        AssertWithin(stats.OutputMean, outputs.Average(), 0.05, $"{name} output mean");
        if (stats.PromptMedian is { } pm) AssertWithin(pm, Median(prompts), 0.05, $"{name} prompt median");
        if (stats.OutputMedian is { } om) AssertWithin(om, Median(outputs), 0.05, $"{name} output median");
        Assert.True(prompts.Min() >= 1 && outputs.Min() >= 1);
    }

    [Fact]
    public void ShareGptIsTheVllmFilteredSet()
    {
        var sharegpt = DatasetLengths.Find("sharegpt")!;
        Assert.Equal(161.31, sharegpt.PromptMean);
        Assert.Equal(337.99, sharegpt.OutputMean);
        Assert.Equal(35.0, sharegpt.PromptMedian);
        Assert.Equal(271.0, sharegpt.OutputMedian);
    }

    [Fact]
    public void QuantileKnotsAreReproducedAndTheMeanIsExact()
    {
        double[] u = [0, 0.5, 0.9, 0.99, 1.0];
        double[] q = [1, 35, 507, 1464, 2028];
        var fit = new QuantileKnotLength(u, q, 161.31);
        for (var i = 0; i < u.Length; i++) Assert.Equal(q[i], fit.Quantile(u[i]), 1e-9);
        // Numerical integral of Q over [0, 1] (midpoint rule) equals the target mean.
        const int steps = 2_000_000;
        double integral = 0;
        for (var i = 0; i < steps; i++) integral += fit.Quantile((i + 0.5) / steps);
        Assert.Equal(161.31, integral / steps, 0.01);
        Assert.True(fit.Gamma > 1, "right-skewed data bends each segment towards its lower knot");
    }

    [Fact]
    public void UnreachableMeanIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuantileKnotLength([0, 0.5, 1], [1, 10, 20], 50));
    }

    [Fact]
    public void LogNormalHitsMeanAndMedian()
    {
        var d = new LogNormalLength(mean: 300, median: 200);
        var rng = new Xoshiro256StarStar(3);
        var xs = Enumerable.Range(0, Draws).Select(_ => d.Sample(rng)).ToArray();
        AssertWithin(300, xs.Average(), 0.03, "lognormal mean");
        AssertWithin(200, Median(xs), 0.03, "lognormal median");
        Assert.Equal(Math.Sqrt(2 * Math.Log(1.5)), d.Sigma, 1e-12);
    }

    [Fact]
    public void UniformStaysInRangeWithCentredMean()
    {
        var d = new UniformLength(10, 20);
        var rng = new Xoshiro256StarStar(5);
        var xs = Enumerable.Range(0, Draws).Select(_ => d.Sample(rng)).ToArray();
        Assert.Equal(10, xs.Min());
        Assert.Equal(20, xs.Max());
        AssertWithin(15, xs.Average(), 0.01, "uniform mean");
    }

    [Fact]
    public void ZipfMeanMatchesItsExactExpectationAndSplitsByRatio()
    {
        var zipf = new ZipfLengthModel(theta: 0.6, minTokens: 1024, maxTokens: 4096, prefillToDecodeRatio: 20);
        var rng = new Xoshiro256StarStar(11);
        double sum = 0;
        var lowest = int.MaxValue;
        var highest = 0;
        for (var i = 0; i < Draws; i++)
        {
            var r = zipf.Sample(rng);
            var total = r.PromptTokens + r.OutputTokens;
            sum += total;
            lowest = Math.Min(lowest, total);
            highest = Math.Max(highest, total);
            Assert.Equal(Math.Max(1, (int)Math.Round(total / 21.0)), r.OutputTokens);
        }

        AssertWithin(zipf.MeanTotalTokens, sum / Draws, 0.01, "zipf mean");
        Assert.True(lowest >= 1024 && highest <= 4096);
        Assert.Equal(1024, lowest); // rank 1 is the most likely value
    }

    [Fact]
    public void ZipfWithThetaZeroIsUniform()
    {
        var zipf = new ZipfLengthModel(0, 100, 199, 1);
        Assert.Equal(149.5, zipf.MeanTotalTokens, 1e-9);
    }

    [Fact]
    public void SameSeedGivesTheSameBitsAndAnotherSeedDiffers()
    {
        var model = DatasetLengths.Find("azure-conv")!.Build();
        var a = Draw(model, 9);
        var b = Draw(model, 9);
        var c = Draw(model, 10);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void GeneratorBitsAreStable()
    {
        // Reference values of xoshiro256** seeded by SplitMix64(0) (stream 0): pins the algorithm across runtimes.
        var rng = new Xoshiro256StarStar(0);
        Assert.Equal(0x99EC5F36CB75F2B4UL, rng.NextUInt64());
        Assert.Equal(0xBF6E1F784956452AUL, rng.NextUInt64());
    }

    private static RequestLengths[] Draw(IndependentLengthModel model, int seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        return Enumerable.Range(0, 1000).Select(_ => model.Sample(rng)).ToArray();
    }

    private static double Median(int[] xs)
    {
        var sorted = xs.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2.0;
    }

    internal static void AssertWithin(double expected, double actual, double relative, string what)
        => Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected), $"{what}: expected {expected} within {relative:P0}, got {actual}");
}
