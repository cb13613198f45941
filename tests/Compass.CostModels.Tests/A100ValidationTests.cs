using System.Globalization;
using System.Text;
using Compass.Abstractions.Costs;
using Compass.CostModels.Compute;
using Xunit.Abstractions;

namespace Compass.CostModels.Tests;

/// <summary>
/// Compares the models with measured FP16 matmul latencies of a real NVIDIA A100 published by LLMCompass (Zhang et al.,
/// "LLMCompass: Enabling Efficient Hardware Design for Large Language Model Inference", ISCA 2024; artifact file
/// PrincetonUniversity/LLMCompass ae/figure5/ab/real_hardware/matmul_A100.csv, columns M, N, K, latency, throughput;
/// [M, K] × [K, N] in fp16, measured with PyTorch, launch overhead included). The A100-like chiplet comes from public
/// specifications only (<see cref="TestHardware.A100Like"/>); nothing is fitted to these points.
/// </summary>
public class A100ValidationTests(ITestOutputHelper output)
{
    /// <summary>(M, N, K, measured ms) exactly as published.</summary>
    public static readonly (long M, long N, long K, double MeasuredMs)[] Measured =
    [
        (64, 12288, 12288, 0.1900), (128, 12288, 12288, 0.2003), (256, 12288, 12288, 0.3185), (512, 12288, 12288, 0.6118),
        (1024, 12288, 12288, 1.1990), (2048, 12288, 12288, 2.3586), (4096, 12288, 12288, 4.4576), (8192, 12288, 12288, 8.6216),
        (16384, 12288, 12288, 17.0307), (32768, 12288, 12288, 35.4407),
        (8192, 64, 64, 0.0296), (8192, 128, 128, 0.0310), (8192, 256, 256, 0.0356), (8192, 512, 512, 0.0471),
        (8192, 1024, 1024, 0.0927), (8192, 2048, 2048, 0.2818), (8192, 4096, 4096, 1.0210), (8192, 8192, 8192, 3.9614),
        (8192, 16384, 16384, 15.0087), (8192, 32768, 32768, 61.1346),
    ];

    /// <summary>HBM2e bandwidth of the A100 80 GB, GB/s (hardware.md §8), the part LLMCompass models as "A100_80GB_fp16".</summary>
    private const double HbmGBps = 2039;

    /// <summary>Kernel launch overhead LLMCompass measured on the same setup and adds to its own simulations (2.1e-5 s).</summary>
    private const double LaunchOverheadMs = 0.021;

    private static double ModelMs(IComputeCostModel model, long m, long n, long k)
    {
        var op = new OperatorShape(OperatorKind.Gemm, m, k, n, 1, 16, 16, 16, true);
        var cost = model.Estimate(TestHardware.A100Like(), op, CancellationToken.None);
        var dram = (op.InputBytes + op.WeightBytes + op.OutputBytes + cost.OffChipRefetchBytes) / HbmGBps;
        return Math.Max(cost.TimeNs, dram) / 1e6;
    }

    [Fact]
    public void ModelsTrackMeasuredA100Matmuls()
    {
        var dataflow = new DataflowComputeModel();
        var roofline = new RooflineComputeModel();
        var table = new StringBuilder();
        table.AppendLine("| M | N | K | measured (ms) | dataflow (ms) | err | dataflow + launch (ms) | err | roofline (ms) | err |");
        table.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double sumD = 0, sumDl = 0, sumR = 0, sumDBig = 0;
        var big = 0;
        foreach (var (m, n, k, measured) in Measured)
        {
            var d = ModelMs(dataflow, m, n, k);
            var r = ModelMs(roofline, m, n, k);
            var dl = d + LaunchOverheadMs;
            double Err(double x) => (x - measured) / measured;
            sumD += Math.Abs(Err(d)); sumDl += Math.Abs(Err(dl)); sumR += Math.Abs(Err(r));
            if (measured >= 0.5) { sumDBig += Math.Abs(Err(d)); big++; }
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m} | {n} | {k} | {measured:F4} | {d:F4} | {Err(d):P1} | {dl:F4} | {Err(dl):P1} | {r:F4} | {Err(r):P1} |"));
        }
        var count = Measured.Length;
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Mean |error|: dataflow {sumD / count:P1}, dataflow + launch {sumDl / count:P1}, roofline {sumR / count:P1}; dataflow on the {big} shapes measured ≥ 0.5 ms: {sumDBig / big:P1}"));
        output.WriteLine(table.ToString());

        // Physical sanity, not a fit: a model without launch overhead or kernel inefficiency must not be slower than
        // the measurement on the large, compute-bound shapes, and should be within 25 % of it there.
        foreach (var (m, n, k, measured) in Measured.Where(x => x.MeasuredMs >= 0.5))
        {
            var d = ModelMs(dataflow, m, n, k);
            Assert.InRange(d / measured, 0.75, 1.0);
        }
    }
}
