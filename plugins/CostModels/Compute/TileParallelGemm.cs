using System.Globalization;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;

namespace Compass.CostModels.Compute;

/// <summary>Cost of one GEMM instance on a <see cref="Dataflow.TileParallel"/> (GPU-class) chiplet.</summary>
/// <param name="Cycles">Execution cycles: max(compute, global-buffer traffic, per-core staging traffic).</param>
/// <param name="ComputeCycles">Tensor-core cycles including tile padding and wave quantisation.</param>
/// <param name="GlobalCycles">Global-buffer (L2) bandwidth cycles.</param>
/// <param name="StagingCycles">Per-core staging-level (shared memory) bandwidth cycles.</param>
/// <param name="MacEnergyPj">Datapath energy.</param>
/// <param name="BufferEnergyPj">Register, staging and global-buffer access energy.</param>
/// <param name="DramBytes">DRAM bytes the GEMM moves (each operand once, plus the re-reads the global buffer cannot avoid, plus the output).</param>
/// <param name="Tile">Core tile rows, columns and split-K factor.</param>
/// <param name="Waves">Waves of tiles over the cores.</param>
public readonly record struct TileParallelCost(
    double Cycles, double ComputeCycles, double GlobalCycles, double StagingCycles,
    double MacEnergyPj, double BufferEnergyPj, double DramBytes, (long Mt, long Nt, int SplitK) Tile, long Waves);

/// <summary>
/// GEMM timing and energy on a GPU-class chiplet (<see cref="Dataflow.TileParallel"/>): every PE-array row is a core
/// (a streaming multiprocessor) whose columns (tensor cores) share one output tile; K is streamed through the core in
/// stages. The model walks the whole buffer hierarchy:
/// <list type="bullet">
/// <item>register level (innermost level holding outputs): holds the tile's 32-bit accumulators in half of each core's
/// registers (the other half holds operand fragments and addresses) [assumption]; the core's register instances split
/// the tile in a grid and each reads its own operand rows/columns from the staging level;</item>
/// <item>staging level (outermost local level, shared memory): written once per operand byte of the tile and read once
/// per register instance that needs it; its per-core bandwidth bounds the tile rate;</item>
/// <item>global buffer (L2): each tile reads its A rows and B columns (no multicast between cores); its bandwidth bounds
/// the whole GEMM;</item>
/// <item>DRAM: each operand once when A + B fit in the global buffer, else one re-read of the wave's A rows and B
/// columns per wave, a wave covering a square block of tiles (swizzled rasterisation) [assumption].</item>
/// </list>
/// Tiles are 16…256 rows and columns (powers of two) fitting the accumulator budget and the staging level. When split-K 1
/// gives every core a tile, the tile is one of the library's large-tile kernels (covering at least
/// <see cref="LibraryTileArea"/> outputs, or the largest that fits when M or N is smaller), the one that finishes
/// soonest once waves are counted (ties to the larger tile); only smaller problems search tiles and split-K (1…16) for
/// the fewest cycles. Tiles are issued in waves of one tile per core, so a partial wave costs a whole tile time.
/// Register reads by the tensor cores are charged once per MMA instruction operand (m16n8k16: A read per 8 output
/// columns, B per 16 rows, the accumulator read and written per 16-deep step), not once per MAC.
/// </summary>
public static class TileParallelGemm
{
    /// <summary>K elements per pipeline stage staged in the local level.</summary>
    public const int StageK = 32;

    /// <summary>Pipeline stages resident in the staging level (multi-buffering).</summary>
    public const int Stages = 3;

    /// <summary>Accumulator width, bytes (FP32 / INT32 partial sums).</summary>
    public const double AccumulatorBytes = 4;

    /// <summary>MMA instruction shape used for register-read energy: m16 n8 k16 (PTX <c>mma.sync</c>).</summary>
    public const int MmaM = 16, MmaN = 8, MmaK = 16;

    /// <summary>Smallest core tile (rows × columns) of the library's large-problem kernels: 128 × 128 (CUTLASS's Ampere FP16 kernels use 128 × 128, 128 × 256 and 256 × 128 thread-block tiles) [assumption].</summary>
    public const long LibraryTileArea = 128 * 128;

