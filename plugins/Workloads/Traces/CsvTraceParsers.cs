using System.Globalization;
using System.Text;
using Compass.Abstractions.Plugins;

namespace Compass.Workloads.Traces;

/// <summary>Maps the named columns of a CSV header to their positions.</summary>
internal sealed class CsvColumns
{
    private readonly string[] _names;

    public CsvColumns(params string[] names)
    {
        _names = names;
        Index = new int[names.Length];
    }

    /// <summary>Position of each wanted column, in the order given to the constructor.</summary>
    public int[] Index { get; }

    /// <summary>Number of fields a row needs to reach the last wanted column.</summary>
    public int FieldsNeeded { get; private set; }

    /// <summary>Reads the header; a missing column is an error naming it and listing what the header has.</summary>
    public void Read(ReadOnlySpan<byte> header, string where)
    {
        var found = new List<string>();
        var rest = header;
        var done = false;
        while (Utf8Fields.NextField(ref rest, ref done, out var field)) found.Add(Encoding.UTF8.GetString(field));
        for (var i = 0; i < _names.Length; i++)
        {
            Index[i] = found.FindIndex(f => string.Equals(f, _names[i], StringComparison.OrdinalIgnoreCase));
            if (Index[i] < 0)
                throw new CompassInputException(where, $"header has no column {_names[i]} ({Describe(header, found)})");
        }

        FieldsNeeded = Index.Max() + 1;
    }

    /// <summary>What the header holds, for the error: its columns (at most 120 characters), or that it is not text.</summary>
    private static string Describe(ReadOnlySpan<byte> header, List<string> found)
    {
        foreach (var b in header)
            if (b < 0x20 && b != (byte)'\t') return "the first line is not text: a binary file?";
        if (!System.Text.Unicode.Utf8.IsValid(header)) return "the first line is not UTF-8 text: a binary file?";
        var text = string.Join(",", found);
        return "found: " + (text.Length <= 120 ? text : text[..120] + "…");
    }

    /// <summary>Cuts a row into the wanted fields (order of the constructor); a missing field is an error naming it.</summary>
    public void Split(ReadOnlySpan<byte> line, Span<Range> wanted)
    {
        var start = 0;
        for (var position = 0; position < FieldsNeeded; position++)
        {
            if (start > line.Length) throw Utf8Fields.Missing(NameAt(position), position);
            var comma = line[start..].IndexOf((byte)',');
            var end = comma < 0 ? line.Length : start + comma;
            for (var i = 0; i < Index.Length; i++)
                if (Index[i] == position) wanted[i] = new Range(start, end);
            start = end + 1;
        }
    }

    private string NameAt(int position)
    {
        var best = -1;
        for (var i = 0; i < Index.Length; i++)
            if (Index[i] >= position && (best < 0 || Index[i] < Index[best])) best = i;
        return _names[best];
    }
}

/// <summary>
/// The Azure LLM inference trace CSV (Azure/AzurePublicDataset, 2023 and 2024): <c>TIMESTAMP,ContextTokens,GeneratedTokens</c>
/// with TIMESTAMP a datetime with up to 7 fractional digits (<c>2023-11-16 18:17:03.9799600</c>), optionally followed by
/// a UTC offset; a plain number is read as seconds. Arrivals are seconds after the first row.
/// </summary>
internal sealed class AzureCsvParser : ITraceRowParser
{
    private readonly CsvColumns _columns = new("TIMESTAMP", "ContextTokens", "GeneratedTokens");
    private long _firstTicks = long.MinValue;
    private double _firstSeconds = double.NaN;

    public bool HasHeader => true;

    public string PromptField => "ContextTokens";

    public string OutputField => "GeneratedTokens";

    public string ArrivalField => "TIMESTAMP";

    public void ReadHeader(ReadOnlySpan<byte> line, string where) => _columns.Read(line, where);

