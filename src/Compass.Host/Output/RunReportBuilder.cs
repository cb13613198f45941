using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Host.Commands;
using Compass.Reporting.Model;

namespace Compass.Host.Output;

/// <summary>Turns an exploration's results into the Compass.Reporting data model (metrics, package usage, baselines, timeline).</summary>
public static class RunReportBuilder
{
    /// <summary>Converts engine log entries to report rows.</summary>
    public static IReadOnlyList<SearchLogRow> Rows(IReadOnlyList<EvaluationLogEntry> log)
    {
        var rows = new SearchLogRow[log.Count];
        for (var i = 0; i < rows.Length; i++) rows[i] = Row(log[i]);
        return rows;
    }

    /// <summary>One engine log entry as a report row (an invalid evaluation has an infinite EDP).</summary>
    public static SearchLogRow Row(EvaluationLogEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var f = e.Fitness;
        return new SearchLogRow(e.Index, f.LatencyNs, f.EnergyPj, f.Objective, f.IsValid ? f.EdpJouleSeconds : double.PositiveInfinity, e.BestObjectiveSoFar, e.ElapsedSeconds, e.GenomeHash);
    }

    /// <summary>Evaluates the standard heuristic mappings of the space (outside the budget).</summary>
    public static IReadOnlyList<BaselineResult> Baselines(ExplorationProblem problem)
    {
        var list = new List<BaselineResult>();
        foreach (var named in problem.Heuristics.Standard())
        {
            var f = problem.Evaluate(named.Genome);
            list.Add(new BaselineResult(named.Name, f.LatencyNs, f.EnergyPj, f.IsValid ? f.EdpJouleSeconds : double.PositiveInfinity));
        }
        return list;
    }

    /// <summary>
    /// Metrics of <paramref name="genome"/> averaged over the problem's iterations (energy by part, per-chiplet usage)
    /// and the timeline of the first iteration.
    /// </summary>
    public static (Compass.Reporting.Model.RunMetrics Metrics, PackageUsage Usage, ScheduleTimeline Timeline) Measure(
        ExplorationSetup setup, ExplorationProblem problem, Genome genome, Fitness fitness, int evaluations, double wallSeconds, bool cancelled)
    {
        var n = problem.Definition.Iterations.Count;
        var energy = default(EnergyBreakdown);
        var count = problem.Space.ChipletCount;
        var busy = new double[count];
        var util = new double[count];
        var chipEnergy = new double[count];
        var tasks = new double[count];
        IterationResult? first = null;
        for (var i = 0; i < n; i++)
        {
            var r = problem.EvaluateIteration(genome, i, includeTimeline: i == 0);
            first ??= r;
            energy += r.Energy;
            foreach (var c in r.Chiplets)
            {
                busy[c.Chiplet] += c.BusyNs / n;
                util[c.Chiplet] += c.Utilisation / n;
                chipEnergy[c.Chiplet] += c.EnergyPj / n;
                tasks[c.Chiplet] += (double)c.Tasks / n;
            }
        }
        var chiplets = new ChipletUsage[count];
        for (var c = 0; c < count; c++) chiplets[c] = new ChipletUsage(c, busy[c], util[c], chipEnergy[c], (int)Math.Round(tasks[c]));
        var pkg = setup.Package;
        var typeNames = new string[count];
        for (var c = 0; c < count; c++) typeNames[c] = pkg.TypeOf(c).Name;
        var usage = new PackageUsage(pkg.Description.MeshWidth, pkg.Description.MeshHeight, typeNames, chiplets);
        var bounds = problem.MeanBounds();
        var metrics = new Compass.Reporting.Model.RunMetrics(
            fitness.LatencyNs, energy.Scale(1.0 / n), fitness.EdpJouleSeconds, fitness.Objective,
            setup.Scenario.Objective.Kind.ToString().ToLowerInvariant(), evaluations, wallSeconds, cancelled)
        {
            Bounds = new BoundSummary(bounds.LatencyNs, bounds.ComputeNs, bounds.DramNs, bounds.EnergyPj, first!.BoundExplanation),
        };
        var timeline = new ScheduleTimeline(0, ScheduleTimeline.GenesFrom(problem.Space.Genes), Phases(problem.Definition.Iterations[0], problem.Space.MicroBatchCount, setup.Scenario.Graph.MicroBatchSize), first.Tasks)
        {
            ResourceIntervals = first.ResourceIntervals,
        };
        return (metrics, usage, timeline);
    }

    /// <summary>
    /// Phase of every micro-batch of an iteration, assuming the engine's split: requests sorted by length (new tokens,
    /// then history) and cut into consecutive micro-batches of the configured size.
    /// </summary>
    public static IReadOnlyList<MicroBatchPhase> Phases(Iteration iteration, int microBatches, int microBatchSize)
    {
        var sorted = iteration.Requests.OrderBy(r => r.NewTokens + r.HistoryTokens).ThenBy(r => r.RequestId).ToList();
        var phases = new MicroBatchPhase[microBatches];
        for (var b = 0; b < microBatches; b++)
        {
            bool prefill = false, decode = false;
            for (var i = b * microBatchSize; i < Math.Min(sorted.Count, (b + 1) * microBatchSize); i++)
            {
                if (sorted[i].Phase == RequestPhase.Decode) decode = true; else prefill = true;
            }
            phases[b] = prefill && decode ? MicroBatchPhase.Mixed : decode ? MicroBatchPhase.Decode : prefill ? MicroBatchPhase.Prefill : MicroBatchPhase.Mixed;
        }
        return phases;
    }
}
