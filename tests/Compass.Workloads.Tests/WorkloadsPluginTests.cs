using System.Reflection;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Workloads.Tests;

public sealed class WorkloadsPluginTests
{
    [Fact]
    public void PluginRegistersTheCatalogGeneratorsReadersAndSchedulers()
    {
        var services = TestConfig.Registrations();
        var instances = services.Select(d => d.ImplementationInstance).ToArray();
        Assert.Equal(21, instances.OfType<ModelConfig>().Count());
        Assert.Equal(["azure-csv", "burst", "gamma", "jsonl", "poisson", "vidur-csv"], instances.OfType<IComponentFactory<ITraceSource>>().Select(f => f.Name).Order());
        Assert.Equal(["fixed", "orca", "sarathi", "vllm"], instances.OfType<IComponentFactory<IServingScheduler>>().Select(f => f.Name).Order());
    }

    [Fact]
    public void DescriptionsAreOneInformativeLine()
    {
        var factories = TestConfig.Registrations().Select(d => d.ImplementationInstance).ToArray();
        var descriptions = factories.OfType<IComponentFactory<ITraceSource>>().Select(f => f.Description)
            .Concat(factories.OfType<IComponentFactory<IServingScheduler>>().Select(f => f.Description));
        foreach (var d in descriptions)
        {
            Assert.DoesNotContain('\n', d);
            Assert.InRange(d.Length, 40, 400);
        }
    }

    [Fact]
    public void AssemblyNamesThePluginEntryType()
    {
        var marker = typeof(WorkloadsPlugin).Assembly.GetCustomAttribute<CompassPluginAttribute>();
        Assert.Equal(typeof(WorkloadsPlugin), marker?.PluginType);
        Assert.Equal("workloads", new WorkloadsPlugin().Name);
    }
}
