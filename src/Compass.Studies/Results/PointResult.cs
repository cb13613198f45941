using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Compass.Reporting.Files;

namespace Compass.Studies.Results;

/// <summary>Status names of a point (the <c>status</c> column).</summary>
public static class PointStatus
{
    /// <summary>The exploration ended normally with a valid mapping.</summary>
    public const string Completed = "completed";

    /// <summary>The search found no valid mapping (deterministic for the scenario: not rerun).</summary>
    public const string NoValidMapping = "no-valid-mapping";

    /// <summary>The point's scenario was refused (a user error, exit 2; not rerun).</summary>
    public const string Invalid = "invalid";

    /// <summary>Cut short by a cost limit before any search (co-exploration only; not rerun).</summary>
    public const string OverCostLimit = "over-cost-limit";

    /// <summary>A plugin fault stopped the point (rerun on resume).</summary>
    public const string PluginFault = "plugin-fault";

    /// <summary>An unexpected failure (rerun on resume).</summary>
    public const string Failed = "failed";

    /// <summary>Interrupted (Ctrl-C, SIGTERM; rerun on resume).</summary>
    public const string Interrupted = "interrupted";

    /// <summary>True when a point with this status is done for good: a resumed study does not run it again.</summary>
    public static bool IsFinal(string status) => status is Completed or NoValidMapping or Invalid or OverCostLimit;
}

/// <summary>What an exploration measured for its best mapping (averaged over the sampled iterations).</summary>
public sealed record PointMetrics
{
    /// <summary>Latency, ns.</summary>
    public required double LatencyNs { get; init; }

    /// <summary>Energy, pJ.</summary>
    public required double EnergyPj { get; init; }

    /// <summary>Energy-delay product, J·s.</summary>
    public required double EdpJs { get; init; }

    /// <summary>The search objective's value.</summary>
    public required double Objective { get; init; }

    /// <summary>MAC energy, pJ.</summary>
    public double MacPj { get; init; }

    /// <summary>Buffer energy, pJ.</summary>
    public double BufferPj { get; init; }

    /// <summary>Vector-unit energy, pJ.</summary>
    public double VectorPj { get; init; }

    /// <summary>Network-on-package energy, pJ.</summary>
    public double NopPj { get; init; }

    /// <summary>DRAM energy, pJ.</summary>
    public double DramPj { get; init; }

    /// <summary>Static energy, pJ.</summary>
    public double StaticPj { get; init; }

    /// <summary>Evaluations the search spent.</summary>
    public int Evaluations { get; init; }

    /// <summary>Monetary cost of the package, USD, when the scenario names a cost model.</summary>
    public double? CostUsd { get; init; }

    /// <summary>The cost model that priced the package.</summary>
    public string? CostModel { get; init; }

    /// <summary>The cost model's breakdown (areas, die costs, yields), as written to <c>metrics.json</c>.</summary>
    public JsonObject? CostBreakdown { get; init; }

    /// <summary>Lower bound on latency the evaluator derived, ns, when it provides one.</summary>
    public double? LowerBoundLatencyNs { get; init; }

    /// <summary>Lower bound on energy the evaluator derived, pJ, when it provides one.</summary>
    public double? LowerBoundEnergyPj { get; init; }
}

/// <summary>
/// The result of one point, written as its own small file (<c>points/&lt;id&gt;/result.json</c>) by atomic rename
/// when the point ends. The files are the source of truth: the database is filled from them, idempotently, so a
/// crash between the file and the database, or a worker on another machine, loses nothing.
/// </summary>
public sealed record PointResult
{
    /// <summary>Format tag of the file.</summary>
    public const string FormatTag = "compass-point/1";

    /// <summary>The result file's name inside the point folder.</summary>
    public const string FileName = "result.json";

    /// <summary>Format tag.</summary>
    public string Format { get; init; } = FormatTag;

    /// <summary>The point id (hash of <see cref="ScenarioJson"/>).</summary>
    public required string Id { get; init; }

    /// <summary>Position in the study (-1 for runs appended by explore / compare).</summary>
    public int Index { get; init; } = -1;

    /// <summary><c>sweep</c>, <c>codesign</c>, <c>explore</c> or <c>compare</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Study (or scenario) name.</summary>
    public required string Study { get; init; }

    /// <summary>Seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Axis values (axis name → value).</summary>
    public JsonObject Values { get; init; } = [];

    /// <summary>The scenario the point explored (compact JSON).</summary>
    public required string ScenarioJson { get; init; }

    /// <summary>Optimizer name.</summary>
    public string? Optimizer { get; init; }

    /// <summary>Evaluation budget of the point's search.</summary>
    public int? BudgetEvaluations { get; init; }

    /// <summary>Successive-halving rung (co-exploration), or null.</summary>
    public int? Rung { get; init; }

    /// <summary>See <see cref="PointStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Error line when the point did not complete.</summary>
    public string? Error { get; init; }

    /// <summary>Metrics of the best mapping, when there is one.</summary>
    public PointMetrics? Metrics { get; init; }

    /// <summary>Wall time of the point, seconds.</summary>
    public double WallSeconds { get; init; }

    /// <summary>The point's output folder (relative to the study folder when inside it).</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>When the point ended (UTC, ISO 8601).</summary>
    public string? FinishedAt { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the result atomically (temporary file, then rename).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads a result file; null when it is missing, torn or not a point result (it is then rerun).</summary>
    public static PointResult? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var r = JsonSerializer.Deserialize<PointResult>(File.ReadAllText(path), Json);
            return r is { Format: FormatTag } && r.Id == Points.StudyPoint.IdOf(r.ScenarioJson) ? r : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
