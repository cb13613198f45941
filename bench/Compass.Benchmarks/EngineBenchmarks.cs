using BenchmarkDotNet.Attributes;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.CostModels.Interconnect;
using Compass.Engine;

namespace Compass.Benchmarks;

/// <summary>
/// One genome evaluation on the published shapes (docs/reference/compass-method.md §9.1; the shipped scenarios of README.md). Operator costs are
/// memoised when the problem is built, so a simple deterministic cost model stands in for the plugins here.
/// </summary>
[MemoryDiagnoser]
public class EngineEvaluationBenchmarks
{
    private ExplorationProblem _problem = null!;
    private Genome _genome = null!;

    [Params("6x6-decode128", "6x6-mixed2+64", "llama3-70b-16x16")]
    public string Shape { get; set; } = "6x6-decode128";

    /// <summary>A uniformly random genome (a GA's first generation) or the pipeline × tensor heuristic.</summary>
    [Params("random", "pipeline-tensor")]
    public string Mapping { get; set; } = "random";

    [GlobalSetup]
    public void Setup()
    {
        _problem = Shape switch
        {
            "6x6-decode128" => EngineBenchmarkFixtures.Gpt3Block(prefill: 0, decode: 128),
            "6x6-mixed2+64" => EngineBenchmarkFixtures.Gpt3Block(prefill: 2, decode: 64),
            _ => EngineBenchmarkFixtures.Llama70B(),
        };
        _genome = Mapping == "random"
            ? EngineBenchmarkFixtures.RandomGenome(_problem.Space, 42)
            : _problem.Heuristics.Standard().First(h => h.Name == Mapping).Genome;
        Console.WriteLine($"// {Shape}: {_problem.TaskCount} tasks, {_problem.Space.GeneCount} genes × {_problem.Space.MicroBatchCount} micro-batches");
    }

    [Benchmark]
    public Fitness Evaluate() => _problem.Evaluate(_genome);
}

/// <summary>How the cost of one evaluation grows with the number of tasks (decode requests, micro-batch 1).</summary>
[MemoryDiagnoser]
public class EngineScalingBenchmarks
{
    private ExplorationProblem _problem = null!;
    private Genome _genome = null!;

    [Params(16, 32, 64, 128, 256)]
    public int DecodeRequests { get; set; } = 16;

    [GlobalSetup]
    public void Setup()
    {
        _problem = EngineBenchmarkFixtures.Gpt3Block(prefill: 0, decode: DecodeRequests);
        _genome = EngineBenchmarkFixtures.RandomGenome(_problem.Space, 42);
        Console.WriteLine($"// decode {DecodeRequests}: {_problem.TaskCount} tasks");
    }

    [Benchmark]
    public Fitness Evaluate() => _problem.Evaluate(_genome);
}

/// <summary>Problems, hardware and a stand-in cost model for the engine benchmarks.</summary>
public static class EngineBenchmarkFixtures
{
    /// <summary>
    /// The published 6 × 6 setup (docs/reference/compass-method.md §9.1): 36 chiplets of 1,024 MACs and 2 MB buffer, NoP 128
    /// B/cycle per link, 4 DRAM channels of 64 B/cycle on the left and right edges (read at 1 GHz), 2 pJ/bit
    /// per hop and 10.5 pJ/bit DRAM; one GPT-3-6.7B-shaped block, TP 8, one head group per head, micro-batch 1.
    /// </summary>
    public static ExplorationProblem Gpt3Block(int prefill, int decode) => Build(
        Chiplet("simba-like", rows: 32, columns: 32, bufferBytes: 2L << 20),
        width: 6, height: 6, channels: 4, channelGBps: 64, capacityGB: 16, dramPjPerByte: 84,
        new ModelConfig
        {
            Name = "gpt3-6.7b", Family = "gpt3", Layers = 32, Hidden = 4096, Heads = 32, KvHeads = 32, HeadDim = 128,
            FfnHidden = 16384, Vocab = 50257, GatedMlp = false, Attention = AttentionKind.Mha,
        },
        new GraphOptions { Layers = 1, TensorParallel = 8, HeadGroups = 32, MicroBatchSize = 1 },
        Requests(prefill, decode, seed: 42));

    /// <summary>Llama-3-70B, all 80 layers, TP 8 and 8 head groups, on a 16 × 16 mesh of 4,096-MAC / 8 MB chiplets with 8 HBM channels; 2 prefill + 64 decode requests in micro-batches of 4.</summary>
    public static ExplorationProblem Llama70B() => Build(
        Chiplet("tpu-like", rows: 64, columns: 64, bufferBytes: 8L << 20),
        width: 16, height: 16, channels: 8, channelGBps: 256, capacityGB: 24, dramPjPerByte: 44,
        new ModelConfig
        {
            Name = "llama-3-70b", Family = "llama3", Layers = 80, Hidden = 8192, Heads = 64, KvHeads = 8, HeadDim = 128,
            FfnHidden = 28672, Vocab = 128256, GatedMlp = true, Attention = AttentionKind.Gqa,
        },
        new GraphOptions { Layers = 0, TensorParallel = 8, HeadGroups = 8, MicroBatchSize = 4 },
        Requests(2, 64, seed: 42));

