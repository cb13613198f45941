using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Search;
using Compass.Abstractions.Workload;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compass.Host.Plugins;

/// <summary>One named contribution of a plugin.</summary>
/// <param name="Kind">Kind (<c>chiplets</c>, <c>packages</c>, <c>models</c>, <c>traces</c>, <c>schedulers</c>, <c>compute</c>, <c>network</c>, <c>cost</c>, <c>optimizers</c>, or <c>services</c>).</param>
/// <param name="Name">Name the scenario selects it by.</param>
/// <param name="Description">One-line description.</param>
public sealed record PluginContribution(string Kind, string Name, string Description);

/// <summary>A private (non-shared) assembly a plugin loaded into its own context.</summary>
/// <param name="Name">Simple name.</param>
/// <param name="FileVersion">File version of the dll.</param>
/// <param name="Location">Path it was loaded from.</param>
public sealed record PrivateAssembly(string Name, string FileVersion, string Location);

/// <summary>A plugin that loaded and registered its contributions.</summary>
/// <param name="Name">Plugin name (its folder name).</param>
/// <param name="Folder">Plugin folder.</param>
/// <param name="Version">Version of the plugin assembly.</param>
/// <param name="Loader">The McMaster.NETCore.Plugins loader that owns its load context.</param>
/// <param name="Assembly">Its main assembly.</param>
/// <param name="EntryTypes">Full names of the entry types that ran.</param>
/// <param name="Contributions">What it registered, by kind and name.</param>
/// <param name="Descriptors">The service descriptors it added.</param>
public sealed record LoadedPlugin(
    string Name,
    string Folder,
    string Version,
    PluginLoader Loader,
    Assembly Assembly,
    IReadOnlyList<string> EntryTypes,
    IReadOnlyList<PluginContribution> Contributions,
    IReadOnlyList<ServiceDescriptor> Descriptors)
{
    /// <summary>The names its configuration section may have under <c>plugins</c>: its entry points' names and its folder name.</summary>
    public IReadOnlyList<string> ConfigurationNames { get; init; } = [Name];

    /// <summary>Its load context (created by <see cref="Loader"/>; one per plugin).</summary>
    public AssemblyLoadContext Context => AssemblyLoadContext.GetLoadContext(Assembly)!;

    /// <summary>Name of its load context.</summary>
    public string LoadContextName => Context.Name ?? Name;

    /// <summary>Assemblies loaded privately into its context, apart from the main one.</summary>
    public IReadOnlyList<PrivateAssembly> PrivateAssemblies()
    {
        var list = new List<PrivateAssembly>();
        foreach (var a in Context.Assemblies)
        {
            if (a == Assembly || a.IsDynamic) continue;
            var location = a.Location;
            var fileVersion = string.IsNullOrEmpty(location) ? "" : FileVersionInfo.GetVersionInfo(location).FileVersion ?? "";
            list.Add(new PrivateAssembly(a.GetName().Name ?? "?", fileVersion, location));
        }
        list.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        return list;
    }
}

/// <summary>A plugin that could not be loaded, with the reason in one line.</summary>
/// <param name="Name">Plugin (folder) name.</param>
/// <param name="Folder">Plugin folder.</param>
/// <param name="Reason">Why it did not load.</param>
public sealed record PluginLoadError(string Name, string Folder, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"plugin {Name}: {Reason}";
}

/// <summary>How plugins are loaded.</summary>
/// <param name="Collectible">Create collectible contexts so <see cref="PluginCatalog.Unload"/> can free them.</param>
public sealed record PluginLoadOptions(bool Collectible = false);

/// <summary>
/// Discovers plugins (<c>&lt;dir&gt;/&lt;Name&gt;/&lt;Name&gt;.dll</c>, folders in ordinal order, folders starting with a dot skipped) and loads each with its own
/// McMaster.NETCore.Plugins <see cref="PluginLoader"/>: the contract (<c>Compass.Abstractions</c> and the transitive
/// closure of its references) is shared with the host so types unify, every other dependency resolves privately
/// through the plugin's <c>.deps.json</c> (two versions of one library side by side), native libraries are probed in
/// the plugin folder, and collectible loaders unload on <see cref="Unload"/>. Before any plugin type loads, the
/// contract version the plugin was built against is checked (<see cref="ContractVersionGuard"/>); then its entry
/// points run against the plugin's configuration section (<c>plugins:&lt;Name&gt;</c>) and what it registered is
/// recorded. Every failure becomes a <see cref="PluginLoadError"/> naming the plugin; the other plugins still load.
/// </summary>
public sealed class PluginCatalog
{
    /// <summary>
    /// Types whose assemblies every plugin shares with the host. The loader shares the transitive closure of their
    /// references too, so <c>IServiceCollection</c> and <c>IConfiguration</c> on the contract are the host's types.
    /// </summary>
    public static IReadOnlyList<Type> SharedTypes { get; } = [typeof(ICompassPlugin), typeof(IServiceCollection), typeof(IConfiguration), typeof(ILogger)];

