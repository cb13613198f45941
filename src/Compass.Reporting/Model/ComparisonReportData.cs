namespace Compass.Reporting.Model;

/// <summary>Everything the report of a comparison study shows: several optimizers, each with several seeds, at equal budget.</summary>
public sealed record ComparisonReportData
{
    /// <summary>Study name (usually the scenario name).</summary>
    public required string StudyName { get; init; }

    /// <summary>Free text.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Objective name (<c>edp</c>, <c>latency</c> ...), labels the convergence axis.</summary>
    public string ObjectiveKind { get; init; } = "edp";

    /// <summary>Evaluation budget per run.</summary>
    public int BudgetEvaluations { get; init; }

    /// <summary>True when the optimizers started from the heuristic mappings.</summary>
    public bool SeededFromHeuristics { get; init; }

    /// <summary>The runs, one per (optimizer, seed).</summary>
    public required IReadOnlyList<ComparisonRun> Runs { get; init; }

    /// <summary>The best heuristic baseline (lowest EDP), or null when none was evaluated.</summary>
    public BaselineResult? BestBaseline { get; init; }

    /// <summary>A label such as a timestamp, shown in the header; null shows none.</summary>
    public string? GeneratedAt { get; init; }
}

/// <summary>One optimizer run of a study.</summary>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="BestEdpJouleSeconds">EDP of the best mapping, J·s.</param>
/// <param name="LatencyNs">Latency of the best mapping, ns.</param>
/// <param name="EnergyPj">Energy of the best mapping, pJ.</param>
/// <param name="EvaluationsToWithin1Percent">First evaluation (1-based count) whose best-so-far objective is within 1 % of the final best.</param>
/// <param name="WallSeconds">Wall-clock seconds.</param>
/// <param name="Convergence">Best-so-far objective over evaluations (change points; see <see cref="Analysis.Convergence.FromSearchLog"/>).</param>
public sealed record ComparisonRun(
    string Optimizer, int Seed, double BestEdpJouleSeconds, double LatencyNs, double EnergyPj,
    int EvaluationsToWithin1Percent, double WallSeconds, IReadOnlyList<ConvergencePoint> Convergence)
{
    /// <summary>The run's best mapping file relative to the study folder (<c>mappings/ga-seed42.json</c>), or null when none was kept.</summary>
    public string? MappingFile { get; init; }

    /// <summary>A run from its best mapping's metrics and its search log (convergence and evaluations to within 1 % derived from the log).</summary>
    public static ComparisonRun FromSearchLog(string optimizer, int seed, RunMetrics best, IReadOnlyList<SearchLogRow> log)
    {
        ArgumentNullException.ThrowIfNull(best);
        return FromSearchLog(optimizer, seed, best.EdpJouleSeconds, best.LatencyNs, best.EnergyPj, best.WallSeconds, log);
    }

    /// <summary>A run from its best mapping's numbers and its search log (convergence and evaluations to within 1 % derived from the log).</summary>
    public static ComparisonRun FromSearchLog(string optimizer, int seed, double bestEdpJouleSeconds, double latencyNs, double energyPj, double wallSeconds, IReadOnlyList<SearchLogRow> log)
    {
        var curve = Analysis.Convergence.FromSearchLog(log);
        return new ComparisonRun(optimizer, seed, bestEdpJouleSeconds, latencyNs, energyPj, Analysis.Convergence.EvaluationsToWithin(curve), wallSeconds, curve);
    }
}

/// <summary>A point of a convergence curve.</summary>
/// <param name="Evaluation">0-based evaluation index.</param>
/// <param name="BestObjective">Best objective up to and including that evaluation.</param>
public readonly record struct ConvergencePoint(int Evaluation, double BestObjective);
