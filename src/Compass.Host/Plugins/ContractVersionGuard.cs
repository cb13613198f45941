using System.Reflection;
using Compass.Abstractions.Plugins;

namespace Compass.Host.Plugins;

/// <summary>
/// Checks, before any plugin type is loaded, which version of Compass.Abstractions a plugin was compiled against.
/// A version-less lookup would otherwise hand a plugin built against a newer contract the host's older one and
/// fail later with <see cref="MissingMethodException"/> (docs/reference/dotnet-plugins.md §2.2 row 4).
/// </summary>
public static class ContractVersionGuard
{
    /// <summary>Simple name of the contract assembly.</summary>
    public const string ContractAssemblyName = "Compass.Abstractions";

    /// <summary>The contract version the host carries: the <see cref="ContractVersion"/> constants it was compiled with.</summary>
    public static Version HostVersion { get; } = new(ContractVersion.Major, ContractVersion.Minor);

    /// <summary>
    /// Returns null when a plugin with these references may load, else a one-line reason. Accepted: the same major
    /// version with a minor version at most the host's. Refused: another major version, a newer minor version, or
    /// no reference to the contract at all.
    /// </summary>
    /// <param name="references">The plugin assembly's <see cref="Assembly.GetReferencedAssemblies"/>.</param>
    /// <param name="hostVersion">The host's contract version.</param>
    public static string? Check(IEnumerable<AssemblyName> references, Version hostVersion)
    {
        AssemblyName? contract = null;
        foreach (var r in references)
            if (string.Equals(r.Name, ContractAssemblyName, StringComparison.OrdinalIgnoreCase)) { contract = r; break; }
        if (contract is null)
            return $"does not reference {ContractAssemblyName}, so it cannot contain a Compass plugin";
        var v = contract.Version ?? new Version(0, 0);
        if (v.Major != hostVersion.Major)
            return $"was built against {ContractAssemblyName} {v.Major}.{v.Minor}, but this host implements contract {hostVersion.Major}.{hostVersion.Minor} (another major version is incompatible; rebuild the plugin against {hostVersion.Major}.x)";
        if (v.Minor > hostVersion.Minor)
            return $"was built against {ContractAssemblyName} {v.Major}.{v.Minor}, newer than this host's contract {hostVersion.Major}.{hostVersion.Minor}; update Compass";
        return null;
    }
}
