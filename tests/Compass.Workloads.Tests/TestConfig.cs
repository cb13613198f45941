using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.Workloads.Tests;

/// <summary>Builds option sections and resolves the plugin's registrations the way the host does.</summary>
internal static class TestConfig
{
    public static IConfigurationSection Section(string path, params (string Key, string Value)[] values)
    {
        var dict = values.ToDictionary(v => path + ":" + v.Key, v => (string?)v.Value);
        return new ConfigurationBuilder().AddInMemoryCollection(dict).Build().GetSection(path);
    }

    public static IServiceCollection Registrations()
    {
        var services = new ServiceCollection();
        new WorkloadsPlugin().ConfigureServices(services, new ConfigurationBuilder().Build());
        return services;
    }

    public static IComponentFactory<T> Factory<T>(string name) where T : class
        => Registrations().Select(d => d.ImplementationInstance).OfType<IComponentFactory<T>>().Single(f => f.Name == name);

    public static ITraceSource Trace(string name, params (string Key, string Value)[] options)
        => Factory<ITraceSource>(name).Create(Section("workload:trace:options", options), EmptyServices);

    public static IServingScheduler Scheduler(string name, params (string Key, string Value)[] options)
        => Factory<IServingScheduler>(name).Create(Section("workload:scheduler:options", options), EmptyServices);

    public static IServiceProvider EmptyServices { get; } = new ServiceCollection().BuildServiceProvider();
}
