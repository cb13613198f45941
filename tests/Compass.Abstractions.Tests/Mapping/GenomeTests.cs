using Compass.Abstractions.Mapping;

namespace Compass.Abstractions.Tests.Mapping;

public sealed class GenomeTests
{
    [Fact]
    public void SegmentsFollowBoundaryBits()
    {
        var g = new Genome(2, 6);
        g.Boundaries[1] = 1; // boundary after gene 1
        g.Boundaries[3] = 1; // boundary after gene 3
        Assert.Equal(new List<(int, int)> { (0, 2), (2, 4), (4, 6) }, g.Segments());
    }

    [Fact]
    public void NoBoundaryMeansOneSegment()
    {
        var g = new Genome(1, 4);
        Assert.Equal(new List<(int, int)> { (0, 4) }, g.Segments());
    }

    [Fact]
    public void IndexerAddressesMicroBatchMajorRows()
    {
        var g = new Genome(3, 4);
        g[2, 1] = 7;
        Assert.Equal(7, g.Assignment[2 * 4 + 1]);
        Assert.Equal(7, g.Row(2)[1]);
    }

    [Fact]
    public void CloneIsDeepAndEqual()
    {
        var g = new Genome(2, 3);
        g[1, 2] = 5;
        g.Boundaries[0] = 1;
        var c = g.Clone();
        Assert.Equal(g, c);
        Assert.Equal(g.ContentHash(), c.ContentHash());
        c[0, 0] = 1;
        Assert.NotEqual(g, c);
        Assert.Equal(0, g[0, 0]);
    }

    [Fact]
    public void ContentHashIsStableAcrossRuns()
    {
        // FNV-1a over the bytes of the boundaries then the ids: a fixed genome has a fixed hash in every process.
        var g = new Genome(1, 2, [1], [3, 4]);
        var h = 14695981039346656037UL;
        h ^= 1; h *= 1099511628211UL;
        h ^= 3; h *= 1099511628211UL;
        h ^= 4; h *= 1099511628211UL;
        Assert.Equal(h, g.ContentHash());
    }

    [Fact]
    public void CoupledGenomeHasIdenticalRows()
    {
        var g = new Genome(3, 2, [0], [1, 2, 1, 2, 1, 2]);
        Assert.True(g.IsCoupled());
        g[1, 0] = 0;
        Assert.False(g.IsCoupled());
    }

    [Fact]
    public void ConstructorRejectsWrongArrayLengths()
    {
        Assert.Throws<ArgumentException>(() => new Genome(2, 3, [0, 0, 0], new int[6]));
        Assert.Throws<ArgumentException>(() => new Genome(2, 3, [0, 0], new int[5]));
    }
}
