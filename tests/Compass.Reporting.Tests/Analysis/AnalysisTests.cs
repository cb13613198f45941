using Compass.Reporting.Analysis;
using Compass.Reporting.Model;

namespace Compass.Reporting.Tests.Analysis;

public sealed class AnalysisTests
{
    [Fact]
    public void ParetoFrontKeepsOnlyNonDominatedPointsSortedByLatency()
    {
        ParetoPoint[] points = [new(3, 1), new(1, 5), new(2, 2), new(2, 3), new(4, 1), new(1, 5), new(double.PositiveInfinity, 0)];
        Assert.Equal([new ParetoPoint(1, 5), new ParetoPoint(2, 2), new ParetoPoint(3, 1)], ParetoFront.Of(points));
    }

    [Fact]
    public void QuartilesInterpolateBetweenOrderStatistics()
    {
        var s = Summary.Of([4.0, 1, 3, 2]);
        Assert.Equal(1.75, s.LowerQuartile, 12);
        Assert.Equal(2.5, s.Median, 12);
        Assert.Equal(3.25, s.UpperQuartile, 12);
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), s.StandardDeviation, 12);
        Assert.Equal((1.0, 4.0), (s.Min, s.Max));
    }

    [Fact]
    public void ConvergenceKeepsImprovementsAndTheLastEvaluation()
    {
        var inf = double.PositiveInfinity;
        SearchLogRow Row(int i, double best) => new(i, 1, 1, best, 1, best, 0, 0);
        var curve = Convergence.FromSearchLog([Row(0, inf), Row(1, 10), Row(2, 10), Row(3, 4), Row(4, 4), Row(5, 4)]);
        Assert.Equal([new ConvergencePoint(1, 10), new ConvergencePoint(3, 4), new ConvergencePoint(5, 4)], curve);
        Assert.Equal(4, Convergence.EvaluationsToWithin(curve));
        Assert.Equal(10, Convergence.ValueAt(curve, 2));
        Assert.True(double.IsNaN(Convergence.ValueAt(curve, 0)));
    }

    [Fact]
    public void EvaluationsToWithinOnePercentCountsTheFirstCloseEnoughPoint()
    {
        ConvergencePoint[] curve = [new(0, 200), new(9, 100.5), new(49, 100)];
        Assert.Equal(10, Convergence.EvaluationsToWithin(curve));
        Assert.Equal(50, Convergence.EvaluationsToWithin(curve, 0.001));
    }
}
