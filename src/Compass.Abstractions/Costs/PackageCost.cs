using Compass.Abstractions.Hardware;

namespace Compass.Abstractions.Costs;

/// <summary>Area and monetary cost of a package design.</summary>
/// <param name="ComputeDieAreaMm2">Total area of the compute dies, mm².</param>
/// <param name="IoDieAreaMm2">Total area of I/O dies, mm².</param>
/// <param name="SubstrateAreaMm2">Package substrate area, mm².</param>
/// <param name="ComputeDieCostUsd">Cost of known-good compute dies, USD.</param>
/// <param name="IoDieCostUsd">Cost of I/O dies, USD.</param>
/// <param name="PackagingCostUsd">Substrate, bonding and assembly cost, USD.</param>
/// <param name="MemoryCostUsd">DRAM/HBM device cost, USD.</param>
/// <param name="Details">Further named quantities (yields, dies per wafer, ...).</param>
public sealed record PackageCostReport(
    double ComputeDieAreaMm2,
    double IoDieAreaMm2,
    double SubstrateAreaMm2,
    double ComputeDieCostUsd,
    double IoDieCostUsd,
    double PackagingCostUsd,
    double MemoryCostUsd,
    IReadOnlyDictionary<string, double> Details)
{
    /// <summary>Total cost, USD.</summary>
    public double TotalCostUsd => ComputeDieCostUsd + IoDieCostUsd + PackagingCostUsd + MemoryCostUsd;
}

/// <summary>Estimates area and monetary cost of a package (named <c>chiplet-actuary</c>, <c>compass-simple</c>).</summary>
public interface IPackageCostModel
{
    /// <summary>Estimates the cost of <paramref name="package"/>.</summary>
    PackageCostReport Estimate(ResolvedPackage package);
}
