using System.Globalization;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Model;

namespace Compass.Reporting.Files;

/// <summary>
/// <c>search-log.csv</c>: one row per evaluation, columns
/// <c>index,latency_ns,energy_pj,objective,edp_js,best_objective_so_far,elapsed_s,genome_hash</c>. Numbers are
/// invariant-culture, shortest round-trip form (<c>Infinity</c> for a rejected mapping); the hash is 16 lowercase hex digits.
/// </summary>
public static class SearchLogCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "index,latency_ns,energy_pj,objective,edp_js,best_objective_so_far,elapsed_s,genome_hash";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One CSV line (without the newline).</summary>
    public static string FormatRow(SearchLogRow row) => string.Join(',',
        row.Index.ToString(Invariant), Number(row.LatencyNs), Number(row.EnergyPj), Number(row.Objective), Number(row.EdpJouleSeconds),
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
    public static IReadOnlyList<SearchLogRow> Parse(TextReader reader, string source = "search-log.csv")
    {
        var header = reader.ReadLine();
        if (header is null || header.Trim() != Header)
            throw new CompassInputException(source + ":1", "expected header '" + Header + "', got '" + header + "'");
        var rows = new List<SearchLogRow>();
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
            rows.Add(new SearchLogRow(index, Parse(parts[1], field, "latency_ns"), Parse(parts[2], field, "energy_pj"), Parse(parts[3], field, "objective"),
                Parse(parts[4], field, "edp_js"), Parse(parts[5], field, "best_objective_so_far"), Parse(parts[6], field, "elapsed_s"), hash));
        }
        return rows;
    }

    private static string Number(double value) => value.ToString("R", Invariant);

    private static double Parse(string text, string field, string column) =>
        double.TryParse(text, NumberStyles.Float, Invariant, out var v) ? v
            : throw new CompassInputException(field, column + " is not a number: '" + text + "'");
}
