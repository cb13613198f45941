using System.Reflection;
using System.Runtime.Loader;
using Compass.Abstractions.Plugins;

namespace Compass.Host.Plugins;

/// <summary>
/// The simple names of the assemblies shared between the host and every plugin: Compass.Abstractions and the
/// transitive closure of its references (Microsoft.Extensions.*.Abstractions, Primitives, ...), plus extra roots.
/// Shared assemblies are always served from the host context, looked up by simple name without a version
/// (shared/reference/dotnet-plugins.md §1.7, McMaster issues #242 and #302).
/// </summary>
public sealed class SharedAssemblySet
{
    private readonly HashSet<string> _names;

    private SharedAssemblySet(AssemblyLoadContext hostContext, HashSet<string> names)
    {
        HostContext = hostContext;
        _names = names;
    }

    /// <summary>The context that holds the host's copy of the contracts (Default, or the test host's context).</summary>
    public AssemblyLoadContext HostContext { get; }

    /// <summary>The shared simple names, sorted ordinally.</summary>
    public IReadOnlyList<string> Names => [.. _names.Order(StringComparer.Ordinal)];

    /// <summary>True when <paramref name="simpleName"/> must come from the host.</summary>
    public bool Contains(string simpleName) => _names.Contains(simpleName);

    /// <summary>
    /// Walks the references of <c>Compass.Abstractions</c> (and <paramref name="extraRoots"/>) breadth-first in the
    /// host context and collects every non-framework simple name.
    /// </summary>
    public static SharedAssemblySet Create(params Assembly[] extraRoots)
    {
        var root = typeof(ICompassPlugin).Assembly;
        var host = AssemblyLoadContext.GetLoadContext(root) ?? AssemblyLoadContext.Default;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<Assembly>();
        queue.Enqueue(root);
        foreach (var extra in extraRoots) queue.Enqueue(extra);
        while (queue.Count > 0)
        {
            var assembly = queue.Dequeue();
            var name = assembly.GetName().Name;
            if (name is null || !names.Add(name)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is null || IsFramework(reference.Name) || names.Contains(reference.Name)) continue;
                try
                {
                    queue.Enqueue(host.LoadFromAssemblyName(new AssemblyName(reference.Name)));
                }
                catch (FileNotFoundException)
                {
                    // A reference the host does not carry cannot cross the boundary; leave it private.
                }
            }
        }
        return new SharedAssemblySet(host, names);
    }

    /// <summary>Framework assemblies resolve to the shared framework anyway; they never need to be listed.</summary>
    private static bool IsFramework(string name) =>
        name is "mscorlib" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal) || name == "System"
        || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal) || name == "Microsoft.CSharp" || name == "Microsoft.VisualBasic";
}