    private readonly List<LoadedPlugin> _plugins = [];
    private readonly List<PluginLoadError> _errors = [];

    private PluginCatalog()
    {
    }

    /// <summary>The default plugins directory: <c>plugins/</c> beside the host executable.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>Plugins that loaded, in discovery order.</summary>
    public IReadOnlyList<LoadedPlugin> Plugins => _plugins;

    /// <summary>Plugins that failed, in discovery order.</summary>
    public IReadOnlyList<PluginLoadError> Errors => _errors;

    /// <summary>Loads every plugin of <paramref name="directories"/> into <paramref name="services"/>.</summary>
    /// <param name="directories">Plugin directories, searched in this order (a missing directory is skipped).</param>
    /// <param name="services">Collection that receives the registrations of plugins that loaded completely.</param>
    /// <param name="pluginsConfiguration">The scenario's <c>plugins</c> section.</param>
    /// <param name="options">Load options.</param>
    /// <param name="logger">Logger for debug details.</param>
    public static PluginCatalog Load(IEnumerable<string> directories, IServiceCollection services, IConfiguration pluginsConfiguration, PluginLoadOptions? options = null, ILogger? logger = null)
    {
        options ??= new PluginLoadOptions();
        logger ??= NullLogger.Instance;
        var catalog = new PluginCatalog();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var relative in directories)
        {
            var dir = Path.GetFullPath(relative);
            if (!Directory.Exists(dir)) continue;
            var folders = Directory.GetDirectories(dir);
            Array.Sort(folders, StringComparer.Ordinal);
            foreach (var folder in folders)
            {
                var name = Path.GetFileName(folder);
                if (name.StartsWith('.')) continue;   // .staging/ of `compass plugins install` and other hidden folders
                if (!seen.Add(name))
                {
                    catalog._errors.Add(new PluginLoadError(name, folder, "a plugin with this name was already loaded from another directory; skipped"));
                    continue;
                }
                catalog.LoadOne(name, folder, services, pluginsConfiguration, options, logger);
            }
        }
        return catalog;
    }

    /// <summary>Unloads every collectible plugin context. Dispose the service provider built from the registrations first.</summary>
    public void Unload()
    {
        foreach (var p in _plugins)
            if (p.Loader.IsUnloadable) p.Loader.Dispose();
        _plugins.Clear();
    }

    /// <summary>
    /// The clause to add to an "unknown name" error when plugins failed to load: a name the scenario asks for may
    /// have been theirs, so their failure is named as the likely cause (empty when every plugin loaded).
    /// </summary>
    public string FailedPluginsClause()
    {
        if (_errors.Count == 0) return string.Empty;
        var list = string.Join("; ", _errors.Select(e => e.ToString()));
        return _errors.Count == 1
            ? $"; it may be provided by a plugin that failed to load: {list}"
            : $"; it may be provided by one of the plugins that failed to load: {list}";
    }

    private void LoadOne(string name, string folder, IServiceCollection services, IConfiguration pluginsConfiguration, PluginLoadOptions options, ILogger logger)
    {
        var dll = Path.Combine(folder, name + ".dll");
        if (!File.Exists(dll))
        {
            _errors.Add(new PluginLoadError(name, folder, $"no {name}.dll in {folder}"));
            return;
        }
        PluginLoader? loader = null;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(dll, isUnloadable: options.Collectible, sharedTypes: [.. SharedTypes], configure: config =>
            {
                // Shared assemblies come from the host even when the plugin folder carries a copy; everything else is
                // the plugin's own (so its Newtonsoft.Json may differ from the host's).
                config.PreferSharedTypes = false;
                config.IsLazyLoaded = false;
            });
            var assembly = loader.LoadDefaultAssembly();
            var refusal = ContractVersionGuard.Check(assembly.GetReferencedAssemblies(), ContractVersionGuard.HostVersion);
            if (refusal is not null)
            {
                Fail(name, folder, refusal, loader);
                return;
            }
            var entryTypes = FindEntryTypes(assembly);
            if (entryTypes.Count == 0)
            {
                Fail(name, folder, $"{name}.dll has no public class implementing {nameof(ICompassPlugin)}", loader);
                return;
            }
            var local = new ServiceCollection();
            var ran = new List<string>();
            var sectionNames = new List<string> { name };
            foreach (var type in entryTypes)
            {
                var entry = (ICompassPlugin)Activator.CreateInstance(type)!;
                var section = pluginsConfiguration.GetSection(entry.Name);
                if (!section.Exists()) section = pluginsConfiguration.GetSection(name);
                entry.ConfigureServices(local, section);
                if (!sectionNames.Contains(entry.Name, StringComparer.OrdinalIgnoreCase)) sectionNames.Add(entry.Name);
                ran.Add(type.FullName ?? type.Name);
            }
            foreach (var d in local) services.Add(d);
            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            if (plus > 0) version = version[..plus];
            var plugin = new LoadedPlugin(name, folder, version, loader, assembly, ran, Describe(local), [.. local]) { ConfigurationNames = sectionNames };
            _plugins.Add(plugin);
            if (logger.IsEnabled(LogLevel.Debug))
                logger.LogDebug("Loaded plugin {Plugin} from {Folder} into context {Context}", name, folder, plugin.LoadContextName);
        }
        catch (CompassInputException e)
        {
            Fail(name, folder, $"rejected its configuration: {e.Message}", loader);
        }
        catch (ReflectionTypeLoadException e)
        {
            var reasons = e.LoaderExceptions.Where(x => x is not null).Select(x => x!.Message).Distinct().Take(3);
            Fail(name, folder, "types could not be loaded: " + OneLine(string.Join("; ", reasons)), loader);
        }
        catch (BadImageFormatException e)
        {
            Fail(name, folder, $"{name}.dll is not a valid .NET assembly ({OneLine(e.Message)})", loader);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Fail(name, folder, $"entry point threw {e.InnerException.GetType().Name}: {OneLine(e.InnerException.Message)}", loader);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var inner = e is TypeInitializationException { InnerException: { } ie } ? ie : e;
            Fail(name, folder, $"entry point threw {inner.GetType().Name}: {OneLine(inner.Message)}", loader);
        }
    }

    private void Fail(string name, string folder, string reason, PluginLoader? loader)
    {
        _errors.Add(new PluginLoadError(name, folder, reason));
        if (loader is { IsUnloadable: true }) loader.Dispose();
    }

    private static List<Type> FindEntryTypes(Assembly assembly)
    {
        var marked = assembly.GetCustomAttributes<CompassPluginAttribute>().Select(a => a.PluginType).ToList();
        var candidates = marked.Count > 0 ? marked : [.. assembly.GetTypes()];
        var list = new List<Type>();
        foreach (var t in candidates)
        {
            if (t is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(ICompassPlugin).IsAssignableFrom(t) && !list.Contains(t))
                list.Add(t);
            else if (marked.Count > 0)
                throw new InvalidOperationException($"[assembly: CompassPlugin({t.FullName})] does not name a public class implementing {nameof(ICompassPlugin)}");
        }
        list.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return list;
    }

    /// <summary>Maps registrations to (kind, name) contributions.</summary>
    public static IReadOnlyList<PluginContribution> Describe(IEnumerable<ServiceDescriptor> descriptors)
    {
        var list = new List<PluginContribution>();
        foreach (var d in descriptors)
        {
            var instance = d.IsKeyedService ? d.KeyedImplementationInstance : d.ImplementationInstance;
            switch (instance)
            {
                case ChipletType c: list.Add(new("chiplets", c.Name, c.Description)); break;
                case PackageDescription p: list.Add(new("packages", p.Name, p.Description)); break;
                case ModelConfig m: list.Add(new("models", m.Name, m.DisplayName)); break;
                default:
                    var kind = ComponentKinds.KindOf(d.ServiceType);
                    if (kind is not null && instance is IComponentFactory<object> factory)
                    {
                        list.Add(new(kind, factory.Name, factory.Description));
                    }
                    else
                    {
                        list.Add(new("services", d.ServiceType.Name, d.ImplementationType?.Name ?? string.Empty));
                    }
                    break;
            }
        }
        return list;
    }

    internal static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}

