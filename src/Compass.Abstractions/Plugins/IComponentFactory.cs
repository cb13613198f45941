using Microsoft.Extensions.Configuration;

namespace Compass.Abstractions.Plugins;

/// <summary>
/// A named provider of one kind of component (optimizer, cost model, trace source, serving scheduler, ...).
/// A scenario selects it by <see cref="Name"/> (<c>"optimizer": { "name": "ga", "options": { ... } }</c>) and the
/// host calls <see cref="Create"/> with that provider's own options section, before any work starts.
/// </summary>
/// <typeparam name="T">The component contract, for example <c>IOptimizer</c>.</typeparam>
public interface IComponentFactory<out T> where T : class
{
    /// <summary>Name the scenario uses (lower case, dashes; unique per kind).</summary>
    string Name { get; }

    /// <summary>One-line description shown by <c>compass list</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Creates a configured component. Validate every option here and throw <see cref="CompassInputException"/>
    /// naming the option's path (<see cref="IConfigurationSection.Path"/>) on a bad value, so a wrong scenario fails
    /// in the first second. Must not start long-running work.
    /// </summary>
    /// <param name="options">The component's options section (may be empty, never null).</param>
    /// <param name="services">The host's services, for resolving catalogs or a logger.</param>
    T Create(IConfiguration options, IServiceProvider services);
}

/// <summary>A component factory built from delegates; what the <c>Add*</c> registration helpers create.</summary>
/// <typeparam name="T">The component contract.</typeparam>
public sealed class ComponentFactory<T> : IComponentFactory<T> where T : class
{
    private readonly Func<IConfiguration, IServiceProvider, T> _create;

    /// <summary>Creates the factory.</summary>
    public ComponentFactory(string name, string description, Func<IConfiguration, IServiceProvider, T> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Description = description;
        _create = create;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public T Create(IConfiguration options, IServiceProvider services) => _create(options, services);
}
