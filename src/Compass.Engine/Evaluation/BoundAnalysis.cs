using System.Globalization;
using Compass.Results;

namespace Compass.Engine.Evaluation;

/// <summary>Names what bounds an evaluated iteration, in one sentence (docs/evaluator.md §Lower bounds).</summary>
public static class BoundAnalysis
{
    /// <summary>
    /// The sentence: which resource limits the schedule (the busiest shared resource against the chiplet with the
    /// most compute; when neither fills half the iteration, the dependency chain), the result against each lower bound,
    /// and the largest part of the DRAM traffic.
    /// </summary>
    public static string Explain(double latencyNs, double energyPj, IterationBounds bounds, DramTraffic traffic, string busiestResource, double busiestBusyNs, int computeChiplet, double computeNs)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        var inv = CultureInfo.InvariantCulture;
        string kind;
        if (Math.Max(busiestBusyNs, computeNs) < 0.5 * latencyNs)
            kind = string.Format(inv, "dependency-bound: no resource is busy half the iteration (busiest {0} {1:P0}, chiplet {2} computes {3:P0})",
                busiestResource.Length == 0 ? "resource" : busiestResource, Fraction(busiestBusyNs, latencyNs), computeChiplet, Fraction(computeNs, latencyNs));
        else if (busiestBusyNs >= computeNs)
            kind = string.Format(inv, "{0}-bound: {1} is busy {2:P0} of the iteration",
                busiestResource.StartsWith("DRAM", StringComparison.Ordinal) ? "DRAM" : "NoP", busiestResource, Fraction(busiestBusyNs, latencyNs));
        else
            kind = string.Format(inv, "compute-bound: chiplet {0} computes {1:P0} of the iteration", computeChiplet, Fraction(computeNs, latencyNs));
        var (part, share) = LargestPart(traffic);
        var dram = traffic.TotalBytes > 0 ? string.Format(inv, "; {0:P0} of DRAM bytes are {1}", share, part) : "";
        return string.Format(inv, "{0}; latency {1:0.00}× its lower bound ({2}), energy {3:0.00}× its lower bound{4}.",
            kind, Ratio(latencyNs, bounds.LatencyNs), bounds.DramNs >= bounds.ComputeNs ? "unavoidable DRAM bytes at full bandwidth" : "compute at the fastest chiplets",
            Ratio(energyPj, bounds.EnergyPj), dram);
    }

    /// <summary>Result over bound (∞ when the bound is 0 and the result is not).</summary>
    public static double Ratio(double value, double bound) => bound > 0 ? value / bound : value > 0 ? double.PositiveInfinity : 1;

    private static double Fraction(double part, double whole) => whole > 0 ? part / whole : 0;

    private static (string Part, double Share) LargestPart(DramTraffic t)
    {
        (string, double)[] parts =
        [
            ("weights loaded once", t.WeightBytes),
            ("weights re-loaded when a chiplet switches node", t.WeightReloadBytes),
            ("KV-cache history and graph-input reads", t.KvReadBytes),
            ("KV-cache writes", t.KvWriteBytes),
            ("activations read back from DRAM", t.ActivationReadBytes),
            ("activations spilled to DRAM", t.ActivationWriteBytes),
            ("operands re-fetched by tiling", t.RefetchBytes),
        ];
        var best = parts[0];
        foreach (var p in parts) if (p.Item2 > best.Item2) best = p;
        return (best.Item1, t.TotalBytes > 0 ? best.Item2 / t.TotalBytes : 0);
    }
}
