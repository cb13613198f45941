using System.Text;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Files;
using Compass.Reporting.Model;

namespace Compass.Host.Output;

/// <summary>
/// The search log streamed while a search runs: it is the checkpoint of <c>compass explore --resume</c>. Rows use
/// <see cref="SearchLogCsv"/>'s round-trip number format, so a resumed run reads back the exact bits of every
/// logged fitness. The file is flushed to the operating system at least every <c>checkpointEvery</c> rows and when
/// the log is closed; a killed process loses at most the rows since the last flush and leaves at most one torn
/// last line, which <see cref="ReadForResume"/> drops.
/// </summary>
public sealed class CheckpointLog : IDisposable
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private readonly FileStream _stream;
    private readonly StreamWriter _writer;
    private readonly int _flushEvery;
    private readonly object _gate = new();
    private int _sinceFlush;
    private bool _closed;

    private CheckpointLog(FileStream stream, int flushEvery)
    {
        _stream = stream;
        _writer = new StreamWriter(stream, Utf8NoBom, 1 << 16, leaveOpen: true) { NewLine = "\n" };
        _flushEvery = Math.Max(1, flushEvery);
    }

    /// <summary>Starts a new log at <paramref name="path"/> (replacing any file there) and writes the header.</summary>
    public static CheckpointLog Create(string path, int flushEvery)
    {
        var log = new CheckpointLog(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), flushEvery);
        SearchLogCsv.WriteHeader(log._writer);
        log.Flush();
        return log;
    }

    /// <summary>Continues the log at <paramref name="path"/>: cuts it to <paramref name="validLength"/> bytes (its complete lines) and appends.</summary>
    public static CheckpointLog Append(string path, long validLength, int flushEvery)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        stream.SetLength(validLength);
        stream.Seek(validLength, SeekOrigin.Begin);
        return new CheckpointLog(stream, flushEvery);
    }

    /// <summary>Appends one row; flushes every <c>flushEvery</c> rows.</summary>
    public void Write(SearchLogRow row)
    {
        lock (_gate)
        {
            if (_closed) return;
            SearchLogCsv.WriteRow(_writer, row);
            if (++_sinceFlush >= _flushEvery) Flush();
        }
    }

    /// <summary>Pushes the buffered rows to the operating system (they survive the process being killed).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_closed) return;
            _writer.Flush();
            _stream.Flush(flushToDisk: false);
            _sinceFlush = 0;
        }
    }

    /// <summary>Flushes to disk and closes the file; later writes are ignored.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed) return;
            _writer.Flush();
            _stream.Flush(flushToDisk: true);
            _closed = true;
            _writer.Dispose();
            _stream.Dispose();
        }
    }

    /// <summary>What a resumed run needs from an interrupted run's log.</summary>
    /// <param name="Rows">The complete rows, in index order 0..n-1.</param>
    /// <param name="ValidLength">Bytes of the file up to and including the last complete line.</param>
    /// <param name="DroppedTornLine">True when an incomplete last line was dropped.</param>
    public sealed record ResumeState(IReadOnlyList<SearchLogRow> Rows, long ValidLength, bool DroppedTornLine)
    {
        /// <summary>The logged fitness values, bit for bit, to serve to the optimizer instead of re-evaluating.</summary>
        public IReadOnlyList<Fitness> Fitnesses => [.. Rows.Select(ToFitness)];
    }

    /// <summary>The fitness a log row records (the engine only produces all-finite valid fitness values).</summary>
    public static Fitness ToFitness(SearchLogRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.IsValid && double.IsFinite(row.Objective) ? new Fitness(row.LatencyNs, row.EnergyPj, row.Objective, true) : Fitness.Invalid;
    }

    /// <summary>
    /// Reads an interrupted run's log: a last line without its newline (torn by a kill) is dropped; every other line
    /// must parse, and indices must run 0, 1, 2, ... (else <see cref="CompassInputException"/> naming file and line).
    /// A missing or empty file is an empty log.
    /// </summary>
    public static ResumeState ReadForResume(string path)
    {
        if (!File.Exists(path)) return new ResumeState([], 0, false);
        var bytes = File.ReadAllBytes(path);
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var torn = end < bytes.Length;
        if (end == 0) return new ResumeState([], 0, torn);
        var text = Utf8NoBom.GetString(bytes, 0, end);
        var name = Path.GetFileName(path);
        var rows = SearchLogCsv.Parse(new StringReader(text), name);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Index != i)
                throw new CompassInputException($"{name}:{i + 2}", $"index must be {i} (rows 0, 1, 2, ... in order), got {rows[i].Index}");
        }
        return new ResumeState(rows, end, torn);
    }
}
