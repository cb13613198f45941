using Compass.Abstractions.Hardware;

namespace Compass.Chiplets.Routing;

/// <summary>Direction of a directed mesh link; row 0 is the top edge, so <see cref="South"/> increases Y.</summary>
public enum MeshDirection
{
    /// <summary>Towards larger X.</summary>
    East = 0,

    /// <summary>Towards smaller X.</summary>
    West = 1,

    /// <summary>Towards larger Y (down).</summary>
    South = 2,

    /// <summary>Towards smaller Y (up).</summary>
    North = 3,
}

/// <summary>One hop over a directed link between two neighbouring routers.</summary>
/// <param name="From">Router the hop leaves.</param>
/// <param name="To">Neighbouring router the hop enters.</param>
public readonly record struct MeshHop(MeshPosition From, MeshPosition To)
{
    /// <summary>Direction of the hop.</summary>
    public MeshDirection Direction =>
        To.X > From.X ? MeshDirection.East
        : To.X < From.X ? MeshDirection.West
        : To.Y > From.Y ? MeshDirection.South
        : MeshDirection.North;
}

/// <summary>
/// Geometry of the 2D package mesh with XY dimension-order routing (formulas.md §9): a unicast goes along its source
/// row to the destination column first, then along that column. Link ids are router-port numbers:
/// <c>id = (y × width + x) × 4 + direction</c> of the router the link leaves, so a per-link counter array has
/// <see cref="LinkIdCount"/> entries (ids of ports on the mesh boundary are never used).
/// </summary>
public static class MeshRouting
{
    /// <summary>Number of hops of any minimal route, the Manhattan distance |Δx| + |Δy|.</summary>
    public static int HopCount(MeshPosition from, MeshPosition to) => Math.Abs(to.X - from.X) + Math.Abs(to.Y - from.Y);

    /// <summary>The XY route from <paramref name="from"/> to <paramref name="to"/> as directed hops (empty when equal).</summary>
    public static IReadOnlyList<MeshHop> XyPath(MeshPosition from, MeshPosition to)
    {
        var hops = new List<MeshHop>(HopCount(from, to));
        var x = from.X;
        var y = from.Y;
        var stepX = Math.Sign(to.X - from.X);
        while (x != to.X)
        {
            hops.Add(new MeshHop(new MeshPosition(x, y), new MeshPosition(x + stepX, y)));
            x += stepX;
        }
        var stepY = Math.Sign(to.Y - from.Y);
        while (y != to.Y)
        {
            hops.Add(new MeshHop(new MeshPosition(x, y), new MeshPosition(x, y + stepY)));
            y += stepY;
        }
        return hops;
    }

    /// <summary>
    /// Writes the link ids of the XY route into <paramref name="linkIds"/> without allocating and returns the hop count.
    /// The span must hold at least <see cref="HopCount"/> entries.
    /// </summary>
    public static int XyLinkIds(MeshPosition from, MeshPosition to, int meshWidth, Span<int> linkIds)
    {
        var n = 0;
        var x = from.X;
        var y = from.Y;
        if (to.X != x)
        {
            var dir = to.X > x ? MeshDirection.East : MeshDirection.West;
            var step = to.X > x ? 1 : -1;
            while (x != to.X) { linkIds[n++] = LinkId(x, y, dir, meshWidth); x += step; }
        }
        if (to.Y != y)
        {
            var dir = to.Y > y ? MeshDirection.South : MeshDirection.North;
            var step = to.Y > y ? 1 : -1;
            while (y != to.Y) { linkIds[n++] = LinkId(x, y, dir, meshWidth); y += step; }
        }
        return n;
    }

    /// <summary>Size of a per-link array indexed by link id: 4 ports per router.</summary>
    public static int LinkIdCount(int meshWidth, int meshHeight) => meshWidth * meshHeight * 4;

    /// <summary>Number of directed links that exist in the mesh: 2 × ((W − 1) × H + W × (H − 1)).</summary>
    public static int DirectedLinkCount(int meshWidth, int meshHeight) =>
        2 * (((meshWidth - 1) * meshHeight) + (meshWidth * (meshHeight - 1)));

    /// <summary>Id of the link leaving router (<paramref name="x"/>, <paramref name="y"/>) in <paramref name="direction"/>.</summary>
    public static int LinkId(int x, int y, MeshDirection direction, int meshWidth) => (((y * meshWidth) + x) * 4) + (int)direction;

    /// <summary>Id of the link a hop uses.</summary>
    public static int LinkId(MeshHop hop, int meshWidth) => LinkId(hop.From.X, hop.From.Y, hop.Direction, meshWidth);

    /// <summary>The hop a link id stands for (its target may lie off the mesh for unused boundary ids).</summary>
    public static MeshHop HopOf(int linkId, int meshWidth)
    {
        var router = linkId / 4;
        var start = new MeshPosition(router % meshWidth, router / meshWidth);
        var end = (MeshDirection)(linkId % 4) switch
        {
            MeshDirection.East => new MeshPosition(start.X + 1, start.Y),
            MeshDirection.West => new MeshPosition(start.X - 1, start.Y),
            MeshDirection.South => new MeshPosition(start.X, start.Y + 1),
            _ => new MeshPosition(start.X, start.Y - 1),
        };
        return new MeshHop(start, end);
    }

    /// <summary>True when the link id names a link between two routers of the mesh.</summary>
    public static bool LinkExists(int linkId, int meshWidth, int meshHeight)
    {
        if (linkId < 0 || linkId >= LinkIdCount(meshWidth, meshHeight)) return false;
        var to = HopOf(linkId, meshWidth).To;
        return to.X >= 0 && to.X < meshWidth && to.Y >= 0 && to.Y < meshHeight;
    }
}
