namespace Compass.Abstractions.Evaluation;

/// <summary>
/// What an optimizer sees of one evaluation: latency and energy averaged over the sampled iterations, and the
/// objective value to minimise. An invalid mapping has <see cref="IsValid"/> false and objective +∞.
/// </summary>
/// <param name="LatencyNs">Mean iteration latency, ns.</param>
/// <param name="EnergyPj">Mean iteration energy, pJ.</param>
/// <param name="Objective">Objective value (lower is better), e.g. EDP = latency × energy.</param>
/// <param name="IsValid">False when the mapping was rejected (invalid id, numeric failure, plugin fault).</param>
public readonly record struct Fitness(double LatencyNs, double EnergyPj, double Objective, bool IsValid)
{
    /// <summary>The fitness of a rejected mapping.</summary>
    public static Fitness Invalid { get; } = new(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, false);

    /// <summary>Energy-delay product in J·s (latency s × energy J).</summary>
    public double EdpJouleSeconds => LatencyNs * 1e-9 * EnergyPj * 1e-12;
}
