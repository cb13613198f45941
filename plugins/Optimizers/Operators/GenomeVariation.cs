using Compass.Abstractions.Sampling;
using Compass.Abstractions.Mapping;

namespace Compass.Optimizers.Operators;

/// <summary>
/// Applies the shared operators with the probabilities of a <see cref="VariationOptions"/>: the GA's per-child
/// mutation (every operator fires independently, as published) and the single annealing move (one operator, drawn
/// with the same probabilities used as weights). Counts how often each operator fired.
/// </summary>
public sealed class GenomeVariation
{
    /// <summary>Operator names, indices of <see cref="Applied"/>.</summary>
    public static readonly string[] OperatorNames =
        ["boundaryFlip", "boundaryShift", .. VariationOptions.MappingMutationNames, "moveLayerGroup", "balanceSharedWeights", "consumerNearProducer", "swapBusiestIdlest", "reassignGeneColumn", "swapGeneColumns", "stepLever", "assignGroupToRegion", "swapRegions"];

    /// <summary>Operators that exist without levers (the first ones of <see cref="OperatorNames"/>); the rest are the structure operators.</summary>
    private const int PlacementOperators = 15;

    private readonly MappingSpace _space;
    private readonly OperatorScratch _scratch;
    private readonly double[] _moveWeights = new double[OperatorNames.Length];
    private readonly bool _levers;
    private readonly bool _regions;

    /// <summary>Creates the variation for a space (a one-row space for the coupled encoding).</summary>
    public GenomeVariation(VariationOptions options, MappingSpace space)
    {
        Options = options;
        _space = space;
        _scratch = new OperatorScratch(space);
        _levers = space.LeverCount > 0;
        _regions = _levers || options.RegionOperators;
    }

    /// <summary>The probabilities.</summary>
    public VariationOptions Options { get; }

    /// <summary>How often each operator changed a genome (index as <see cref="OperatorNames"/>).</summary>
    public long[] Applied { get; } = new long[OperatorNames.Length];

    /// <summary>The scratch buffers (for crossover).</summary>
    public OperatorScratch Scratch => _scratch;

    /// <summary>Phase 0, 1 or 2 of a search progress in [0, 1].</summary>
    public int Phase(double progress) =>
        progress < Options.PhaseBoundaries[0] ? 0 : progress < Options.PhaseBoundaries[1] ? 1 : 2;

    /// <summary>The published child mutation plus the structure-aware operators, each fired with its probability.</summary>
    public void Mutate(Genome child, double progress, Xoshiro256StarStar rng)
    {
        var o = Options;
        Count(0, MutationOperators.FlipBoundaryBits(child, o.BoundaryFlipProbability, rng));
        Count(1, MutationOperators.ShiftBoundaries(child, o.BoundaryShiftProbability, rng));
        var phase = Phase(progress);
        for (var op = 0; op < 7; op++)
            if (rng.Chance(o.MappingProbabilities[op][phase])) Count(2 + op, ApplyMapping(op, child, rng));
        if (rng.Chance(o.MoveLayerGroupProbability)) Count(9, MutationOperators.MoveLayerGroup(child, _space, rng, _scratch));
        if (rng.Chance(o.BalanceSharedWeightsProbability)) Count(10, MutationOperators.BalanceSharedWeights(child, _space, rng, _scratch));
        if (rng.Chance(o.ConsumerNearProducerProbability)) Count(11, MutationOperators.PlaceConsumerNearProducer(child, _space, rng));
        if (rng.Chance(o.SwapBusiestIdlestProbability)) Count(12, MutationOperators.SwapBusiestIdlest(child, _space, rng, _scratch));
        if (rng.Chance(o.ReassignGeneColumnProbability)) Count(13, MutationOperators.ReassignGeneColumn(child, _space, rng, _scratch));
        if (rng.Chance(o.SwapGeneColumnsProbability)) Count(14, MutationOperators.SwapGeneColumns(child, rng, _scratch));
        // The structure operators draw random numbers only in spaces they apply to: without levers (and without
        // regionOperators) a run consumes exactly the random stream it did before they existed.
        if (_levers && rng.Chance(o.LeverStepProbability)) Count(15, StructureOperators.StepLever(child, _space, rng));
        if (_regions && rng.Chance(o.RegionAssignProbability)) Count(16, StructureOperators.AssignGroupToRegion(child, _space, rng, _scratch));
        if (_regions && rng.Chance(o.RegionSwapProbability)) Count(17, StructureOperators.SwapRegions(child, _space, rng, _scratch));
    }

    /// <summary>
    /// One annealing move: draws one operator with weight = its probability in the current phase (the segmentation
    /// mutations as single-bit flip / single-boundary shift) and applies it; retries (up to 16 draws) until the genome
    /// changed. Returns the operator index, or −1 when nothing changed.
    /// </summary>
    public int ApplyOneMove(Genome genome, double progress, Xoshiro256StarStar rng) => ApplyOneMove(genome, progress, rng, default);

