using BenchmarkDotNet.Attributes;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.CostModels.Compute;

namespace Compass.Benchmarks;

/// <summary>
/// Fast (KAPLA-like descent) versus exhaustive tiling search of the <c>dataflow</c> model on GEMMs small enough to
/// enumerate. Run: <c>dotnet run -c Release --project bench/Compass.Benchmarks -- --filter *CostModelBenchmarks*</c>.
/// Results are in docs/bench-costmodels.md.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class CostModelBenchmarks
{
    private GemmTilingEvaluator _evaluator = null!;

    /// <summary>GEMM shape as M×K×N.</summary>
    [Params("128x128x128", "96x128x112", "127x113x101")]
    public string Shape { get; set; } = "128x128x128";

    /// <summary>Dataflow of the 4 × 4 × 2 array (8 KB global buffer at 8 B/cycle).</summary>
    [Params(Dataflow.OutputStationary, Dataflow.WeightStationary)]
    public Dataflow Dataflow { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dims = Shape.Split('x').Select(long.Parse).ToArray();
        var chiplet = new ChipletType
        {
            Name = "bench-array",
            Dataflow = Dataflow,
            PeArrayRows = 4,
            PeArrayColumns = 4,
            MacsPerPe = 2,
            ClockGHz = 1.0,
            Precisions = [new PrecisionRate(8, 32, 0.009)],
            Buffers = [new BufferLevel("global", 8192, 1, 8, 2.08 / 128, 2.25 / 128, "all")],
        };
        _evaluator = new GemmTilingEvaluator(chiplet, new OperatorShape(OperatorKind.Gemm, dims[0], dims[1], dims[2], 1, 8, 8, 8, true), 84, true);
    }

    [Benchmark(Baseline = true)]
    public double Exhaustive() => TilingSearch.Exhaustive(_evaluator, CancellationToken.None).Cost.Objective;

    [Benchmark]
    public double Fast() => TilingSearch.Fast(_evaluator, CancellationToken.None).Cost.Objective;
}
