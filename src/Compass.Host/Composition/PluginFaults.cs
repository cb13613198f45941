using System.Collections.Concurrent;

namespace Compass.Host.Composition;

/// <summary>How a call into plugin code failed.</summary>
public enum PluginFaultKind
{
    /// <summary>The call overran the evaluation time-out and was cancelled.</summary>
    TimedOut,

    /// <summary>The call threw.</summary>
    Faulted,

    /// <summary>The plugin's circuit breaker was open, so the call was not made.</summary>
    ShortCircuited,
}

/// <summary>One failed call into plugin code.</summary>
/// <param name="Plugin">Plugin name.</param>
/// <param name="Kind">Component kind (<c>compute</c>, <c>optimizers</c>, ...).</param>
/// <param name="Component">Component name.</param>
/// <param name="Fault">What happened.</param>
/// <param name="Reason">One-line reason.</param>
public sealed record PluginFault(string Plugin, string Kind, string Component, PluginFaultKind Fault, string Reason)
{
    /// <summary>One-line description naming the plugin and the component.</summary>
    public string Describe() => $"plugin {Plugin}: {Kind} '{Component}' {Reason}";
}

/// <summary>A call into plugin code failed and the run's fault policy is to stop.</summary>
public sealed class PluginFaultException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginFaultException(PluginFault fault, Exception? inner = null) : base(fault.Describe(), inner) => Fault = fault;

    /// <summary>Creates the exception (for serializers and analyzers).</summary>
    public PluginFaultException() : this(new PluginFault("?", "?", "?", PluginFaultKind.Faulted, "failed")) { }

    /// <summary>Creates the exception with a message.</summary>
    public PluginFaultException(string message) : this(new PluginFault("?", "?", "?", PluginFaultKind.Faulted, message)) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public PluginFaultException(string message, Exception inner) : this(new PluginFault("?", "?", "?", PluginFaultKind.Faulted, message), inner) { }

    /// <summary>The fault.</summary>
    public PluginFault Fault { get; }
}

/// <summary>Thread-safe record of plugin calls: successes and faults per plugin, the first fault kept for the summary.</summary>
public sealed class PluginFaultLog
{
    private readonly ConcurrentQueue<PluginFault> _faults = new();
    private readonly ConcurrentDictionary<string, long> _ok = new(StringComparer.Ordinal);

    /// <summary>Every fault, in the order recorded.</summary>
    public IReadOnlyList<PluginFault> Faults => [.. _faults];

    /// <summary>True when at least one fault was recorded.</summary>
    public bool HasFaults => !_faults.IsEmpty;

    /// <summary>Records a fault.</summary>
    public void Record(PluginFault fault) => _faults.Enqueue(fault);

    /// <summary>Counts a successful call of <paramref name="plugin"/>.</summary>
    public void Succeeded(string plugin) => _ok.AddOrUpdate(plugin, 1, static (_, v) => v + 1);

    /// <summary>Successful calls per plugin.</summary>
    public IReadOnlyDictionary<string, long> Successes => new Dictionary<string, long>(_ok, StringComparer.Ordinal);

    /// <summary>Fault counts per (plugin, kind of fault).</summary>
    public IReadOnlyDictionary<string, int> Counts()
    {
        var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var f in _faults)
        {
            var key = $"{f.Plugin} {f.Fault}";
            d[key] = d.TryGetValue(key, out var n) ? n + 1 : 1;
        }
        return d;
    }
}
