using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(Compass.Fixtures.Faulty.FaultyPlugin))]

namespace Compass.Fixtures.Faulty;

/// <summary>A plugin whose entry point throws: the host must report it by name and load the others.</summary>
public sealed class FaultyPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "Faulty";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        throw new InvalidOperationException("the Faulty fixture refuses to register anything");
}