    /// <summary>
    /// ShareGPT-like requests: log-normal prompts (median 100) and outputs (median 270), near the vLLM filtered
    /// ShareGPT means of 161 / 338 tokens (docs/reference/traces.md); a decode's history is its prompt plus a
    /// uniform share of its output (history = prompt + generated).
    /// </summary>
    public static Iteration Requests(int prefill, int decode, int seed)
    {
        var random = new Random(seed);
        double LogNormal(double median, double sigma)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            return median * Math.Exp(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        var list = new List<ScheduledRequest>();
        for (var i = 0; i < prefill; i++)
            list.Add(new ScheduledRequest(i, RequestPhase.Prefill, (int)Math.Clamp(LogNormal(100, 1.0), 4, 2000), 0));
        for (var i = 0; i < decode; i++)
        {
            var prompt = (int)Math.Clamp(LogNormal(100, 1.0), 4, 2000);
            var output = (int)Math.Clamp(LogNormal(270, 0.8), 2, 2000);
            list.Add(new ScheduledRequest(prefill + i, RequestPhase.Decode, 1, prompt + random.Next(output)));
        }
        return new Iteration(0, list);
    }

    /// <summary>A uniformly random genome (as a GA's first generation).</summary>
    public static Genome RandomGenome(MappingSpace space, int seed)
    {
        var random = new Random(seed);
        var genome = space.CreateGenome();
        for (var i = 0; i < genome.Assignment.Length; i++) genome.Assignment[i] = random.Next(space.ChipletCount);
        for (var i = 0; i < genome.Boundaries.Length; i++) genome.Boundaries[i] = (byte)random.Next(2);
        return genome;
    }

    /// <summary>
    /// A homogeneous mesh of <paramref name="chiplet"/> (128 GB/s links, 1 ns and 2 pJ/bit per hop) on the shipped
    /// <c>mesh</c> interconnect of the CostModels plugin (XY routing), running one iteration with the stand-in cost model.
    /// </summary>
    private static ExplorationProblem Build(ChipletType chiplet, int width, int height, int channels, double channelGBps, double capacityGB, double dramPjPerByte, ModelConfig model, GraphOptions graph, Iteration iteration)
    {
        var package = Package(width, height, chiplet, channels, channelGBps, capacityGB, dramPjPerByte / 8);
        var definition = new ProblemDefinition
        {
            Package = package,
            Interconnect = new MeshInterconnectModel().Build(package),
            ComputeModel = new StandInCostModel(),
            Model = model,
            Precision = new PrecisionConfig(8, 8, 8),
            Graph = graph,
            Iterations = [iteration],
        };
        return ExplorationProblem.Create(definition, CancellationToken.None);
    }

    private static ChipletType Chiplet(string name, int rows, int columns, long bufferBytes) => new()
    {
        Name = name,
        PeArrayRows = rows,
        PeArrayColumns = columns,
        ClockGHz = 1,
        Precisions = [new PrecisionRate(8, rows * columns, 0.009)],
        Buffers = [new BufferLevel("global", bufferBytes, 1, 256, 0.5, 0.6, "all")],
        VectorOpsPerCycle = 64,
        VectorEnergyPerOpPj = 0.0873,
        StaticPowerW = 0.05,
    };

    private static ResolvedPackage Package(int width, int height, ChipletType type, int channels, double channelGBps, double capacityGB, double dramPjPerBit)
    {
        var dram = new List<DramChannel>();
        var right = channels / 2;
        var left = channels - right;
        for (var side = 0; side < 2; side++)
        {
            var count = side == 0 ? left : right;
            var x = side == 0 ? 0 : width - 1;
            for (var k = 0; k < count; k++)
            {
                var routers = new List<MeshPosition>();
                for (var y = k * height / count; y < (k + 1) * height / count; y++) routers.Add(new MeshPosition(x, y));
                dram.Add(new DramChannel($"ch{dram.Count}", "gddr6x", routers, channelGBps, dramPjPerBit, capacityGB));
            }
        }
        return new ResolvedPackage(
            new PackageDescription
            {
                Name = $"bench-{width}x{height}",
                MeshWidth = width,
                MeshHeight = height,
                Slots = [.. Enumerable.Repeat(type.Name, width * height)],
                Link = new LinkSpec("custom", 128, 1, 2),
                DramChannels = dram,
            },
            [type],
            new int[width * height]);
    }
}

/// <summary>Roofline-like stand-in: GEMM time = MACs / peak × (1 + edge waste of rows under 32), vector ops at the vector rate.</summary>
internal sealed class StandInCostModel : IComputeCostModel
{
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        if (op.Kind == OperatorKind.Gemm)
        {
            var rate = chiplet.RateFor(op.InputBits);
            var utilisation = Math.Min(1.0, (double)op.M / 32);
            var time = op.Macs / (rate.MacsPerCycle * chiplet.ClockGHz * Math.Max(utilisation, 1.0 / 32));
            var buffer = (op.InputBytes + op.WeightBytes + op.OutputBytes) * chiplet.Buffers[^1].ReadEnergyPjPerByte;
            return new OperatorCost(time, op.Macs * rate.EnergyPerMacPj, buffer, 0, utilisation, 0, string.Empty);
        }
        return new OperatorCost(op.Macs / (chiplet.VectorOpsPerCycle * chiplet.ClockGHz), 0, op.OutputBytes * 0.1, op.Macs * chiplet.VectorEnergyPerOpPj, 1, 0, string.Empty);
    }
}
