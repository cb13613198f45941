using Compass.Abstractions.Mapping;
using Compass.Reporting.Model;
using Compass.Results;

namespace Compass.Reporting.Tests;

/// <summary>
/// A larger synthetic run (seeded, clearly labelled synthetic) to exercise the report at a realistic size:
/// a 4×4 mesh with two chiplet types, 2 layers × 8 genes, 4 micro-batches (2 prefill, 2 decode), 800 evaluations.
/// </summary>
internal static class DemoData
{
    /// <summary>A synthetic study: three optimizers × four seeds, each a synthetic run with its own improvement rate.</summary>
    public static ComparisonReportData Comparison()
    {
        var runs = new List<ComparisonRun>();
        foreach (var (optimizer, improvement) in new[] { ("ga", 0.5), ("sa", 0.4), ("random", 0.2) })
        {
            for (var seed = 1; seed <= 4; seed++)
            {
                var run = Run(seed * 7 + optimizer.Length, improvement);
                runs.Add(ComparisonRun.FromSearchLog(optimizer, seed, run.Best, run.SearchLog));
            }
        }
        return new ComparisonReportData
        {
            StudyName = "demo-4x4-synthetic-study",
            Description = "Synthetic demo data (seeded random numbers, not a simulation) to show the study report layout.",
            BudgetEvaluations = 800,
            SeededFromHeuristics = true,
            BestBaseline = new BaselineResult("tensor-parallel", 1.9e6, 7.4e9, 1.9e6 * 7.4e9 * 1e-21),
            Runs = runs,
        };
    }

    public static RunReportData Run(int seed = 42, double improvement = 0.5)
    {
        var random = new Random(seed);
        const int evaluations = 800, width = 4, height = 4, microBatches = 4;
        NodeStage[] stages = [NodeStage.QkvProjection, NodeStage.AttentionScore, NodeStage.AttentionSoftmax, NodeStage.AttentionValue,
            NodeStage.OutputProjection, NodeStage.Norm, NodeStage.FfnUp, NodeStage.FfnDown];
        var genes = new List<TimelineGene>();
        for (var layer = 0; layer < 2; layer++)
            foreach (var s in stages) genes.Add(new TimelineGene(genes.Count, $"L{layer}.{s}", layer, s));

        var log = new List<SearchLogRow>();
        var best = double.PositiveInfinity;
        for (var i = 0; i < evaluations; i++)
        {
            var progress = i / (double)evaluations;
            var latency = 2.0e6 * (1 - improvement * progress) * (1 + random.NextDouble());
            var energy = 4.0e9 * (1 - 0.3 * progress) * (1 + 0.8 * random.NextDouble()) * (1.6e6 / latency + 0.6);
            var objective = latency * energy;
            var valid = random.NextDouble() > 0.03;
            if (valid) best = Math.Min(best, objective);
            log.Add(valid
                ? new SearchLogRow(i, latency, energy, objective, objective * 1e-21, best, i * 0.004, (ulong)random.NextInt64())
                : new SearchLogRow(i, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, best, i * 0.004, (ulong)random.NextInt64()));
        }
        var bestRow = log.Where(r => r.IsValid).MinBy(r => r.Objective)!;

        var tasks = new List<TaskRecord>();
        var chipletFree = new double[width * height];
        var geneEnd = new double[microBatches, genes.Count];
        for (var b = 0; b < microBatches; b++)
        {
            for (var g = 0; g < genes.Count; g++)
            {
                var chiplet = (g * 3 + b * 5) % (width * height);
                var ready = g == 0 ? 0 : geneEnd[b, g - 1];
                var start = Math.Max(ready, chipletFree[chiplet]);
                var compute = (b < 2 ? 9000 : 2500) * (1 + random.NextDouble());
                var nop = 800 * random.NextDouble();
                var dram = genes[g].Stage is NodeStage.FfnUp or NodeStage.FfnDown or NodeStage.QkvProjection ? 3000 * random.NextDouble() : 0;
                var end = start + Math.Max(compute, Math.Max(nop, dram));
                tasks.Add(new TaskRecord(0, b, g, chiplet, start, end, compute, nop, dram, 1e6 * (1 + random.NextDouble()), dram * 300, nop * 40, g % 3 == 0));
                chipletFree[chiplet] = end;
                geneEnd[b, g] = end;
            }
        }
        var makespan = tasks.Max(t => t.EndNs);
        var usage = Enumerable.Range(0, width * height).Select(c =>
        {
            var mine = tasks.Where(t => t.Chiplet == c).ToList();
            var busy = mine.Sum(t => t.EndNs - t.StartNs);
            return new ChipletUsage(c, busy, busy / makespan, mine.Sum(t => t.EnergyPj), mine.Count);
        }).Where(u => u.Tasks > 0).ToList();
        var bestEnergy = new EnergyBreakdown(0.42, 0.18, 0.05, 0.11, 0.19, 0.05).Scale(bestRow.EnergyPj);
        return new RunReportData
        {
            Scenario = new ScenarioSummary("demo-4x4-synthetic", "Synthetic demo data (seeded random numbers, not a simulation) to show the report layout.", 42,
                "{\n  \"name\": \"demo-4x4-synthetic\",\n  \"seed\": 42,\n  \"hardware\": { \"package\": \"demo-4x4\" },\n  \"graph\": { \"layers\": 2, \"tensorParallel\": 1 },\n  \"optimizer\": { \"name\": \"ga\", \"options\": { \"populationSize\": 40, \"generations\": 20 } },\n  \"budget\": { \"evaluations\": 800 }\n}\n"),
            OptimizerName = "ga",
            Best = new RunMetrics(bestRow.LatencyNs, bestEnergy, bestRow.EdpJouleSeconds, bestRow.Objective, "edp", evaluations, 3.2),
            Package = new PackageUsage(width, height, Enumerable.Range(0, 16).Select(c => c % 4 < 2 ? "os-256" : "ws-128").ToList(), usage),
            SearchLog = log,
            Baselines = [new BaselineResult("pipeline", 2.6e6, 5.9e9, 2.6e6 * 5.9e9 * 1e-21), new BaselineResult("tensor-parallel", 1.9e6, 7.4e9, 1.9e6 * 7.4e9 * 1e-21)],
            Timeline = new ScheduleTimeline(0, genes, [MicroBatchPhase.Prefill, MicroBatchPhase.Prefill, MicroBatchPhase.Decode, MicroBatchPhase.Decode], tasks),
        };
    }
}
