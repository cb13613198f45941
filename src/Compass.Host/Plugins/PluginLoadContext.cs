using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Compass.Host.Plugins;

/// <summary>
/// One isolated load context per plugin folder. Shared contract assemblies come from the host (by simple name, no
/// version); everything else resolves through the plugin's own <c>.deps.json</c> with
/// <see cref="AssemblyDependencyResolver"/>; framework assemblies fall back to the default context.
/// </summary>
public sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly string[] NativePrefixes = ["", "lib"];
    private static readonly string[] NativeSuffixes = ["", ".so", ".so.1", ".dylib", ".dll"];
    private readonly AssemblyDependencyResolver _resolver;
    private readonly SharedAssemblySet _shared;

    /// <summary>Creates the context for the plugin whose main assembly is <paramref name="mainAssemblyPath"/>.</summary>
    /// <param name="pluginName">Context name (the plugin's folder name).</param>
    /// <param name="mainAssemblyPath">Full path of the plugin's main dll (must exist).</param>
    /// <param name="shared">The shared set.</param>
    /// <param name="isCollectible">True to allow <see cref="AssemblyLoadContext.Unload"/>.</param>
    public PluginLoadContext(string pluginName, string mainAssemblyPath, SharedAssemblySet shared, bool isCollectible)
        : base(pluginName, isCollectible)
    {
        MainAssemblyPath = mainAssemblyPath;
        PluginDirectory = Path.GetDirectoryName(mainAssemblyPath)!;
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        _shared = shared;
    }

    /// <summary>Path of the plugin's main dll.</summary>
    public string MainAssemblyPath { get; }

    /// <summary>The plugin folder.</summary>
    public string PluginDirectory { get; }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } simple && _shared.Contains(simple))
            return _shared.HostContext.LoadFromAssemblyName(new AssemblyName(simple)); // version-less on purpose
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is not null ? LoadFromAssemblyPath(path) : null;
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        if (path is not null) return LoadUnmanagedDllFromPath(path);
        if (unmanagedDllName.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)) return IntPtr.Zero;
        foreach (var prefix in NativePrefixes)
        {
            foreach (var suffix in NativeSuffixes)
            {
                var candidate = Path.Combine(PluginDirectory, prefix + unmanagedDllName + suffix);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
            }
        }
        return IntPtr.Zero;
    }
}
