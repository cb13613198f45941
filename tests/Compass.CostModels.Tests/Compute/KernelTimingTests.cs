using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Chiplets.Catalog;
using Compass.CostModels.Compute;

namespace Compass.CostModels.Tests;

/// <summary>
/// The two per-operator overheads of a GPU-class chiplet (docs/cost-models.md, "Launch and kernel fixed time"): the
/// device-side fixed time (<see cref="ChipletType.KernelFixedNs"/>) is inside every operator's time, once per operator,
/// and serial with its DRAM traffic; the host-side launch overhead (<see cref="ChipletType.LaunchOverhead"/>) is only
/// reported, and an isolated operator adds it on top.
/// </summary>
public class KernelTimingTests
{
    private static OperatorShape Add(long tokens) => new(OperatorKind.Elementwise, tokens, 1, 4096, 1, 16, 16, 16, false);

    [Theory]
    [InlineData("dataflow")]
    [InlineData("roofline")]
    public void TheFixedTimeIsChargedOncePerOperatorOnTheShippedGpus(string modelName)
    {
        IComputeCostModel model = modelName == "dataflow" ? new DataflowComputeModel() : new RooflineComputeModel();
        foreach (var gpu in new[] { ChipletCatalog.A100Like, ChipletCatalog.A100PcieLike, ChipletCatalog.H100Like })
        {
            Assert.Equal(2_000, gpu.KernelFixedNs);
            var gemm = new OperatorShape(OperatorKind.Gemm, 1, 4096, 4096, 1, 16, 16, 16, true);
            var eight = gemm with { Count = 8 };
            var one = model.Estimate(gpu, gemm, CancellationToken.None);
            var batched = model.Estimate(gpu, eight, CancellationToken.None);
            Assert.Equal(2_000, one.KernelFixedNs);
            Assert.Equal(2_000, batched.KernelFixedNs);
            // Eight instances in one kernel: eight times the work, one fixed time.
            Assert.Equal(8 * (one.TimeNs - 2_000), batched.TimeNs - 2_000, 6);
            var add = model.Estimate(gpu, Add(1), CancellationToken.None);
            Assert.Equal(2_000, add.KernelFixedNs);
            Assert.InRange(add.TimeNs, 2_000, 2_100);
        }
    }

    [Fact]
    public void StaticallyScheduledTypesHaveNoFixedTimeAndAnAddedOneShiftsTheTimeExactly()
    {
        var model = new DataflowComputeModel();
        var gemm = new OperatorShape(OperatorKind.Gemm, 64, 256, 256, 1, 8, 8, 8, true);
        foreach (var type in ChipletCatalog.All.Where(t => t.Dataflow != Dataflow.TileParallel))
        {
            Assert.Equal(0, type.KernelFixedNs);
            var plain = model.Estimate(type, gemm, CancellationToken.None);
            var withFixed = model.Estimate(type with { KernelFixedNs = 500 }, gemm, CancellationToken.None);
            Assert.Equal(0, plain.KernelFixedNs);
            Assert.Equal(500, withFixed.KernelFixedNs);
            Assert.Equal(plain.TimeNs + 500, withFixed.TimeNs, 6);
            Assert.Equal(plain.EnergyPj, withFixed.EnergyPj, 6);
        }
    }

    /// <summary>
    /// Hand-computed on the shipped PCIe entry and preset: a 1-token residual add moves 3 × 8,192 B = 24,576 B, 16.4 ns at
    /// 1,935 × 0.775 = 1,499.6 GB/s; its kernel takes 2,000 + 16.4 ns (Vidur measured 0.002 ms), and run by itself
    /// 10,000 ns of host launch more (LLMCompass's 12 µs element-wise launch less the 2 µs inside the kernel).
    /// </summary>
    [Fact]
    public void IsolatedTimeIsLaunchThenFixedThenMaxOfComputeAndMemory()
    {
        var gbps = PackagePresets.A100Pcie80.DramChannels.Sum(c => c.EffectiveBandwidthGBps);
        Assert.Equal(1935 * 0.775, gbps, 6);
        var op = Add(1);
        var cost = new DataflowComputeModel().Estimate(ChipletCatalog.A100PcieLike, op, CancellationToken.None);
        var t = OperatorTiming.Isolated(cost, op, gbps);
        Assert.Equal(24_576, t.DramBytes, 6);
        Assert.Equal(24_576 / gbps, t.MemoryNs, 6);
        Assert.Equal(2_000, t.KernelFixedNs, 6);
        Assert.True(t.ComputeNs < t.MemoryNs);
        Assert.Equal(2_000 + 24_576 / gbps, t.KernelNs, 6);
        Assert.Equal(10_000, t.LaunchNs, 6);
        Assert.Equal(12_000 + 24_576 / gbps, t.TotalNs, 6);
    }

    /// <summary>
    /// The host launch and the device fixed time together are LLMCompass's measured isolated-operator overheads
    /// (matmul 21, softmax 12, layernorm 45, GELU 45 µs), so splitting them changes no isolated time.
    /// </summary>
    [Theory]
    [InlineData(OperatorKind.Gemm, 21_000)]
    [InlineData(OperatorKind.Softmax, 12_000)]
    [InlineData(OperatorKind.Norm, 45_000)]
    [InlineData(OperatorKind.Pointwise, 45_000)]
    [InlineData(OperatorKind.Elementwise, 12_000)]
    public void HostLaunchPlusDeviceFixedTimeIsTheMeasuredIsolatedOverhead(OperatorKind kind, double llmCompassNs)
    {
        foreach (var gpu in new[] { ChipletCatalog.A100Like, ChipletCatalog.A100PcieLike, ChipletCatalog.H100Like })
            Assert.Equal(llmCompassNs, gpu.LaunchOverhead.For(kind) + gpu.KernelFixedNs, 6);
    }
}
