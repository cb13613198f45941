using Compass.Abstractions.Mapping;

namespace Compass.Abstractions.Tests.Mapping;

public sealed class MappingSpaceTests
{
    private static MappingSpace Space(int microBatches, int genes, int width, int height)
    {
        var list = new List<GeneInfo>();
        for (var i = 0; i < genes; i++)
            list.Add(new GeneInfo(i, $"g{i}", 0, NodeStage.FfnUp, i, 100, i == 0 ? [] : [i - 1], 10));
        return new MappingSpace(microBatches, list, width, height, new int[width * height], ["t"]);
    }

    [Fact]
    public void ValidGenomePasses()
    {
        var s = Space(2, 3, 2, 2);
        var g = s.CreateGenome();
        g[1, 2] = 3;
        Assert.True(s.IsValid(g, out var reason), reason);
    }

    [Fact]
    public void OutOfRangeChipletIsNamed()
    {
        var s = Space(2, 3, 2, 2);
        var g = s.CreateGenome();
        g[1, 2] = 4;
        Assert.False(s.IsValid(g, out var reason));
        Assert.Contains("micro-batch 1, gene 2", reason);
        Assert.Contains("chiplet 4", reason);
    }

    [Fact]
    public void RepairWrapsIdsIntoRangeAndCountsChanges()
    {
        var s = Space(1, 3, 2, 1);
        var g = new Genome(1, 3, [2, 0], [5, -1, 1]);
        Assert.Equal(3, s.Repair(g));
        Assert.Equal([1, 1, 1], g.Assignment);
        Assert.Equal([1, 0], g.Boundaries);
        Assert.True(s.IsValid(g, out _));
    }

    [Fact]
    public void ShapeMismatchIsInvalid()
    {
        var s = Space(2, 3, 2, 2);
        Assert.False(s.IsValid(new Genome(1, 3), out var reason));
        Assert.Contains("1×3", reason);
    }

    [Fact]
    public void DistanceIsManhattanOnTheMesh()
    {
        var s = Space(1, 2, 6, 6);
        Assert.Equal(10, s.Distance(0, 35));
        Assert.Equal(0, s.Distance(7, 7));
        Assert.Equal(2, s.Distance(1, 6)); // (1,0) → (0,1)
    }

    [Fact]
    public void SizeCountsBitsAndAssignmentDigits()
    {
        var s = Space(2, 3, 2, 2); // 2 bits, 6 ids over 4 chiplets: 2^2 · 4^6
        Assert.Equal(Math.Log10(4.0 * Math.Pow(4, 6)), s.Log10Size, 9);
    }
}
