using System.Diagnostics;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Host.Composition;
using Compass.Scenarios;
using Compass.Scenarios.Binding;
using Compass.Scenarios.Presets;

namespace Compass.Host.Tests;

public sealed class ResilienceTests
{
    private static readonly ChipletType Chiplet = new()
    {
        Name = "c1", PeArrayRows = 4, PeArrayColumns = 4, ClockGHz = 1,
        Precisions = [new PrecisionRate(8, 16, 0.1)],
        Buffers = [new BufferLevel("global", 1024, 1, 16, 1, 1, "all")],
    };

    private static readonly OperatorShape Gemm = new(OperatorKind.Gemm, 4, 8, 16, 1, 8, 8, 8, true);

    private sealed class Spinning : IComputeCostModel
    {
        public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
        {
            while (true) cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private sealed class Throwing : IComputeCostModel
    {
        public int Calls;

        public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken)
        {
            Calls++;
            throw new InvalidOperationException("broken model");
        }
    }

    private sealed class Exact : IComputeCostModel
    {
        public OperatorCost Estimate(ChipletType chiplet, OperatorShape op, CancellationToken cancellationToken) =>
            new(op.Macs / chiplet.MacsPerCycle, op.Macs * 0.1, 0, 0, 1, 0, "exact");
    }

    private static (ResilientComputeCostModel Model, PluginResilience Resilience) Wrap(IComputeCostModel inner, int timeoutMs, PluginFaultPolicy policy)
    {
        var resilience = new PluginResilience(new ResilienceSettings(timeoutMs, policy), new PluginFaultLog(), new CancellationTokenSource());
        return (new ResilientComputeCostModel(inner, "Vendor", "slow-model", resilience), resilience);
    }

    [Fact]
    public void SpinningEstimateIsCancelledAtTheTimeoutAndStopsTheRun()
    {
        var (model, resilience) = Wrap(new Spinning(), 100, PluginFaultPolicy.Stop);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<PluginFaultException>(() => model.Estimate(Chiplet, Gemm, CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal("plugin Vendor: compute 'slow-model' timed out after 100 ms and was cancelled", e.Message);
        Assert.Equal(PluginFaultKind.TimedOut, Assert.Single(resilience.Faults.Faults).Fault);
        Assert.True(resilience.StopRun.IsCancellationRequested);
    }

    [Fact]
    public void ContinuePolicyTurnsAFaultIntoAnInfiniteCost()
    {
        var (model, resilience) = Wrap(new Throwing(), 1000, PluginFaultPolicy.Continue);
        var cost = model.Estimate(Chiplet, Gemm, CancellationToken.None);
        Assert.True(double.IsPositiveInfinity(cost.TimeNs));
        Assert.False(resilience.StopRun.IsCancellationRequested);
        var fault = Assert.Single(resilience.Faults.Faults);
        Assert.Equal("plugin Vendor: compute 'slow-model' threw InvalidOperationException: broken model", fault.Describe());
    }

    [Fact]
    public void BreakerOpensAfterRepeatedFaultsAndStopsCallingThePlugin()
    {
        var inner = new Throwing();
        var (model, resilience) = Wrap(inner, 1000, PluginFaultPolicy.Continue);
        for (var i = 0; i < 6; i++) model.Estimate(Chiplet, Gemm, CancellationToken.None);
        Assert.Equal(4, inner.Calls);
        var kinds = resilience.Faults.Faults.Select(f => f.Fault).ToList();
        Assert.Equal([PluginFaultKind.Faulted, PluginFaultKind.Faulted, PluginFaultKind.Faulted, PluginFaultKind.Faulted, PluginFaultKind.ShortCircuited, PluginFaultKind.ShortCircuited], kinds);
    }

    [Fact]
    public void HealthyEstimatePassesThroughUnchanged()
    {
        var (model, resilience) = Wrap(new Exact(), 1000, PluginFaultPolicy.Stop);
        var cost = model.Estimate(Chiplet, Gemm, CancellationToken.None);
        Assert.Equal(4.0 * 8 * 16 / 16, cost.TimeNs);
        Assert.Equal(4.0 * 8 * 16 * 0.1, cost.MacEnergyPj, 12);
        Assert.False(resilience.Faults.HasFaults);
        Assert.Equal(1, resilience.Faults.Successes["Vendor"]);
    }
}
