using System.Globalization;
using System.Text;
using Compass.Abstractions.Costs;
using Compass.Abstractions.Hardware;
using Compass.Chiplets.Catalog;
using Compass.CostModels.Compute;
using Xunit.Abstractions;

namespace Compass.CostModels.Tests;

/// <summary>
/// Validates the SHIPPED <c>a100-like</c> chiplet type and its <c>a100-80gb-single</c> package preset against measured
/// A100 data copied into <c>Measured/</c> with their <c># source:</c> lines: LLMCompass (ISCA 2024) FP16 matmul, softmax,
/// layernorm and GELU latencies (isolated PyTorch operators, launch included) and Vidur (MLSys 2024) per-operator CUDA
/// kernel times of Llama-2-7B at TP 1 (no launch). Nothing is fitted to these points: the device comes from published
/// figures (see the catalog entry's source). The bounds are asserted.
/// </summary>
public class A100ValidationTests(ITestOutputHelper output)
{
    private static readonly ChipletType A100 = ChipletCatalog.A100Like;

    /// <summary>Achievable HBM bandwidth of the shipped 80 GB preset (peak × achievable fraction), GB/s.</summary>
    private static double AchievableGBps => PackagePresets.A100Single80.DramChannels.Sum(c => c.EffectiveBandwidthGBps);

    /// <summary>Peak HBM bandwidth of the shipped 80 GB preset, GB/s.</summary>
    private static double PeakGBps => PackagePresets.A100Single80.DramChannels.Sum(c => c.BandwidthGBps);

    private static readonly DataflowComputeModel Model = new();

