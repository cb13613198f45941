using Compass.Reporting.Analysis;
using Compass.Reporting.Charts;
using Compass.Reporting.Model;

namespace Compass.Reporting.Tests.Analysis;

public sealed class StatisticsTests
{
    [Theory]
    [InlineData(1, 12.7062047)]
    [InlineData(2, 4.30265273)]
    [InlineData(4, 2.77644511)]
    [InlineData(10, 2.22813885)]
    [InlineData(30, 2.04227246)]
    public void StudentTQuantilesMatchTheTable(int df, double expected)
    {
        // Two-sided 95 % critical values of Student's t (any statistics table).
        Assert.Equal(expected, Statistics.StudentTQuantile(0.975, df), 6);
        Assert.Equal(-expected, Statistics.StudentTQuantile(0.025, df), 6);
    }

    [Fact]
    public void ConfidenceIntervalOfOneToFiveIsHandComputed()
    {
        // mean 3, s = √2.5 = 1.58114, half-width = t(0.975, 4) · s / √5 = 2.776445 × 1.58114 / 2.23607 = 1.963243.
        var m = Statistics.MeanWithInterval([1.0, 2, 3, 4, 5]);
        Assert.Equal(3, m.Mean, 12);
        Assert.Equal(Math.Sqrt(2.5), m.StandardDeviation, 12);
        Assert.Equal(1.9632432, m.HalfWidth, 6);
        Assert.Equal(3 - 1.9632432, m.Low, 6);
    }

    [Fact]
    public void IdenticalRunsHaveExactlyZeroSpreadAndPrintAsZero()
    {
        // 0.1 + 0.1 + 0.1 = 0.30000000000000004: a naive mean is off by an ulp and the deviation comes out at ~1e-17.
        var m = Statistics.MeanWithInterval([0.1, 0.1, 0.1]);
        Assert.Equal(0.1, m.Mean);
        Assert.Equal(0, m.StandardDeviation);
        Assert.Equal(0, m.HalfWidth);
        Assert.Equal("0", Format.Number(m.StandardDeviation));
        Assert.Equal("0.1 ± 0", Format.PlusMinus(m.Mean, m.HalfWidth));
        Assert.Equal("3 ± –", Format.PlusMinus(3, double.NaN));
    }

    [Fact]
    public void PairedTTestIsHandComputed()
    {
        // d = a − b = (2, 1, 0, 2): mean 1.25, s = √(2.75/3) = 0.957427, t = 1.25 / (s/2) = 2.611165 with 3 df.
        // For 3 df, F(t) = 1/2 + (x/(1+x²) + atan x)/π with x = t/√3, so p = 2(1 − F(t)) = 0.0796050.
        var t = Statistics.Paired([10.0, 12, 9, 11], [8.0, 11, 9, 9]);
        Assert.Equal(4, t.Pairs);
        Assert.Equal(1.25, t.MeanDifference, 12);
        Assert.Equal(2.6111648, t.T, 6);
        Assert.Equal(3, t.DegreesOfFreedom);
        Assert.Equal(0.0796050, t.PValue, 6);
        Assert.False(t.Significant);
        Assert.Equal("0.080", Format.PValue(t.PValue));
    }

    [Fact]
    public void PairedTTestIsUndefinedWithoutSpreadOrWithOnePair()
    {
        Assert.True(double.IsNaN(Statistics.Paired([2.0, 3], [1.0, 2]).PValue));   // every difference is 1
        Assert.True(double.IsNaN(Statistics.Paired([2.0], [1.0]).PValue));
        Assert.Equal(1, Statistics.Paired([2.0, 3], [1.0, 2]).MeanDifference);
    }

    [Fact]
    public void TwoSidedPOfZeroIsOneAndShrinksWithT()
    {
        Assert.Equal(1, Statistics.TwoSidedP(0, 5), 12);
        Assert.Equal(0.05, Statistics.TwoSidedP(Statistics.StudentTQuantile(0.975, 7), 7), 9);
        Assert.True(Statistics.TwoSidedP(5, 7) < Statistics.TwoSidedP(2, 7));
        Assert.Equal("< 0.001", Format.PValue(Statistics.TwoSidedP(20, 7)));
    }

    [Fact]
    public void ComparisonTablePairsBySeedAgainstTheLowestMean()
    {
        ComparisonRun Run(string o, int seed, double edp) => new(o, seed, edp, 1, 1, 1, 1, []);
        // ga 1.0, 1.2, 0.9 (mean 1.0333); sa 1.2, 1.3, 1.0 (mean 1.1667): d = (0.2, 0.1, 0.1), mean 0.1333, s = 0.057735,
        // t = 0.1333 / (0.057735/√3) = 4.0 with 2 df; for 2 df F(t) = 1/2 + t/(2√(t²+2)), so p = 2(1 − F) = 1 − 4/√18 = 0.057191.
        var table = ComparisonTable.Of([Run("sa", 1, 1.2), Run("sa", 2, 1.3), Run("sa", 3, 1.0), Run("ga", 1, 1.0), Run("ga", 2, 1.2), Run("ga", 3, 0.9), Run("ga", 4, double.PositiveInfinity)]);
        Assert.Equal("ga", table.Reference);
        var sa = table.Rows.Single(r => r.Optimizer == "sa");
        var ga = table.Rows.Single(r => r.Optimizer == "ga");
        Assert.True(ga.IsReference);
        Assert.Null(ga.Paired);
        Assert.Equal(4, ga.Seeds);
        Assert.Equal(3, ga.ValidSeeds);
        Assert.Equal(3, sa.Paired!.Value.Pairs);
        Assert.Equal(4.0, sa.Paired.Value.T, 9);
        Assert.Equal(1 - 4 / Math.Sqrt(18), sa.Paired.Value.PValue, 9);
    }
}
