using Compass.Abstractions.Mapping;
using Compass.Reporting.Model;
using Compass.Results;

namespace Compass.Reporting.Tests;

/// <summary>Small hand-made report data.</summary>
internal static class TestData
{
    /// <summary>Three evaluations: (3000 ns, 20 pJ), (2000 ns, 10 pJ), (1000 ns, 5 pJ); EDP objective in ns·pJ.</summary>
    public static IReadOnlyList<SearchLogRow> ThreePointLog() =>
    [
        new(0, 3000, 20, 60000, 60e-18, 60000, 0.01, 0xabcdef0123456789UL),
        new(1, 2000, 10, 20000, 20e-18, 20000, 0.02, 0x0000000000000001UL),
        new(2, 1000, 5, 5000, 5e-18, 5000, 0.03, ulong.MaxValue),
    ];

    /// <summary>A 2×2 mesh, two genes in two layers, two micro-batches (prefill, decode), four tasks.</summary>
    public static ScheduleTimeline Timeline() => new(
        0,
        [new TimelineGene(0, "L0.qkv.s0", 0, NodeStage.QkvProjection), new TimelineGene(1, "L1.ffn_up.s0", 1, NodeStage.FfnUp)],
        [MicroBatchPhase.Prefill, MicroBatchPhase.Decode],
        [
            new TaskRecord(0, 0, 0, 0, 0, 400, 300, 100, 400, 1000, 4096, 0, true),
            new TaskRecord(0, 0, 1, 1, 400, 1000, 600, 200, 100, 2000, 1000, 3000, true),
            new TaskRecord(0, 1, 0, 0, 400, 600, 150, 20, 50, 500, 0, 512, false),
            new TaskRecord(0, 1, 1, 3, 1000, 1250.5, 200, 250.5, 0, 700.25, 0, 2048, true),
        ]);

    public static RunReportData Run() => new()
    {
        Scenario = new ScenarioSummary("unit-2x2", "two chiplets & <friends>", 7,
            "{\n  \"name\": \"unit-2x2\",\n  \"seed\": 7,\n  \"hardware\": { \"package\": \"mesh-2x2\" },\n  \"optimizer\": { \"name\": \"ga\", \"options\": { \"populationSize\": 4 } }\n}\n"),
        OptimizerName = "ga",
        Best = new RunMetrics(1250.5, new EnergyBreakdown(100, 50, 25, 12.5, 200, 62.5), 1250.5e-9 * 450e-12, 1250.5 * 450, "edp", 3, 0.125),
        Package = new PackageUsage(2, 2, ["os-a", "os-a", "ws-b", "ws-b"],
        [
            new ChipletUsage(0, 600, 0.48, 1500, 2),
            new ChipletUsage(1, 600, 0.48, 2000, 1),
            new ChipletUsage(3, 250.5, 0.2, 700.25, 1),
        ]),
        SearchLog = ThreePointLog(),
        Baselines = [new BaselineResult("pipeline", 2000, 900, 2000e-9 * 900e-12), new BaselineResult("tensor-parallel", 1500, 600, 1500e-9 * 600e-12)],
        Timeline = Timeline(),
        ParetoSet = [new ParetoPoint(1250.5, 450)],
        Statistics = new Dictionary<string, double> { ["repairs"] = 3, ["generations"] = 1 },
    };

    public static ComparisonReportData Comparison()
    {
        ComparisonRun Run(string optimizer, int seed, double edp, params (int Eval, double Best)[] curve) =>
            new(optimizer, seed, edp, 1000 + seed, edp / (1000 + seed) * 1e21, curve.Length == 0 ? 0 : curve[^1].Eval + 1, 0.5 * seed,
                curve.Select(p => new ConvergencePoint(p.Eval, p.Best)).ToList());
        return new ComparisonReportData
        {
            StudyName = "unit-study",
            Description = "ga vs random",
            ObjectiveKind = "edp",
            BudgetEvaluations = 10,
            SeededFromHeuristics = true,
            BestBaseline = new BaselineResult("pipeline", 2000, 900, 2e-9),
            Runs =
            [
                Run("ga", 1, 1e-9, (0, 2e6), (3, 1e6)),
                Run("ga", 2, 1.2e-9, (0, 2e6), (5, 1.2e6), (9, 1.2e6)),
                Run("random", 1, 1.8e-9, (0, 3e6), (7, 1.8e6)),
                Run("random", 2, 1.6e-9, (0, 2.5e6), (2, 1.6e6)),
            ],
        };
    }
}