    /// <summary>
    /// As <see cref="ApplyOneMove(Genome, double, Xoshiro256StarStar)"/>, with every operator's weight multiplied by
    /// <paramref name="scale"/>[operator] (index as <see cref="OperatorNames"/>; empty = no scaling). Adaptive searches
    /// pass their per-operator credit here.
    /// </summary>
    public int ApplyOneMove(Genome genome, double progress, Xoshiro256StarStar rng, ReadOnlySpan<double> scale)
    {
        var w = _moveWeights.AsSpan(0, _regions ? OperatorNames.Length : PlacementOperators);
        MoveWeights(progress, w);
        if (!scale.IsEmpty)
            for (var i = 0; i < w.Length; i++) w[i] *= scale[i];
        var total = 0.0;
        foreach (var x in w) total += x;
        if (total <= 0) { w[2] = 1; total = 1; }
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var r = rng.NextDouble() * total;
            var pick = 0;
            while (pick < w.Length - 1 && (r -= w[pick]) >= 0) pick++;
            if (w[pick] <= 0) continue;
            var changed = pick switch
            {
                0 => MutationOperators.FlipOneBoundaryBit(genome, rng),
                1 => MutationOperators.ShiftOneBoundary(genome, rng),
                9 => MutationOperators.MoveLayerGroup(genome, _space, rng, _scratch),
                10 => MutationOperators.BalanceSharedWeights(genome, _space, rng, _scratch),
                11 => MutationOperators.PlaceConsumerNearProducer(genome, _space, rng),
                12 => MutationOperators.SwapBusiestIdlest(genome, _space, rng, _scratch),
                13 => MutationOperators.ReassignGeneColumn(genome, _space, rng, _scratch),
                14 => MutationOperators.SwapGeneColumns(genome, rng, _scratch),
                15 => StructureOperators.StepLever(genome, _space, rng),
                16 => StructureOperators.AssignGroupToRegion(genome, _space, rng, _scratch),
                17 => StructureOperators.SwapRegions(genome, _space, rng, _scratch),
                _ => ApplyMapping(pick - 2, genome, rng),
            };
            if (!changed) continue;
            Applied[pick]++;
            return pick;
        }
        return -1;
    }

    /// <summary>
    /// Writes the single-move weight of every operator (index as <see cref="OperatorNames"/>) at a progress: the
    /// segmentation mutations' per-bit probabilities, the published mapping mutations' phase probabilities and the
    /// structure-aware probabilities.
    /// </summary>
    public void MoveWeights(double progress, Span<double> weights)
    {
        var o = Options;
        var phase = Phase(progress);
        weights[0] = o.BoundaryFlipProbability;
        weights[1] = o.BoundaryShiftProbability;
        for (var op = 0; op < 7; op++) weights[2 + op] = o.MappingProbabilities[op][phase];
        weights[9] = o.MoveLayerGroupProbability;
        weights[10] = o.BalanceSharedWeightsProbability;
        weights[11] = o.ConsumerNearProducerProbability;
        weights[12] = o.SwapBusiestIdlestProbability;
        weights[13] = o.ReassignGeneColumnProbability;
        weights[14] = o.SwapGeneColumnsProbability;
        if (weights.Length <= PlacementOperators) return;
        weights[15] = _levers ? o.LeverStepProbability : 0;
        weights[16] = _regions ? o.RegionAssignProbability : 0;
        weights[17] = _regions ? o.RegionSwapProbability : 0;
    }

    /// <summary>Crossover of two parents into <paramref name="child"/> (the published operators).</summary>
    public void Cross(Genome parent1, Genome parent2, Genome child, Xoshiro256StarStar rng) =>
        Crossover.Apply(parent1, parent2, child, rng, _scratch);

    /// <summary>Statistics entries <c>operator.&lt;name&gt;</c> = times applied.</summary>
    public void WriteStatistics(IDictionary<string, double> statistics)
    {
        var count = _regions ? OperatorNames.Length : PlacementOperators;
        for (var i = 0; i < count; i++) statistics["operator." + OperatorNames[i]] = Applied[i];
    }

    private bool ApplyMapping(int op, Genome genome, Xoshiro256StarStar rng) => op switch
    {
        0 => MutationOperators.ReassignOne(genome, _space, rng),
        1 => MutationOperators.SwapAdjacentGenes(genome, rng),
        2 => MutationOperators.SwapMicroBatchesOnGene(genome, rng),
        3 => MutationOperators.ShuffleSegment(genome, rng, _scratch),
        4 => MutationOperators.RemapSegment(genome, _space, rng, _scratch),
        5 => MutationOperators.SwapSegments(genome, rng, _scratch),
        _ => MutationOperators.SwapMicroBatchRows(genome, rng),
    };

    private void Count(int index, bool changed)
    {
        if (changed) Applied[index]++;
    }
}
