using Compass.Studies.Reporting;

namespace Compass.Studies.Tests;

public sealed class ParetoSetTests
{
    [Fact]
    public void KeepsOnlyNonDominatedPointsOrderedByCost()
    {
        (double Cost, double Edp)[] points = [(100, 5), (50, 9), (100, 4), (200, 4), (70, 9), (300, 1), (60, 7)];
        var front = ParetoSet.Of(points, p => p.Cost, p => p.Edp);
        Assert.Equal([(50.0, 9.0), (60.0, 7.0), (100.0, 4.0), (300.0, 1.0)], front);
    }
}
