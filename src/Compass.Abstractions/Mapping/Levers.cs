namespace Compass.Abstractions.Mapping;

/// <summary>What a lever of the search space sets (see <see cref="LeverInfo"/>).</summary>
public enum LeverKind
{
    /// <summary>Requests per micro-batch of the decode requests (and of every request when no prefill lever exists).</summary>
    MicroBatchSize,

    /// <summary>Requests per micro-batch of the prefill and chunked-prefill requests.</summary>
    PrefillMicroBatchSize,

    /// <summary>Tensor-parallel degree (shards of the output projection and FFN GEMMs) of a group of layers.</summary>
    TensorParallel,

    /// <summary>DRAM home policy of weights, KV cache and spilled activations: 0 = the channel nearest the first consumer, 1 = interleaved over every channel.</summary>
    DramPlacement,
}

/// <summary>
/// One lever of the search space beside the placement: a choice among <see cref="Candidates"/>. A genome holds the
/// index of the chosen candidate in <see cref="Genome.Levers"/> (same order as <see cref="MappingSpace.Levers"/>).
/// Changing a lever changes the graph the placement runs on (micro-batch size changes the micro-batches, tensor
/// parallelism the shards); the placement rows and genes are carried over by name.
/// </summary>
/// <param name="Name">Scenario path of the lever (<c>graph.microBatchSize</c>, <c>graph.tensorParallel</c>).</param>
/// <param name="Kind">What it sets.</param>
/// <param name="Candidates">The values it may take, in increasing order (at least one).</param>
/// <param name="DefaultIndex">The candidate a new genome starts with.</param>
public sealed record LeverInfo(string Name, LeverKind Kind, IReadOnlyList<int> Candidates, int DefaultIndex = 0)
{
    /// <summary>Number of candidates.</summary>
    public int Count => Candidates.Count;
}