    /// <summary>Rows of a measured CSV (comment lines skipped, header dropped), as invariant-culture numbers.</summary>
    public static List<double[]> ReadCsv(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Measured", file);
        var lines = File.ReadAllLines(path);
        Assert.StartsWith("# source:", lines[0]);
        return lines.Where(l => l.Length > 0 && !l.StartsWith('#')).Skip(1)
            .Select(l => l.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToList();
    }

    private static OperatorShape Shape(OperatorKind kind, long m, long k, long n) => new(kind, m, k, n, 1, 16, 16, 16, StaticWeights: true);

    /// <summary>Isolated-operator time on the shipped device and package, ns.</summary>
    private static OperatorTiming Time(OperatorShape op) =>
        OperatorTiming.Isolated(Model.Estimate(A100, op, CancellationToken.None), op, AchievableGBps);

    /// <summary>FLOPs / peak and bytes / peak DRAM bandwidth: no model may be faster than either, ns.</summary>
    private static double LowerBoundNs(OperatorShape op)
    {
        var peakMacsPerNs = A100.RateFor(16).MacsPerCycle * A100.ClockGHz;
        var bytes = op.InputBytes + op.WeightBytes + op.OutputBytes;
        return Math.Max(op.Kind == OperatorKind.Gemm ? op.Macs / peakMacsPerNs : 0, bytes / PeakGBps);
    }

    [Fact]
    public void LlmCompassMatmulsWithinTenPercentAboveOneNineteenthMs()
    {
        var table = new StringBuilder("| M | N | K | measured ms | model ms | error | bound |\n|---:|---:|---:|---:|---:|---:|---|\n");
        double sum = 0, sumAll = 0;
        var count = 0;
        var rows = ReadCsv("llmcompass_matmul_A100.csv");
        foreach (var r in rows)
        {
            long m = (long)r[0], n = (long)r[1], k = (long)r[2];
            var measured = r[3];
            var op = Shape(OperatorKind.Gemm, m, k, n);
            var t = Time(op);
            var ms = t.TotalNs / 1e6;
            var err = (ms - measured) / measured;
            sumAll += Math.Abs(err);
            if (measured >= 0.19) { sum += Math.Abs(err); count++; }
            Assert.True(t.TotalNs - t.LaunchNs >= LowerBoundNs(op) * (1 - 1e-9), $"{m}x{k}x{n} below FLOPs/peak or bytes/bandwidth");
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {m} | {n} | {k} | {measured:F4} | {ms:F4} | {err:+0.0%;-0.0%} | {t.Bound} |"));
        }
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"mean |error| {sum / count:P1} over the {count} GEMMs measured >= 0.19 ms; {sumAll / rows.Count:P1} over all {rows.Count}"));
        output.WriteLine(table.ToString());
        Assert.Equal(15, count);
        Assert.True(sum / count <= 0.10, $"mean |error| {sum / count:P1} > 10 %");
    }

    [Theory]
    [InlineData("llmcompass_softmax_A100.csv", OperatorKind.Softmax)]
    [InlineData("llmcompass_layernorm_A100.csv", OperatorKind.Norm)]
    [InlineData("llmcompass_gelu_A100.csv", OperatorKind.Pointwise)]
    public void LlmCompassVectorOpsWithinTwentyPercent(string file, OperatorKind kind)
    {
        var table = new StringBuilder($"{file}\n| M | N | measured ms | model ms | error |\n|---:|---:|---:|---:|---:|\n");
        double sum = 0;
        var rows = ReadCsv(file);
        foreach (var r in rows)
        {
            long m = (long)r[0], n = kind == OperatorKind.Pointwise ? 1 : (long)r[1];
            var measured = r[^1];
            var op = Shape(kind, m, 1, n);
            var t = Time(op);
            var ms = t.TotalNs / 1e6;
            var err = (ms - measured) / measured;
            sum += Math.Abs(err);
            Assert.True(t.TotalNs - t.LaunchNs >= LowerBoundNs(op) * (1 - 1e-9), $"{m}x{n} below bytes/bandwidth");
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {m} | {n} | {measured:F4} | {ms:F4} | {err:+0.0%;-0.0%} |"));
        }
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"mean |error| {sum / rows.Count:P1} over {rows.Count}"));
        output.WriteLine(table.ToString());
        Assert.True(sum / rows.Count <= 0.20, $"mean |error| {sum / rows.Count:P1} > 20 %");
    }

    /// <summary>Llama-2-7B (d 4096, FFN 11008, 32 heads) operators of Vidur's profile as operator shapes for <paramref name="tokens"/> tokens.</summary>
    public static IEnumerable<(string Name, int Column, OperatorShape Op)> VidurOperators(long tokens) =>
    [
        ("attn_pre_proj (fused QKV)", 1, Shape(OperatorKind.Gemm, tokens, 4096, 3 * 4096)),
        ("attn_post_proj", 3, Shape(OperatorKind.Gemm, tokens, 4096, 4096)),
        ("mlp_up_proj (fused gate+up)", 6, Shape(OperatorKind.Gemm, tokens, 4096, 2 * 11008)),
        ("mlp_down_proj", 8, Shape(OperatorKind.Gemm, tokens, 11008, 4096)),
        ("input_layernorm (RMSNorm)", 4, Shape(OperatorKind.Norm, tokens, 1, 4096)),
        ("mlp_act (SiLU x gate)", 7, Shape(OperatorKind.Elementwise, tokens, 1, 11008)),
        ("add (residual)", 9, Shape(OperatorKind.Elementwise, tokens, 1, 4096)),
    ];

    [Fact]
    public void VidurLlama2PerOperatorProfile()
    {
        var rows = ReadCsv("vidur_a100_Llama-2-7b-hf_tp1_ops.csv");
        var sums = new Dictionary<string, (double Sum, int Count, double SumBig, int CountBig)>();
        foreach (var r in rows)
        {
            var tokens = (long)r[0];
            foreach (var (name, column, op) in VidurOperators(tokens))
            {
                var measured = r[column];
                var t = Time(op);
                var kernelMs = (t.TotalNs - t.LaunchNs) / 1e6; // Vidur times CUDA kernels: no launch overhead
                Assert.True(t.TotalNs - t.LaunchNs >= LowerBoundNs(op) * (1 - 1e-9), $"{name} at {tokens} tokens below FLOPs/peak or bytes/bandwidth");
                var err = Math.Abs(kernelMs - measured) / measured;
                var s = sums.GetValueOrDefault(name);
                s.Sum += err; s.Count++;
                if (measured >= 0.19) { s.SumBig += err; s.CountBig++; }
                sums[name] = s;
            }
        }
        var table = new StringBuilder("| operator | mean abs error (all token counts) | rows >= 0.19 ms | mean abs error there |\n|---|---:|---:|---:|\n");
        double gemmSum = 0;
        var gemmCount = 0;
        foreach (var (name, s) in sums)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {s.Sum / s.Count:P1} | {s.CountBig} | {(s.CountBig > 0 ? (s.SumBig / s.CountBig).ToString("P1", CultureInfo.InvariantCulture) : "-")} |"));
            if (name.Contains("proj", StringComparison.Ordinal)) { gemmSum += s.SumBig; gemmCount += s.CountBig; }
        }
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"GEMMs >= 0.19 ms: mean |error| {gemmSum / gemmCount:P1} over {gemmCount}"));
        output.WriteLine(table.ToString());
        // Vidur's compute profile may come from the 300 W A100 80 GB PCIe card (its docs): its fused QKV GEMM at 4,096
        // tokens runs at 217 TFLOPS (70 % of peak) where LLMCompass's SXM card reaches 277 TFLOPS (89 %) on a similar
        // shape. The SXM-derived entry therefore stays within 20 % here (10 % on LLMCompass's SXM measurements).
        Assert.True(gemmSum / gemmCount <= 0.20, $"Vidur GEMMs >= 0.19 ms: mean |error| {gemmSum / gemmCount:P1} > 20 %");
    }
}
