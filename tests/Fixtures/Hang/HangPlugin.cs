using System.Diagnostics;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(Compass.Fixtures.Hang.HangPlugin))]

namespace Compass.Fixtures.Hang;

/// <summary>Contributes a compute cost model that never finishes on its own: it spins until its token is cancelled.</summary>
public sealed class HangPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "Hang";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddComputeCostModel("fx-spin", "Spins until cancelled (time-out fixture)", (_, _) => new SpinningCostModel());
}

/// <summary>Spins, polling the token; a time-out is the only way out.</summary>
public sealed class SpinningCostModel : IComputeCostModel
{
    /// <inheritdoc />
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        var spins = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            cancellationToken.ThrowIfCancellationRequested();
            spins++;
        }
        return new OperatorCost(spins, 0, 0, 0, 0, 0, "spun out");
    }
}
