using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.Abstractions.Plugins;

/// <summary>
/// Registration of named contributions. Data (chiplet types, packages, models) is registered as instances;
/// code components as <see cref="IComponentFactory{T}"/>. The host lists them with <c>compass list</c> and picks
/// them by name from the scenario. Names are compared case-insensitively; a later registration of the same
/// name replaces an earlier one and the host reports the clash.
/// </summary>
public static class CompassServiceCollectionExtensions
{
    /// <summary>Registers a chiplet type.</summary>
    public static IServiceCollection AddChipletType(this IServiceCollection services, ChipletType chipletType)
    {
        services.AddSingleton(chipletType);
        return services;
    }

    /// <summary>Registers a package preset.</summary>
    public static IServiceCollection AddPackagePreset(this IServiceCollection services, PackageDescription package)
    {
        services.AddSingleton(package);
        return services;
    }

    /// <summary>Registers a model configuration.</summary>
    public static IServiceCollection AddModel(this IServiceCollection services, ModelConfig model)
    {
        services.AddSingleton(model);
        return services;
    }

    /// <summary>Registers a factory of components of kind <typeparamref name="T"/>.</summary>
    public static IServiceCollection AddComponent<T>(this IServiceCollection services, IComponentFactory<T> factory) where T : class
    {
        services.AddSingleton(factory);
        return services;
    }

    /// <summary>Registers a component factory from a delegate.</summary>
    public static IServiceCollection AddComponent<T>(this IServiceCollection services, string name, string description, Func<IConfiguration, IServiceProvider, T> create) where T : class
        => services.AddComponent<T>(new ComponentFactory<T>(name, description, create));

    /// <summary>Registers an optimizer (kind <c>optimizers</c>).</summary>
    public static IServiceCollection AddOptimizer(this IServiceCollection services, string name, string description, Func<IConfiguration, IServiceProvider, IOptimizer> create)
        => services.AddComponent(name, description, create);

    /// <summary>Registers a compute cost model (kind <c>compute</c>).</summary>
    public static IServiceCollection AddComputeCostModel(this IServiceCollection services, string name, string description, Func<IConfiguration, IServiceProvider, IComputeCostModel> create)
        => services.AddComponent(name, description, create);

    /// <summary>Registers an interconnect (network-on-package + DRAM) model (kind <c>network</c>).</summary>
    public static IServiceCollection AddInterconnectModel(this IServiceCollection services, string name, string description, Func<IConfiguration, IServiceProvider, IInterconnectModel> create)
        => services.AddComponent(name, description, create);

    /// <summary>Registers an area / monetary cost model (kind <c>cost</c>).</summary>
    public static IServiceCollection AddPackageCostModel(this IServiceCollection services, string name, string description, Func<IConfiguration, IServiceProvider, IPackageCostModel> create)
        => services.AddComponent(name, description, create);

    /// <summary>Registers a trace generator or reader (kind <c>traces</c>).</summary>
    public static IServiceCollection AddTraceSource(this IServiceCollection services, string name, string description, Func<IConfiguration, IServiceProvider, ITraceSource> create)
        => services.AddComponent(name, description, create);

    /// <summary>Registers a serving scheduler (kind <c>schedulers</c>).</summary>
    public static IServiceCollection AddServingScheduler(this IServiceCollection services, string name, string description, Func<IConfiguration, IServiceProvider, IServingScheduler> create)
        => services.AddComponent(name, description, create);
}
