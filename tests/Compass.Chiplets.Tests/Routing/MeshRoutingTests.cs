using Compass.Abstractions.Hardware;
using Compass.Chiplets.Routing;

namespace Compass.Chiplets.Tests.Routing;

public sealed class MeshRoutingTests
{
    [Fact]
    public void XyPathGoesAlongTheSourceRowThenTheDestinationColumn()
    {
        var path = MeshRouting.XyPath(new MeshPosition(1, 4), new MeshPosition(3, 2));
        MeshPosition[] expectedRouters = [new(1, 4), new(2, 4), new(3, 4), new(3, 3), new(3, 2)];
        Assert.Equal(4, path.Count);
        for (var i = 0; i < path.Count; i++)
        {
            Assert.Equal(expectedRouters[i], path[i].From);
            Assert.Equal(expectedRouters[i + 1], path[i].To);
        }
        Assert.Equal(
            [MeshDirection.East, MeshDirection.East, MeshDirection.North, MeshDirection.North],
            path.Select(h => h.Direction));
    }

    [Fact]
    public void CornerToCornerOfSixBySixIsTenHops()
    {
        // formulas.md 9 worked example: 1 MiB from (0,0) to (5,5) crosses 10 links.
        var path = MeshRouting.XyPath(new MeshPosition(0, 0), new MeshPosition(5, 5));
        Assert.Equal(10, path.Count);
        Assert.Equal(10, MeshRouting.HopCount(new MeshPosition(0, 0), new MeshPosition(5, 5)));
        Assert.All(path.Take(5), h => Assert.Equal(MeshDirection.East, h.Direction));
        Assert.All(path.Skip(5), h => Assert.Equal(MeshDirection.South, h.Direction));
    }

    [Fact]
    public void EveryPairOfAnEightBySixMeshRoutesInManhattanHopsOverExistingLinks()
    {
        const int width = 8, height = 6;
        Span<int> ids = stackalloc int[width + height];
        for (var a = 0; a < width * height; a++)
            for (var b = 0; b < width * height; b++)
            {
                var from = new MeshPosition(a % width, a / width);
                var to = new MeshPosition(b % width, b / width);
                var path = MeshRouting.XyPath(from, to);
                Assert.Equal(Math.Abs(from.X - to.X) + Math.Abs(from.Y - to.Y), path.Count);
                if (path.Count > 0)
                {
                    Assert.Equal(from, path[0].From);
                    Assert.Equal(to, path[^1].To);
                }
                var n = MeshRouting.XyLinkIds(from, to, width, ids);
                Assert.Equal(path.Count, n);
                for (var i = 0; i < n; i++)
                {
                    Assert.Equal(MeshRouting.LinkId(path[i], width), ids[i]);
                    Assert.True(MeshRouting.LinkExists(ids[i], width, height));
                    Assert.Equal(path[i], MeshRouting.HopOf(ids[i], width));
                    Assert.Equal(1, MeshRouting.HopCount(path[i].From, path[i].To));
                }
            }
    }

    [Fact]
    public void LinkIdsAreDistinctAndCountTheMeshLinks()
    {
        const int width = 5, height = 3;
        var existing = Enumerable.Range(0, MeshRouting.LinkIdCount(width, height)).Where(id => MeshRouting.LinkExists(id, width, height)).ToList();
        // 2 x ((5 - 1) x 3 + 5 x (3 - 1)) = 44 directed links.
        Assert.Equal(44, MeshRouting.DirectedLinkCount(width, height));
        Assert.Equal(44, existing.Count);
        Assert.Equal(existing.Count, existing.Select(id => MeshRouting.HopOf(id, width)).Distinct().Count());
        // Id of the link leaving (2,1) eastwards: (1 x 5 + 2) x 4 + 0 = 28.
        Assert.Equal(28, MeshRouting.LinkId(2, 1, MeshDirection.East, width));
        Assert.False(MeshRouting.LinkExists(MeshRouting.LinkId(4, 0, MeshDirection.East, width), width, height));
        Assert.False(MeshRouting.LinkExists(-1, width, height));
    }

    [Fact]
    public void PathToSelfIsEmpty()
    {
        Assert.Empty(MeshRouting.XyPath(new MeshPosition(3, 3), new MeshPosition(3, 3)));
        Assert.Equal(0, MeshRouting.XyLinkIds(new MeshPosition(3, 3), new MeshPosition(3, 3), 6, []));
    }

    [Fact]
    public void ThirtyTwoByThirtyTwoCornerRouteIsSixtyTwoHops()
    {
        var path = MeshRouting.XyPath(new MeshPosition(31, 31), new MeshPosition(0, 0));
        Assert.Equal(62, path.Count);
        Assert.Equal(new MeshPosition(0, 31), path[30].To);
    }
}
