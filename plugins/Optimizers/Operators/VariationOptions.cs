using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.Optimizers.Operators;

/// <summary>Which operator set a search uses.</summary>
public enum OperatorPreset
{
    /// <summary>The published Compass operators only (docs/reference/compass-method.md §7); the structure-aware ones are off.</summary>
    Published,

    /// <summary>The published operators plus the four structure-aware ones (the default).</summary>
    Structured,
}

/// <summary>
/// Probabilities of the variation operators shared by <c>ga</c>, <c>sa</c>, <c>coupled-sa</c> and <c>nsga2</c>.
/// Defaults are the published values (docs/reference/compass-method.md §7, <c>src/compass/GA.cpp</c>); the structure-aware
/// probabilities are ours.
/// </summary>
public sealed record VariationOptions
{
    /// <summary>Names of the seven published mapping mutations, as option keys below <c>mappingMutation</c>.</summary>
    public static readonly string[] MappingMutationNames =
        ["reassign", "swapAdjacentGenes", "swapMicroBatchesOnGene", "shuffleSegment", "remapSegment", "swapSegments", "swapMicroBatchRows"];

    /// <summary>Published probabilities (%→fraction) of the seven mapping mutations in the phases progress &lt; 0.3, 0.3–0.7, ≥ 0.7.</summary>
    public static readonly double[][] PublishedMappingProbabilities =
    [
        [0.10, 0.10, 0.10],
        [0.05, 0.05, 0.10],
        [0.05, 0.05, 0.10],
        [0.10, 0.10, 0.03],
        [0.20, 0.10, 0.03],
        [0.20, 0.10, 0.02],
        [0.20, 0.10, 0.02],
    ];

    /// <summary>Option keys read by <see cref="Read"/> (for <see cref="OptionsReader.RejectUnknownKeys"/>).</summary>
    public static readonly string[] Keys =
        ["operators", "boundaryFlipProbability", "boundaryShiftProbability", "phaseBoundaries", "mappingMutation",
         "moveLayerGroupProbability", "balanceSharedWeightsProbability", "consumerNearProducerProbability", "swapBusiestIdlestProbability",
         "reassignGeneColumnProbability", "swapGeneColumnsProbability", "leverStepProbability", "regionAssignProbability",
         "regionSwapProbability", "regionOperators"];

    /// <summary>The operator set.</summary>
    public OperatorPreset Preset { get; init; } = OperatorPreset.Structured;

    /// <summary>
    /// Per-bit flip probability of the segmentation mutation (published 5 %; structured default 1 %: at 5 % a child of
    /// a 38-gene graph gets about two boundary changes, which in our measurements wrecks good parents).
    /// </summary>
    public double BoundaryFlipProbability { get; init; } = 0.01;

    /// <summary>Per-boundary shift probability of the segmentation mutation (published 10 %).</summary>
    public double BoundaryShiftProbability { get; init; } = 0.10;

    /// <summary>Progress values where phase 1 → 2 and phase 2 → 3 (published 0.3 and 0.7).</summary>
    public double[] PhaseBoundaries { get; init; } = [0.3, 0.7];

    /// <summary>Probabilities [operator][phase] of the seven mapping mutations.</summary>
    public double[][] MappingProbabilities { get; init; } = Copy(PublishedMappingProbabilities);

    /// <summary>Probability of <see cref="MutationOperators.MoveLayerGroup"/> per child (0 in the published set).</summary>
    public double MoveLayerGroupProbability { get; init; } = 0.10;

    /// <summary>Probability of <see cref="MutationOperators.BalanceSharedWeights"/> per child (0 in the published set).</summary>
    public double BalanceSharedWeightsProbability { get; init; } = 0.15;

    /// <summary>Probability of <see cref="MutationOperators.PlaceConsumerNearProducer"/> per child (0 in the published set).</summary>
    public double ConsumerNearProducerProbability { get; init; } = 0.15;

    /// <summary>Probability of <see cref="MutationOperators.SwapBusiestIdlest"/> per child (0 in the published set).</summary>
    public double SwapBusiestIdlestProbability { get; init; } = 0.10;

    /// <summary>Probability of <see cref="MutationOperators.ReassignGeneColumn"/> per child (0 in the published set).</summary>
    public double ReassignGeneColumnProbability { get; init; } = 0.30;

    /// <summary>Probability of <see cref="MutationOperators.SwapGeneColumns"/> per child (0 in the published set).</summary>
    public double SwapGeneColumnsProbability { get; init; } = 0.30;

    /// <summary>
    /// Probability of <see cref="StructureOperators.StepLever"/> per child: change the micro-batch size (split or merge
    /// micro-batches) or a tensor-parallel degree. Fires only when the space has levers (so results of scenarios that
    /// fix every lever are unchanged); the published set keeps it too, so every operator set can search the levers.
    /// </summary>
    public double LeverStepProbability { get; init; } = 0.20;

