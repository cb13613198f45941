using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Host.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;

namespace Compass.Host.Tests;

public sealed class PluginLoaderTests
{
    private static readonly IConfiguration Empty = new ConfigurationBuilder().Build();

    private static PluginCatalog Load(string dir, IServiceCollection? services = null, bool collectible = false) =>
        PluginCatalog.Load([dir], services ?? new ServiceCollection(), Empty, new PluginLoadOptions(collectible));

    [Fact]
    public void PluginEntryTypeIsTypeIdenticalToHostContractAndLivesInItsOwnContext()
    {
        var catalog = Load(TestPaths.PluginSet(false, "Sample"));
        var sample = Assert.Single(catalog.Plugins);
        var entry = sample.Assembly.GetType(Assert.Single(sample.EntryTypes))!;

        Assert.True(typeof(ICompassPlugin).IsAssignableFrom(entry));
        var contract = entry.GetInterfaces().Single(i => i.Name == nameof(ICompassPlugin));
        Assert.Same(typeof(ICompassPlugin), contract);
        Assert.Same(typeof(ICompassPlugin).Assembly, contract.Assembly);

        var context = AssemblyLoadContext.GetLoadContext(sample.Assembly);
        Assert.Same(sample.Context, context);
        Assert.Equal("Sample", context!.Name);
        Assert.NotSame(AssemblyLoadContext.GetLoadContext(typeof(ICompassPlugin).Assembly), context);
        // The contract and the abstractions it references are the host's: none was loaded into the plugin's context.
        Assert.DoesNotContain(context.Assemblies, a => ContractClosure().Contains(a.GetName().Name!));
    }

    [Fact]
    public void PluginContributionsImplementTheHostInterfaces()
    {
        var services = new ServiceCollection();
        Load(TestPaths.PluginSet(false, "Sample"), services);
        using var provider = services.BuildServiceProvider();
        var optimizer = Assert.Single(provider.GetServices<IComponentFactory<IOptimizer>>());
        Assert.Equal("fx-random", optimizer.Name);
        Assert.IsAssignableFrom<IOptimizer>(optimizer.Create(Empty, provider));
        Assert.Equal("fx-chiplet", Assert.Single(provider.GetServices<ChipletType>()).Name);
    }

    [Fact]
    public void PluginWithOlderNewtonsoftLoadsItsOwnCopyBesideTheHosts()
    {
        var services = new ServiceCollection();
        var catalog = Load(TestPaths.PluginSet(false, "Sample"), services);
        var sample = Assert.Single(catalog.Plugins);

        var privateNewtonsoft = Assert.Single(sample.PrivateAssemblies(), a => a.Name == "Newtonsoft.Json");
        Assert.StartsWith("13.0.1", privateNewtonsoft.FileVersion, StringComparison.Ordinal);
        Assert.StartsWith(sample.Folder, privateNewtonsoft.Location, StringComparison.Ordinal);

        var hostNewtonsoft = typeof(JsonConvert).Assembly;
        Assert.StartsWith("13.0.3", FileVersionInfo.GetVersionInfo(hostNewtonsoft.Location).FileVersion, StringComparison.Ordinal);
        Assert.NotEqual(hostNewtonsoft.Location, privateNewtonsoft.Location);

        // The plugin actually ran code on its copy: its model was parsed by Newtonsoft.Json 13.0.1.
        using var provider = services.BuildServiceProvider();
        var model = Assert.Single(provider.GetServices<Compass.Abstractions.Workload.ModelConfig>());
        Assert.Contains("Newtonsoft.Json 13.0.1", model.DisplayName, StringComparison.Ordinal);
        Assert.Equal(256, model.Hidden);
    }

    [Fact]
    public void ThrowingEntryPointAndCorruptDllAreReportedByNameWhileOthersLoad()
    {
        var catalog = Load(TestPaths.PluginSet(true, "Faulty", "Sample"));
        Assert.Equal(["Sample"], catalog.Plugins.Select(p => p.Name));
        var faulty = Assert.Single(catalog.Errors, e => e.Name == "Faulty");
        Assert.Contains("InvalidOperationException", faulty.Reason, StringComparison.Ordinal);
        Assert.Contains("refuses to register", faulty.Reason, StringComparison.Ordinal);
        var broken = Assert.Single(catalog.Errors, e => e.Name == "Broken");
        Assert.Contains("not a valid .NET assembly", broken.Reason, StringComparison.Ordinal);
        Assert.All(catalog.Errors, e => Assert.DoesNotContain('\n', e.Reason));
    }

