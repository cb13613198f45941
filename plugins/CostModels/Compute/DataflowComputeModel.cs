using System.Collections.Concurrent;
using System.Globalization;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;

namespace Compass.CostModels.Compute;

/// <summary>Which tiling search the <c>dataflow</c> model runs.</summary>
public enum TilingSearchMode
{
    /// <summary>Greedy cost descent from the largest fitting tiles (KAPLA-like).</summary>
    Fast,

    /// <summary>Every tile size and loop order (small shapes only).</summary>
    Exhaustive,
}

/// <summary>Options of the <c>dataflow</c> compute model.</summary>
/// <param name="Search">Tiling search.</param>
/// <param name="MaxExhaustiveTilings">Largest M·K·N·6 the exhaustive search accepts.</param>
/// <param name="ObjectiveDramEnergyPjPerByte">DRAM energy per byte used only to rank tilings by refetch traffic
/// (default 84 pJ/B = 10.5 pJ/bit, the published Compass DRAM constant, docs/reference/formulas.md §10).</param>
/// <param name="IncludeFillDrain">Charge rows + columns − 2 cycles of systolic fill/drain per global-buffer tile.</param>
public sealed record DataflowModelOptions(
    TilingSearchMode Search = TilingSearchMode.Fast,
    long MaxExhaustiveTilings = 20_000_000,
    double ObjectiveDramEnergyPjPerByte = 84,
    bool IncludeFillDrain = true)
{
    /// <summary>Reads and validates the options section (keys: search, maxExhaustiveTilings, objectiveDramEnergyPjPerByte, includeFillDrain).</summary>
    public static DataflowModelOptions Read(Microsoft.Extensions.Configuration.IConfiguration section)
    {
        section.RejectUnknownKeys("search", "maxExhaustiveTilings", "objectiveDramEnergyPjPerByte", "includeFillDrain");
        var search = section.GetChoice("search", "fast", "fast", "exhaustive");
        return new DataflowModelOptions(
            search == "exhaustive" ? TilingSearchMode.Exhaustive : TilingSearchMode.Fast,
            section.GetInt64("maxExhaustiveTilings", 20_000_000, 1),
            section.GetDouble("objectiveDramEnergyPjPerByte", 84, 0),
            section.GetBoolean("includeFillDrain", true));
    }
}

/// <summary>
/// The <c>dataflow</c> compute model: GEMMs on the chiplet's PE array with its dataflow, a global-buffer tiling chosen by
/// a fast (or exhaustive) search, buffer accesses from the dataflow's reuse and DRAM re-fetch when operands do not fit
/// (<see cref="GemmTilingEvaluator"/>); other operators on the vector unit (<see cref="VectorOpCost"/>).
/// <see cref="OperatorShape.Count"/> instances run one after the other in one kernel, so the chiplet's device-side
/// <see cref="ChipletType.KernelFixedNs"/> is charged once per operator. Results are memoised by (chiplet type, shape)
/// in a thread-safe cache (the engine memoises per problem; this cache lets the search and replay problems of one run
/// share tiling searches). The key is the whole <see cref="ChipletType"/> record, so two types that share a name but
/// differ in any parameter never share an entry; the model is deterministic.
/// </summary>
public sealed class DataflowComputeModel : IComputeCostModel
{
    private readonly ConcurrentDictionary<(ChipletType Chiplet, OperatorShape Shape), OperatorCost> _cache = new();

    /// <summary>Creates the model.</summary>
    public DataflowComputeModel(DataflowModelOptions? options = null) => Options = options ?? new DataflowModelOptions();

    /// <summary>The options.</summary>
    public DataflowModelOptions Options { get; }

    /// <summary>Entries in the memo cache.</summary>
    public int CachedCount => _cache.Count;

