using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;
using Compass.Host.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compass.Host.Composition;

/// <summary>
/// The composed host: loaded plugins, the service provider holding their registrations plus logging, and named
/// lookup of contributions by kind. Dispose it before unloading collectible plugin contexts.
/// </summary>
public sealed class CompassRuntime : IDisposable
{
    private readonly Dictionary<object, string> _owner = new(ReferenceEqualityComparer.Instance);

    private CompassRuntime(PluginCatalog catalog, ServiceProvider services)
    {
        Catalog = catalog;
        Services = services;
        foreach (var p in catalog.Plugins)
        {
            foreach (var d in p.Descriptors)
            {
                var instance = d.IsKeyedService ? d.KeyedImplementationInstance : d.ImplementationInstance;
                if (instance is not null) _owner[instance] = p.Name;
            }
        }
    }

    /// <summary>The plugins.</summary>
    public PluginCatalog Catalog { get; }

    /// <summary>The service provider.</summary>
    public ServiceProvider Services { get; }

    /// <summary>Loads the plugins of <paramref name="pluginDirectories"/> and composes the services.</summary>
    /// <param name="pluginDirectories">Directories in search order.</param>
    /// <param name="pluginsConfiguration">The scenario's <c>plugins</c> section.</param>
    /// <param name="minimumLogLevel">Console log level (logs go to stderr).</param>
    /// <param name="options">Load options.</param>
    public static CompassRuntime Create(IEnumerable<string> pluginDirectories, IConfiguration pluginsConfiguration, LogLevel minimumLogLevel = LogLevel.Warning, PluginLoadOptions? options = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(minimumLogLevel);
            b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = null; });
            b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        var catalog = PluginCatalog.Load(pluginDirectories, services, pluginsConfiguration, options);
        return new CompassRuntime(catalog, services.BuildServiceProvider());
    }

    /// <summary>The plugin that registered <paramref name="contribution"/>, or <c>host</c>.</summary>
    public string OwnerOf(object contribution) => _owner.TryGetValue(contribution, out var p) ? p : "host";

    /// <summary>Every registered chiplet type.</summary>
    public IReadOnlyList<ChipletType> ChipletTypes => [.. Services.GetServices<ChipletType>()];

    /// <summary>Every registered package preset.</summary>
    public IReadOnlyList<PackageDescription> Packages => [.. Services.GetServices<PackageDescription>()];

    /// <summary>Every registered model.</summary>
    public IReadOnlyList<ModelConfig> Models => [.. Services.GetServices<ModelConfig>()];

    /// <summary>Every registered factory of kind <typeparamref name="T"/>.</summary>
    public IReadOnlyList<IComponentFactory<T>> Factories<T>() where T : class => [.. Services.GetServices<IComponentFactory<T>>()];

    /// <summary>The factory registered under <paramref name="name"/> (case-insensitive; the last registration wins).</summary>
    /// <exception cref="CompassInputException">Unknown name; the message lists the known ones.</exception>
    public (IComponentFactory<T> Factory, string Plugin) Find<T>(string name, string fieldPath) where T : class
    {
        var all = Factories<T>();
        for (var i = all.Count - 1; i >= 0; i--)
            if (string.Equals(all[i].Name, name, StringComparison.OrdinalIgnoreCase)) return (all[i], OwnerOf(all[i]));
        var kind = ComponentKinds.KindOfContract(typeof(T));
        throw new CompassInputException(fieldPath, $"unknown {kind} component '{name}' (known: {HardwareResolver.KnownList(all.Select(f => f.Name))}){Catalog.FailedPluginsClause()}");
    }

    /// <summary>
    /// Runs <paramref name="resolve"/> (a lookup of a name the scenario gives: package, chiplet type, model); when it
    /// fails on an unknown name and plugins failed to load, the error names their failure as the likely cause.
    /// </summary>
    public T ResolveNamed<T>(Func<T> resolve)
    {
        try
        {
            return resolve();
        }
        catch (CompassInputException e) when (e.Reason.StartsWith("unknown ", StringComparison.Ordinal) && Catalog.Errors.Count > 0)
        {
            throw new CompassInputException(e.Field, e.Reason + Catalog.FailedPluginsClause(), e);
        }
    }

    /// <summary>
    /// Creates the component chosen by <paramref name="choice"/>. Option errors (<see cref="CompassInputException"/>)
    /// pass through; anything else the plugin throws becomes a <see cref="PluginFaultException"/> naming it.
    /// </summary>
    public (T Component, string Plugin) Create<T>(ComponentChoice choice) where T : class
    {
        var (factory, plugin) = Find<T>(choice.Name, choice.Path.StartsWith("--", StringComparison.Ordinal) ? choice.Path : choice.Path + ".name");
        try
        {
            return (factory.Create(choice.Options, Services), plugin);
        }
        catch (Exception e) when (e is not CompassInputException)
        {
            var fault = new PluginFault(plugin, ComponentKinds.KindOfContract(typeof(T)), factory.Name, PluginFaultKind.Faulted, $"failed to start: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            throw new PluginFaultException(fault, e);
        }
    }

    /// <summary>Runs <paramref name="call"/> (a call into plugin code); non-input exceptions become a <see cref="PluginFaultException"/>.</summary>
    public static TResult Guard<TResult>(string plugin, string kind, string component, Func<TResult> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is not CompassInputException and not OperationCanceledException and not PluginFaultException)
        {
            throw new PluginFaultException(new PluginFault(plugin, kind, component, PluginFaultKind.Faulted, $"threw {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"), e);
        }
    }

    /// <summary>
    /// Names registered more than once within a kind, one line each: the last registration (in plugin load order)
    /// wins, as <see cref="Find{T}"/> and the catalogs resolve it.
    /// </summary>
    public IReadOnlyList<string> Clashes()
    {
        var lines = new List<string>();
        var all = Catalog.Plugins.SelectMany(p => p.Contributions.Where(c => c.Kind != "services").Select(c => (Plugin: p.Name, c.Kind, c.Name)));
        foreach (var group in all.GroupBy(x => (x.Kind, Name: x.Name.ToUpperInvariant())))
        {
            var list = group.ToList();
            if (list.Count < 2) continue;
            lines.Add($"{group.Key.Kind} '{list[^1].Name}' is registered by {string.Join(", ", list.Select(x => x.Plugin))}; the last one ({list[^1].Plugin}) is used");
        }
        return lines;
    }

    /// <summary>Disposes the service provider (plugin singletons included).</summary>
    public void Dispose() => Services.Dispose();
}
