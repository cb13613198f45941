using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.Optimizers.Tests;

/// <summary>Creates optimizers the way the host does: through the plugin's registered factories and an options section.</summary>
internal static class OptimizerFactory
{
    private static readonly Lazy<ServiceProvider> Provider = new(() =>
    {
        var services = new ServiceCollection();
        new OptimizersPlugin().ConfigureServices(services, new ConfigurationBuilder().Build());
        return services.BuildServiceProvider();
    });

    public static IReadOnlyList<IComponentFactory<IOptimizer>> Factories =>
        Provider.Value.GetServices<IComponentFactory<IOptimizer>>().ToList();

    public static IOptimizer Create(string name, params (string Key, string Value)[] options)
    {
        var data = options.ToDictionary(o => "optimizer:options:" + o.Key, o => (string?)o.Value);
        var section = new ConfigurationBuilder().AddInMemoryCollection(data).Build().GetSection("optimizer:options");
        var factory = Factories.Single(f => f.Name == name);
        return factory.Create(section, Provider.Value);
    }

    public static SearchOutcome Run(string name, ISearchContext context, params (string Key, string Value)[] options) =>
        Create(name, options).Run(context, CancellationToken.None);
}
