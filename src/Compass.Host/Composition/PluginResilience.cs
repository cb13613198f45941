using Compass.Abstractions.Plugins;
using System.Collections.Concurrent;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Mapping;
using Compass.Abstractions.Search;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Compass.Host.Composition;

/// <summary>
/// One resilience pipeline per plugin (Polly 8): a circuit breaker outside and a time-out inside for short calls
/// (cost-model estimates), the breaker alone for long calls (an optimizer run). Timeouts are cooperative: plugin
/// code must poll its cancellation token (docs/reference/dotnet-plugins.md §4).
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
        return Record(fault);
    }

    /// <summary>Records a fault found by the host (not thrown by the plugin), stopping the run when the policy says so.</summary>
    public PluginFault Record(PluginFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
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
            if (NumericProblem(cost) is { } problem)
            {
                // A NaN, infinite or negative cost would poison every evaluation that uses it: a plugin fault.
                var fault = _resilience.Record(new PluginFault(Plugin, "compute", Name, PluginFaultKind.Faulted,
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"returned {problem} for {op.Kind} M={op.M} K={op.K} N={op.N} on chiplet type '{chiplet.Name}'")));
                if (_resilience.ShouldStop) throw new PluginFaultException(fault);
                return new OperatorCost(double.PositiveInfinity, double.PositiveInfinity, 0, 0, 0, 0, "plugin fault: " + fault.Reason);
            }
            _resilience.Faults.Succeeded(Plugin);
            return cost;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not PluginFaultException and not CompassInputException)
        {
            var fault = _resilience.Record(Plugin, "compute", Name, e);
            if (_resilience.ShouldStop) throw new PluginFaultException(fault, e);
            // "continue": an infinite time makes every evaluation that needs this operator invalid.
            return new OperatorCost(double.PositiveInfinity, double.PositiveInfinity, 0, 0, 0, 0, "plugin fault: " + fault.Reason);
        }
    }

    /// <summary>What is wrong with a cost's numbers (non-finite or negative time, energy or refetch), or null when they are sound.</summary>
    public static string? NumericProblem(OperatorCost cost)
    {
        static bool Bad(double v) => !double.IsFinite(v) || v < 0;
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (Bad(cost.TimeNs)) return string.Create(c, $"time {cost.TimeNs} ns");
        if (Bad(cost.MacEnergyPj)) return string.Create(c, $"MAC energy {cost.MacEnergyPj} pJ");
        if (Bad(cost.BufferEnergyPj)) return string.Create(c, $"buffer energy {cost.BufferEnergyPj} pJ");
        if (Bad(cost.VectorEnergyPj)) return string.Create(c, $"vector energy {cost.VectorEnergyPj} pJ");
        if (Bad(cost.OffChipRefetchBytes)) return string.Create(c, $"DRAM refetch {cost.OffChipRefetchBytes} B");
        return null;
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

    /// <summary>
    /// The best mapping of the last run as its evaluations came back, kept even when the optimizer throws mid-run
    /// (so a stopped run still writes the best mapping so far); null before the first run.
    /// </summary>
    public TrackingSearchContext? BestSoFar { get; private set; }

    /// <inheritdoc />
    public SearchOutcome Run(ISearchContext context, CancellationToken cancellationToken)
    {
        try
        {
            var tracked = new TrackingSearchContext(context);
            BestSoFar = tracked;
            return _pipeline.Execute(static (s, ct) => s.Inner.Run(s.Context, ct), (Inner: _inner, Context: (ISearchContext)tracked), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not PluginFaultException and not CompassInputException)
        {
            throw new PluginFaultException(_resilience.Record(Plugin, "optimizers", Name, e), e);
        }
    }
}

/// <summary>
/// Passes every call to the engine's search context and remembers the best valid mapping evaluated through it, with
/// the engine's rule (first strictly lower objective wins), so the host still has it when the optimizer throws.
/// </summary>
public sealed class TrackingSearchContext : ISearchContext
{
    private readonly ISearchContext _inner;
    private readonly object _gate = new();
    private Genome? _best;
    private Fitness _bestFitness = Fitness.Invalid;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public TrackingSearchContext(ISearchContext inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The best valid mapping so far and its fitness, or null when no valid mapping was evaluated.</summary>
    public (Genome Genome, Fitness Fitness)? Best
    {
        get
        {
            lock (_gate) return _best is null ? null : (_best.Clone(), _bestFitness);
        }
    }

    /// <inheritdoc />
    public MappingSpace Space => _inner.Space;

    /// <inheritdoc />
    public SearchBudget Budget => _inner.Budget;

    /// <inheritdoc />
    public int Seed => _inner.Seed;

    /// <inheritdoc />
    public IReadOnlyList<NamedGenome> StartingPoints => _inner.StartingPoints;

    /// <inheritdoc />
    public IHeuristicMappings Heuristics => _inner.Heuristics;

    /// <inheritdoc />
    public int EvaluationsDone => _inner.EvaluationsDone;

    /// <inheritdoc />
    public int EvaluationsLeft => _inner.EvaluationsLeft;

    /// <inheritdoc />
    public bool ShouldStop => _inner.ShouldStop;

    /// <inheritdoc />
    public Microsoft.Extensions.Logging.ILogger Logger => _inner.Logger;

    /// <inheritdoc />
    public int Evaluate(IReadOnlyList<Genome> genomes, Span<Fitness> results)
    {
        var done = _inner.Evaluate(genomes, results);
        lock (_gate)
        {
            for (var i = 0; i < done; i++)
            {
                var f = results[i];
                if (f.IsValid && (!_bestFitness.IsValid || f.Objective < _bestFitness.Objective))
                {
                    _bestFitness = f;
                    _best = genomes[i].Clone();
                }
            }
        }
        return done;
    }

    /// <inheritdoc />
    public void ReportProgress(string phase) => _inner.ReportProgress(phase);
}
