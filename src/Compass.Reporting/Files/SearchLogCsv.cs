using System.Globalization;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Model;

namespace Compass.Reporting.Files;

/// <summary>
/// <c>search-log.csv</c>: one row per evaluation, columns
/// <c>index,latency_ms,energy_mj,objective,edp_js,best_objective_so_far,elapsed_s,genome_hash</c>. Latency and energy
/// are in the reports' units (ms, mJ), written as the exact decimal shift of the engine's shortest round-trip ns and pJ
/// text, so reading them back gives the same bits (the file is the checkpoint of <c>--resume</c>). <c>objective</c> and
/// <c>best_objective_so_far</c> are the optimizer's own numbers (for EDP: ns·pJ; <c>edp_js</c> is the same in J·s).
/// Numbers are invariant-culture (<c>Infinity</c> for a rejected mapping); the hash is 16 lowercase hex digits. Logs
/// written before the units changed (<c>latency_ns,energy_pj</c>) are still read.
/// </summary>
public static class SearchLogCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "index,latency_ms,energy_mj,objective,edp_js,best_objective_so_far,elapsed_s,genome_hash";

    /// <summary>The header of logs written in ns and pJ (still read).</summary>
    public const string LegacyHeader = "index,latency_ns,energy_pj,objective,edp_js,best_objective_so_far,elapsed_s,genome_hash";

    /// <summary>Decimal exponent from ns to ms.</summary>
    private const int NsToMs = -6;

    /// <summary>Decimal exponent from pJ to mJ.</summary>
    private const int PjToMj = -9;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One CSV line (without the newline).</summary>
    public static string FormatRow(SearchLogRow row) => string.Join(',',
        row.Index.ToString(Invariant), Shifted(row.LatencyNs, NsToMs), Shifted(row.EnergyPj, PjToMj), Number(row.Objective), Number(row.EdpJouleSeconds),
        Number(row.BestObjectiveSoFar), Number(row.ElapsedSeconds), row.GenomeHash.ToString("x16", Invariant));

    /// <summary>Writes the header line.</summary>
    public static void WriteHeader(TextWriter writer) => writer.Write(Header + "\n");

    /// <summary>Writes one row line (for streaming the log during a search).</summary>
    public static void WriteRow(TextWriter writer, SearchLogRow row) => writer.Write(FormatRow(row) + "\n");

    /// <summary>The whole file as text.</summary>
    public static string Format(IEnumerable<SearchLogRow> rows)
    {
        using var writer = new StringWriter(Invariant);
        WriteHeader(writer);
        foreach (var row in rows) WriteRow(writer, row);
        return writer.ToString();
    }

    /// <summary>Writes the file atomically.</summary>
    public static void Write(string path, IEnumerable<SearchLogRow> rows) => AtomicFile.WriteAllText(path, Format(rows));

    /// <summary>Reads the file; a malformed line throws <see cref="CompassInputException"/> naming the file and line.</summary>
    public static IReadOnlyList<SearchLogRow> Read(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, Path.GetFileName(path));
    }

    /// <summary>Parses CSV text; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<SearchLogRow> Parse(TextReader reader, string source = "search-log.csv") => [.. Stream(reader, source)];

    /// <summary>
    /// Streams the rows of the file one at a time (memory independent of its length); a malformed line throws
    /// <see cref="CompassInputException"/> naming the file and line.
    /// </summary>
    public static IEnumerable<SearchLogRow> StreamFile(string path)
    {
        using var reader = new StreamReader(path);
        foreach (var row in Stream(reader, Path.GetFileName(path))) yield return row;
    }

    /// <summary>Streams the rows of CSV text; <paramref name="source"/> names it in errors.</summary>
    public static IEnumerable<SearchLogRow> Stream(TextReader reader, string source = "search-log.csv")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine()?.Trim();
        var legacy = header == LegacyHeader;
        if (header != Header && !legacy)
            throw new CompassInputException(source + ":1", "expected header '" + Header + "', got '" + header + "'");
        var (latencyShift, energyShift, latencyName, energyName) = legacy ? (0, 0, "latency_ns", "energy_pj") : (NsToMs, PjToMj, "latency_ms", "energy_mj");
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var field = source + ":" + lineNumber.ToString(Invariant);
            var parts = line.Split(',');
            if (parts.Length != 8) throw new CompassInputException(field, "expected 8 columns, got " + parts.Length.ToString(Invariant));
            if (!int.TryParse(parts[0], NumberStyles.Integer, Invariant, out var index))
                throw new CompassInputException(field, "index is not an integer: '" + parts[0] + "'");
            if (!ulong.TryParse(parts[7], NumberStyles.HexNumber, Invariant, out var hash))
                throw new CompassInputException(field, "genome_hash is not hexadecimal: '" + parts[7] + "'");
            yield return new SearchLogRow(index, Unshifted(parts[1], latencyShift, field, latencyName), Unshifted(parts[2], energyShift, field, energyName), Parse(parts[3], field, "objective"),
                Parse(parts[4], field, "edp_js"), Parse(parts[5], field, "best_objective_so_far"), Parse(parts[6], field, "elapsed_s"), hash);
        }
    }

    private static string Number(double value) => value.ToString("R", Invariant);

    /// <summary>
    /// <paramref name="value"/> × 10^<paramref name="exponent"/> written exactly: the decimal point of the value's
    /// shortest round-trip text is moved, no arithmetic is done (so no rounding).
    /// </summary>
    public static string Shifted(double value, int exponent)
    {
        var text = Number(value);
        if (!double.IsFinite(value) || value == 0) return text;
        var negative = text[0] == '-';
        var body = negative ? text[1..] : text;
        var e = 0;
        var ePos = body.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            e = int.Parse(body.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, Invariant);
            body = body[..ePos];
        }
        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? body : string.Concat(body.AsSpan(0, dot), body.AsSpan(dot + 1));
        var point = (dot < 0 ? body.Length : dot) + e + exponent; // digits before the decimal point
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..];
        point -= lead;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) return "0";
        string result;
        if (point > 21 || point < -20)
            result = digits[..1] + (digits.Length > 1 ? "." + digits[1..] : string.Empty) + "E" + (point - 1).ToString(Invariant);
        else if (point <= 0)
            result = "0." + new string('0', -point) + digits;
        else if (point >= digits.Length)
            result = digits + new string('0', point - digits.Length);
        else
            result = digits[..point] + "." + digits[point..];
        return negative ? "-" + result : result;
    }

    /// <summary>Reads text written by <see cref="Shifted"/> back to the original double, bit for bit.</summary>
    public static double Unshifted(string text, int exponent, string field, string column)
    {
        if (exponent == 0 || text.Length == 0 || text.Contains("Infinity", StringComparison.Ordinal) || text.Contains("NaN", StringComparison.Ordinal))
            return Parse(text, field, column);
        var mantissa = text;
        var e = 0L;
        var ePos = text.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            if (!long.TryParse(text.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, Invariant, out e))
                throw new CompassInputException(field, column + " is not a number: '" + text + "'");
            mantissa = text[..ePos];
        }
        // Parsing the same decimal digits with the exponent moved back is correctly rounded to the original double.
        return Parse(mantissa + "E" + (e - exponent).ToString(Invariant), field, column, text);
    }

    private static double Parse(string text, string field, string column, string? shown = null) =>
        double.TryParse(text, NumberStyles.Float, Invariant, out var v) ? v
            : throw new CompassInputException(field, column + " is not a number: '" + (shown ?? text) + "'");
}
