using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Pipeline;
using Compass.Host.Commands;
using Compass.Host.Composition;
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

    /// <summary>The heuristic baselines the results stage evaluated, as report rows (an invalid one has an infinite EDP).</summary>
    public static IReadOnlyList<BaselineResult> Baselines(IReadOnlyList<(string Name, Fitness Fitness)> baselines)
    {
        ArgumentNullException.ThrowIfNull(baselines);
        return [.. baselines.Select(x => new BaselineResult(x.Name, x.Fitness.LatencyNs, x.Fitness.EnergyPj, x.Fitness.IsValid ? x.Fitness.EdpJouleSeconds : double.PositiveInfinity))];
    }

    /// <summary>
    /// The report's view of the results stage's measurement of the best mapping: metrics (mean energy by part), package
    /// usage laid out as the mesh, and the first iteration's timeline labelled with the engine's own micro-batch split.
    /// </summary>
    public static (Compass.Reporting.Model.RunMetrics Metrics, PackageUsage Usage, ScheduleTimeline Timeline) Report(
        ExplorationSetup setup, MappingMeasurement measured, int evaluations, double wallSeconds, bool cancelled)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(measured);
        var pkg = setup.Package;
        var count = measured.Chiplets.Count;
        var typeNames = new string[count];
        for (var c = 0; c < count; c++) typeNames[c] = pkg.TypeOf(c).Name;
        var usage = new PackageUsage(pkg.Description.MeshWidth, pkg.Description.MeshHeight, typeNames, measured.Chiplets);
        var fitness = measured.Fitness;
        var bounds = measured.MeanBounds;
        var metrics = new Compass.Reporting.Model.RunMetrics(
            fitness.LatencyNs, measured.Energy, fitness.EdpJouleSeconds, fitness.Objective,
            setup.Scenario.Objective.Kind.ToString().ToLowerInvariant(), evaluations, wallSeconds, cancelled)
        {
            Bounds = new BoundSummary(bounds.LatencyNs, bounds.ComputeNs, bounds.DramNs, bounds.EnergyPj, measured.FirstIteration.BoundExplanation),
            EdpStandardErrorJs = measured.Spread?.EdpStandardErrorJs,
            Iterations = measured.Spread?.LatencyNs.Count ?? 0,
            Levers = measured.Plan.Length > 0 ? measured.Plan : null,
        };
        var timeline = new ScheduleTimeline(0, ScheduleTimeline.GenesFrom(measured.Genes), Phases(measured.MicroBatches), measured.FirstIteration.Tasks)
        {
            ResourceIntervals = measured.FirstIteration.ResourceIntervals,
        };
        return (metrics, usage, timeline);
    }

    /// <summary>
    /// Padding's cost for <paramref name="genome"/> (the problem evaluated once more without padding), or null when
    /// the scenario does not pad.
    /// </summary>
    public static PaddingSummary? Padding(ExplorationProblem problem, Genome genome, CancellationToken cancellationToken)
    {
        if (!problem.Definition.Padding.IsActive) return null;
        var unpadded = ExplorationProblem.Create(problem.Definition with { Padding = Compass.Engine.Workload.PaddingOptions.None }, cancellationToken);
        var r = problem.MeasurePadding(genome, unpadded)!;
        var t = r.Tokens;
        return new PaddingSummary(Compass.Engine.Workload.Padding.Name(r.Options.Mode), r.Options.PaddedLength, t.RealNewTokens, t.PaddedNewTokens,
            t.RealHistoryTokens, t.PaddedHistoryTokens, r.RealLatencyNs, r.RealEnergyPj, r.WastedLatencyNs, r.WastedEnergyPj);
    }

    /// <summary>
    /// Phase of every micro-batch of an iteration, from the engine's own split (<see cref="ExplorationProblem.MicroBatchRequests"/>):
    /// prefill when every request of the micro-batch is in prefill (or a prefill chunk), decode when every one decodes,
    /// mixed otherwise.
    /// </summary>
    public static IReadOnlyList<MicroBatchPhase> Phases(IReadOnlyList<IReadOnlyList<ScheduledRequest>> microBatches)
    {
        ArgumentNullException.ThrowIfNull(microBatches);
        var phases = new MicroBatchPhase[microBatches.Count];
        for (var b = 0; b < phases.Length; b++)
        {
            bool prefill = false, decode = false;
            foreach (var r in microBatches[b])
            {
                if (r.Phase == RequestPhase.Decode) decode = true; else prefill = true;
            }
            phases[b] = prefill && decode ? MicroBatchPhase.Mixed : decode ? MicroBatchPhase.Decode : MicroBatchPhase.Prefill;
        }
        return phases;
    }
}
