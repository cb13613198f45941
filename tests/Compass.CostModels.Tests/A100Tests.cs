using Compass.Abstractions.Costs;
using Compass.CostModels.Compute;

namespace Compass.CostModels.Tests;

public class A100Tests
{
    /// <summary>Llama-2-7B linear layers (d 4096, F 11008, 32 layers, vocab 32000; models.md), as M × K × N GEMMs.</summary>
    private static IEnumerable<(long K, long N, int Times)> Llama7BLinears()
    {
        yield return (4096, 3 * 4096, 32);  // QKV
        yield return (4096, 4096, 32);      // attention output
        yield return (4096, 2 * 11008, 32); // gate + up
        yield return (11008, 4096, 32);     // down
        yield return (4096, 32000, 1);      // LM head
    }

    private static double DeviceTimeNs(IComputeCostModel model, long m, long k, long n)
    {
        var op = new OperatorShape(OperatorKind.Gemm, m, k, n, 1, 16, 16, 16, true);
        var cost = model.Estimate(TestHardware.A100Like(), op, CancellationToken.None);
        // The evaluator overlaps compute with DRAM transfers (formulas.md §12): max(compute, DRAM bytes / bandwidth).
        var dramBytes = op.InputBytes + op.WeightBytes + op.OutputBytes + cost.OffChipRefetchBytes;
        return Math.Max(cost.TimeNs, dramBytes / TestHardware.A100HbmGBps);
    }

    [Theory]
    [InlineData("dataflow")]
    [InlineData("roofline")]
    public void DecodeOf7BAtBatchOneIsWithinFifteenPercentOfWeightBytesOverBandwidth(string name)
    {
        IComputeCostModel model = name == "dataflow" ? new DataflowComputeModel() : new RooflineComputeModel();
        double total = 0, weightBytes = 0;
        foreach (var (k, n, times) in Llama7BLinears())
        {
            total += DeviceTimeNs(model, 1, k, n) * times;
            weightBytes += 2.0 * k * n * times;
        }
        var ideal = weightBytes / TestHardware.A100HbmGBps;
        Assert.InRange(total / ideal, 1.0, 1.15);
    }

    [Theory]
    [InlineData("dataflow")]
    [InlineData("roofline")]
    public void PrefillOf2048TokensIsWithinFifteenPercentOfFlopsOverPeak(string name)
    {
        IComputeCostModel model = name == "dataflow" ? new DataflowComputeModel() : new RooflineComputeModel();
        double total = 0, flops = 0;
        foreach (var (k, n, times) in Llama7BLinears())
        {
            total += DeviceTimeNs(model, 2048, k, n) * times;
            flops += 2.0 * 2048 * k * n * times;
        }
        var ideal = flops / (110_592 * 2 * 1.41); // FLOP per ns at 110,592 MACs × 2 × 1.41 GHz = 311.9 TFLOPS
        Assert.InRange(total / ideal, 1.0, 1.15);
    }
}
