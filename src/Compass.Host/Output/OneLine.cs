using System.Text;

namespace Compass.Host.Output;

/// <summary>
/// Makes text fit one short stderr line: line breaks and other control characters become spaces, and text longer
/// than the limit keeps its start and end around an ellipsis that says how much was cut. Every message that may
/// echo user input (a 200 KB trace header, a huge unknown key) goes through it.
/// </summary>
public static class OneLine
{
    /// <summary>Longest message the host prints on one line, in characters.</summary>
    public const int MaxMessageChars = 400;

    /// <summary>Returns <paramref name="text"/> on one line of at most about <paramref name="maxChars"/> characters.</summary>
    public static string Of(string? text, int maxChars = MaxMessageChars)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        var builder = new StringBuilder(Math.Min(text.Length, maxChars + 64));
        if (text.Length <= maxChars)
        {
            Append(builder, text.AsSpan());
            return builder.ToString();
        }
        var tail = Math.Min(120, maxChars / 3);
        var head = maxChars - tail;
        Append(builder, text.AsSpan(0, head));
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $" …[{text.Length - head - tail} characters cut]… ");
        Append(builder, text.AsSpan(text.Length - tail));
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, ReadOnlySpan<char> text)
    {
        foreach (var c in text) builder.Append(char.IsControl(c) ? ' ' : c);
    }
}

/// <summary>
/// A stderr writer that keeps each written line within <see cref="OneLine.MaxMessageChars"/> (plus a margin for the
/// prefix and the suffix a command adds): the last line of defence against a message that echoes a huge input.
/// </summary>
public sealed class BoundedLineWriter : TextWriter
{
    private readonly TextWriter _inner;
    private readonly StringBuilder _line = new();
    private readonly object _gate = new();

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public BoundedLineWriter(TextWriter inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>Longest line written, in characters.</summary>
    public const int MaxLineChars = 4 * OneLine.MaxMessageChars;

    /// <inheritdoc />
    public override Encoding Encoding => _inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value)
    {
        lock (_gate) Append(value);
    }

    private void Append(char value)
    {
        if (value == '\n')
        {
            _inner.WriteLine(OneLine.Of(_line.ToString(), MaxLineChars));
            _line.Clear();
            return;
        }
        if (value == '\r') return;
        // Bound the buffer too: keep the start and the last characters of a line that never ends.
        if (_line.Length > 4 * MaxLineChars) _line.Remove(MaxLineChars, _line.Length - 3 * MaxLineChars);
        _line.Append(value);
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        if (value is null) return;
        lock (_gate)
        {
            foreach (var c in value) Append(c);
        }
    }

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            foreach (var c in value ?? string.Empty) Append(c);
            Append('\n');
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
        lock (_gate) FlushLine();
    }

    private void FlushLine()
    {
        if (_line.Length > 0)
        {
            _inner.Write(OneLine.Of(_line.ToString(), MaxLineChars));
            _line.Clear();
        }
        _inner.Flush();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }
}
