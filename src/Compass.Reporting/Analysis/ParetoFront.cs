using Compass.Reporting.Model;

namespace Compass.Reporting.Analysis;

/// <summary>Non-dominated points over (latency, energy), both minimised.</summary>
public static class ParetoFront
{
    /// <summary>
    /// The Pareto front of <paramref name="points"/> (non-finite points skipped), sorted by latency ascending with
    /// energy strictly descending. Duplicates appear once.
    /// </summary>
    public static IReadOnlyList<ParetoPoint> Of(IEnumerable<ParetoPoint> points)
    {
        var sorted = points.Where(p => double.IsFinite(p.LatencyNs) && double.IsFinite(p.EnergyPj))
            .OrderBy(p => p.LatencyNs).ThenBy(p => p.EnergyPj).ToList();
        var front = new List<ParetoPoint>();
        var bestEnergy = double.PositiveInfinity;
        foreach (var p in sorted)
        {
            if (p.EnergyPj < bestEnergy)
            {
                front.Add(p);
                bestEnergy = p.EnergyPj;
            }
        }
        return front;
    }
}
