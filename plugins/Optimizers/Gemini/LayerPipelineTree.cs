using Compass.Abstractions.Sampling;
using Compass.Abstractions.Mapping;

namespace Compass.Optimizers.Gemini;

/// <summary>
/// Gemini's layer-pipeline (LP) tree (Cai et al., HPCA 2024, the SET "resource allocation tree") read off a coupled,
/// one-row genome, and the seven SA operators acting on it. The tree of a one-row genome is:
/// <list type="bullet">
/// <item>the root, a temporal cut (T) whose children run one after another: the segments (segmentation bits);</item>
/// <item>a segment with one gene is a leaf under the root; a segment whose genes all sit on one chiplet is a temporal
/// cut under the root; any other segment is a spatial cut (S) whose children run at the same time on disjoint chiplets;</item>
/// <item>a child of a spatial cut is one chiplet of the segment: a leaf when it hosts one gene of the segment, a temporal
/// cut (its genes time-share the chiplet, in sequence order) when it hosts several.</item>
/// </list>
/// Children of a spatial cut are ordered by their first gene. Operators (numbering and base weights as Gemini's
/// <c>SAEngine::sa_change</c>): 0 change with front (10), 1 change with back (10), 2 delete parent (20), 3 add parent
/// (20), 4 put batch down (20), 5 put batch up (20), 6 move into the neighbouring cut or out of the parent (40).
/// Every operator picks the layer <c>l</c> it acts on as Gemini does (uniformly), changes only the one row and the
/// segmentation bits, and returns false (the genome untouched) when Gemini's operator would <c>break</c> (no valid move
/// from that layer). The gene order is the fixed topological order of the encoding, so "changing a layer with the one
/// in front" exchanges the two genes' places in the tree (their chiplets), never their execution order; segments stay
/// contiguous runs of genes. Operators 4 and 5 change how many pieces the batch is cut into inside a cut; in this
/// encoding the micro-batch count is fixed by the scenario (<c>graph.microBatchSize</c>) and every segment streams all
/// micro-batches, so they have no move to make — the case Gemini itself masks when the batch cannot be split
/// (<c>get_tot_batch() == 1</c>).
/// </summary>
public sealed class LayerPipelineTree
{
    /// <summary>Operator names, by Gemini's numbering.</summary>
    public static IReadOnlyList<string> OperatorNames { get; } = Array.AsReadOnly(["changeWithFront", "changeWithBack", "deleteParent", "addParent", "putBatchDown", "putBatchUp", "moveIntoNeighbourCut"]);

    /// <summary>Gemini's base weights of the seven operators.</summary>
    public static IReadOnlyList<int> BaseWeights { get; } = Array.AsReadOnly([10, 10, 20, 20, 20, 20, 40]);

    private readonly MappingSpace _space;
    private readonly int[] _segmentOf;
    private readonly int[] _segmentStart;
    private readonly int[] _segmentEnd;
    private readonly int[] _hosted;      // genes of the current segment per chiplet
    private readonly int[] _firstGene;   // first gene of the current segment per chiplet (−1 when none)
    private readonly int[] _children;    // chiplets of the current segment ordered by first gene
    private int _segments;
    private int _censusCount;

    /// <summary>Creates the operator set for a space (its genes, predecessors, chiplets and mesh).</summary>
    public LayerPipelineTree(MappingSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        var genes = space.GeneCount;
        _segmentOf = new int[genes];
        _segmentStart = new int[genes];
        _segmentEnd = new int[genes];
        _hosted = new int[space.ChipletCount];
        _firstGene = new int[space.ChipletCount];
        _children = new int[space.ChipletCount];
    }

    /// <summary>Kinds of the parent of a layer in the tree.</summary>
    public enum ParentKind
    {
        /// <summary>The root temporal cut (the layer is a one-gene segment).</summary>
        Root,

        /// <summary>A spatial cut (the layer is alone on its chiplet in a segment of several chiplets).</summary>
        Spatial,

        /// <summary>A temporal cut: the layer shares its chiplet with other genes of its segment.</summary>
        Temporal,
    }

