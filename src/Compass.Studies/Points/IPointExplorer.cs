using System.Text.Json.Nodes;
using Compass.Studies.Results;

namespace Compass.Studies.Points;

/// <summary>How one point's exploration ended.</summary>
/// <param name="Status">See <see cref="PointStatus"/>.</param>
/// <param name="Error">The one-line error when it did not complete.</param>
/// <param name="Metrics">Metrics of the best mapping, when there is one.</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="BudgetEvaluations">Evaluation budget.</param>
public sealed record PointOutcome(string Status, string? Error, PointMetrics? Metrics, string? Optimizer, int? BudgetEvaluations);

/// <summary>
/// The seam between studies and the exploration pipeline: resolve a scenario (validate it with the plugins, inline its
/// presets) and explore one point into a folder. The host implements it on the same pipeline <c>compass explore</c>
/// runs, so a point is exactly an exploration; studies know nothing else about the host.
/// </summary>
public interface IPointExplorer
{
    /// <summary>
    /// Validates <paramref name="scenario"/> with the plugins (every name resolved, every component's options checked)
    /// and returns its resolved form (presets inlined, defaults filled). Throws
    /// <see cref="Compass.Abstractions.Plugins.CompassInputException"/> naming the field.
    /// </summary>
    JsonObject Resolve(JsonObject scenario);

    /// <summary>Prices a scenario's package with its cost model (USD), or null when the scenario names no cost model.</summary>
    double? PriceUsd(JsonObject scenario);

    /// <summary>
    /// Explores the scenario in <paramref name="scenarioFile"/> into <paramref name="outputDirectory"/>, which may hold
    /// what a killed earlier attempt of the same point left (the explorer clears it, unless a live run still holds the
    /// folder: the point then fails and runs again on resume). Failures of the point (bad combination, no valid
    /// mapping, plugin fault) come back as the outcome, not as exceptions.
    /// </summary>
    PointOutcome Explore(string scenarioFile, string outputDirectory, CancellationToken cancellationToken);
}
