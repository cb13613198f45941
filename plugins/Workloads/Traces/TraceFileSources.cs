using System.Globalization;
using System.Text;
using Compass.Abstractions.Workload;

namespace Compass.Workloads.Traces;

/// <summary>Supported trace-file formats.</summary>
public enum TraceFileFormat
{
    /// <summary>Azure LLM inference CSV: <c>TIMESTAMP,ContextTokens,GeneratedTokens</c>.</summary>
    AzureCsv,

    /// <summary>Vidur trace-replay CSV: <c>arrived_at,num_prefill_tokens,num_decode_tokens</c>.</summary>
    VidurCsv,

    /// <summary>JSON Lines: one object per line with arrival, prompt and output fields.</summary>
    Jsonl,
}

/// <summary>
/// Streams a trace file in one of the <see cref="TraceFileFormat"/>s: one line in memory at a time (no allocation per
/// row), line-numbered <c>CompassInputException</c> for a malformed row (<c>trace.csv:17: ContextTokens must be a whole
/// number of tokens, got 'x'</c>). Ids run from 0 in file order; the seed is ignored.
/// </summary>
/// <param name="Format">File format.</param>
/// <param name="Options">Path and row policies.</param>
public sealed record TraceFileSource(TraceFileFormat Format, TraceFileOptions Options) : ITraceSource, ITraceRequestLocator
{
    private readonly LastYielded _last = new();

    /// <inheritdoc />
    public IEnumerable<TraceRequest> Read(int seed, CancellationToken cancellationToken)
        => TraceFileReader.Read(Options, CreateParser, cancellationToken, _last.Record);

    /// <inheritdoc />
    public string? Locate(long requestId)
    {
        if (requestId < 0) return null;
        var (id, line) = _last.Get();
        if (id == requestId) return $"{Options.Path}:{line}";
        // Not the request yielded last: read the file again up to it (an error path only).
        long found = -1;
        foreach (var r in TraceFileReader.Read(Options, CreateParser, CancellationToken.None, (i, l) => { if (i == requestId) found = l; }))
            if (r.Id >= requestId) break;
        return found > 0 ? $"{Options.Path}:{found}" : null;
    }

    /// <summary>The id and line of the request an enumeration yielded last (enumerations of one source run one at a time).</summary>
    private sealed class LastYielded
    {
        private long _id = -1, _line;

        public void Record(long id, long line)
        {
            _id = id;
            _line = line;
        }

        public (long Id, long Line) Get() => (_id, _line);

        // Equality of the source record ignores where its last enumeration stopped.
        public override bool Equals(object? obj) => obj is LastYielded;

        public override int GetHashCode() => 0;
    }

    private ITraceRowParser CreateParser() => Format switch
    {
        TraceFileFormat.AzureCsv => new AzureCsvParser(),
        TraceFileFormat.VidurCsv => new VidurCsvParser(),
        _ => new JsonlTraceParser(),
    };
}

/// <summary>Writes traces in the formats <see cref="TraceFileSource"/> reads (used for the shipped samples and conversions).</summary>
public static class TraceWriter
{
    /// <summary>Origin of the Azure timestamps written: the first arrival of the Azure 2023 traces (docs/reference/traces.md §1).</summary>
    public static readonly DateTime AzureOriginUtc = new(2023, 11, 16, 18, 17, 0, DateTimeKind.Utc);

    /// <summary>Writes requests in the given format.</summary>
    public static void Write(TextWriter writer, TraceFileFormat format, IEnumerable<TraceRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(requests);
        writer.NewLine = "\n";
        switch (format)
        {
            case TraceFileFormat.AzureCsv:
                writer.WriteLine("TIMESTAMP,ContextTokens,GeneratedTokens");
                foreach (var r in requests)
                {
                    var time = AzureOriginUtc.AddTicks((long)Math.Round(r.ArrivalSeconds * TimeSpan.TicksPerSecond));
                    writer.Write(time.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture));
                    writer.Write(',');
                    writer.Write(r.PromptTokens.ToString(CultureInfo.InvariantCulture));
                    writer.Write(',');
                    writer.WriteLine(r.OutputTokens.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case TraceFileFormat.VidurCsv:
                writer.WriteLine("arrived_at,num_prefill_tokens,num_decode_tokens");
                foreach (var r in requests)
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.ArrivalSeconds:R},{r.PromptTokens},{r.OutputTokens}"));
                break;
            default:
                foreach (var r in requests)
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"arrival\":{r.ArrivalSeconds:R},\"promptTokens\":{r.PromptTokens},\"outputTokens\":{r.OutputTokens}}}"));
                break;
        }
    }

    /// <summary>Writes requests to a file (UTF-8, no byte-order mark).</summary>
    public static void WriteFile(string path, TraceFileFormat format, IEnumerable<TraceRequest> requests)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
        Write(writer, format, requests);
    }
}
