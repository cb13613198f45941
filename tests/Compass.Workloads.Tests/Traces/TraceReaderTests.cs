using System.Reflection;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Workloads.Traces;

namespace Compass.Workloads.Tests;

public sealed class TraceReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compass-traces-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("azure-csv", TraceFileFormat.AzureCsv)]
    [InlineData("vidur-csv", TraceFileFormat.VidurCsv)]
    [InlineData("jsonl", TraceFileFormat.Jsonl)]
    public void WrittenTraceReadsBackUnchanged(string reader, TraceFileFormat format)
    {
        var original = TestConfig.Trace("gamma", ("requests", "400"), ("cv", "2"), ("lengths", "azure-code")).Read(3, default).ToArray();
        var path = Path.Combine(_folder, "t." + reader);
        TraceWriter.WriteFile(path, format, original);
        var read = TestConfig.Trace(reader, ("path", path)).Read(0, default).ToArray();
        Assert.Equal(original.Select(r => (r.Id, r.PromptTokens, r.OutputTokens)), read.Select(r => (r.Id, r.PromptTokens, r.OutputTokens)));
        // Azure timestamps carry 100 ns ticks; the other formats round-trip doubles exactly.
        var tolerance = format == TraceFileFormat.AzureCsv ? 1e-7 : 0;
        Assert.All(original.Zip(read), p => Assert.Equal(p.First.ArrivalSeconds - original[0].ArrivalSeconds * (format == TraceFileFormat.AzureCsv ? 1 : 0), p.Second.ArrivalSeconds, tolerance));
    }

    [Fact]
    public void AzureTimestampsWithSevenFractionalDigitsBecomeSecondsAfterTheFirstRow()
    {
        var path = Write("a.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,4808,10\n2023-11-16 18:17:04.0000001,3180,8\n2023-11-16 18:18:03.9799600,110,27\n");
        var read = TestConfig.Trace("azure-csv", ("path", path)).Read(0, default).ToArray();
        Assert.Equal([new TraceRequest(0, 0, 4808, 10), new TraceRequest(1, 0.0200401, 3180, 8), new TraceRequest(2, 60, 110, 27)], read);
    }

    [Fact]
    public void AzureColumnsAreFoundByNameWithCrLfBomAndOffsets()
    {
        var path = Write("b.csv", "\uFEFFGeneratedTokens,TIMESTAMP,ContextTokens\r\n5,2024-05-10 00:00:00.5+00:00,100\r\n\r\n6,2024-05-10 02:00:01.5+02:00,200\r\n");
        var read = TestConfig.Trace("azure-csv", ("path", path)).Read(0, default).ToArray();
        Assert.Equal([new TraceRequest(0, 0, 100, 5), new TraceRequest(1, 1, 200, 6)], read);
    }

    [Theory]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,12,3\n2023-11-16 18:17:04.0,abc,3\n", 3, "ContextTokens")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,12,3\n\n2023-13-16 18:17:04.0,5,3\n", 4, "TIMESTAMP")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,12\n", 2, "GeneratedTokens")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,12,0\n", 2, "GeneratedTokens")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:05,12,3\n2023-11-16 18:17:04,12,3\n", 3, "TIMESTAMP")]
    public void MalformedAzureRowNamesFileLineAndField(string text, int line, string field)
    {
        var path = Write("bad.csv", text);
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Trace("azure-csv", ("path", path)).Read(0, default).ToArray());
        Assert.Equal($"{path}:{line}", e.Field);
        Assert.Contains(field, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingColumnNamesTheHeaderLine()
    {
        var path = Write("h.csv", "arrived_at,num_prefill_tokens\n0.5,10\n");
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Trace("vidur-csv", ("path", path)).Read(0, default).ToArray());
        Assert.Equal($"{path}:1", e.Field);
        Assert.Contains("num_decode_tokens", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void VidurReadsArrivalsAsWrittenAndIgnoresExtraColumns()
    {
        var path = Write("v.csv", "num_decode_tokens,arrived_at,extra,num_prefill_tokens\n7,1.25,x,300\n8,2.5,y,400.0\n");
        var read = TestConfig.Trace("vidur-csv", ("path", path)).Read(0, default).ToArray();
        Assert.Equal([new TraceRequest(0, 1.25, 300, 7), new TraceRequest(1, 2.5, 400, 8)], read);
    }

    [Fact]
    public void JsonlAcceptsApexMooncakeAndLlmServingSimFieldNames()
    {
        var path = Write("m.jsonl",
            "{\"timestamp\": 0, \"input_length\": 6955, \"output_length\": 52, \"hash_ids\": [46, 47, 48]}\n" +
            "{\"StartTimeOffset\": 1500000000, \"ContextTokens\": 100, \"GeneratedTokens\": 20}\n" +
            "{\"arrival_time_ns\": 2000000000, \"input_toks\": 30, \"output_toks\": 4, \"input_tok_ids\": [1, 2]}\n" +
            "{\"arrival\": 2.5, \"promptTokens\": 8, \"outputTokens\": 9}\n" +
            "{\"timestamp\": 3000, \"input_length\": 5, \"output_length\": 6}\n");
        var read = TestConfig.Trace("jsonl", ("path", path)).Read(0, default).ToArray();
        Assert.Equal(
            [new TraceRequest(0, 0, 6955, 52), new TraceRequest(1, 1.5, 100, 20), new TraceRequest(2, 2, 30, 4), new TraceRequest(3, 2.5, 8, 9), new TraceRequest(4, 3, 5, 6)],
            read);
    }

    [Theory]
    [InlineData("{\"arrival\": 1, \"promptTokens\": 3, \"outputTokens\": 2}\n{\"arrival\": 2, \"promptTokens\": \"x\", \"outputTokens\": 2}\n", 2, "promptTokens")]
    [InlineData("{\"arrival\": 1, \"promptTokens\": 3}\n", 1, "output tokens")]
    [InlineData("{\"arrival\": 1, \"promptTokens\": 3, \"outputTokens\": 2}\n\n{\"arrival\": 2, \"promptTokens\": 3,\n", 3, "JSON")]
    [InlineData("[1, 2, 3]\n", 1, "object")]
    [InlineData("{\"promptTokens\": 3, \"outputTokens\": 2}\n", 1, "arrival")]
    public void MalformedJsonlLineNamesLineAndField(string text, int line, string field)
    {
        var path = Write("bad.jsonl", text);
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Trace("jsonl", ("path", path)).Read(0, default).ToArray());
        Assert.Equal($"{path}:{line}", e.Field);
        Assert.Contains(field, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroTokenRowsCanBeSkippedOrClamped()
    {
        var path = Write("z.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,0\n1,20,5\n");
        var skipped = TestConfig.Trace("vidur-csv", ("path", path), ("zeroTokens", "skip")).Read(0, default).ToArray();
        Assert.Equal([new TraceRequest(0, 1, 20, 5)], skipped);
        var clamped = TestConfig.Trace("vidur-csv", ("path", path), ("zeroTokens", "clamp")).Read(0, default).ToArray();
        Assert.Equal([new TraceRequest(0, 0, 10, 1), new TraceRequest(1, 1, 20, 5)], clamped);
    }

    [Fact]
    public void RequestsOptionStopsEarly()
    {
        var path = Path.Combine(_folder, "long.jsonl");
        TraceWriter.WriteFile(path, TraceFileFormat.Jsonl, TestConfig.Trace("poisson", ("requests", "100")).Read(1, default));
        Assert.Equal(10, TestConfig.Trace("jsonl", ("path", path), ("requests", "10")).Read(0, default).Count());
    }

    [Fact]
    public void MissingFileIsRejectedWhenTheSourceIsCreated()
    {
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Trace("azure-csv", ("path", Path.Combine(_folder, "none.csv"))));
        Assert.Equal("workload.trace.options.path", e.Field);
        var empty = Write("empty.csv", string.Empty);
        var e2 = Assert.Throws<CompassInputException>(() => TestConfig.Trace("azure-csv", ("path", empty)).Read(0, default).ToArray());
        Assert.Equal(empty, e2.Field);
    }

    [Fact]
    public void ReadingTwiceGivesTheSameSequence()
    {
        var path = Path.Combine(_folder, "twice.csv");
        TraceWriter.WriteFile(path, TraceFileFormat.AzureCsv, TestConfig.Trace("poisson", ("requests", "50")).Read(1, default));
        var source = TestConfig.Trace("azure-csv", ("path", path));
        Assert.Equal(source.Read(0, default).ToArray(), source.Read(99, default).ToArray());
    }

    [Fact]
    public void LongLinesGrowTheBuffer()
    {
        var hashes = string.Join(",", Enumerable.Range(0, 40_000));
        var path = Write("wide.jsonl", $"{{\"hash_ids\": [{hashes}], \"timestamp\": 5, \"input_length\": 3, \"output_length\": 4}}\n{{\"timestamp\": 6, \"input_length\": 1, \"output_length\": 1}}");
        var read = TestConfig.Trace("jsonl", ("path", path)).Read(0, default).ToArray();
        Assert.Equal([new TraceRequest(0, 0.005, 3, 4), new TraceRequest(1, 0.006, 1, 1)], read);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    internal static string RepoRoot() => typeof(TraceReaderTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CompassRepoRoot").Value!;
}
