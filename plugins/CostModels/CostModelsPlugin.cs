using Compass.Abstractions.Plugins;
using Compass.CostModels;
using Compass.CostModels.Compute;
using Compass.CostModels.Cost;
using Compass.CostModels.Interconnect;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(CostModelsPlugin))]

namespace Compass.CostModels;

/// <summary>
/// Registers the cost models: compute <c>dataflow</c> and <c>roofline</c>; network <c>mesh</c> (alias <c>mesh-xy</c>); cost
/// <c>chiplet-actuary</c> and <c>compass-simple</c>. Options are validated in each factory before any work starts.
/// </summary>
public sealed class CostModelsPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "cost-models";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddComputeCostModel("dataflow",
            "GEMMs on the PE array with its dataflow, searched global-buffer tiling, reuse-based buffer accesses and DRAM re-fetch; vector ops on the vector unit",
            (options, _) => new DataflowComputeModel(DataflowModelOptions.Read(options)));
        services.AddComputeCostModel("roofline",
            "max(MACs / peak, operand bytes / bandwidth); one buffer access per operand byte",
            (options, _) => new RooflineComputeModel(RooflineModelOptions.Read(options)));
        services.AddInterconnectModel("mesh",
            "2D mesh network-on-package, XY/YX/adaptive routing, multicast trees, DRAM channels at their edge routers",
            (options, _) => new MeshInterconnectModel(MeshModelOptions.Read(options)));
        services.AddInterconnectModel("mesh-xy",
            "Alias of \"mesh\" (the name the contract and the published scenarios use); XY routing unless options say otherwise",
            (options, _) => new MeshInterconnectModel(MeshModelOptions.Read(options)));
        services.AddPackageCostModel("chiplet-actuary",
            "Chiplet Actuary (DAC 2022) as in Gemini: negative-binomial yield, dies per wafer, KGD cost, organic/fan-out/interposer packaging, memory",
            (options, _) => new ChipletActuaryCostModel(ChipletActuaryOptions.Read(options)));
        services.AddPackageCostModel("compass-simple",
            "The published Compass monetary cost: 0.9^(A/40) yield, silicon price per mm², wafer utilisation, organic substrate, DRAM devices",
            (options, _) =>
            {
                options.RejectUnknownKeys();
                return new CompassSimpleCostModel();
            });
    }
}
