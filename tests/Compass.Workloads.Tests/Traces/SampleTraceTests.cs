using Compass.Abstractions.Workload;
using Compass.Workloads.Traces;

namespace Compass.Workloads.Tests;

/// <summary>
/// The sample traces in samples/traces are written by our own generators (never downloaded). This test regenerates
/// them in memory and compares byte for byte; set COMPASS_WRITE_SAMPLES=1 to rewrite the files.
/// </summary>
public sealed class SampleTraceTests
{
    public static TheoryData<string, string, TraceFileFormat> Samples => new()
    {
        { "azure-conv-gamma.csv", "azure-csv", TraceFileFormat.AzureCsv },
        { "arxiv-gamma.vidur.csv", "vidur-csv", TraceFileFormat.VidurCsv },
        { "sharegpt-burst.jsonl", "jsonl", TraceFileFormat.Jsonl },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void SampleFileIsOurGeneratorsOutputAndReadsBack(string file, string reader, TraceFileFormat format)
    {
        var generated = Generate(file);
        var writer = new StringWriter();
        TraceWriter.Write(writer, format, generated);
        var path = Path.Combine(TraceReaderTests.RepoRoot(), "samples", "traces", file);
        if (Environment.GetEnvironmentVariable("COMPASS_WRITE_SAMPLES") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, writer.ToString());
        }

        Assert.Equal(writer.ToString(), File.ReadAllText(path));
        var read = TestConfig.Trace(reader, ("path", path)).Read(0, default).ToArray();
        Assert.Equal(generated.Length, read.Length);
        Assert.Equal(generated.Select(r => (r.PromptTokens, r.OutputTokens)), read.Select(r => (r.PromptTokens, r.OutputTokens)));
    }

    /// <summary>The recipes of the samples (documented in samples/traces/README.md).</summary>
    private static TraceRequest[] Generate(string file) => file switch
    {
        // Azure 2023 conversation: 5.53 req/s, CV 1.09 (docs/reference/traces.md §2), lengths fitted to the conversation trace.
        "azure-conv-gamma.csv" => TestConfig.Trace("gamma", ("requests", "300"), ("ratePerSecond", "5.53"), ("cv", "1.09"), ("lengths", "azure-conv")).Read(42, default).ToArray(),
        // Arxiv summarization lengths, Vidur's default Gamma CV 0.5 at 2 req/s.
        "arxiv-gamma.vidur.csv" => TestConfig.Trace("gamma", ("requests", "300"), ("ratePerSecond", "2"), ("cv", "0.5"), ("lengths", "arxiv")).Read(42, default).ToArray(),
        // vLLM-filtered ShareGPT in bursts of 25 every 5 s, Poisson at 50 req/s inside a burst.
        _ => TestConfig.Trace("burst", ("requests", "300"), ("burstSize", "25"), ("burstGapSeconds", "5"), ("inBurstRatePerSecond", "50"), ("lengths", "sharegpt")).Read(42, default).ToArray(),
    };
}
