using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;

namespace Compass.CostModels.Compute;

/// <summary>Order of the three tile loops around the PE array, outermost first.</summary>
public enum LoopOrder
{
    /// <summary>M outermost, then K, N innermost.</summary>
    MKN,

    /// <summary>M outermost, then N, K innermost.</summary>
    MNK,

    /// <summary>K outermost, then M, N innermost.</summary>
    KMN,

    /// <summary>K outermost, then N, M innermost.</summary>
    KNM,

    /// <summary>N outermost, then M, K innermost.</summary>
    NMK,

    /// <summary>N outermost, then K, M innermost.</summary>
    NKM,
}

/// <summary>One global-buffer tiling of a GEMM: tile sizes and the order of the tile loops.</summary>
/// <param name="Mt">Rows per tile.</param>
/// <param name="Kt">Reduction length per tile.</param>
/// <param name="Nt">Output columns per tile.</param>
/// <param name="Order">Loop order, outermost first.</param>
public readonly record struct GemmTiling(long Mt, long Kt, long Nt, LoopOrder Order);

/// <summary>Cost of one GEMM instance under one tiling (what the search compares).</summary>
/// <param name="Valid">False when the tile does not fit the global buffer.</param>
/// <param name="Cycles">Execution cycles: max(compute + fill/drain, global-buffer bandwidth cycles).</param>
/// <param name="ComputeCycles">Array cycles including fill/drain.</param>
/// <param name="MacEnergyPj">Datapath energy.</param>
/// <param name="BufferEnergyPj">Global and local buffer access energy.</param>
/// <param name="OffChipRefetchBytes">DRAM bytes beyond one read of each input operand and one write of the output.</param>
/// <param name="GlobalBufferBytes">Bytes read from and written to the global buffer.</param>
/// <param name="Objective">Search objective: cycles × (on-chip energy + refetch bytes × DRAM energy per byte).</param>
public readonly record struct GemmTilingCost(
    bool Valid,
    double Cycles,
    double ComputeCycles,
    double MacEnergyPj,
    double BufferEnergyPj,
    double OffChipRefetchBytes,
    double GlobalBufferBytes,
    double Objective)
{
    /// <summary>On-chip energy (MAC + buffers), pJ.</summary>
    public double EnergyPj => MacEnergyPj + BufferEnergyPj;
}

/// <summary>
/// Analytical cost of one GEMM instance (M × K × N) on a PE array for a given global-buffer tiling.
/// Spatial mapping (rows × columns, MACs per PE vectorising the reduction):
/// output-stationary maps M to rows and N to columns and streams K;
/// weight-stationary maps K (× MacsPerPe) to rows and N to columns and streams M;
/// input-stationary maps K (× MacsPerPe) to rows and M to columns and streams N.
/// Edge under-utilisation comes from the ceiling divisions; fill/drain of the systolic skew costs
/// rows + columns − 2 cycles per global-buffer tile (consecutive folds inside a tile are pipelined, the
/// stationary operand double-buffered). DRAM traffic follows the loop order: an operand is re-fetched once per
/// iteration of a loop over a dimension it does not depend on when that loop is outside its innermost
/// relevant loop (loops with one trip are ignored). The evaluator allocates nothing and is thread-safe.
/// </summary>
public sealed class GemmTilingEvaluator
{
    private readonly long _m, _k, _n;
    private readonly int _rows, _cols;
    private readonly double _vector;
    private readonly double _inBytes, _wBytes, _outBytes;
    private readonly long _capacityBytes;
    private readonly double _gbBandwidth;
    private readonly double _gbRead, _gbWrite;
    private readonly double _localInPj, _localWPj, _localOutPj;
    private readonly double _macPj;
    private readonly double _dramPjPerByte;
    private readonly bool _fillDrain;
    private readonly Dataflow _dataflow;
    private readonly double _localInCapacity, _localWCapacity, _localOutCapacity;

