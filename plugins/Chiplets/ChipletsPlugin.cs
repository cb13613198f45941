using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Chiplets;
using Compass.Chiplets.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(ChipletsPlugin))]

namespace Compass.Chiplets;

/// <summary>
/// Registers the built-in chiplet types (<see cref="ChipletCatalog"/>) and package presets
/// (<see cref="PackagePresets"/>). Every entry is validated at registration, so a broken catalog fails at start-up
/// with the field named. The plugin takes no configuration.
/// </summary>
public sealed class ChipletsPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "chiplets";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.RejectUnknownKeys();
        // The host validates every entry it resolves (one validator per concept, Compass.Scenarios.Presets.HardwareResolver);
        // the catalog tests run the same validator over every entry.
        foreach (var type in ChipletCatalog.All) services.AddChipletType(type);
        foreach (var package in PackagePresets.All) services.AddPackagePreset(package);
    }
}
