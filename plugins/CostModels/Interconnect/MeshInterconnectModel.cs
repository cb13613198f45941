using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.CostModels.Interconnect;

/// <summary>Options of the <c>mesh</c> interconnect model.</summary>
/// <param name="Routing">Unicast and DRAM-flow routing (<c>xy</c> default, <c>yx</c>, <c>adaptive</c>).</param>
public sealed record MeshModelOptions(MeshRouting Routing = MeshRouting.Xy)
{
    /// <summary>Reads and validates the options section (key: routing). Where data lives in DRAM is the evaluator's placement policy, not the network's.</summary>
    public static MeshModelOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys("routing");
        var routing = section.GetChoice("routing", "xy", "xy", "yx", "adaptive") switch
        {
            "yx" => MeshRouting.Yx,
            "adaptive" => MeshRouting.Adaptive,
            _ => MeshRouting.Xy,
        };
        return new MeshModelOptions(routing);
    }
}

/// <summary>The <c>mesh</c> interconnect model: builds a <see cref="MeshInterconnect"/> per package.</summary>
public sealed class MeshInterconnectModel : IInterconnectModel
{
    /// <summary>Creates the model.</summary>
    public MeshInterconnectModel(MeshModelOptions? options = null) => Options = options ?? new MeshModelOptions();

    /// <summary>The options.</summary>
    public MeshModelOptions Options { get; }

    /// <inheritdoc />
    public IPackageInterconnect Build(ResolvedPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return new MeshInterconnect(package.Description, Options.Routing);
    }
}
