using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Chiplets.Catalog;
using Compass.CostModels.Compute;

namespace Compass.CostModels.Tests;

/// <summary>
/// Whole-model sanity of the SHIPPED GPU entries on their single-GPU presets: Llama-2-7B's linear layers at batch 1
/// are bound by streaming the weights at the achievable HBM bandwidth, a 2048-token prefill by the FP16 peak.
/// </summary>
public class A100Tests
{
    /// <summary>Llama-2-7B linear layers (d 4096, F 11008, 32 layers, vocab 32000; docs/reference/models.md), as M × K × N GEMMs.</summary>
    private static IEnumerable<(long K, long N, int Times)> Llama7BLinears()
    {
        yield return (4096, 3 * 4096, 32);  // QKV
        yield return (4096, 4096, 32);      // attention output
        yield return (4096, 2 * 11008, 32); // gate + up
        yield return (11008, 4096, 32);     // down
        yield return (4096, 32000, 1);      // LM head
    }

    private static (ChipletType Chiplet, double AchievableGBps) Device(string name) => name switch
    {
        "a100" => (ChipletCatalog.A100Like, PackagePresets.A100Single80.DramChannels.Sum(c => c.EffectiveBandwidthGBps)),
        _ => (ChipletCatalog.H100Like, PackagePresets.H100Single.DramChannels.Sum(c => c.EffectiveBandwidthGBps)),
    };

    private static double DeviceTimeNs(IComputeCostModel model, string device, long m, long k, long n)
    {
        var (chiplet, gbps) = Device(device);
        var op = new OperatorShape(OperatorKind.Gemm, m, k, n, 1, 16, 16, 16, true);
        var cost = model.Estimate(chiplet, op, CancellationToken.None);
        // The evaluator overlaps compute with DRAM transfers (docs/reference/formulas.md §12) and adds the kernel's
        // device-side fixed time after them: fixed + max(compute, DRAM bytes / bandwidth).
        return OperatorTiming.Isolated(cost, op, gbps).KernelNs;
    }

    [Theory]
    [InlineData("dataflow", "a100")]
    [InlineData("roofline", "a100")]
    [InlineData("dataflow", "h100")]
    [InlineData("roofline", "h100")]
    public void DecodeOf7BAtBatchOneIsWithinFifteenPercentOfWeightBytesOverBandwidth(string name, string device)
    {
        IComputeCostModel model = name == "dataflow" ? new DataflowComputeModel() : new RooflineComputeModel();
        double total = 0, weightBytes = 0;
        foreach (var (k, n, times) in Llama7BLinears())
        {
            total += DeviceTimeNs(model, device, 1, k, n) * times;
            weightBytes += 2.0 * k * n * times;
        }
        var ideal = weightBytes / Device(device).AchievableGBps;
        Assert.InRange(total / ideal, 1.0, 1.15);
    }

    [Theory]
    [InlineData("dataflow", "a100", 1.25)]
    [InlineData("roofline", "a100", 1.15)]
    [InlineData("dataflow", "h100", 1.35)]
    [InlineData("roofline", "h100", 1.15)]
    public void PrefillOf2048TokensStaysNearFlopsOverPeak(string name, string device, double bound)
    {
        // The dataflow model adds wave quantisation (e.g. 2048 x 11008 x 4096: 256 tiles of 128 x 256 on 108 SMs =
        // 3 waves at 79 %) and, on the H100, the L2 bandwidth; the roofline only the peak.
        IComputeCostModel model = name == "dataflow" ? new DataflowComputeModel() : new RooflineComputeModel();
        var chiplet = Device(device).Chiplet;
        double total = 0, macs = 0;
        foreach (var (k, n, times) in Llama7BLinears())
        {
            total += DeviceTimeNs(model, device, 2048, k, n) * times;
            macs += 2048.0 * k * n * times;
        }
        var ideal = macs / (chiplet.RateFor(16).MacsPerCycle * chiplet.ClockGHz);
        Assert.InRange(total / ideal, 1.0, bound);
    }
}
