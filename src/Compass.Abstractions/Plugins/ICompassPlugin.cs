using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Compass.Abstractions.Plugins;

/// <summary>
/// Entry point of a Compass plugin. The host creates one instance of every public, non-abstract class
/// that implements this interface in a plugin's main assembly (or only the types named by
/// <see cref="CompassPluginAttribute"/> when the assembly carries it) and calls
/// <see cref="ConfigureServices"/> once, before any work starts.
/// </summary>
public interface ICompassPlugin
{
    /// <summary>Short, stable plugin name shown by <c>compass plugins</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Registers the plugin's contributions. Use the <c>Add*</c> extension methods of
    /// <see cref="CompassServiceCollectionExtensions"/> so that every contribution is selectable by name.
    /// </summary>
    /// <param name="services">The host's service collection.</param>
    /// <param name="configuration">The plugin's own configuration section (<c>plugins:&lt;Name&gt;</c> of the scenario); may be empty.</param>
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}

/// <summary>
/// Optional assembly-level marker naming the plugin entry types, so the host does not have to scan
/// every type of the assembly (an unrelated broken type then cannot stop discovery).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class CompassPluginAttribute : Attribute
{
    /// <summary>Creates the marker.</summary>
    /// <param name="pluginType">A public class implementing <see cref="ICompassPlugin"/>.</param>
    public CompassPluginAttribute(Type pluginType) => PluginType = pluginType;

    /// <summary>The plugin entry type.</summary>
    public Type PluginType { get; }
}

/// <summary>Version of the plugin contract carried by this assembly.</summary>
public static class ContractVersion
{
    /// <summary>
    /// Major version: a plugin built against another major version is refused. A plugin built against an
    /// older or equal minor version of the same major version loads.
    /// </summary>
    public const int Major = 2;

    /// <summary>Minor version: grows when members are added compatibly.</summary>
    public const int Minor = 0;
}