/// <summary>The component kinds the host knows, and their contracts.</summary>
public static class ComponentKinds
{
    /// <summary>Every kind in display order with its contract (null for data kinds).</summary>
    public static IReadOnlyList<(string Kind, Type? Contract)> All { get; } =
    [
        ("chiplets", null), ("packages", null), ("models", null),
        ("traces", typeof(ITraceSource)), ("schedulers", typeof(IServingScheduler)),
        ("compute", typeof(IComputeCostModel)), ("network", typeof(IInterconnectModel)),
        ("cost", typeof(IPackageCostModel)), ("optimizers", typeof(IOptimizer)),
    ];

    /// <summary>Kind name of a service type <c>IComponentFactory&lt;T&gt;</c>, or null.</summary>
    public static string? KindOf(Type serviceType)
    {
        if (!serviceType.IsGenericType || serviceType.GetGenericTypeDefinition() != typeof(IComponentFactory<>)) return null;
        var t = serviceType.GetGenericArguments()[0];
        foreach (var (kind, contract) in All)
            if (contract == t) return kind;
        return null;
    }

    /// <summary>Kind name of a component contract type.</summary>
    public static string KindOfContract(Type contract)
    {
        foreach (var (kind, c) in All)
            if (c == contract) return kind;
        return contract.Name;
    }
}
