using Compass.Abstractions.Sampling;
using Compass.Abstractions.Mapping;

namespace Compass.Optimizers.Operators;

/// <summary>
/// The genome moves shared by <c>ga</c>, <c>sa</c>, <c>coupled-sa</c> and <c>nsga2</c>. Each operator applies once,
/// unconditionally (the caller decides with which probability), works in place, allocates nothing, and keeps the
/// genome valid: chiplet ids stay in 0 … chiplets − 1 and segmentation bits stay 0/1. Rows and columns are taken
/// from the genome (so a one-row genome, the coupled encoding, works too); chiplets and genes from the space.
/// Operators 1–7 and the two segmentation mutations are the published Compass ones (docs/reference/compass-method.md §7,
/// <c>src/compass/GA.cpp</c>); the last four exploit the structure of the graph and the package.
/// Every operator returns true when it changed the genome.
/// </summary>
public static class MutationOperators
{
    /// <summary>Published segmentation mutation 1: every bit flips with <paramref name="probability"/> (inserts or deletes a boundary).</summary>
    public static bool FlipBoundaryBits(Genome genome, double probability, Xoshiro256StarStar rng)
    {
        var bits = genome.Boundaries;
        var changed = false;
        for (var i = 0; i < bits.Length; i++)
        {
            if (!rng.Chance(probability)) continue;
            bits[i] = (byte)(bits[i] ^ 1);
            changed = true;
        }
        return changed;
    }