    /// <summary>Creates the evaluator of one GEMM instance of <paramref name="op"/> on <paramref name="chiplet"/>.</summary>
    /// <param name="chiplet">The chiplet type.</param>
    /// <param name="op">The operator (only one instance is costed; <see cref="OperatorShape.Count"/> is ignored here).</param>
    /// <param name="objectiveDramEnergyPjPerByte">DRAM energy per byte used only to rank tilings by their refetch traffic.</param>
    /// <param name="includeFillDrain">Charge the systolic fill/drain per tile.</param>
    public GemmTilingEvaluator(ChipletType chiplet, OperatorShape op, double objectiveDramEnergyPjPerByte, bool includeFillDrain)
    {
        ArgumentNullException.ThrowIfNull(chiplet);
        _m = Math.Max(1, op.M);
        _k = Math.Max(1, op.K);
        _n = Math.Max(1, op.N);
        _rows = Math.Max(1, chiplet.PeArrayRows);
        _cols = Math.Max(1, chiplet.PeArrayColumns);
        _dataflow = chiplet.Dataflow;
        var rate = chiplet.RateFor(Math.Max(op.InputBits, op.WeightBits));
        _vector = Math.Max(1e-9, rate.MacsPerCycle / (double)(_rows * _cols));
        _macPj = rate.EnergyPerMacPj;
        _inBytes = op.InputBits / 8.0;
        _wBytes = op.WeightBits / 8.0;
        _outBytes = op.OutputBits / 8.0;
        _dramPjPerByte = objectiveDramEnergyPjPerByte;
        _fillDrain = includeFillDrain;
        if (chiplet.Buffers.Count == 0)
        {
            _capacityBytes = long.MaxValue;
            _gbBandwidth = double.PositiveInfinity;
        }
        else
        {
            var global = chiplet.Buffers[^1];
            _capacityBytes = global.CapacityBytes * Math.Max(1, global.Instances);
            _gbBandwidth = global.BandwidthBytesPerCycle > 0 ? global.BandwidthBytesPerCycle : double.PositiveInfinity;
            _gbRead = global.ReadEnergyPjPerByte;
            _gbWrite = global.WriteEnergyPjPerByte;
            _localInPj = LocalAccessPj(chiplet.Buffers, "inputs", readAndWrite: false);
            _localWPj = LocalAccessPj(chiplet.Buffers, "weights", readAndWrite: false);
            _localOutPj = LocalAccessPj(chiplet.Buffers, "outputs", readAndWrite: true);
            _localInCapacity = LocalCapacity(chiplet.Buffers, "inputs");
            _localWCapacity = LocalCapacity(chiplet.Buffers, "weights");
            _localOutCapacity = LocalCapacity(chiplet.Buffers, "outputs");
        }
    }

    /// <summary>GEMM rows.</summary>
    public long M => _m;

    /// <summary>GEMM reduction length.</summary>
    public long K => _k;

    /// <summary>GEMM output columns.</summary>
    public long N => _n;

    /// <summary>Dataflow of the array.</summary>
    public Dataflow Dataflow => _dataflow;

    /// <summary>Array granularity of each GEMM dimension in this dataflow (tile sizes that are multiples waste nothing at the edges).</summary>
    public (double M, double K, double N) Granularity => _dataflow switch
    {
        Dataflow.OutputStationary => (_rows, _vector, _cols),
        Dataflow.WeightStationary => (1, _rows * _vector, _cols),
        _ => (_cols, _rows * _vector, 1),
    };

    /// <summary>Footprint of a tile in the global buffer, bytes.</summary>
    public double FootprintBytes(long mt, long kt, long nt) => mt * (double)kt * _inBytes + kt * (double)nt * _wBytes + mt * (double)nt * _outBytes;

    /// <summary>True when the tile fits the global buffer.</summary>
    public bool Fits(long mt, long kt, long nt) => FootprintBytes(mt, kt, nt) <= _capacityBytes;

