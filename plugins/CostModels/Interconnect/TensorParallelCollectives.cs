namespace Compass.CostModels.Interconnect;

/// <summary>One point-to-point transfer of a collective.</summary>
/// <param name="Source">Sending chiplet slot.</param>
/// <param name="Destination">Receiving chiplet slot.</param>
/// <param name="Bytes">Bytes sent.</param>
/// <param name="Step">Step of the collective (transfers of one step can run concurrently; step s + 1 waits for step s).</param>
public readonly record struct Transfer(int Source, int Destination, double Bytes, int Step);

/// <summary>Algorithm a collective uses.</summary>
public enum CollectiveAlgorithm
{
    /// <summary>Every participant talks to the destination (or to every other participant) directly, in one step.</summary>
    Direct,

    /// <summary>Participants pass data along a ring in the order given, one neighbour per step.</summary>
    Ring,
}

/// <summary>
/// Tensor-parallel collectives expressed as point-to-point transfers, which the evaluator routes over the mesh like any
/// other flow (the published Compass has no explicit collective; shard outputs move as ordinary flows, formulas.md §5).
/// Volumes follow formulas.md §7: a ring all-gather moves (p − 1)/p of the result per participant, a ring all-reduce
/// 2(p − 1)/p.
/// </summary>
public static class TensorParallelCollectives
{
    /// <summary>
    /// Gather of output shards into <paramref name="destination"/>. Direct: every other holder sends its shard in step 0.
    /// Ring: along <paramref name="holders"/> ending at the destination, hop i forwards the i + 1 shards gathered so far.
    /// </summary>
    public static List<Transfer> Gather(IReadOnlyList<int> holders, int destination, double shardBytes, CollectiveAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(holders);
        var result = new List<Transfer>();
        if (algorithm == CollectiveAlgorithm.Direct)
        {
            foreach (var h in holders) if (h != destination) result.Add(new Transfer(h, destination, shardBytes, 0));
            return result;
        }
        var chain = RingEndingAt(holders, destination);
        for (var i = 0; i + 1 < chain.Count; i++)
            result.Add(new Transfer(chain[i], chain[i + 1], shardBytes * (i + 1), i));
        return result;
    }

    /// <summary>
    /// Reduction of partial sums of <paramref name="bytes"/> each into <paramref name="destination"/>. Direct: every
    /// other holder sends its full partial sum in step 0. Ring: along the chain ending at the destination, each hop
    /// forwards the running sum (<paramref name="bytes"/>) after adding its own.
    /// </summary>
    public static List<Transfer> Reduce(IReadOnlyList<int> holders, int destination, double bytes, CollectiveAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(holders);
        var result = new List<Transfer>();
        if (algorithm == CollectiveAlgorithm.Direct)
        {
            foreach (var h in holders) if (h != destination) result.Add(new Transfer(h, destination, bytes, 0));
            return result;
        }
        var chain = RingEndingAt(holders, destination);
        for (var i = 0; i + 1 < chain.Count; i++) result.Add(new Transfer(chain[i], chain[i + 1], bytes, i));
        return result;
    }

    /// <summary>
    /// All-gather: every holder ends with all p shards. Direct: each holder sends its shard to every other (one step).
    /// Ring: p − 1 steps, in each every holder sends one shard to its ring successor.
    /// </summary>
    public static List<Transfer> AllGather(IReadOnlyList<int> holders, double shardBytes, CollectiveAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(holders);
        var result = new List<Transfer>();
        var p = holders.Count;
        if (algorithm == CollectiveAlgorithm.Direct)
        {
            foreach (var a in holders) foreach (var b in holders) if (a != b) result.Add(new Transfer(a, b, shardBytes, 0));
            return result;
        }
        for (var step = 0; step < p - 1; step++)
            for (var i = 0; i < p; i++) result.Add(new Transfer(holders[i], holders[(i + 1) % p], shardBytes, step));
        return result;
    }

    /// <summary>
    /// All-reduce of <paramref name="bytes"/> per holder. Ring: reduce-scatter then all-gather, 2(p − 1) steps of
    /// <paramref name="bytes"/>/p to the successor. Direct: every holder sends its 1/p slice to each other holder
    /// (reduce-scatter), then the reduced slice to each other holder (all-gather), two steps.
    /// </summary>
    public static List<Transfer> AllReduce(IReadOnlyList<int> holders, double bytes, CollectiveAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(holders);
        var result = new List<Transfer>();
        var p = holders.Count;
        if (p < 2) return result;
        var slice = bytes / p;
        if (algorithm == CollectiveAlgorithm.Direct)
        {
            for (var step = 0; step < 2; step++)
                foreach (var a in holders) foreach (var b in holders) if (a != b) result.Add(new Transfer(a, b, slice, step));
            return result;
        }
        for (var step = 0; step < 2 * (p - 1); step++)
            for (var i = 0; i < p; i++) result.Add(new Transfer(holders[i], holders[(i + 1) % p], slice, step));
        return result;
    }

    /// <summary>Total bytes of a list of transfers.</summary>
    public static double TotalBytes(IEnumerable<Transfer> transfers)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        var s = 0.0;
        foreach (var t in transfers) s += t.Bytes;
        return s;
    }

    private static List<int> RingEndingAt(IReadOnlyList<int> holders, int destination)
    {
        // Ring order starts after the destination and wraps round to it; the destination is appended if it holds no shard.
        var chain = new List<int>();
        var at = -1;
        for (var i = 0; i < holders.Count; i++) if (holders[i] == destination) { at = i; break; }
        if (at < 0) { chain.AddRange(holders); chain.Add(destination); return chain; }
        for (var i = 1; i <= holders.Count; i++) chain.Add(holders[(at + i) % holders.Count]);
        return chain;
    }
}
