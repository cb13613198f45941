using Compass.Abstractions.Plugins;

namespace Compass.Workloads.Traces;

/// <summary>
/// Reads a UTF-8 text stream line by line into a reusable byte buffer: no allocation per line, memory bounded by the
/// longest line. Strips a leading byte-order mark and trailing <c>\r</c>.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private const int InitialBufferBytes = 1 << 16;
    private const int MaxLineBytes = 1 << 26;
    private readonly Stream _stream;
    private byte[] _buffer = new byte[InitialBufferBytes];
    private int _start;
    private int _end;
    private readonly string _label;
    private bool _eof;

    /// <summary>Creates the reader.</summary>
    /// <param name="stream">The stream; disposed with the reader.</param>
    /// <param name="label">File name used in error messages.</param>
    public Utf8LineReader(Stream stream, string label)
    {
        _stream = stream;
        _label = label;
    }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next line; false at the end of the stream.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        var searchFrom = _start;
        while (true)
        {
            var newline = _buffer.AsSpan(searchFrom, _end - searchFrom).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = searchFrom + newline;
                line = Finish(_start, lineEnd);
                _start = lineEnd + 1;
                return true;
            }

            if (_eof)
            {
                if (_start == _end)
                {
                    line = default;
                    return false;
                }

                line = Finish(_start, _end);
                _start = _end;
                return true;
            }

            searchFrom = _end;
            Fill(ref searchFrom);
        }
    }

    public void Dispose() => _stream.Dispose();

    private ReadOnlySpan<byte> Finish(int from, int to)
    {
        if (to > from && _buffer[to - 1] == (byte)'\r') to--;
        LineNumber++;
        var span = _buffer.AsSpan(from, to - from);
        if (LineNumber == 1 && span.StartsWith("\uFEFF"u8)) span = span[3..];
        return span;
    }

    private void Fill(ref int searchFrom)
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            searchFrom -= _start;
            _start = 0;
            _end = pending;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes) throw new CompassInputException($"{_label}:{LineNumber + 1}", $"line is longer than {MaxLineBytes} bytes");
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _eof = true;
        else _end += read;
    }
}