    /// <summary>Cost of <paramref name="tiling"/>.</summary>
    public GemmTilingCost Evaluate(in GemmTiling tiling)
    {
        var mt = Math.Clamp(tiling.Mt, 1, _m);
        var kt = Math.Clamp(tiling.Kt, 1, _k);
        var nt = Math.Clamp(tiling.Nt, 1, _n);
        if (!Fits(mt, kt, nt)) return new GemmTilingCost(false, double.PositiveInfinity, double.PositiveInfinity, 0, 0, 0, 0, double.PositiveInfinity);

        var tm = CeilDiv(_m, mt);
        var tk = CeilDiv(_k, kt);
        var tn = CeilDiv(_n, nt);
        var rm = _m - (tm - 1) * mt;
        var rk = _k - (tk - 1) * kt;
        var rn = _n - (tn - 1) * nt;

        // Per-dimension sums over all tiles: (trips − 1)·f(full tile) + f(last tile); every count below is a product of them.
        // Array-side traffic (elements the array reads or writes) and, per operand, the fewest global-buffer reads the
        // tile loops allow and the working set a local level must hold to turn the array's re-reads into that minimum.
        double sumM = _m, sumK = _k, sumN = _n;
        double computeCycles, inArray, wArray, outWrites, outReads;
        double inMin, wMin, outMin, inSet, wSet, outSet;
        switch (_dataflow)
        {
            case Dataflow.OutputStationary:
            {
                var mFolds = Sum(tm, mt, rm, _rows);
                var nFolds = Sum(tn, nt, rn, _cols);
                var kSteps = Sum(tk, kt, rk, _vector);
                computeCycles = mFolds * nFolds * kSteps;
                inArray = sumM * sumK * nFolds;
                wArray = sumK * sumN * mFolds;
                outWrites = sumM * sumN * tk;
                outReads = sumM * sumN * (tk - 1);
                inMin = sumM * sumK * tn;
                wMin = sumK * sumN * tm;
                outMin = sumM * sumN;
                inSet = Math.Min(_rows, mt) * (double)kt * _inBytes;  // one row fold's inputs, reused over the column folds
                wSet = kt * (double)nt * _wBytes;                      // the tile's weights, reused over the row folds
                outSet = mt * (double)nt * _outBytes;                  // the tile's partial sums, revisited every reduction tile
                break;
            }
            case Dataflow.WeightStationary:
            {
                var kFolds = Sum(tk, kt, rk, _rows * _vector);
                var nFolds = Sum(tn, nt, rn, _cols);
                computeCycles = kFolds * nFolds * sumM;
                inArray = sumM * sumK * nFolds;
                wArray = sumK * sumN;
                outWrites = sumM * sumN * kFolds;
                outReads = sumM * sumN * (kFolds - 1);
                inMin = sumM * sumK * tn;
                wMin = wArray;
                outMin = sumM * sumN * tk;
                inSet = mt * Math.Min(_rows * _vector, kt) * _inBytes;  // one reduction fold's inputs, reused over the column folds
                wSet = 0;
                outSet = mt * (double)nt * _outBytes;                  // the tile's partial sums, revisited every reduction fold
                break;
            }
            default:
            {
                var kFolds = Sum(tk, kt, rk, _rows * _vector);
                var mFolds = Sum(tm, mt, rm, _cols);
                computeCycles = kFolds * mFolds * sumN;
                inArray = sumM * sumK;
                wArray = sumK * sumN * mFolds;
                outWrites = sumM * sumN * kFolds;
                outReads = sumM * sumN * (kFolds - 1);
                inMin = inArray;
                wMin = sumK * sumN * tm;
                outMin = sumM * sumN * tk;
                inSet = 0;
                wSet = nt * Math.Min(_rows * _vector, kt) * _wBytes;
                outSet = mt * (double)nt * _outBytes;
                break;
            }
        }

        // Local reuse: a local level holding a fraction f of an operand's working set serves that fraction of the array's
        // re-reads, so the global buffer supplies min + (array − min)·(1 − f).
        var inFill = Reuse(inArray, inMin, inSet, _localInCapacity);
        var wFill = Reuse(wArray, wMin, wSet, _localWCapacity);
        var outFill = Reuse(outWrites, outMin, outSet, _localOutCapacity);
        var outFillReads = Math.Max(0, outFill - sumM * sumN * tk) + sumM * sumN * (tk - 1);
        var tiles = (double)tm * tk * tn;
        if (_fillDrain) computeCycles += tiles * (_rows + _cols - 2);

        // DRAM traffic from the loop order.
        var (pm, pk, pn) = Positions(tiling.Order);
        var inFetches = Refetch(pn, tn, pm, tm, pk, tk);
        var wFetches = Refetch(pm, tm, pk, tk, pn, tn);
        var outSpills = Refetch(pk, tk, pm, tm, pn, tn); // > 1: partial sums go to DRAM and come back
        var inputBytes = sumM * sumK * _inBytes;
        var weightBytes = sumK * sumN * _wBytes;
        var outputBytes = sumM * sumN * _outBytes;
        var refetch = inputBytes * (inFetches - 1) + weightBytes * (wFetches - 1) + outputBytes * 2 * (outSpills - 1);

        // Global buffer: filled from DRAM, read by the array, written by the array, drained to DRAM.
        var gbWrites = inputBytes * inFetches + weightBytes * wFetches + outputBytes * (outSpills - 1) + outFill * _outBytes;
        var gbReads = inFill * _inBytes + wFill * _wBytes + outFillReads * _outBytes + outputBytes * outSpills;
        var macs = sumM * sumK * sumN;
        var localPj = macs * (_inBytes * _localInPj + _wBytes * _localWPj + _outBytes * _localOutPj);
        var bufferPj = gbWrites * _gbWrite + gbReads * _gbRead + localPj;
        var macPj = macs * _macPj;
        var bandwidthCycles = (gbReads + gbWrites) / _gbBandwidth;
        var cycles = Math.Max(computeCycles, bandwidthCycles);
        var objective = cycles * (macPj + bufferPj + refetch * _dramPjPerByte);
        return new GemmTilingCost(true, cycles, computeCycles, macPj, bufferPj, refetch, gbReads + gbWrites, objective);
    }

