using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;

namespace Compass.CostModels.Interconnect;

/// <summary>Options of the <c>mesh</c> interconnect model.</summary>
/// <param name="Routing">Unicast and DRAM-flow routing (<c>xy</c> default, <c>yx</c>, <c>adaptive</c>).</param>
/// <param name="Dram">DRAM channel policy (<c>interleaved</c> default, <c>nearest</c>).</param>
public sealed record MeshModelOptions(MeshRouting Routing = MeshRouting.Xy, DramPolicy Dram = DramPolicy.Interleaved)
{
    /// <summary>Reads and validates the options section (keys: routing, dram).</summary>
    public static MeshModelOptions Read(IConfiguration section)
    {
        section.RejectUnknownKeys("routing", "dram");
        var routing = section.GetChoice("routing", "xy", "xy", "yx", "adaptive") switch
        {
            "yx" => MeshRouting.Yx,
            "adaptive" => MeshRouting.Adaptive,
            _ => MeshRouting.Xy,
        };
        var dram = section.GetChoice("dram", "interleaved", "interleaved", "nearest") == "nearest" ? DramPolicy.Nearest : DramPolicy.Interleaved;
        return new MeshModelOptions(routing, dram);
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
        return new MeshInterconnect(package.Description, Options.Routing, Options.Dram);
    }
}