    /// <summary>Costs one instance of <paramref name="op"/> on <paramref name="chiplet"/>.</summary>
    public static TileParallelCost Estimate(ChipletType chiplet, in OperatorShape op)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        long m = Math.Max(1, op.M), k = Math.Max(1, op.K), n = Math.Max(1, op.N);
        double inB = op.InputBits / 8.0, wB = op.WeightBits / 8.0, outB = op.OutputBits / 8.0;
        var rate = chiplet.RateFor(Math.Max(op.InputBits, op.WeightBits));
        var cores = Math.Max(1, chiplet.PeArrayRows);
        var coreMacsPerCycle = Math.Max(1e-9, rate.MacsPerCycle / (double)cores);
        var buffers = chiplet.Buffers;
        var global = buffers[^1];
        var registerLevel = InnermostHolding(buffers, "outputs");
        var staging = buffers.Count >= 2 ? buffers[^2] : global;
        var regInstancesPerCore = registerLevel is null ? 1 : Math.Max(1, registerLevel.Instances / cores);
        var accumulatorBudget = registerLevel is null ? double.PositiveInfinity : registerLevel.CapacityBytes * (double)regInstancesPerCore / 2;
        var stagingCapacity = staging.CapacityBytes * Math.Max(1, staging.Instances) / (double)cores;
        var stagingBwPerCore = staging.BandwidthBytesPerCycle / cores;
        var globalBw = global.BandwidthBytesPerCycle;
        var (gridM, gridN) = Grid(regInstancesPerCore);

        // Library heuristic (cuBLAS/CUTLASS-like) [assumption]: when split-K 1 gives every core at least one tile, one of
        // the large-tile kernels (see below); otherwise (too few tiles) the tile and split-K that finish soonest.
        var capacity = global.CapacityBytes * (double)Math.Max(1, global.Instances);
        var best = default(TileParallelCost) with { Cycles = double.PositiveInfinity };
        Span<(TileParallelCost Cost, long Area)> library = stackalloc (TileParallelCost, long)[25];
        var libraryCount = 0;
        long largestArea = 0;
        for (long mt = 16; mt <= 256; mt *= 2)
        {
            for (long nt = 16; nt <= 256; nt *= 2)
            {
                if (AccumulatorBytes * mt * nt > accumulatorBudget) continue;
                if (Stages * StageK * (mt * inB + nt * wB) > stagingCapacity) continue;
                for (var split = 1; split <= 16; split *= 2)
                {
                    if (split > 1 && k / split < StageK) break;
                    var c = Evaluate(m, k, n, inB, wB, outB, mt, nt, split, cores, coreMacsPerCycle, gridM, gridN, stagingBwPerCore, globalBw, capacity);
                    if (c.Cycles < best.Cycles * (1 - 1e-9)) best = c;
                    if (split == 1 && CeilDiv(m, mt) * CeilDiv(n, nt) >= cores)
                    {
                        var area = Math.Min(mt, m) * Math.Min(nt, n);
                        library[libraryCount++] = (c, area);
                        largestArea = Math.Max(largestArea, area);
                    }
                }
            }
        }
        // Enough tiles for every core: the library's large-tile kernels, i.e. tiles covering at least 128 × 128 outputs
        // (or the largest that fits), and among them the one that finishes soonest (wave quantisation decides).
        var bestLarge = default(TileParallelCost) with { Cycles = double.PositiveInfinity };
        long bestArea = 0;
        var minArea = Math.Min(LibraryTileArea, largestArea);
        foreach (var (c, area) in library[..libraryCount])
        {
            if (area < minArea) continue;
            if (c.Cycles < bestLarge.Cycles * (1 - 1e-9) || (c.Cycles <= bestLarge.Cycles * (1 + 1e-9) && area > bestArea))
            {
                bestLarge = c;
                bestArea = area;
            }
        }
        if (!double.IsPositiveInfinity(bestLarge.Cycles)) best = bestLarge;
        if (double.IsPositiveInfinity(best.Cycles))
            best = Evaluate(m, k, n, inB, wB, outB, 16, 16, 1, cores, coreMacsPerCycle, gridM, gridN, stagingBwPerCore, globalBw, capacity);

