using System.Text.Json;
using Compass.Reporting.Model;
using Compass.Results;

namespace Compass.Reporting.Files;

/// <summary>
/// <c>metrics.json</c>: the scenario's name, description and seed, the optimizer, the best mapping's metrics (latency,
/// energy with breakdown, EDP, evaluations, wall seconds), per-chiplet usage on the mesh, baselines, the Pareto set and
/// optimizer statistics, the evaluator's lower bounds with the result's ratio to each and what bounds the iteration, and —
/// when requests were padded — padding's wasted latency and energy, separately. Together with <c>scenario.resolved.json</c>, <c>search-log.csv</c> and <c>timeline.json</c>
/// it holds everything <see cref="RunReportData"/> holds.
/// </summary>
public static class MetricsJson
{
    /// <summary>Format tag written as <c>"format"</c>.</summary>
    public const string FormatTag = "compass-metrics/1";

    /// <summary>The document for <paramref name="data"/> (its search log, timeline and scenario text go to their own files).</summary>
    public static byte[] Serialize(RunReportData data)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonNumbers.Indented))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatTag);
            if (data.GeneratedAt is not null) w.WriteString("generatedAt", data.GeneratedAt);
            w.WriteStartObject("scenario");
            w.WriteString("name", data.Scenario.Name);
            w.WriteString("description", data.Scenario.Description);
            w.WriteNumber("seed", data.Scenario.Seed);
            w.WriteEndObject();
            w.WriteString("optimizer", data.OptimizerName);
            var m = data.Best;
            w.WriteString("objectiveKind", m.ObjectiveKind);
            w.Number("objective", m.Objective);
            w.Number("latencyNs", m.LatencyNs);
            w.Number("energyPj", m.EnergyPj);
            w.WriteStartObject("energy");
            w.Number("macPj", m.Energy.MacPj);
            w.Number("bufferPj", m.Energy.BufferPj);
            w.Number("vectorPj", m.Energy.VectorPj);
            w.Number("nopPj", m.Energy.NopPj);
            w.Number("dramPj", m.Energy.DramPj);
            w.Number("staticPj", m.Energy.StaticPj);
            w.WriteEndObject();
            w.Number("edpJs", m.EdpJouleSeconds);
            if (m.EdpStandardErrorJs is { } se)
            {
                w.Number("edpStandardErrorJs", se);
                w.WriteNumber("iterations", m.Iterations);
            }
            if (m.Levers is { } levers) w.WriteString("levers", levers);
            w.WriteNumber("evaluations", m.Evaluations);
            w.Number("wallSeconds", m.WallSeconds);
            w.WriteBoolean("cancelled", m.Cancelled);
            if (m.Bounds is { } lb)
            {
                w.WriteStartObject("lowerBounds");
                w.Number("latencyNs", lb.LatencyNs);
                w.Number("computeNs", lb.ComputeNs);
                w.Number("dramNs", lb.DramNs);
                w.Number("energyPj", lb.EnergyPj);
                w.Number("latencyRatio", lb.LatencyRatio(m.LatencyNs));
                w.Number("energyRatio", lb.EnergyRatio(m.EnergyPj));
                w.WriteString("bound", lb.Explanation);
                w.WriteEndObject();
            }

            var p = data.Package;
            w.WriteStartObject("package");
            w.WriteNumber("meshWidth", p.MeshWidth);
            w.WriteNumber("meshHeight", p.MeshHeight);
            w.WriteStartArray("chipletTypes");
            foreach (var t in p.ChipletTypeNames) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteStartArray("chiplets");
            foreach (var c in p.Chiplets)
            {
                w.WriteStartObject();
                w.WriteNumber("chiplet", c.Chiplet);
                if (p.MeshWidth > 0)
                {
                    w.WriteNumber("x", c.Chiplet % p.MeshWidth);
                    w.WriteNumber("y", c.Chiplet / p.MeshWidth);
                }
                w.WriteString("type", p.TypeName(c.Chiplet));
                w.Number("busyNs", c.BusyNs);
                w.Number("utilisation", c.Utilisation);
                w.Number("energyPj", c.EnergyPj);
                w.WriteNumber("tasks", c.Tasks);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartArray("baselines");
            foreach (var b in data.Baselines)
            {
                w.WriteStartObject();
                w.WriteString("name", b.Name);
                w.Number("latencyNs", b.LatencyNs);
                w.Number("energyPj", b.EnergyPj);
                w.Number("edpJs", b.EdpJouleSeconds);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("paretoSet");
            foreach (var q in data.ParetoSet)
            {
                w.WriteStartObject();
                w.Number("latencyNs", q.LatencyNs);
                w.Number("energyPj", q.EnergyPj);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (data.Padding is { } pad)
            {
                w.WriteStartObject("padding");
                w.WriteString("mode", pad.Mode);
                w.WriteNumber("paddedLength", pad.PaddedLength);
                w.WriteNumber("realNewTokens", pad.RealNewTokens);
                w.WriteNumber("paddedNewTokens", pad.PaddedNewTokens);
                w.WriteNumber("realHistoryTokens", pad.RealHistoryTokens);
                w.WriteNumber("paddedHistoryTokens", pad.PaddedHistoryTokens);
                w.Number("realLatencyNs", pad.RealLatencyNs);
                w.Number("realEnergyPj", pad.RealEnergyPj);
                w.Number("wastedLatencyNs", pad.WastedLatencyNs);
                w.Number("wastedEnergyPj", pad.WastedEnergyPj);
                w.WriteEndObject();
            }
            w.WriteStartObject("statistics");
            foreach (var (name, value) in data.Statistics.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.Number(name, value);
            w.WriteEndObject();
            if (data.PackageCost is { } cost) WriteCost(w, cost);
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Writes <c>packageCost</c>: the cost model, total USD, areas, cost parts and the model's details.</summary>
    private static void WriteCost(Utf8JsonWriter w, PackageCostSummary cost)
    {
        var r = cost.Report;
        w.WriteStartObject("packageCost");
        w.WriteString("model", cost.Model);
        w.Number("totalUsd", r.TotalCostUsd);
        w.Number("computeDieAreaMm2", r.ComputeDieAreaMm2);
        w.Number("ioDieAreaMm2", r.IoDieAreaMm2);
        w.Number("substrateAreaMm2", r.SubstrateAreaMm2);
        w.Number("computeDieCostUsd", r.ComputeDieCostUsd);
        w.Number("ioDieCostUsd", r.IoDieCostUsd);
        w.Number("packagingCostUsd", r.PackagingCostUsd);
        w.Number("memoryCostUsd", r.MemoryCostUsd);
        w.WriteStartObject("details");
        foreach (var (name, value) in r.Details.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.Number(name, value);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes the file atomically.</summary>
    public static void Write(string path, RunReportData data) => AtomicFile.WriteAllBytes(path, Serialize(data));

    /// <summary>
    /// Reads the file into a <see cref="RunReportData"/> with an empty search log, no timeline and
    /// <paramref name="resolvedScenarioJson"/> as the scenario text.
    /// </summary>
    public static RunReportData Read(string path, string resolvedScenarioJson)
    {
        const string file = "metrics.json";
        using var doc = JsonNumbers.Load(path);
        var root = doc.RootElement;
        var format = root.Str("format", file);
        if (format != FormatTag) throw new Abstractions.Plugins.CompassInputException(file + ": format", "expected '" + FormatTag + "', got '" + format + "'");
        var scenario = root.Prop("scenario", file);
        var energy = root.Prop("energy", file);
        var breakdown = new EnergyBreakdown(energy.Double("macPj", file), energy.Double("bufferPj", file), energy.Double("vectorPj", file),
            energy.Double("nopPj", file), energy.Double("dramPj", file), energy.Double("staticPj", file));
        var metrics = new RunMetrics(root.Double("latencyNs", file), breakdown, root.Double("edpJs", file), root.Double("objective", file),
            root.Str("objectiveKind", file), root.Int("evaluations", file), root.Double("wallSeconds", file), root.Bool("cancelled", file))
        {
            Bounds = root.TryProp("lowerBounds", out var lb)
                ? new BoundSummary(lb.Double("latencyNs", file), lb.Double("computeNs", file), lb.Double("dramNs", file), lb.Double("energyPj", file), lb.Str("bound", file))
                : null,
            EdpStandardErrorJs = root.TryProp("edpStandardErrorJs", out _) ? root.Double("edpStandardErrorJs", file) : null,
            Iterations = root.TryProp("iterations", out _) ? root.Int("iterations", file) : 0,
            Levers = root.TryProp("levers", out _) ? root.Str("levers", file) : null,
        };
        var package = root.Prop("package", file);
        var types = package.Array("chipletTypes", file).Select(t => t.GetString() ?? string.Empty).ToArray();
        var chiplets = package.Array("chiplets", file).Select(c => new ChipletUsage(c.Int("chiplet", file), c.Double("busyNs", file),
            c.Double("utilisation", file), c.Double("energyPj", file), c.Int("tasks", file))).ToArray();
        var baselines = root.Array("baselines", file).Select(b => new BaselineResult(b.Str("name", file), b.Double("latencyNs", file),
            b.Double("energyPj", file), b.Double("edpJs", file))).ToArray();
        var pareto = root.Array("paretoSet", file).Select(q => new ParetoPoint(q.Double("latencyNs", file), q.Double("energyPj", file))).ToArray();
        var statistics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in root.Prop("statistics", file).EnumerateObject()) statistics[s.Name] = s.Value.AsDouble(file + ": statistics." + s.Name);
        return new RunReportData
        {
            Scenario = new ScenarioSummary(scenario.Str("name", file), scenario.Str("description", file), scenario.Int("seed", file), resolvedScenarioJson),
            OptimizerName = root.Str("optimizer", file),
            Best = metrics,
            LowerBound = metrics.Bounds?.AsLowerBound(),
            Findings = metrics.Bounds is { } bounds ? [bounds.Explanation] : [],
            Package = new PackageUsage(package.Int("meshWidth", file), package.Int("meshHeight", file), types, chiplets),
            Baselines = baselines,
            ParetoSet = pareto,
            Statistics = statistics,
            GeneratedAt = root.TryProp("generatedAt", out var g) ? g.GetString() : null,
            Padding = root.TryProp("padding", out var pad)
                ? new PaddingSummary(pad.Str("mode", file), pad.Int("paddedLength", file), (long)pad.Double("realNewTokens", file), (long)pad.Double("paddedNewTokens", file),
                    (long)pad.Double("realHistoryTokens", file), (long)pad.Double("paddedHistoryTokens", file), pad.Double("realLatencyNs", file), pad.Double("realEnergyPj", file),
                    pad.Double("wastedLatencyNs", file), pad.Double("wastedEnergyPj", file))
                : null,
            PackageCost = root.TryProp("packageCost", out var cost)
                ? new PackageCostSummary(cost.Str("model", file), new Compass.Abstractions.Costs.PackageCostReport(
                    cost.Double("computeDieAreaMm2", file), cost.Double("ioDieAreaMm2", file), cost.Double("substrateAreaMm2", file),
                    cost.Double("computeDieCostUsd", file), cost.Double("ioDieCostUsd", file), cost.Double("packagingCostUsd", file), cost.Double("memoryCostUsd", file),
                    cost.Prop("details", file).EnumerateObject().ToDictionary(d => d.Name, d => d.Value.AsDouble(file + ": packageCost.details." + d.Name), StringComparer.Ordinal)))
                : null,
        };
    }
}
