using System.Globalization;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Workloads.Traces;

/// <summary>What a reader does with a row whose prompt or output token count is 0 (failed requests in BurstGPT, for example).</summary>
public enum ZeroTokenPolicy
{
    /// <summary>The row is an error naming the file, line and field.</summary>
    Error,

    /// <summary>The row is skipped.</summary>
    Skip,

    /// <summary>The count is raised to 1 token.</summary>
    Clamp,
}

/// <summary>Options shared by the trace-file readers.</summary>
/// <param name="Path">The trace file.</param>
/// <param name="MaxRequests">Stop after this many requests (0 = the whole file).</param>
/// <param name="ZeroTokens">Policy for zero token counts.</param>
public sealed record TraceFileOptions(string Path, long MaxRequests = 0, ZeroTokenPolicy ZeroTokens = ZeroTokenPolicy.Error);

/// <summary>One parsed row of a trace file.</summary>
/// <param name="ArrivalSeconds">Arrival time in seconds (format-specific origin).</param>
/// <param name="PromptTokens">Prompt tokens as written.</param>
/// <param name="OutputTokens">Output tokens as written.</param>
internal readonly record struct TraceRow(double ArrivalSeconds, long PromptTokens, long OutputTokens);

/// <summary>Parses the rows of one file format. Instances are per enumeration (they may keep the header's column map).</summary>
internal interface ITraceRowParser
{
    /// <summary>True when the first non-empty line is a header to pass to <see cref="ReadHeader"/>.</summary>
    bool HasHeader { get; }

    /// <summary>Reads the header line; throws <see cref="CompassInputException"/> when a column is missing.</summary>
    void ReadHeader(ReadOnlySpan<byte> line, string where);

    /// <summary>
    /// Parses a data line; throws <see cref="CompassInputException"/> with an empty field and a reason naming the
    /// column (the reader puts the file and line in front).
    /// </summary>
    TraceRow Parse(ReadOnlySpan<byte> line);

    /// <summary>Name of the prompt-token field in messages.</summary>
    string PromptField { get; }

    /// <summary>Name of the output-token field in messages.</summary>
    string OutputField { get; }

    /// <summary>Name of the arrival field in messages.</summary>
    string ArrivalField { get; }
}