    /// <summary>
    /// Applies operator <paramref name="op"/> to layer <paramref name="layer"/> of the one-row genome
    /// <paramref name="genome"/>; returns true when the genome changed.
    /// </summary>
    public bool Apply(int op, Genome genome, int layer, Xoshiro256StarStar rng)
    {
        ArgumentNullException.ThrowIfNull(genome);
        ArgumentNullException.ThrowIfNull(rng);
        if (genome.MicroBatchCount != 1) throw new ArgumentException("the layer-pipeline tree acts on the one-row (coupled) genome", nameof(genome));
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, genome.GeneCount);
        Index(genome);
        return op switch
        {
            0 => ChangeWithNeighbour(genome, layer, front: true),
            1 => ChangeWithNeighbour(genome, layer, front: false),
            2 => DeleteParent(genome, layer),
            3 => AddParent(genome, layer, rng),
            4 or 5 => false,
            6 => MoveIntoNeighbourCut(genome, layer, rng),
            _ => throw new ArgumentOutOfRangeException(nameof(op), $"operator {op} is not 0..6"),
        };
    }

    /// <summary>The kind of the parent of <paramref name="layer"/> in the tree of <paramref name="genome"/>.</summary>
    public ParentKind ParentOf(Genome genome, int layer)
    {
        ArgumentNullException.ThrowIfNull(genome);
        Index(genome);
        return Parent(genome, layer);
    }

    /// <summary>The segment (child of the root) holding <paramref name="layer"/>, after <see cref="ParentOf"/> or <see cref="Apply"/> indexed the genome.</summary>
    public int SegmentOf(int layer) => _segmentOf[layer];

    private ParentKind Parent(Genome genome, int layer)
    {
        var s = _segmentOf[layer];
        if (_segmentEnd[s] - _segmentStart[s] == 1) return ParentKind.Root;
        Census(genome, s);
        return _hosted[genome.Assignment[layer]] >= 2 ? ParentKind.Temporal : ParentKind.Spatial;
    }

    // Op 0 / 1: exchange the layer's place with the nearest gene before (after) it in its segment that sits on another
    // chiplet, unless that gene feeds the layer (front) or the layer feeds it (back) — Gemini's dependency check.
    private bool ChangeWithNeighbour(Genome genome, int layer, bool front)
    {
        var row = genome.Assignment;
        var s = _segmentOf[layer];
        var step = front ? -1 : 1;
        var x = layer + step;
        while (x >= _segmentStart[s] && x < _segmentEnd[s] && row[x] == row[layer]) x += step;
        if (x < _segmentStart[s] || x >= _segmentEnd[s]) return false;
        var consumer = front ? layer : x;
        var producer = front ? x : layer;
        foreach (var p in _space.Genes[consumer].Predecessors)
            if (p == producer) return false;
        (row[x], row[layer]) = (row[layer], row[x]);
        return true;
    }

    // Op 2: delete the layer's parent, its children move up to the grandparent.
    private bool DeleteParent(Genome genome, int layer)
    {
        var row = genome.Assignment;
        var s = _segmentOf[layer];
        var parent = Parent(genome, layer);
        switch (parent)
        {
            case ParentKind.Root:
                return false; // no grandparent
            case ParentKind.Temporal when ChildCount() >= 2:
            {
                // The temporal cut's genes become spatial children of the segment: each needs a chiplet of its own.
                var chiplet = row[layer];
                var genes = _hosted[chiplet];
                if (FreeChiplets() < genes - 1) return false;
                var first = true;
                for (var g = _segmentStart[s]; g < _segmentEnd[s]; g++)
                {
                    if (row[g] != chiplet) continue;
                    if (first) { first = false; continue; }
                    var free = NearestFree(chiplet);
                    row[g] = free;
                    _hosted[free] = 1;
                }
                return true;
            }
            default:
            {
                // A spatial cut under the root (or a segment-wide temporal cut): its children become segments of their own.
                var changed = false;
                for (var g = _segmentStart[s]; g + 1 < _segmentEnd[s]; g++)
                {
                    if (row[g] == row[g + 1] && parent == ParentKind.Spatial) continue;
                    if (genome.Boundaries[g] == 0) { genome.Boundaries[g] = 1; changed = true; }
                }
                return changed;
            }
        }
    }

    // Op 3: a new parent over a range of the layer's siblings (never all of them; the parent needs more than two children).
    private bool AddParent(Genome genome, int layer, Xoshiro256StarStar rng)
    {
        var row = genome.Assignment;
        var s = _segmentOf[layer];
        var parent = Parent(genome, layer);
        if (parent == ParentKind.Temporal)
            return false; // a spatial cut inside a one-chiplet temporal cut has no chiplets to split
        if (parent == ParentKind.Root)
        {
            if (_segments <= 2) return false;
            // Gemini draws the new node's type under the root: a temporal cut under the temporal root changes nothing here.
            if (rng.NextBool()) return false;
            var (i, j) = Range(s, _segments, rng);
            for (var k = i; k < j; k++) genome.Boundaries[_segmentEnd[k] - 1] = 0; // merge segments i..j into one spatial cut
            return true;
        }
        var count = ChildCount();
        if (count <= 2) return false;
        var mine = Array.IndexOf(_children, row[layer], 0, count);
        var (a, b) = Range(mine, count, rng);
        var target = _children[a];
        for (var g = _segmentStart[s]; g < _segmentEnd[s]; g++)
        {
            var c = Array.IndexOf(_children, row[g], a, b - a + 1);
            if (c >= 0) row[g] = target; // the range becomes one temporal cut on its first child's chiplet
        }
        return true;
    }

    // Op 6: put the layer into the cut before/after it among its siblings, or, when it is the first/last child, out of
    // its parent into the grandparent.
    private bool MoveIntoNeighbourCut(Genome genome, int layer, Xoshiro256StarStar rng)
    {
        var row = genome.Assignment;
        var s = _segmentOf[layer];
        var parent = Parent(genome, layer);
        var before = rng.NextBool();
        switch (parent)
        {
            case ParentKind.Root:
            {
                if (_segments <= 2) return false;
                var neighbour = before ? s - 1 : s + 1;
                if (neighbour < 0 || neighbour >= _segments) return false; // out of the root: no grandparent
                if (_segmentEnd[neighbour] - _segmentStart[neighbour] == 1) return false; // a leaf is not a cut
                genome.Boundaries[before ? layer - 1 : layer] = 0; // join the neighbouring segment
                return true;
            }
            case ParentKind.Spatial:
            {
                var count = ChildCount();
                if (count <= 2) return false;
                var mine = Array.IndexOf(_children, row[layer], 0, count);
                var next = before ? mine - 1 : mine + 1;
                if (next >= 0 && next < count)
                {
                    var chiplet = _children[next];
                    if (_hosted[chiplet] < 2) return false; // a leaf is not a cut
                    row[layer] = chiplet;
                    return true;
                }
                // First/last child: out of the spatial cut into the root, as a segment of its own (segments stay contiguous).
                if (before && layer == _segmentStart[s]) { genome.Boundaries[layer] = 1; return true; }
                if (!before && layer == _segmentEnd[s] - 1) { genome.Boundaries[layer - 1] = 1; return true; }
                return false;
            }
            default:
            {
                var chiplet = row[layer];
                var genes = 0;
                var position = 0;
                for (var g = _segmentStart[s]; g < _segmentEnd[s]; g++)
                {
                    if (row[g] != chiplet) continue;
                    if (g == layer) position = genes;
                    genes++;
                }
                if (genes <= 2) return false;
                var next = before ? position - 1 : position + 1;
                if (next >= 0 && next < genes) return false; // siblings in a temporal cut are layers (leaves), not cuts
                if (ChildCount() < 2)
                {
                    // The segment-wide temporal cut sits under the root: out of it means a segment of its own.
                    if (before && layer == _segmentStart[s]) { genome.Boundaries[layer] = 1; return true; }
                    if (!before && layer == _segmentEnd[s] - 1) { genome.Boundaries[layer - 1] = 1; return true; }
                    return false;
                }
                if (FreeChiplets() == 0) return false;
                row[layer] = NearestFree(chiplet); // a spatial child of its own
                return true;
            }
        }
    }

    /// <summary>A random range [i, j] of <paramref name="count"/> siblings containing <paramref name="mine"/>, at least two and never all of them.</summary>
    private static (int First, int Last) Range(int mine, int count, Xoshiro256StarStar rng)
    {
        while (true)
        {
            var other = rng.NextInt(count - 1);
            if (other >= mine) other++;
            var i = Math.Min(mine, other);
            var j = Math.Max(mine, other);
            if (i == 0 && j == count - 1) continue;
            return (i, j);
        }
    }

    private void Index(Genome genome)
    {
        var bits = genome.Boundaries;
        var s = 0;
        _segmentStart[0] = 0;
        for (var g = 0; g < genome.GeneCount; g++)
        {
            _segmentOf[g] = s;
            if (g == genome.GeneCount - 1 || bits[g] != 0)
            {
                _segmentEnd[s] = g + 1;
                s++;
                if (g + 1 < genome.GeneCount) _segmentStart[s] = g + 1;
            }
        }
        _segments = s;
    }

    // Chiplets of segment s: genes hosted per chiplet and the children ordered by first gene.
    private void Census(Genome genome, int s)
    {
        Array.Clear(_hosted);
        Array.Fill(_firstGene, -1);
        var row = genome.Assignment;
        _censusCount = 0;
        for (var g = _segmentStart[s]; g < _segmentEnd[s]; g++)
        {
            var c = row[g];
            if (_hosted[c]++ == 0)
            {
                _firstGene[c] = g;
                _children[_censusCount++] = c;
            }
        }
    }

    private int ChildCount() => _censusCount;

    private int FreeChiplets() => _space.ChipletCount - _censusCount;

    /// <summary>The unused chiplet (in the census) nearest to <paramref name="from"/> on the mesh; ties to the lower id.</summary>
    private int NearestFree(int from)
    {
        var best = -1;
        var bestDistance = int.MaxValue;
        for (var c = 0; c < _space.ChipletCount; c++)
        {
            if (_hosted[c] != 0) continue;
            var d = _space.Distance(from, c);
            if (d < bestDistance) { best = c; bestDistance = d; }
        }
        _censusCount++;
        return best;
    }
}