    /// <inheritdoc />
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        return _cache.GetOrAdd((chiplet, op), static (key, arg) => arg.Self.Compute(key.Chiplet, key.Shape, arg.Token), (Self: this, Token: cancellationToken));
    }

    /// <summary>Runs the search for one GEMM instance and returns the search result (no memoisation).</summary>
    public TilingSearchResult SearchGemm(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        var evaluator = new GemmTilingEvaluator(chiplet, op, Options.ObjectiveDramEnergyPjPerByte, Options.IncludeFillDrain);
        if (Options.Search == TilingSearchMode.Fast) return TilingSearch.Fast(evaluator, cancellationToken);
        var space = (double)evaluator.M * evaluator.K * evaluator.N * 6;
        if (space > Options.MaxExhaustiveTilings)
            throw new CompassInputException("costModels.compute.options.search",
                $"exhaustive tiling search of {evaluator.M}×{evaluator.K}×{evaluator.N} needs {space:G3} evaluations, above maxExhaustiveTilings {Options.MaxExhaustiveTilings}; use \"fast\"");
        return TilingSearch.Exhaustive(evaluator, cancellationToken);
    }

    private OperatorCost Compute(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        if (op.Kind != OperatorKind.Gemm) return VectorOpCost.Estimate(chiplet, op);
        var count = Math.Max(1, op.Count);
        if (op.M <= 0 || op.K <= 0 || op.N <= 0)
            return new OperatorCost(0, 0, 0, 0, 0, 0, "empty");
        var launchNs = chiplet.LaunchOverhead?.For(OperatorKind.Gemm) ?? 0;
        if (chiplet.Dataflow == Dataflow.TileParallel)
        {
            var g = TileParallelGemm.Estimate(chiplet, op);
            var ideal = (double)op.M * op.K * op.N / chiplet.RateFor(Math.Max(op.InputBits, op.WeightBits)).MacsPerCycle;
            var unique = (double)op.M * op.K * op.InputBits / 8.0 + (double)op.K * op.N * op.WeightBits / 8.0 + (double)op.M * op.N * op.OutputBits / 8.0;
            var fixedCycles = chiplet.KernelFixedNs * chiplet.ClockGHz;
            return new OperatorCost(
                TimeNs: g.Cycles * count / chiplet.ClockGHz + chiplet.KernelFixedNs,
                MacEnergyPj: g.MacEnergyPj * count,
                BufferEnergyPj: g.BufferEnergyPj * count,
                VectorEnergyPj: 0,
                Utilisation: g.Cycles > 0 ? Math.Min(1, ideal * count / (g.Cycles * count + fixedCycles)) : 0,
                OffChipRefetchBytes: Math.Max(0, g.DramBytes - unique) * count,
                Tiling: TileParallelGemm.Describe(g))
                {
                    LaunchOverheadNs = launchNs,
                    KernelFixedNs = chiplet.KernelFixedNs,
                };
        }
        var result = SearchGemm(chiplet, op, cancellationToken);
        var c = result.Cost;
        var rate = chiplet.RateFor(Math.Max(op.InputBits, op.WeightBits));
        var idealCycles = (double)op.M * op.K * op.N / rate.MacsPerCycle;
        var t = result.Tiling;
        var tiling = string.Create(CultureInfo.InvariantCulture,
            $"{DataflowLabel(chiplet.Dataflow)} tile m{t.Mt} k{t.Kt} n{t.Nt} order {t.Order}; {result.Evaluations} tilings searched");
        var kernelFixedCycles = chiplet.KernelFixedNs * chiplet.ClockGHz;
        return new OperatorCost(
            TimeNs: c.Cycles * count / chiplet.ClockGHz + chiplet.KernelFixedNs,
            MacEnergyPj: c.MacEnergyPj * count,
            BufferEnergyPj: c.BufferEnergyPj * count,
            VectorEnergyPj: 0,
            Utilisation: c.Cycles > 0 ? Math.Min(1, idealCycles * count / (c.Cycles * count + kernelFixedCycles)) : 0,
            OffChipRefetchBytes: c.OffChipRefetchBytes * count,
            Tiling: tiling)
            {
                LaunchOverheadNs = launchNs,
                KernelFixedNs = chiplet.KernelFixedNs,
            };
    }

    private static string DataflowLabel(Dataflow d) => d switch
    {
        Dataflow.OutputStationary => "os",
        Dataflow.WeightStationary => "ws",
        Dataflow.TileParallel => "tile-parallel",
        _ => "is",
    };
}