/// <summary>The streaming loop shared by the readers: line numbers, empty lines, order and token checks, ids.</summary>
internal static class TraceFileReader
{
    /// <summary>Streams the requests of <paramref name="options"/>' file; <paramref name="onRequest"/> gets each yielded request's id and 1-based line.</summary>
    public static IEnumerable<TraceRequest> Read(TraceFileOptions options, Func<ITraceRowParser> createParser, CancellationToken cancellationToken, Action<long, long>? onRequest = null)
    {
        var label = options.Path;
        var parser = createParser();
        FileStream stream;
        try
        {
            stream = new FileStream(options.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CompassInputException(label, $"cannot open trace file: {e.Message}", e);
        }

        using var reader = new Utf8LineReader(stream, label);
        var headerPending = parser.HasHeader;
        long id = 0;
        var previousArrival = double.NegativeInfinity;
        while (true)
        {
            if (!Next(reader, parser, label, ref headerPending, out var row)) yield break;
            if ((reader.LineNumber & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (!Check(options, parser, row, new RowLocation(label, reader.LineNumber), previousArrival, out var request, id)) continue;
            previousArrival = request.ArrivalSeconds;
            onRequest?.Invoke(id, reader.LineNumber);
            yield return request;
            id++;
            if (options.MaxRequests > 0 && id >= options.MaxRequests) yield break;
        }
    }

    private static bool Next(Utf8LineReader reader, ITraceRowParser parser, string label, ref bool headerPending, out TraceRow row)
    {
        while (reader.TryReadLine(out var line))
        {
            if (line.Trim(" \t"u8).IsEmpty) continue;
            if (headerPending)
            {
                parser.ReadHeader(line, $"{label}:{reader.LineNumber}");
                headerPending = false;
                continue;
            }

            try
            {
                row = parser.Parse(line);
            }
            catch (CompassInputException e) when (e.Field.Length == 0)
            {
                throw new CompassInputException($"{label}:{reader.LineNumber}", e.Reason);
            }

            return true;
        }

        if (headerPending) throw new CompassInputException(label, "trace file is empty (no header line)");
        row = default;
        return false;
    }

    private static bool Check(TraceFileOptions options, ITraceRowParser parser, TraceRow row, RowLocation where, double previousArrival, out TraceRequest request, long id)
    {
        request = default;
        if (!double.IsFinite(row.ArrivalSeconds) || row.ArrivalSeconds < 0)
            throw new CompassInputException(where.ToString(), $"{parser.ArrivalField} must be a finite time >= 0 s, got {row.ArrivalSeconds.ToString("R", CultureInfo.InvariantCulture)}");
        if (row.ArrivalSeconds < previousArrival)
            throw new CompassInputException(where.ToString(), $"{parser.ArrivalField} goes back in time ({row.ArrivalSeconds.ToString("R", CultureInfo.InvariantCulture)} s after {previousArrival.ToString("R", CultureInfo.InvariantCulture)} s); rows must be in arrival order");
        if (!Tokens(options, row.PromptTokens, parser.PromptField, where, out var prompt)) return false;
        if (!Tokens(options, row.OutputTokens, parser.OutputField, where, out var output)) return false;
        request = new TraceRequest(id, row.ArrivalSeconds, prompt, output);
        return true;
    }

    private static bool Tokens(TraceFileOptions options, long value, string field, RowLocation where, out int tokens)
    {
        tokens = 0;
        if (value < 0 || value > int.MaxValue)
            throw new CompassInputException(where.ToString(), $"{field} must be in [0, {int.MaxValue}], got {value}");
        if (value == 0)
        {
            switch (options.ZeroTokens)
            {
                case ZeroTokenPolicy.Skip: return false;
                case ZeroTokenPolicy.Clamp: tokens = 1; return true;
                default: throw new CompassInputException(where.ToString(), $"{field} must be >= 1, got 0 (set zeroTokens to skip or clamp to accept such rows)");
            }
        }

        tokens = (int)value;
        return true;
    }
}

/// <summary>File and line of a row; formatted only when an error is reported.</summary>
/// <param name="File">The file as named in the options.</param>
/// <param name="Line">1-based line number.</param>
internal readonly record struct RowLocation(string File, long Line)
{
    /// <summary>The location as <c>file:line</c>.</summary>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Span helpers for the CSV and JSONL parsers.</summary>
internal static class Utf8Fields
{
    /// <summary>Splits off the next comma-separated field; false when none is left.</summary>
    public static bool NextField(ref ReadOnlySpan<byte> rest, ref bool done, out ReadOnlySpan<byte> field)
    {
        if (done)
        {
            field = default;
            return false;
        }

        var comma = rest.IndexOf((byte)',');
        if (comma < 0)
        {
            field = rest;
            done = true;
        }
        else
        {
            field = rest[..comma];
            rest = rest[(comma + 1)..];
        }

        field = Clean(field);
        return true;
    }

    /// <summary>Trims blanks and surrounding double quotes.</summary>
    public static ReadOnlySpan<byte> Clean(ReadOnlySpan<byte> field)
    {
        field = field.Trim(" \t"u8);
        if (field.Length >= 2 && field[0] == (byte)'"' && field[^1] == (byte)'"') field = field[1..^1].Trim(" \t"u8);
        return field;
    }

    /// <summary>Parses a whole number, also written as an integral decimal (<c>12.0</c>).</summary>
    public static long ParseCount(ReadOnlySpan<byte> field, string name)
    {
        if (long.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 9e18)
            return (long)d;
        throw Bad(name, "a whole number of tokens", field);
    }

    /// <summary>Parses a finite number.</summary>
    public static double ParseNumber(ReadOnlySpan<byte> field, string name)
    {
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        throw Bad(name, "a finite number", field);
    }

    /// <summary>An error for a field whose text is not what was expected (the reader adds file and line).</summary>
    public static CompassInputException Bad(string name, string expected, ReadOnlySpan<byte> text)
    {
        var shown = System.Text.Encoding.UTF8.GetString(text.Length > 40 ? text[..40] : text);
        return new CompassInputException(string.Empty, $"{name} must be {expected}, got '{shown}'");
    }

    /// <summary>A positional error for a missing field (the reader adds file and line).</summary>
    public static CompassInputException Missing(string name, int fieldsSeen) =>
        new(string.Empty, $"{name} is missing (row has {fieldsSeen} fields)");
}