    [Fact]
    public void FolderWithoutItsDllIsReported()
    {
        var dir = TestPaths.PluginSet(false, "Sample");
        Directory.CreateDirectory(Path.Combine(dir, "Empty"));
        var catalog = Load(dir);
        var error = Assert.Single(catalog.Errors);
        Assert.Equal("Empty", error.Name);
        Assert.Contains("no Empty.dll", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PluginBuiltAgainstAnotherMajorContractIsRefusedWithAClearReason()
    {
        var catalog = Load(TestPaths.PluginSet(false, "ContractNext", "Sample"));
        var error = Assert.Single(catalog.Errors);
        Assert.Equal("ContractNext", error.Name);
        Assert.Contains("Compass.Abstractions 3.0", error.Reason, StringComparison.Ordinal);
        Assert.Contains("major version", error.Reason, StringComparison.Ordinal);
        Assert.Equal(["Sample"], catalog.Plugins.Select(p => p.Name));
    }

    [Theory]
    [InlineData("1.0.0.0", "1.0.0.0", true)]
    [InlineData("1.0.0.0", "1.3.0.0", true)]
    [InlineData("1.2.0.0", "1.3.0.0", true)]
    [InlineData("1.4.0.0", "1.3.0.0", false)]
    [InlineData("2.0.0.0", "1.0.0.0", false)]
    [InlineData("1.2.0.0", "2.0.0.0", false)]
    [InlineData("2.0.0.0", "2.0.0.0", true)]
    [InlineData("0.9.0.0", "1.0.0.0", false)]
    public void ContractGuardAcceptsOlderOrEqualMinorOfTheSameMajorOnly(string pluginBuiltAgainst, string host, bool accepted)
    {
        var references = new[] { new AssemblyName("System.Runtime, Version=10.0.0.0"), new AssemblyName($"Compass.Abstractions, Version={pluginBuiltAgainst}") };
        var reason = ContractVersionGuard.Check(references, Version.Parse(host));
        Assert.Equal(accepted, reason is null);
        if (!accepted) Assert.Contains(pluginBuiltAgainst[..3], reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HostContractVersionIsTheContractConstantsAndTheAssemblyVersion()
    {
        Assert.Equal(new Version(ContractVersion.Major, ContractVersion.Minor), ContractVersionGuard.HostVersion);
        var assemblyVersion = typeof(ICompassPlugin).Assembly.GetName().Version!;
        Assert.Equal((ContractVersion.Major, ContractVersion.Minor), (assemblyVersion.Major, assemblyVersion.Minor));
    }

    [Fact]
    public void ContractGuardRefusesAnAssemblyWithoutTheContract()
    {
        var reason = ContractVersionGuard.Check([new AssemblyName("System.Runtime, Version=10.0.0.0")], new Version(1, 0));
        Assert.Contains("does not reference Compass.Abstractions", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedTypesCoverTheContractClosure()
    {
        var closure = ContractClosure();
        foreach (var name in new[] { "Compass.Abstractions", "Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Configuration.Abstractions", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Primitives" })
            Assert.Contains(name, closure);
        Assert.DoesNotContain("Newtonsoft.Json", closure);
        Assert.DoesNotContain("Compass.Engine", closure);
        var sharedAssemblies = PluginCatalog.SharedTypes.Select(t => t.Assembly.GetName().Name!).ToList();
        Assert.Contains("Compass.Abstractions", sharedAssemblies);
        Assert.All(sharedAssemblies, a => Assert.Contains(a, closure));
    }

    [Fact]
    public void BuiltPluginFoldersHoldNoSharedAssemblies()
    {
        var shared = ContractClosure();
        var folders = Directory.GetDirectories(TestPaths.PluginsDir).Append(Path.Combine(TestPaths.TestPluginsDir, "Sample")).ToList();
        Assert.True(folders.Count >= 5);
        foreach (var folder in folders)
        {
            foreach (var dll in Directory.GetFiles(folder, "*.dll"))
                Assert.False(shared.Contains(Path.GetFileNameWithoutExtension(dll)), $"{dll} is a shared assembly and must come from the host");
        }
    }

    [Fact]
    public void NoSourceFileSubclassesAssemblyLoadContext()
    {
        foreach (var root in new[] { "src", "plugins" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, root), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
                Assert.DoesNotMatch(@":\s*(System\.Runtime\.Loader\.)?AssemblyLoadContext\b", File.ReadAllText(file));
            }
        }
    }

    [Fact]
    public void UnknownNameAfterAFailedPluginNamesThatFailureAsTheCause()
    {
        var dir = TestPaths.PluginSet(true, "Faulty", "Sample");
        using var runtime = Compass.Host.Composition.CompassRuntime.Create([dir], Empty);
        var e = Assert.Throws<CompassInputException>(() => runtime.Find<IOptimizer>("faulty-search", "optimizer.name"));
        Assert.Equal("optimizer.name", e.Field);
        Assert.Contains("unknown optimizers component 'faulty-search'", e.Message, StringComparison.Ordinal);
        Assert.Contains("plugin Faulty: entry point threw InvalidOperationException", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>Compass.Abstractions and the non-framework assemblies it references, transitively (what must be shared).</summary>
    private static HashSet<string> ContractClosure()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<Assembly>([typeof(ICompassPlugin).Assembly]);
        while (queue.Count > 0)
        {
            var assembly = queue.Dequeue();
            if (!names.Add(assembly.GetName().Name!)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                var n = reference.Name!;
                if (n.StartsWith("System", StringComparison.Ordinal) || n is "mscorlib" or "netstandard" || names.Contains(n)) continue;
                queue.Enqueue(Assembly.Load(reference));
            }
        }
        return names;
    }

    [Fact]
    public void PluginsLoadInOrdinalFolderOrder()
    {
        var catalog = Load(TestPaths.PluginSet(false, "Sample", "Hang", "Faulty"));
        Assert.Equal(["Hang", "Sample"], catalog.Plugins.Select(p => p.Name));
    }

    [Fact]
    public void ContributionsAreRecordedByKindAndName()
    {
        var sample = Assert.Single(Load(TestPaths.PluginSet(false, "Sample")).Plugins);
        var byKind = sample.Contributions.ToLookup(c => c.Kind, c => c.Name);
        Assert.Equal(["fx-chiplet"], byKind["chiplets"]);
        Assert.Equal(["fx-2x2"], byKind["packages"]);
        Assert.Equal(["fx-tiny"], byKind["models"]);
        Assert.Equal(["fx-fixed"], byKind["traces"]);
        Assert.Equal(["fx-decode"], byKind["schedulers"]);
        Assert.Equal(["fx-roofline"], byKind["compute"]);
        Assert.Equal(["fx-mesh"], byKind["network"]);
        Assert.Equal(["fx-random"], byKind["optimizers"]);
        Assert.Equal("Sample", sample.LoadContextName);
    }

    private sealed class ProviderHolder
    {
        public ServiceProvider? Provider { get; set; }

        public PluginCatalog? Catalog { get; set; }
    }

    [Fact]
    public void CollectibleContextUnloadsOnlyAfterTheProviderIsDisposed()
    {
        var holder = new ProviderHolder();
        var weak = LoadAndUse(TestPaths.PluginSet(false, "Sample"), holder);
        for (var i = 0; i < 3; i++) Collect();
        Assert.True(weak.IsAlive, "the provider still holds plugin singletons, so the context must stay alive");
        DisposeAndUnload(holder);
        for (var i = 0; i < 20 && weak.IsAlive; i++) Collect();
        Assert.False(weak.IsAlive, "the context should be collected after the provider is disposed and the context unloaded");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadAndUse(string dir, ProviderHolder holder)
    {
        var services = new ServiceCollection();
        var catalog = Load(dir, services, collectible: true);
        var plugin = Assert.Single(catalog.Plugins);
        var provider = services.BuildServiceProvider();
        var factory = Assert.Single(provider.GetServices<IComponentFactory<IOptimizer>>());
        Assert.NotNull(factory.Create(Empty, provider));
        Assert.Single(provider.GetServices<ChipletType>());
        holder.Provider = provider;
        holder.Catalog = catalog;
        // Watch the plugin's assembly: it lives as long as anything from its collectible context is referenced.
        return new WeakReference(plugin.Assembly);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DisposeAndUnload(ProviderHolder holder)
    {
        holder.Provider!.Dispose();
        holder.Provider = null;
        holder.Catalog!.Unload();
        holder.Catalog = null;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