    /// <summary>Published segmentation mutation 2: every boundary moves one position left or right with <paramref name="probability"/>, if the target position is free.</summary>
    public static bool ShiftBoundaries(Genome genome, double probability, Xoshiro256StarStar rng)
    {
        var bits = genome.Boundaries;
        var changed = false;
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i] == 0 || !rng.Chance(probability)) continue;
            var target = rng.NextBool() ? i + 1 : i - 1;
            if (target < 0 || target >= bits.Length || bits[target] != 0) continue;
            bits[i] = 0;
            bits[target] = 1;
            changed = true;
            if (target > i) i++; // a boundary moves at most once per call
        }
        return changed;
    }

    /// <summary>Flips one random segmentation bit (the single-step form of <see cref="FlipBoundaryBits"/>, an annealing move).</summary>
    public static bool FlipOneBoundaryBit(Genome genome, Xoshiro256StarStar rng)
    {
        var bits = genome.Boundaries;
        if (bits.Length == 0) return false;
        var i = rng.NextInt(bits.Length);
        bits[i] = (byte)(bits[i] ^ 1);
        return true;
    }

    /// <summary>Moves one random existing boundary one position left or right when the target is free (single-step form of <see cref="ShiftBoundaries"/>).</summary>
    public static bool ShiftOneBoundary(Genome genome, Xoshiro256StarStar rng)
    {
        var bits = genome.Boundaries;
        var count = 0;
        for (var i = 0; i < bits.Length; i++) count += bits[i];
        if (count == 0) return false;
        var pick = rng.NextInt(count);
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i] == 0 || pick-- != 0) continue;
            var target = rng.NextBool() ? i + 1 : i - 1;
            if (target < 0 || target >= bits.Length || bits[target] != 0) return false;
            bits[i] = 0;
            bits[target] = 1;
            return true;
        }
        return false;
    }

    /// <summary>Published mapping mutation 1: re-assigns one random (micro-batch, gene) to a random chiplet.</summary>
    public static bool ReassignOne(Genome genome, MappingSpace space, Xoshiro256StarStar rng)
    {
        var i = rng.NextInt(genome.Assignment.Length);
        var old = genome.Assignment[i];
        genome.Assignment[i] = rng.NextInt(space.ChipletCount);
        return genome.Assignment[i] != old;
    }

    /// <summary>Published mapping mutation 2: swaps the chiplets of genes g and g + 1 for one micro-batch.</summary>
    public static bool SwapAdjacentGenes(Genome genome, Xoshiro256StarStar rng)
    {
        if (genome.GeneCount < 2) return false;
        var b = rng.NextInt(genome.MicroBatchCount);
        var g = rng.NextInt(genome.GeneCount - 1);
        var row = genome.Row(b);
        if (row[g] == row[g + 1]) return false;
        (row[g], row[g + 1]) = (row[g + 1], row[g]);
        return true;
    }

    /// <summary>Published mapping mutation 3: swaps the chiplets of two micro-batches on one gene.</summary>
    public static bool SwapMicroBatchesOnGene(Genome genome, Xoshiro256StarStar rng)
    {
        var rows = genome.MicroBatchCount;
        if (rows < 2) return false;
        var g = rng.NextInt(genome.GeneCount);
        var b1 = rng.NextInt(rows);
        var b2 = (b1 + 1 + rng.NextInt(rows - 1)) % rows;
        if (genome[b1, g] == genome[b2, g]) return false;
        (genome[b1, g], genome[b2, g]) = (genome[b2, g], genome[b1, g]);
        return true;
    }

    /// <summary>Published mapping mutation 4: shuffles the chiplet list inside one segment, for one micro-batch.</summary>
    public static bool ShuffleSegment(Genome genome, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var segments = scratch.LoadSegments(genome.Boundaries, genome.GeneCount);
        var s = rng.NextInt(segments);
        var (start, end) = (scratch.SegmentStarts[s], scratch.SegmentEnds[s]);
        if (end - start < 2) return false;
        var row = genome.Row(rng.NextInt(genome.MicroBatchCount)).Slice(start, end - start);
        rng.Shuffle(row);
        return true;
    }

    /// <summary>Published mapping mutation 5: re-maps every gene of one segment to random chiplets, for one micro-batch.</summary>
    public static bool RemapSegment(Genome genome, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var segments = scratch.LoadSegments(genome.Boundaries, genome.GeneCount);
        var s = rng.NextInt(segments);
        var row = genome.Row(rng.NextInt(genome.MicroBatchCount));
        for (var g = scratch.SegmentStarts[s]; g < scratch.SegmentEnds[s]; g++)
            row[g] = rng.NextInt(space.ChipletCount);
        return true;
    }

    /// <summary>Published mapping mutation 6: swaps two segments' chiplet lists (first min(len₁, len₂) positions, all micro-batches).</summary>
    public static bool SwapSegments(Genome genome, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var segments = scratch.LoadSegments(genome.Boundaries, genome.GeneCount);
        if (segments < 2) return false;
        var s1 = rng.NextInt(segments);
        var s2 = (s1 + 1 + rng.NextInt(segments - 1)) % segments;
        var a = scratch.SegmentStarts[s1];
        var c = scratch.SegmentStarts[s2];
        var length = Math.Min(scratch.SegmentEnds[s1] - a, scratch.SegmentEnds[s2] - c);
        for (var b = 0; b < genome.MicroBatchCount; b++)
        {
            var row = genome.Row(b);
            for (var k = 0; k < length; k++)
                (row[a + k], row[c + k]) = (row[c + k], row[a + k]);
        }
        return true;
    }

    /// <summary>Published mapping mutation 7: swaps two micro-batches' whole rows.</summary>
    public static bool SwapMicroBatchRows(Genome genome, Xoshiro256StarStar rng)
    {
        var rows = genome.MicroBatchCount;
        if (rows < 2) return false;
        var b1 = rng.NextInt(rows);
        var b2 = (b1 + 1 + rng.NextInt(rows - 1)) % rows;
        var r1 = genome.Row(b1);
        var r2 = genome.Row(b2);
        if (r1.SequenceEqual(r2)) return false;
        for (var g = 0; g < r1.Length; g++)
            (r1[g], r2[g]) = (r2[g], r1[g]);
        return true;
    }

    /// <summary>
    /// Structure-aware: moves a whole layer group (all genes of one decoder layer, or of one stage of a layer, in
    /// every micro-batch) to another chiplet set, keeping the group's internal layout: with probability ½ the set is
    /// translated on the mesh by a random (dx, dy) with wrap-around, otherwise every chiplet the group uses is sent
    /// to a distinct random chiplet.
    /// </summary>
    public static bool MoveLayerGroup(Genome genome, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var genes = space.Genes;
        var pivot = genes[rng.NextInt(genome.GeneCount)];
        var wholeLayer = rng.NextBool();
        var marks = scratch.GeneMarks;
        for (var g = 0; g < genome.GeneCount; g++)
            marks[g] = genes[g].Layer == pivot.Layer && (wholeLayer || genes[g].Stage == pivot.Stage);
        var map = scratch.ChipletMap;
        var chiplets = space.ChipletCount;
        if (chiplets < 2) return false;
        if (rng.NextBool() && (space.MeshWidth > 1 || space.MeshHeight > 1))
        {
            int dx, dy;
            do
            {
                dx = rng.NextInt(space.MeshWidth);
                dy = rng.NextInt(space.MeshHeight);
            } while (dx == 0 && dy == 0);
            for (var c = 0; c < chiplets; c++)
                map[c] = ((c / space.MeshWidth + dy) % space.MeshHeight) * space.MeshWidth + (c % space.MeshWidth + dx) % space.MeshWidth;
        }
        else
        {
            var perm = scratch.ChipletPermutation;
            for (var c = 0; c < chiplets; c++) perm[c] = c;
            rng.Shuffle(perm.AsSpan(0, chiplets));
            for (var c = 0; c < chiplets; c++) map[c] = perm[c];
        }
        var changed = false;
        for (var b = 0; b < genome.MicroBatchCount; b++)
        {
            var row = genome.Row(b);
            for (var g = 0; g < row.Length; g++)
            {
                if (!marks[g]) continue;
                var target = map[row[g]];
                changed |= target != row[g];
                row[g] = target;
            }
        }
        return changed;
    }

    /// <summary>
    /// Structure-aware: picks a gene and spreads its micro-batches evenly, in contiguous blocks, over the chiplets
    /// that already hold that gene's weights (so each of them runs consecutive micro-batches of one gene and reloads
    /// weights less). With probability ⅓ it consolidates onto one chiplet fewer (the one holding fewest), with ⅓ it
    /// widens to one more chiplet (a free mesh neighbour of a holder), otherwise it keeps the holder set.
    /// </summary>
    public static bool BalanceSharedWeights(Genome genome, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var rows = genome.MicroBatchCount;
        if (rows < 2) return false;
        var g = rng.NextInt(genome.GeneCount);
        var holders = scratch.ChipletList;
        var counts = scratch.ChipletCounts;
        var k = 0;
        for (var b = 0; b < rows; b++)
        {
            var c = genome[b, g];
            if (counts[c]++ == 0) holders[k++] = c;
        }
        var choice = rng.NextInt(3);
        if (choice == 0 && k > 1)
        {
            var weakest = 0;
            for (var i = 1; i < k; i++)
                if (counts[holders[i]] < counts[holders[weakest]]) weakest = i;
            holders[weakest] = holders[k - 1];
            k--;
        }
        else if (choice == 1 && k < Math.Min(rows, space.ChipletCount))
        {
            var extra = FreeNeighbour(space, holders[rng.NextInt(k)], counts, rng);
            if (extra >= 0) holders[k++] = extra;
        }
        for (var i = 0; i < space.ChipletCount; i++) counts[i] = 0;
        var changed = false;
        for (var b = 0; b < rows; b++)
        {
            var target = holders[(int)((long)b * k / rows)];
            changed |= genome[b, g] != target;
            genome[b, g] = target;
        }
        return changed;
    }

    /// <summary>
    /// Structure-aware: places a consumer on or next to its producer's chiplet. Picks a gene with predecessors and one
    /// of its producers (<see cref="GeneInfo.Predecessors"/>); for one micro-batch (all of them with probability ¼)
    /// the consumer moves to the producer's chiplet (probability ½) or to a random chiplet at mesh distance 1.
    /// </summary>
    public static bool PlaceConsumerNearProducer(Genome genome, MappingSpace space, Xoshiro256StarStar rng)
    {
        var genes = space.Genes;
        var g = -1;
        for (var attempt = 0; attempt < 8 && g < 0; attempt++)
        {
            var candidate = rng.NextInt(genome.GeneCount);
            if (genes[candidate].Predecessors.Length > 0) g = candidate;
        }
        if (g < 0) return false;
        var preds = genes[g].Predecessors;
        var p = preds[rng.NextInt(preds.Length)];
        if ((uint)p >= (uint)genome.GeneCount) return false;
        var allRows = rng.Chance(0.25);
        var sameChiplet = rng.NextBool();
        var first = allRows ? 0 : rng.NextInt(genome.MicroBatchCount);
        var last = allRows ? genome.MicroBatchCount : first + 1;
        var changed = false;
        for (var b = first; b < last; b++)
        {
            var producer = genome[b, p];
            var target = sameChiplet ? producer : RandomNeighbour(space, producer, rng);
            changed |= genome[b, g] != target;
            genome[b, g] = target;
        }
        return changed;
    }

    /// <summary>
    /// Structure-aware: estimates each chiplet's load as the sum of <see cref="GeneInfo.AverageMacs"/> of its tasks and
    /// relieves the busiest one: with probability ½ it swaps the whole loads of the busiest and the idlest chiplet
    /// (moving the hot spot, which matters on heterogeneous packages), otherwise it moves tasks from the busiest to the
    /// idlest chiplet, in random order, while that lowers the larger of the two loads.
    /// </summary>
    public static bool SwapBusiestIdlest(Genome genome, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var chiplets = space.ChipletCount;
        if (chiplets < 2) return false;
        var load = scratch.ChipletLoad;
        Array.Clear(load, 0, chiplets);
        var genes = space.Genes;
        var a = genome.Assignment;
        var geneCount = genome.GeneCount;
        for (var i = 0; i < a.Length; i++)
            load[a[i]] += Math.Max(genes[i % geneCount].AverageMacs, 1.0);
        var offset = rng.NextInt(chiplets);
        int busiest = offset, idlest = offset;
        for (var j = 1; j < chiplets; j++)
        {
            var c = (offset + j) % chiplets;
            if (load[c] > load[busiest]) busiest = c;
            if (load[c] < load[idlest]) idlest = c;
        }
        if (busiest == idlest || load[busiest] <= load[idlest]) return false;
        if (rng.NextBool())
        {
            for (var i = 0; i < a.Length; i++)
            {
                if (a[i] == busiest) a[i] = idlest;
                else if (a[i] == idlest) a[i] = busiest;
            }
            return true;
        }
        var entries = scratch.Entries;
        var n = 0;
        for (var i = 0; i < a.Length; i++)
            if (a[i] == busiest) entries[n++] = i;
        rng.Shuffle(entries.AsSpan(0, n));
        double hot = load[busiest], cold = load[idlest];
        var changed = false;
        for (var k = 0; k < n; k++)
        {
            var i = entries[k];
            var m = Math.Max(genes[i % geneCount].AverageMacs, 1.0);
            if (Math.Max(hot - m, cold + m) >= hot) continue;
            a[i] = idlest;
            hot -= m;
            cold += m;
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// Structure-aware (coupled move): puts one gene of every micro-batch on one chiplet. With probability ½ the
    /// chiplet is one that hosts no other gene of the gene's segment in micro-batch 0 (so, in a coupled mapping, it
    /// keeps its weights for the whole segment), otherwise any chiplet.
    /// </summary>
    public static bool ReassignGeneColumn(Genome genome, MappingSpace space, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var g = rng.NextInt(genome.GeneCount);
        var chiplets = space.ChipletCount;
        var target = rng.NextInt(chiplets);
        if (rng.NextBool())
        {
            var segments = scratch.LoadSegments(genome.Boundaries, genome.GeneCount);
            var s = 0;
            while (s < segments - 1 && scratch.SegmentEnds[s] <= g) s++;
            var used = scratch.ChipletCounts;
            var row = genome.Row(0);
            for (var k = scratch.SegmentStarts[s]; k < scratch.SegmentEnds[s]; k++)
                if (k != g) used[row[k]]++;
            var free = scratch.ChipletList;
            var n = 0;
            for (var c = 0; c < chiplets; c++)
            {
                if (used[c] == 0) free[n++] = c;
                used[c] = 0;
            }
            if (n > 0) target = free[rng.NextInt(n)];
        }
        var changed = false;
        for (var b = 0; b < genome.MicroBatchCount; b++)
        {
            changed |= genome[b, g] != target;
            genome[b, g] = target;
        }
        return changed;
    }

    /// <summary>Structure-aware (coupled move): swaps the chiplets of two genes in every micro-batch (genes of one segment with probability ½, else any two).</summary>
    public static bool SwapGeneColumns(Genome genome, Xoshiro256StarStar rng, OperatorScratch scratch)
    {
        var genes = genome.GeneCount;
        if (genes < 2) return false;
        int g, h;
        var segments = scratch.LoadSegments(genome.Boundaries, genes);
        var s = rng.NextInt(segments);
        var (start, end) = (scratch.SegmentStarts[s], scratch.SegmentEnds[s]);
        if (rng.NextBool() && end - start >= 2)
        {
            g = rng.NextInt(start, end);
            h = (g - start + 1 + rng.NextInt(end - start - 1)) % (end - start) + start;
        }
        else
        {
            g = rng.NextInt(genes);
            h = (g + 1 + rng.NextInt(genes - 1)) % genes;
        }
        var changed = false;
        for (var b = 0; b < genome.MicroBatchCount; b++)
        {
            var row = genome.Row(b);
            changed |= row[g] != row[h];
            (row[g], row[h]) = (row[h], row[g]);
        }
        return changed;
    }

    /// <summary>Fills a genome with uniformly random bits, chiplet ids (the published initial individual) and lever candidates.</summary>
    public static void Randomize(Genome genome, MappingSpace space, Xoshiro256StarStar rng)
    {
        var bits = genome.Boundaries;
        for (var i = 0; i < bits.Length; i++) bits[i] = (byte)(rng.NextBool() ? 1 : 0);
        var a = genome.Assignment;
        for (var i = 0; i < a.Length; i++) a[i] = rng.NextInt(space.ChipletCount);
        var levers = genome.Levers;
        for (var i = 0; i < levers.Length && i < space.LeverCount; i++) levers[i] = rng.NextInt(space.Levers[i].Count);
    }

    private static int RandomNeighbour(MappingSpace space, int chiplet, Xoshiro256StarStar rng)
    {
        var c = FreeNeighbour(space, chiplet, null, rng);
        return c < 0 ? chiplet : c;
    }

    /// <summary>A mesh neighbour of <paramref name="chiplet"/> (from a random direction on) with no holder; any neighbour when <paramref name="holderCounts"/> is null; −1 when none.</summary>
    private static int FreeNeighbour(MappingSpace space, int chiplet, int[]? holderCounts, Xoshiro256StarStar rng)
    {
        int x = chiplet % space.MeshWidth, y = chiplet / space.MeshWidth;
        var start = rng.NextInt(4);
        for (var k = 0; k < 4; k++)
        {
            var (nx, ny) = ((start + k) % 4) switch { 0 => (x + 1, y), 1 => (x - 1, y), 2 => (x, y + 1), _ => (x, y - 1) };
            if (nx < 0 || nx >= space.MeshWidth || ny < 0 || ny >= space.MeshHeight) continue;
            var c = ny * space.MeshWidth + nx;
            if (holderCounts is null || holderCounts[c] == 0) return c;
        }
        return -1;
    }
}
