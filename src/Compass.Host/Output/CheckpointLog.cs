using System.Security.Cryptography;
using System.Text;
using Compass.Scenarios.Binding;
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
    private readonly int _flushEvery;
    private readonly object _gate = new();
    private readonly IncrementalHash _digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly MemoryStream _pending = new();
    private int _sinceFlush;
    private int _rows;
    private bool _closed;

    private CheckpointLog(FileStream stream, int flushEvery)
    {
        _stream = stream;
        _flushEvery = Math.Max(1, flushEvery);
    }

    /// <summary>
    /// Called after each flush with the number of rows flushed so far and the SHA-256 of their bytes (the host
    /// records both in <c>checkpoint.json</c>). Runs under the log's lock.
    /// </summary>
    public Action<int, string>? Flushed { get; init; }

    /// <summary>Called once when writing the log fails (disk full, file system gone): the run must stop.</summary>
    public Action<Exception>? Failed { get; init; }

    /// <summary>The write error that stopped the log, or null while it works.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Rows written so far (resumed rows included).</summary>
    public int Rows
    {
        get
        {
            lock (_gate) return _rows;
        }
    }

    /// <summary>Starts a new log at <paramref name="path"/> (replacing any file there) and writes the header.</summary>
    public static CheckpointLog Create(string path, int flushEvery, Action<int, string>? flushed = null, Action<Exception>? failed = null) =>
        Create(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), flushEvery, flushed, failed);

    /// <summary>Starts a new log on <paramref name="stream"/> (a test injects a failing one) and writes the header.</summary>
    internal static CheckpointLog Create(FileStream stream, int flushEvery, Action<int, string>? flushed, Action<Exception>? failed)
    {
        var log = new CheckpointLog(stream, flushEvery) { Flushed = flushed, Failed = failed };
        log.Guarded(() =>
        {
            var header = Utf8NoBom.GetBytes(SearchLogCsv.Header + "\n");
            log._stream.Write(header);
            log._stream.Flush(flushToDisk: false);
        });
        log.Flush();
        return log;
    }

    /// <summary>
    /// Continues the log at <paramref name="path"/>: cuts it to <paramref name="validLength"/> bytes (its complete
    /// lines) and appends; the digest continues over <paramref name="rowBytes"/>, the bytes of its rows.
    /// </summary>
    public static CheckpointLog Append(string path, long validLength, int flushEvery, ReadOnlySpan<byte> rowBytes, int rows, Action<int, string>? flushed = null, Action<Exception>? failed = null)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        stream.SetLength(validLength);
        stream.Seek(validLength, SeekOrigin.Begin);
        var log = new CheckpointLog(stream, flushEvery) { Flushed = flushed, Failed = failed };
        log._digest.AppendData(rowBytes);
        log._rows = rows;
        return log;
    }

    /// <summary>Appends one row; flushes every <c>flushEvery</c> rows. After a write failure rows are dropped (the run is being stopped).</summary>
    public void Write(SearchLogRow row)
    {
        var bytes = Utf8NoBom.GetBytes(SearchLogCsv.FormatRow(row) + "\n");
        lock (_gate)
        {
            if (_closed) return;
            _pending.Write(bytes);
            _digest.AppendData(bytes);
            _rows++;
            if (++_sinceFlush >= _flushEvery || _pending.Length >= 1 << 20) FlushLocked();
        }
    }

    /// <summary>Pushes the buffered rows to the operating system (they survive the process being killed), then reports the digest.</summary>
    public void Flush()
    {
        lock (_gate) FlushLocked();
    }

    private void FlushLocked()
    {
        if (_closed) return;
        Guarded(() =>
        {
            _stream.Write(_pending.GetBuffer(), 0, (int)_pending.Length);
            _pending.SetLength(0);
            _stream.Flush(flushToDisk: false);
            _sinceFlush = 0;
            Flushed?.Invoke(_rows, Convert.ToHexStringLower(_digest.GetCurrentHash()));
        });
    }

    private void Guarded(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lost checkpoint must stop the run, never be ignored: report once and drop what follows.
            Failure = e;
            _closed = true;
            try
            {
                _stream.Dispose();
            }
            catch (IOException)
            {
                // The write error already says what went wrong.
            }
            Failed?.Invoke(e);
        }
    }

    /// <summary>Flushes to disk and closes the file; later writes are ignored.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed) return;
            FlushLocked();
            if (_closed) return;
            Guarded(() => _stream.Flush(flushToDisk: true));
            if (_closed) return;
            _closed = true;
            _stream.Dispose();
            _digest.Dispose();
        }
    }

    /// <summary>What a resumed run needs from an interrupted run's log.</summary>
    /// <param name="Rows">The complete rows, in index order 0..n-1.</param>
    /// <param name="ValidLength">Bytes of the file up to and including the last complete line.</param>
    /// <param name="DroppedTornLine">True when an incomplete last line was dropped.</param>
    /// <param name="RowBytes">The bytes of the complete rows (header line excluded), which the digest covers.</param>
    public sealed record ResumeState(IReadOnlyList<SearchLogRow> Rows, long ValidLength, bool DroppedTornLine, byte[] RowBytes)
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

    /// <summary>Longest log line read back, in bytes (eight numbers in round-trip form and a hash fit in far less).</summary>
    public const int MaxLineBytes = 512;

    /// <summary>
    /// Reads an interrupted run's log of at most <paramref name="maxRows"/> rows (its budget; a larger file is
    /// refused before it is read): a last line without its newline (torn by a kill) is dropped; every other line
    /// must parse, and indices must run 0, 1, 2, ... (else <see cref="CompassInputException"/> naming file and line).
    /// A missing or empty file is an empty log.
    /// </summary>
    public static ResumeState ReadForResume(string path, int maxRows = int.MaxValue)
    {
        if (!File.Exists(path)) return new ResumeState([], 0, false, []);
        var name = Path.GetFileName(path);
        var maxBytes = (maxRows + 2L) * MaxLineBytes;
        var bytes = InputFiles.ReadBytes(path, maxBytes, name);
        var end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var torn = end < bytes.Length;
        if (end == 0) return new ResumeState([], 0, torn, []);
        var text = Utf8NoBom.GetString(bytes, 0, end);
        var rows = SearchLogCsv.Parse(new StringReader(text), name);
        if (rows.Count > maxRows)
            throw new CompassInputException($"{name}:{maxRows + 2}", $"the log has {rows.Count} rows, more than the run's budget of {maxRows} evaluations: rows were added after the run; cannot resume");
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Index != i)
                throw new CompassInputException($"{name}:{i + 2}", $"index must be {i} (rows 0, 1, 2, ... in order), got {rows[i].Index}");
        }
        var headerEnd = Array.IndexOf(bytes, (byte)'\n') + 1;
        return new ResumeState(rows, end, torn, bytes[headerEnd..end]);
    }

    /// <summary>
    /// Checks that the first <see cref="CheckpointHeader.Rows"/> rows of <paramref name="log"/> hash to the digest
    /// the interrupted run recorded; a difference (a row edited, removed or copied from another run) is a
    /// <see cref="CompassInputException"/>. Rows after the recorded ones are not covered: the caller re-evaluates them.
    /// </summary>
    public static void VerifyDigest(ResumeState log, CheckpointHeader header, string name)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(header);
        if (header.Rows > log.Rows.Count)
            throw new CompassInputException(name, $"has {log.Rows.Count} complete rows, but {header.Rows} were recorded as written: the log was cut or replaced; cannot resume");
        var offset = 0;
        for (var i = 0; i < header.Rows; i++) offset = Array.IndexOf(log.RowBytes, (byte)'\n', offset) + 1;
        var digest = Convert.ToHexStringLower(SHA256.HashData(log.RowBytes.AsSpan(0, offset)));
        if (digest != header.RowsSha256)
            throw new CompassInputException($"{name}:2-{header.Rows + 1}", $"the rows do not match the digest recorded in {CheckpointHeader.FileName} as they were written: a row was edited or comes from another run; cannot resume");
    }
}
