using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.Fixtures.ContractNext;

/// <summary>Implements the 3.0 entry point.</summary>
public sealed class ContractNextPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "ContractNext";

    /// <inheritdoc />
    public int RequiredHostFeatures => 2;

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
    }
}