    public TraceRow Parse(ReadOnlySpan<byte> line)
    {
        Span<Range> fields = stackalloc Range[3];
        _columns.Split(line, fields);
        var time = Utf8Fields.Clean(line[fields[0]]);
        double arrival;
        if (AzureTimestamp.TryParseTicks(time, out var ticks))
        {
            if (_firstTicks == long.MinValue) _firstTicks = ticks;
            arrival = (ticks - _firstTicks) / (double)TimeSpan.TicksPerSecond;
        }
        else if (double.TryParse(time, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            if (double.IsNaN(_firstSeconds)) _firstSeconds = seconds;
            arrival = seconds - _firstSeconds;
        }
        else
        {
            throw Utf8Fields.Bad("TIMESTAMP", "a date-time like 2023-11-16 18:17:03.9799600 or a number of seconds", time);
        }

        var prompt = Utf8Fields.ParseCount(Utf8Fields.Clean(line[fields[1]]), "ContextTokens");
        var output = Utf8Fields.ParseCount(Utf8Fields.Clean(line[fields[2]]), "GeneratedTokens");
        return new TraceRow(arrival, prompt, output);
    }
}

/// <summary>
/// The Vidur trace-replay CSV (microsoft/vidur): <c>arrived_at</c> (seconds), <c>num_prefill_tokens</c>,
/// <c>num_decode_tokens</c>, in any column order, other columns ignored. Arrivals are taken as written.
/// </summary>
internal sealed class VidurCsvParser : ITraceRowParser
{
    private readonly CsvColumns _columns = new("arrived_at", "num_prefill_tokens", "num_decode_tokens");

    public bool HasHeader => true;

    public string PromptField => "num_prefill_tokens";

    public string OutputField => "num_decode_tokens";

    public string ArrivalField => "arrived_at";

    public void ReadHeader(ReadOnlySpan<byte> line, string where) => _columns.Read(line, where);

    public TraceRow Parse(ReadOnlySpan<byte> line)
    {
        Span<Range> fields = stackalloc Range[3];
        _columns.Split(line, fields);
        var arrival = Utf8Fields.ParseNumber(Utf8Fields.Clean(line[fields[0]]), "arrived_at");
        var prompt = Utf8Fields.ParseCount(Utf8Fields.Clean(line[fields[1]]), "num_prefill_tokens");
        var output = Utf8Fields.ParseCount(Utf8Fields.Clean(line[fields[2]]), "num_decode_tokens");
        return new TraceRow(arrival, prompt, output);
    }
}

/// <summary>Allocation-free parser of Azure trace timestamps.</summary>
internal static class AzureTimestamp
{
    /// <summary>
    /// Parses <c>yyyy-MM-dd HH:mm:ss[.f{1,7}][Z|±HH:MM]</c> (a <c>T</c> separator is accepted) into UTC ticks.
    /// </summary>
    public static bool TryParseTicks(ReadOnlySpan<byte> text, out long ticks)
    {
        ticks = 0;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':')
            return false;
        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        var position = 19;
        long fraction = 0;
        if (position < text.Length && text[position] == '.')
        {
            position++;
            var digits = 0;
            while (position < text.Length && text[position] is >= (byte)'0' and <= (byte)'9')
            {
                if (digits < 7) { fraction = (fraction * 10) + (text[position] - '0'); digits++; }
                position++;
            }

            if (digits == 0) return false;
            for (var d = digits; d < 7; d++) fraction *= 10;
        }

        long offsetTicks = 0;
        if (position < text.Length)
        {
            var sign = text[position];
            if (sign == 'Z' && position == text.Length - 1)
            {
                position++;
            }
            else if ((sign == '+' || sign == '-') && text.Length - position == 6 && text[position + 3] == ':'
                && Digits(text, position + 1, 2, out var offsetHours) && Digits(text, position + 4, 2, out var offsetMinutes))
            {
                offsetTicks = ((offsetHours * 60) + offsetMinutes) * TimeSpan.TicksPerMinute * (sign == '+' ? 1 : -1);
                position = text.Length;
            }
            else
            {
                return false;
            }
        }

        ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction - offsetTicks;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = text[i];
            if (c < '0' || c > '9') return false;
            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