        // Energy of the chosen tiling.
        var (mtB, ntB, s) = best.Tile;
        var macs = (double)m * k * n;
        var tilesM = CeilDiv(m, mtB);
        var tilesN = CeilDiv(n, ntB);
        var globalReads = (double)k * (tilesN * m * inB + tilesM * n * wB);
        var partialBytes = s > 1 ? m * (double)n * AccumulatorBytes * s : 0;
        var globalWrites = m * (double)n * outB + partialBytes;
        var stagingWrites = globalReads;
        var stagingReads = (double)k * (tilesN * m * inB * gridN + tilesM * n * wB * gridM);
        var registerBytes = macs * (inB / MmaN + wB / MmaM + 2 * AccumulatorBytes / MmaK);
        double regRead = 0, regWrite = 0;
        if (registerLevel is not null) { regRead = registerLevel.ReadEnergyPjPerByte; regWrite = registerLevel.WriteEnergyPjPerByte; }
        var bufferPj = registerBytes * regRead + stagingReads * regWrite // fragments loaded into registers
            + stagingWrites * staging.WriteEnergyPjPerByte + stagingReads * staging.ReadEnergyPjPerByte
            + globalReads * global.ReadEnergyPjPerByte + globalWrites * global.WriteEnergyPjPerByte + partialBytes * global.ReadEnergyPjPerByte;
        return best with { MacEnergyPj = macs * rate.EnergyPerMacPj, BufferEnergyPj = bufferPj };
    }

    /// <summary>A short description of the chosen tiling.</summary>
    public static string Describe(in TileParallelCost c) => string.Create(CultureInfo.InvariantCulture,
        $"tile-parallel: core tile m{c.Tile.Mt} n{c.Tile.Nt}, split-K {c.Tile.SplitK}, {c.Waves} waves; bound by {Bound(c)}");

    private static string Bound(in TileParallelCost c)
    {
        if (c.Cycles <= c.ComputeCycles) return "tensor cores";
        return c.GlobalCycles >= c.StagingCycles ? "global buffer" : "staging level";
    }

    private static TileParallelCost Evaluate(long m, long k, long n, double inB, double wB, double outB, long mt, long nt, int split,
        int cores, double coreMacsPerCycle, int gridM, int gridN, double stagingBwPerCore, double globalBw, double globalCapacity)
    {
        var tilesM = CeilDiv(m, mt);
        var tilesN = CeilDiv(n, nt);
        var kPerSplit = CeilDiv(k, split);
        var tiles = tilesM * tilesN * split;
        var waves = CeilDiv(tiles, cores);
        var tileCycles = mt * (double)nt * kPerSplit / coreMacsPerCycle;
        var compute = waves * tileCycles;

        // Global buffer: A rows once per tile column, B columns once per tile row (per split their K share); outputs
        // written once, split-K partials written and read back once more.
        var globalBytes = (double)k * (tilesN * m * inB + tilesM * n * wB) + m * (double)n * outB
            + (split > 1 ? 2.0 * m * n * AccumulatorBytes * split : 0);
        var globalCycles = globalBytes / globalBw;

        // Staging level of one core per tile: the fill (written once) plus one read per register instance needing it.
        var tileStaging = kPerSplit * (mt * inB * (1 + gridN) + nt * wB * (1 + gridM));
        var stagingCycles = waves * tileStaging / stagingBwPerCore;

        // DRAM: operands once when they fit the global buffer; else each wave re-reads its block's A rows and B columns.
        double aBytes = m * (double)k * inB, bBytes = k * (double)n * wB, cBytes = m * (double)n * outB;
        double dram;
        if (aBytes + bBytes <= globalCapacity) dram = aBytes + bBytes + cBytes;
        else
        {
            var side = Math.Max(1, (long)Math.Floor(Math.Sqrt(Math.Min(cores, tilesM * tilesN))));
            var blockRows = Math.Min(tilesM, side);
            var blockCols = Math.Min(tilesN, Math.Max(1, Math.Min(cores, tilesM * tilesN) / blockRows));
            // A is read once per block column, B once per block row.
            dram = aBytes * CeilDiv(tilesN, blockCols) + bBytes * CeilDiv(tilesM, blockRows) + cBytes;
        }
        var cycles = Math.Max(compute, Math.Max(globalCycles, stagingCycles));
        return new TileParallelCost(cycles, compute, globalCycles, stagingCycles, 0, 0, dram, (mt, nt, split), waves);
    }

    private static (int M, int N) Grid(int instances)
    {
        var gm = 1;
        while (gm * gm * 2 <= instances) gm *= 2;
        var gn = Math.Max(1, instances / gm);
        return (gm, gn);
    }

    private static BufferLevel? InnermostHolding(IReadOnlyList<BufferLevel> buffers, string operand)
    {
        for (var i = 0; i < buffers.Count - 1; i++)
        {
            var holds = buffers[i].Holds;
            if (holds.Equals(operand, StringComparison.OrdinalIgnoreCase) || holds.Equals("all", StringComparison.OrdinalIgnoreCase)) return buffers[i];
        }
        return null;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
