using BenchmarkDotNet.Attributes;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.Chiplets.Building;
using Compass.Chiplets.Catalog;
using Compass.CostModels.Compute;
using Compass.CostModels.Interconnect;
using Compass.Engine;

namespace Compass.Benchmarks;

/// <summary>
/// What a plan change costs (issue 16, docs/levers.md) on the shipped published 6 × 6 output-stationary package with
/// the shipped <c>dataflow</c> compute model and <c>mesh</c> interconnect: one GPT-3-6.7B block, 128 decode requests,
/// levers micro-batch 1 … 128 × tensor-parallel 8 … 64 (32 plans). <c>FixedPlan</c> evaluates the scenario with the
/// levers fixed; <c>SamePlanThroughLevers</c> the same genome through the levered space (projection onto the plan);
/// <c>AlternatingPlans</c> evaluates two cached plans in turn (a plan change after the first use);
/// <c>BuildOnePlan</c> builds one plan's graphs and operator costs from nothing (the cost of a plan's first use,
/// before the shared cost memo helps).
/// </summary>
[MemoryDiagnoser]
public class PlanChangeBenchmarks
{
    private ExplorationProblem _fixed = null!;
    private ExplorationProblem _levered = null!;
    private Genome _fixedGenome = null!;
    private Genome _sameGenome = null!;
    private Genome _otherGenome = null!;
    private ProblemDefinition _definition = null!;
    private int _turn;

    [GlobalSetup]
    public void Setup()
    {
        var package = PackageBuilder.Resolve(PackagePresets.Compass6x6Os, ChipletCatalog.ByName);
        _definition = new ProblemDefinition
        {
            Package = package,
            Interconnect = new MeshInterconnectModel().Build(package),
            ComputeModel = new DataflowComputeModel(),
            Model = new ModelConfig
            {
                Name = "gpt3-6.7b", Family = "gpt3", Layers = 32, Hidden = 4096, Heads = 32, KvHeads = 32, HeadDim = 128,
                FfnHidden = 16384, Vocab = 50257, GatedMlp = false, Attention = AttentionKind.Mha,
            },
            Precision = new PrecisionConfig(8, 8, 8),
            Graph = new GraphOptions { Layers = 1, TensorParallel = 8, HeadGroups = 32, MicroBatchSize = 1 },
            Iterations = [EngineBenchmarkFixtures.Requests(0, 128, seed: 42)],
        };
        _fixed = ExplorationProblem.Create(_definition, CancellationToken.None);
        _levered = ExplorationProblem.Create(_definition with
        {
            Levers = new LeverOptions { MicroBatchSizes = [1, 2, 4, 8, 16, 32, 64, 128], TensorParallel = [8, 16, 32, 64] },
        }, CancellationToken.None);
        _fixedGenome = _fixed.Heuristics.Standard().First(h => h.Name == "pipeline-tensor").Genome;
        _sameGenome = _levered.Heuristics.Standard().First(h => h.Name == "pipeline-tensor").Genome;
        _otherGenome = _sameGenome.Clone();
        _otherGenome.Levers[0] = 2;   // micro-batch 4
        _otherGenome.Levers[1] = 1;   // TP 16
        _levered.Evaluate(_otherGenome);
        Console.WriteLine($"// {_levered.PlanCount} plans, {_levered.PlansBuilt} built; same plan through levers: {_levered.DescribePlan(_sameGenome)}");
    }

    [Benchmark(Baseline = true)]
    public Fitness FixedPlan() => _fixed.Evaluate(_fixedGenome);

    [Benchmark]
    public Fitness SamePlanThroughLevers() => _levered.Evaluate(_sameGenome);

    [Benchmark]
    public Fitness AlternatingPlans() => _levered.Evaluate((_turn++ & 1) == 0 ? _sameGenome : _otherGenome);

    [Benchmark]
    public int BuildOnePlan() =>
        ExplorationProblem.Create(_definition with { Graph = _definition.Graph with { MicroBatchSize = 4, TensorParallel = 16 } }, CancellationToken.None).Space.GeneCount;
}