    /// <summary>Probability of <see cref="StructureOperators.AssignGroupToRegion"/> per child (0 in the published set). Fires when the space has levers or <see cref="RegionOperators"/> is set.</summary>
    public double RegionAssignProbability { get; init; } = 0.10;

    /// <summary>Probability of <see cref="StructureOperators.SwapRegions"/> per child (0 in the published set). Fires when the space has levers or <see cref="RegionOperators"/> is set.</summary>
    public double RegionSwapProbability { get; init; } = 0.05;

    /// <summary>Use the region operators in a space without levers too (off by default, so fixed scenarios reproduce their earlier results bit for bit).</summary>
    public bool RegionOperators { get; init; }

    /// <summary>The published operator set exactly.</summary>
    public static VariationOptions Published { get; } = new()
    {
        Preset = OperatorPreset.Published,
        BoundaryFlipProbability = 0.05,
        MoveLayerGroupProbability = 0,
        BalanceSharedWeightsProbability = 0,
        ConsumerNearProducerProbability = 0,
        SwapBusiestIdlestProbability = 0,
        ReassignGeneColumnProbability = 0,
        SwapGeneColumnsProbability = 0,
        LeverStepProbability = 0.10,
        RegionAssignProbability = 0,
        RegionSwapProbability = 0,
    };

    /// <summary>Reads and validates the operator options of a section; absent keys take the preset's defaults.</summary>
    public static VariationOptions Read(IConfiguration section)
    {
        var presetName = section.GetChoice("operators", "structured", "published", "structured");
        var preset = presetName == "published" ? Published : new VariationOptions();
        var phases = ReadArray(section, "phaseBoundaries", preset.PhaseBoundaries);
        if (phases.Length != 2 || !(phases[0] <= phases[1]))
            throw new CompassInputException(OptionsReader.PathOf(section, "phaseBoundaries"), $"must be two increasing values in [0, 1], got [{string.Join(", ", phases)}]");
        var mapping = Copy(preset.MappingProbabilities);
        var mappingSection = section.GetSection("mappingMutation");
        mappingSection.RejectUnknownKeys(MappingMutationNames);
        for (var op = 0; op < MappingMutationNames.Length; op++)
        {
            var values = ReadArray(mappingSection, MappingMutationNames[op], mapping[op]);
            if (values.Length != 3)
                throw new CompassInputException(OptionsReader.PathOf(mappingSection, MappingMutationNames[op]), $"must hold 3 probabilities (one per phase), got {values.Length}");
            mapping[op] = values;
        }
        return new VariationOptions
        {
            Preset = preset.Preset,
            BoundaryFlipProbability = section.GetDouble("boundaryFlipProbability", preset.BoundaryFlipProbability, 0, 1),
            BoundaryShiftProbability = section.GetDouble("boundaryShiftProbability", preset.BoundaryShiftProbability, 0, 1),
            PhaseBoundaries = phases,
            MappingProbabilities = mapping,
            MoveLayerGroupProbability = section.GetDouble("moveLayerGroupProbability", preset.MoveLayerGroupProbability, 0, 1),
            BalanceSharedWeightsProbability = section.GetDouble("balanceSharedWeightsProbability", preset.BalanceSharedWeightsProbability, 0, 1),
            ConsumerNearProducerProbability = section.GetDouble("consumerNearProducerProbability", preset.ConsumerNearProducerProbability, 0, 1),
            SwapBusiestIdlestProbability = section.GetDouble("swapBusiestIdlestProbability", preset.SwapBusiestIdlestProbability, 0, 1),
            ReassignGeneColumnProbability = section.GetDouble("reassignGeneColumnProbability", preset.ReassignGeneColumnProbability, 0, 1),
            SwapGeneColumnsProbability = section.GetDouble("swapGeneColumnsProbability", preset.SwapGeneColumnsProbability, 0, 1),
            LeverStepProbability = section.GetDouble("leverStepProbability", preset.LeverStepProbability, 0, 1),
            RegionAssignProbability = section.GetDouble("regionAssignProbability", preset.RegionAssignProbability, 0, 1),
            RegionSwapProbability = section.GetDouble("regionSwapProbability", preset.RegionSwapProbability, 0, 1),
            RegionOperators = section.GetBoolean("regionOperators", false),
        };
    }

    private static double[] ReadArray(IConfiguration section, string key, double[] defaults)
    {
        var child = section.GetSection(key);
        var items = child.GetChildren().ToList();
        if (items.Count == 0)
        {
            if (child.Value is not null)
                throw new CompassInputException(OptionsReader.PathOf(section, key), $"must be an array of numbers, got '{child.Value}'");
            return (double[])defaults.Clone();
        }
        var result = new double[items.Count];
        for (var i = 0; i < items.Count; i++)
            result[i] = child.GetDouble(i.ToString(System.Globalization.CultureInfo.InvariantCulture), 0, 0, 1);
        return result;
    }

    private static double[][] Copy(double[][] source)
    {
        var result = new double[source.Length][];
        for (var i = 0; i < source.Length; i++) result[i] = (double[])source[i].Clone();
        return result;
    }
}
