using System.Globalization;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;

namespace Compass.CostModels.Interconnect;

/// <summary>Capacity check of a package's DRAM against the model weights plus the KV cache it must hold.</summary>
public static class DramCapacity
{
    /// <summary>Bytes left after weights and KV cache (negative when they do not fit).</summary>
    public static double HeadroomBytes(ResolvedPackage package, double weightBytes, double kvCacheBytes)
    {
        ArgumentNullException.ThrowIfNull(package);
        return package.TotalDramCapacityBytes - weightBytes - kvCacheBytes;
    }

    /// <summary>Throws <see cref="CompassInputException"/> on <c>package.dramChannels</c> when weights plus KV cache exceed the capacity.</summary>
    public static void EnsureFits(ResolvedPackage package, double weightBytes, double kvCacheBytes)
    {
        var headroom = HeadroomBytes(package, weightBytes, kvCacheBytes);
        if (headroom < 0)
            throw new CompassInputException("package.dramChannels",
                string.Create(CultureInfo.InvariantCulture,
                    $"weights ({weightBytes / 1e9:F2} GB) plus KV cache ({kvCacheBytes / 1e9:F2} GB) exceed the DRAM capacity of {package.TotalDramCapacityBytes / 1e9:F2} GB"));
    }
}
