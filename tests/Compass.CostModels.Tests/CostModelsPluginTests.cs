using Compass.Abstractions.Costs;
using Compass.Abstractions.Plugins;
using Compass.CostModels.Compute;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.CostModels.Tests;

public class CostModelsPluginTests
{
    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        new CostModelsPlugin().ConfigureServices(services, new ConfigurationBuilder().Build());
        return services.BuildServiceProvider();
    }

    private static IConfiguration Options(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("costModels:compute:options:" + v.Key, v.Value))).Build()
            .GetSection("costModels:compute:options");

    [Fact]
    public void RegistersEveryModelByName()
    {
        using var sp = Services();
        Assert.Equal(["dataflow", "roofline"], sp.GetServices<IComponentFactory<IComputeCostModel>>().Select(f => f.Name).Order());
        Assert.Equal(["mesh", "mesh-xy"], sp.GetServices<IComponentFactory<IInterconnectModel>>().Select(f => f.Name).Order());
        Assert.Equal(["chiplet-actuary", "compass-simple"], sp.GetServices<IComponentFactory<IPackageCostModel>>().Select(f => f.Name).Order());
        Assert.All(sp.GetServices<IComponentFactory<IComputeCostModel>>(), f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
        Assert.Equal("cost-models", new CostModelsPlugin().Name);
    }

    [Fact]
    public void DataflowOptionsAreReadAndValidated()
    {
        using var sp = Services();
        var factory = sp.GetServices<IComponentFactory<IComputeCostModel>>().Single(f => f.Name == "dataflow");
        var model = Assert.IsType<DataflowComputeModel>(factory.Create(Options(("search", "exhaustive")), sp));
        Assert.Equal(TilingSearchMode.Exhaustive, model.Options.Search);
        var bad = Assert.Throws<CompassInputException>(() => factory.Create(Options(("search", "greedy")), sp));
        Assert.Equal("costModels.compute.options.search", bad.Field);
        var typo = Assert.Throws<CompassInputException>(() => factory.Create(Options(("serach", "fast")), sp));
        Assert.Equal("costModels.compute.options.serach", typo.Field);
    }

    [Fact]
    public void OtherFactoriesRejectBadOptions()
    {
        using var sp = Services();
        var roofline = sp.GetServices<IComponentFactory<IComputeCostModel>>().Single(f => f.Name == "roofline");
        Assert.Throws<CompassInputException>(() => roofline.Create(Options(("computeEfficiency", "1.5")), sp));
        var mesh = sp.GetServices<IComponentFactory<IInterconnectModel>>().First(f => f.Name == "mesh");
        Assert.Equal("costModels.compute.options.routing", Assert.Throws<CompassInputException>(() => mesh.Create(Options(("routing", "zigzag")), sp)).Field);
        var actuary = sp.GetServices<IComponentFactory<IPackageCostModel>>().Single(f => f.Name == "chiplet-actuary");
        Assert.Throws<CompassInputException>(() => actuary.Create(Options(("packaging", "wire-bond")), sp));
        var simple = sp.GetServices<IComponentFactory<IPackageCostModel>>().Single(f => f.Name == "compass-simple");
        Assert.Throws<CompassInputException>(() => simple.Create(Options(("anything", "1")), sp));
    }
}
