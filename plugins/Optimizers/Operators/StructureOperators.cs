using Compass.Abstractions.Mapping;
using Compass.Abstractions.Sampling;

namespace Compass.Optimizers.Operators;

/// <summary>
/// Moves of whole structures (docs/levers.md): change a lever (micro-batch size — split or merge micro-batches — or a
/// tensor-parallel degree), assign a group of consecutive micro-batches to a region of the mesh (a quadrant, a band
/// of rows or a random rectangle), and swap the contents of two equal regions. Each works in place, keeps the genome
/// valid (lever indices in range, chiplet ids on the mesh) and returns true when the genome changed.
/// </summary>
public static class StructureOperators
{
    /// <summary>
    /// Steps one lever to a neighbouring candidate. A micro-batch-size step whose candidates are integer multiples of
    /// each other also repairs the rows: merging k micro-batches into one keeps the first one's placement (row b takes
    /// row k·b), splitting one into k gives each part the placement of the whole (row b takes row ⌊b / k⌋).
    /// </summary>
    public static bool StepLever(Genome genome, MappingSpace space, Xoshiro256StarStar rng)
    {
        if (space.LeverCount == 0) return false;
        var before = new LeverSnapshot(genome);
        if (!space.StepLever(genome, rng.NextInt)) return false;
        for (var i = 0; i < space.LeverCount; i++)
        {
            if (genome.Levers[i] == before[i]) continue;
            var lever = space.Levers[i];
            if (lever.Kind is not (LeverKind.MicroBatchSize or LeverKind.PrefillMicroBatchSize)) break;
            var oldSize = lever.Candidates[before[i]];
            var newSize = lever.Candidates[genome.Levers[i]];
            if (newSize > oldSize && newSize % oldSize == 0) RemapRows(genome, newSize / oldSize, merge: true);
            else if (oldSize > newSize && oldSize % newSize == 0) RemapRows(genome, oldSize / newSize, merge: false);
            break;
        }
        return true;
    }

    /// <summary>
    /// Assigns a group of 1 … ⌈rows / 2⌉ consecutive micro-batches to a region (a quadrant, a band of mesh rows, or
    /// a random rectangle): the distinct chiplets the group's first micro-batch uses are mapped, in order of first
    /// use, round-robin onto the region's chiplets, and every micro-batch of the group takes that placement.
    /// </summary>
    public static bool AssignGroupToRegion(Genome genome, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var rows = genome.MicroBatchCount;
        var length = 1 + rng.NextInt(Math.Max(1, (rows + 1) / 2));
        var first = rng.NextInt(rows - length + 1);
        var cells = Region(space, rng, scratch.ChipletPermutation, out var count);
        if (count == 0) return false;
        var map = scratch.ChipletMap;
        Array.Fill(map, -1);
        var used = 0;
        var source = genome.Row(first);
        var changed = false;
        var genes = genome.GeneCount;
        var placed = scratch.Entries.AsSpan(0, genes);
        for (var g = 0; g < genes; g++)
        {
            var c = source[g];
            if (map[c] < 0) map[c] = cells[used++ % count];
            placed[g] = map[c];
        }
        for (var b = first; b < first + length; b++)
        {
            var row = genome.Row(b);
            changed |= !row.SequenceEqual(placed);
            placed.CopyTo(row);
        }
        return changed;
    }

    /// <summary>Swaps two equal, disjoint regions of the mesh (two quadrants, or two bands of rows): every entry on a chiplet of one moves to the chiplet at the same offset in the other.</summary>
    public static bool SwapRegions(Genome genome, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        int w = space.MeshWidth, h = space.MeshHeight;
        int x1, y1, x2, y2, rw, rh;
        if (rng.NextBool() && w >= 2 && h >= 2)
        {
            rw = w / 2;
            rh = h / 2;
            var q1 = rng.NextInt(4);
            var q2 = (q1 + 1 + rng.NextInt(3)) % 4;
            (x1, y1) = (q1 % 2 * rw, q1 / 2 * rh);
            (x2, y2) = (q2 % 2 * rw, q2 / 2 * rh);
        }
        else if (h >= 2)
        {
            rw = w;
            rh = 1 + rng.NextInt(h / 2);
            var bands = h / rh;
            var b1 = rng.NextInt(bands);
            var b2 = (b1 + 1 + rng.NextInt(Math.Max(1, bands - 1))) % bands;
            if (b1 == b2) return false;
            (x1, y1, x2, y2) = (0, b1 * rh, 0, b2 * rh);
        }
        else
        {
            return false;
        }
        var map = scratch.ChipletMap;
        for (var c = 0; c < map.Length; c++) map[c] = c;
        for (var dy = 0; dy < rh; dy++)
        {
            for (var dx = 0; dx < rw; dx++)
            {
                var a = (y1 + dy) * w + x1 + dx;
                var b = (y2 + dy) * w + x2 + dx;
                map[a] = b;
                map[b] = a;
            }
        }
        var changed = false;
        var entries = genome.Assignment;
        for (var i = 0; i < entries.Length; i++)
        {
            var c = map[entries[i]];
            changed |= c != entries[i];
            entries[i] = c;
        }
        return changed;
    }

    /// <summary>Writes a region's chiplets into <paramref name="cells"/>: a quadrant, a band of rows, or a random rectangle (⅓ each).</summary>
    private static int[] Region(MappingSpace space, Xoshiro256StarStar rng, int[] cells, out int count)
    {
        int w = space.MeshWidth, h = space.MeshHeight;
        int x0, y0, rw, rh;
        switch (rng.NextInt(3))
        {
            case 0:
                rw = Math.Max(1, w / 2);
                rh = Math.Max(1, h / 2);
                var q = rng.NextInt(4);
                x0 = q % 2 == 0 ? 0 : w - rw;
                y0 = q / 2 == 0 ? 0 : h - rh;
                break;
            case 1:
                rw = w;
                rh = 1 + rng.NextInt(Math.Max(1, h / 2));
                x0 = 0;
                y0 = rng.NextInt(h - rh + 1);
                break;
            default:
                rw = 1 + rng.NextInt(w);
                rh = 1 + rng.NextInt(h);
                x0 = rng.NextInt(w - rw + 1);
                y0 = rng.NextInt(h - rh + 1);
                break;
        }
        count = 0;
        for (var y = y0; y < y0 + rh; y++)
            for (var x = x0; x < x0 + rw; x++) cells[count++] = y * w + x;
        return cells;
    }

    private static void RemapRows(Genome genome, int factor, bool merge)
    {
        var rows = genome.MicroBatchCount;
        if (merge)
        {
            for (var b = 1; b < rows && b * factor < rows; b++) genome.Row(b * factor).CopyTo(genome.Row(b));
        }
        else
        {
            for (var b = rows - 1; b >= 1; b--) genome.Row(b / factor).CopyTo(genome.Row(b));
        }
    }

    /// <summary>The lever indices before a move (no allocation for up to four levers).</summary>
    private readonly struct LeverSnapshot
    {
        private readonly int _a, _b, _c, _d;
        private readonly int[]? _rest;

        public LeverSnapshot(Genome genome)
        {
            var l = genome.Levers;
            _a = l.Length > 0 ? l[0] : 0;
            _b = l.Length > 1 ? l[1] : 0;
            _c = l.Length > 2 ? l[2] : 0;
            _d = l.Length > 3 ? l[3] : 0;
            _rest = l.Length > 4 ? (int[])l.Clone() : null;
        }

        public int this[int i] => _rest is not null ? _rest[i] : i switch { 0 => _a, 1 => _b, 2 => _c, _ => _d };
    }
}
