using System.Reflection;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Chiplets.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.Chiplets.Tests;

public sealed class ChipletsPluginTests
{
    [Fact]
    public void PluginRegistersEveryTypeAndPreset()
    {
        var services = new ServiceCollection();
        var plugin = new ChipletsPlugin();
        plugin.ConfigureServices(services, new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        var types = provider.GetServices<ChipletType>().Select(t => t.Name).ToList();
        var packages = provider.GetServices<PackageDescription>().Select(p => p.Name).ToList();
        Assert.Equal(ChipletCatalog.All.Select(t => t.Name), types);
        Assert.Equal(PackagePresets.All.Select(p => p.Name), packages);
        Assert.Contains("compass-6x6-hetero", packages);
        Assert.Contains("simba", types);
        Assert.Equal("chiplets", plugin.Name);
    }

    [Fact]
    public void AssemblyNamesThePluginEntryType()
    {
        var attribute = typeof(ChipletsPlugin).Assembly.GetCustomAttribute<CompassPluginAttribute>();
        Assert.NotNull(attribute);
        Assert.Equal(typeof(ChipletsPlugin), attribute.PluginType);
    }

    [Fact]
    public void UnknownPluginOptionIsRejected()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["plugins:chiplets:extra"] = "1" }).Build();
        var e = Assert.Throws<CompassInputException>(() => new ChipletsPlugin().ConfigureServices(new ServiceCollection(), config.GetSection("plugins:chiplets")));
        Assert.Equal("plugins.chiplets.extra", e.Field);
    }
}
