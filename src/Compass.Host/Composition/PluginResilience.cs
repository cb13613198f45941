using System.Collections.Concurrent;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Search;
using Compass.Host.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Compass.Host.Composition;

/// <summary>
/// One resilience pipeline per plugin (Polly 8): a circuit breaker outside and a time-out inside for short calls
/// (cost-model estimates), the breaker alone for long calls (an optimizer run). Timeouts are cooperative: plugin
/// code must poll its cancellation token (shared/reference/dotnet-plugins.md §4).
/// </summary>
public sealed class PluginResilience
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _timed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _breakerOnly = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the pipelines' factory.</summary>
    /// <param name="settings">Time-out and fault policy.</param>
    /// <param name="faults">Where faults are recorded.</param>
    /// <param name="stopRun">Cancelled when a fault happens and the policy is <see cref="PluginFaultPolicy.Stop"/>.</param>
    /// <param name="timeProvider">Clock (tests pass a fake one).</param>
    public PluginResilience(ResilienceSettings settings, PluginFaultLog faults, CancellationTokenSource stopRun, TimeProvider? timeProvider = null)
    {
        Settings = settings;
        Faults = faults;
        StopRun = stopRun;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The settings.</summary>
    public ResilienceSettings Settings { get; }

    /// <summary>The fault log.</summary>
    public PluginFaultLog Faults { get; }

    /// <summary>The run's stop switch.</summary>
    public CancellationTokenSource StopRun { get; }

    /// <summary>Breaker + time-out pipeline of <paramref name="plugin"/>.</summary>
    public ResiliencePipeline Timed(string plugin) => _timed.GetOrAdd(plugin, _ => new ResiliencePipelineBuilder { TimeProvider = _time }
        .AddCircuitBreaker(BreakerOptions())
        .AddTimeout(TimeSpan.FromMilliseconds(Settings.EvaluationTimeoutMs))
        .Build());

    /// <summary>Breaker-only pipeline of <paramref name="plugin"/>.</summary>
    public ResiliencePipeline BreakerOnly(string plugin) => _breakerOnly.GetOrAdd(plugin, _ => new ResiliencePipelineBuilder { TimeProvider = _time }
        .AddCircuitBreaker(BreakerOptions())
        .Build());

    private static CircuitBreakerStrategyOptions BreakerOptions() => new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 4,
        SamplingDuration = TimeSpan.FromSeconds(30),
        // A plugin that keeps failing stays off for the rest of the run.
        BreakDuration = TimeSpan.FromHours(12),
        ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
    };

    /// <summary>Turns an exception from a plugin call into a recorded fault (and stops the run when the policy says so).</summary>
    /// <returns>The fault; the caller throws <see cref="PluginFaultException"/> when <see cref="ShouldStop"/>.</returns>
    public PluginFault Record(string plugin, string kind, string component, Exception e)
    {
        var fault = e switch
        {
            TimeoutRejectedException => new PluginFault(plugin, kind, component, PluginFaultKind.TimedOut, $"timed out after {Settings.EvaluationTimeoutMs} ms and was cancelled"),
            BrokenCircuitException => new PluginFault(plugin, kind, component, PluginFaultKind.ShortCircuited, "was not called: the plugin's circuit breaker is open after repeated faults"),
            _ => new PluginFault(plugin, kind, component, PluginFaultKind.Faulted, $"threw {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}"),
        };
        Faults.Record(fault);
        if (ShouldStop) StopRun.Cancel();
        return fault;
    }

    /// <summary>True when a fault ends the run.</summary>
    public bool ShouldStop => Settings.OnPluginFault == PluginFaultPolicy.Stop;
}

/// <summary>A compute cost model whose every estimate runs through its plugin's breaker + time-out pipeline.</summary>
public sealed class ResilientComputeCostModel : IComputeCostModel
{
    private readonly IComputeCostModel _inner;
    private readonly ResiliencePipeline _pipeline;
    private readonly PluginResilience _resilience;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ResilientComputeCostModel(IComputeCostModel inner, string plugin, string name, PluginResilience resilience)
    {
        _inner = inner;
        Plugin = plugin;
        Name = name;
        _resilience = resilience;
        _pipeline = resilience.Timed(plugin);
    }

    /// <summary>Owning plugin.</summary>
    public string Plugin { get; }

    /// <summary>Component name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
    {
        try
        {
            var cost = _pipeline.Execute(static (s, ct) => s.Inner.Estimate(s.Chiplet, s.Op, ct), (Inner: _inner, Chiplet: chiplet, Op: op), cancellationToken);
            _resilience.Faults.Succeeded(Plugin);
            return cost;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not PluginFaultException)
        {
            var fault = _resilience.Record(Plugin, "compute", Name, e);
            if (_resilience.ShouldStop) throw new PluginFaultException(fault, e);
            // "continue": an infinite time makes every evaluation that needs this operator invalid.
            return new OperatorCost(double.PositiveInfinity, double.PositiveInfinity, 0, 0, 0, 0, "plugin fault: " + fault.Reason);
        }
    }
}

/// <summary>An optimizer whose run goes through its plugin's circuit breaker (no time-out: runs are long).</summary>
public sealed class ResilientOptimizer : IOptimizer
{
    private readonly IOptimizer _inner;
    private readonly ResiliencePipeline _pipeline;
    private readonly PluginResilience _resilience;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ResilientOptimizer(IOptimizer inner, string plugin, string name, PluginResilience resilience)
    {
        _inner = inner;
        Plugin = plugin;
        Name = name;
        _resilience = resilience;
        _pipeline = resilience.BreakerOnly(plugin);
    }

    /// <summary>Owning plugin.</summary>
    public string Plugin { get; }

    /// <summary>Component name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        try
        {
            return _pipeline.Execute(static (s, ct) => s.Inner.Run(s.Context, ct), (Inner: _inner, Context: context), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not PluginFaultException)
        {
            throw new PluginFaultException(_resilience.Record(Plugin, "optimizers", Name, e), e);
        }
    }
}
