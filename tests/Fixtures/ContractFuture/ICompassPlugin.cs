using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.Abstractions.Plugins;

/// <summary>The plugin entry point as a hypothetical contract 3.0 declares it (an extra member).</summary>
public interface ICompassPlugin
{
    /// <summary>Plugin name.</summary>
    string Name { get; }

    /// <summary>A member contract 2.x does not have.</summary>
    int RequiredHostFeatures { get; }

    /// <summary>Registers contributions.</summary>
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}
