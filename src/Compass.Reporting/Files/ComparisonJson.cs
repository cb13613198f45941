using System.Text.Json;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Model;

namespace Compass.Reporting.Files;

/// <summary>
/// <c>comparison.json</c>: a study's runs (optimizer, seed, best EDP, latency, energy, evaluations to within 1 %,
/// wall seconds, convergence change points as <c>[evaluation, bestObjective]</c> pairs) and its best baseline.
/// </summary>
public static class ComparisonJson
{
    /// <summary>Format tag written as <c>"format"</c>.</summary>
    public const string FormatTag = "compass-comparison/1";

    /// <summary>Serialises a study.</summary>
    public static byte[] Serialize(ComparisonReportData data)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonNumbers.Indented))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatTag);
            if (data.GeneratedAt is not null) w.WriteString("generatedAt", data.GeneratedAt);
            w.WriteString("studyName", data.StudyName);
            w.WriteString("description", data.Description);
            w.WriteString("objectiveKind", data.ObjectiveKind);
            w.WriteNumber("budgetEvaluations", data.BudgetEvaluations);
            w.WriteBoolean("seededFromHeuristics", data.SeededFromHeuristics);
            if (data.BestBaseline is { } b)
            {
                w.WriteStartObject("bestBaseline");
                w.WriteString("name", b.Name);
                w.Number("latencyNs", b.LatencyNs);
                w.Number("energyPj", b.EnergyPj);
                w.Number("edpJs", b.EdpJouleSeconds);
                w.WriteEndObject();
            }
            w.WriteStartArray("runs");
            foreach (var r in data.Runs)
            {
                w.WriteStartObject();
                w.WriteString("optimizer", r.Optimizer);
                w.WriteNumber("seed", r.Seed);
                w.Number("bestEdpJs", r.BestEdpJouleSeconds);
                w.Number("latencyNs", r.LatencyNs);
                w.Number("energyPj", r.EnergyPj);
                w.WriteNumber("evaluationsToWithin1Percent", r.EvaluationsToWithin1Percent);
                w.Number("wallSeconds", r.WallSeconds);
                if (r.MappingFile is not null) w.WriteString("mappingFile", r.MappingFile);
                w.WriteStartArray("convergence");
                foreach (var p in r.Convergence)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(p.Evaluation);
                    w.Number(p.BestObjective);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Writes the file atomically.</summary>
    public static void Write(string path, ComparisonReportData data) => AtomicFile.WriteAllBytes(path, Serialize(data));

    /// <summary>Reads the file.</summary>
    public static ComparisonReportData Read(string path)
    {
        const string file = "comparison.json";
        using var doc = JsonNumbers.Load(path);
        var root = doc.RootElement;
        var format = root.Str("format", file);
        if (format != FormatTag) throw new CompassInputException(file + ": format", "expected '" + FormatTag + "', got '" + format + "'");
        BaselineResult? best = null;
        if (root.TryProp("bestBaseline", out var b))
            best = new BaselineResult(b.Str("name", file), b.Double("latencyNs", file), b.Double("energyPj", file), b.Double("edpJs", file));
        var runs = root.Array("runs", file).Select(r => new ComparisonRun(r.Str("optimizer", file), r.Int("seed", file), r.Double("bestEdpJs", file),
            r.Double("latencyNs", file), r.Double("energyPj", file), r.Int("evaluationsToWithin1Percent", file), r.Double("wallSeconds", file),
            r.Array("convergence", file).Select(p => new ConvergencePoint(p[0].GetInt32(), p[1].AsDouble(file + ": convergence"))).ToArray())
        {
            MappingFile = r.TryProp("mappingFile", out var m) ? m.GetString() : null,
        }).ToArray();
        return new ComparisonReportData
        {
            StudyName = root.Str("studyName", file),
            Description = root.Str("description", file),
            ObjectiveKind = root.Str("objectiveKind", file),
            BudgetEvaluations = root.Int("budgetEvaluations", file),
            SeededFromHeuristics = root.Bool("seededFromHeuristics", file),
            BestBaseline = best,
            Runs = runs,
            GeneratedAt = root.TryProp("generatedAt", out var g) ? g.GetString() : null,
        };
    }
}