    /// <summary>Multiply-accumulates of one instance.</summary>
    public double Macs => (double)_m * _k * _n;

    private static double Reuse(double array, double min, double workingSet, double capacity)
    {
        if (array <= min || capacity <= 0) return array;
        var fraction = workingSet <= 0 ? 1 : Math.Min(1, capacity / workingSet);
        return min + (array - min) * (1 - fraction);
    }

    private static double Sum(long trips, long tile, long last, double granule)
        => (trips - 1) * Math.Ceiling(tile / granule - 1e-9) + Math.Ceiling(last / granule - 1e-9);

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    /// <summary>
    /// Times an operand is fetched: the trips of its irrelevant loop when that loop sits outside its innermost relevant
    /// loop with more than one trip; else 1.
    /// </summary>
    private static double Refetch(int irrelevantPos, long irrelevantTrips, int relPosA, long relTripsA, int relPosB, long relTripsB)
    {
        if (irrelevantTrips <= 1) return 1;
        var innermost = -1;
        if (relTripsA > 1) innermost = Math.Max(innermost, relPosA);
        if (relTripsB > 1) innermost = Math.Max(innermost, relPosB);
        return irrelevantPos < innermost ? irrelevantTrips : 1;
    }

    private static (int M, int K, int N) Positions(LoopOrder order) => order switch
    {
        LoopOrder.MKN => (0, 1, 2),
        LoopOrder.MNK => (0, 2, 1),
        LoopOrder.KMN => (1, 0, 2),
        LoopOrder.KNM => (2, 0, 1),
        LoopOrder.NMK => (1, 2, 0),
        _ => (2, 1, 0),
    };

    private static bool Holds(BufferLevel b, string operand)
        => b.Holds.Contains(operand, StringComparison.OrdinalIgnoreCase) || b.Holds.Equals("all", StringComparison.OrdinalIgnoreCase);

    /// <summary>Total capacity of the local (non-global) levels for <paramref name="operand"/>; a level holding all three operands gives each a third.</summary>
    private static double LocalCapacity(IReadOnlyList<BufferLevel> buffers, string operand)
    {
        var total = 0.0;
        for (var i = 0; i < buffers.Count - 1; i++)
        {
            var b = buffers[i];
            if (!Holds(b, operand)) continue;
            var share = b.Holds.Equals("all", StringComparison.OrdinalIgnoreCase) ? 1.0 / 3 : 1.0;
            total += b.CapacityBytes * (double)Math.Max(1, b.Instances) * share;
        }
        return total;
    }

    /// <summary>
    /// Per-MAC access energy (pJ/B) of the innermost non-global level holding <paramref name="operand"/>; 0 when only
    /// the global buffer holds it (then the array-boundary traffic already prices it).
    /// </summary>
    private static double LocalAccessPj(IReadOnlyList<BufferLevel> buffers, string operand, bool readAndWrite)
    {
        for (var i = 0; i < buffers.Count - 1; i++)
        {
            var holds = buffers[i].Holds;
            if (holds.Contains(operand, StringComparison.OrdinalIgnoreCase) || holds.Equals("all", StringComparison.OrdinalIgnoreCase))
                return buffers[i].ReadEnergyPjPerByte + (readAndWrite ? buffers[i].WriteEnergyPjPerByte : 0);
        }
        return 0;
    }
}
