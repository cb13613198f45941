using System.Text.Json;
using System.Text.Json.Nodes;
using Compass.Host.Commands;
using Compass.Reporting.Files;
using Compass.Studies.Points;
using Compass.Studies.Results;

namespace Compass.Host.Studies;

/// <summary>
/// The host's side of the study seam (<see cref="IPointExplorer"/>): a point is resolved with
/// <see cref="ExplorationSetup"/> and explored by <see cref="ExploreCommand.Execute"/>, the same pipeline as
/// <c>compass explore</c> (in lean mode: no per-task timeline files), so a study point is exactly an exploration.
/// </summary>
/// <param name="pluginDirectories">Extra plugin folders (<c>--plugins</c>), searched after the one beside the executable.</param>
public sealed class HostPointExplorer(IReadOnlyList<string> pluginDirectories) : IPointExplorer
{
    /// <summary>Resolves a scenario file (null = the embedded default) into its resolved JSON.</summary>
    public JsonObject ResolveFile(string? scenarioPath)
    {
        using var setup = ExplorationSetup.Build(new ScenarioArguments(scenarioPath, [], pluginDirectories), []);
        return (JsonObject)JsonNode.Parse(setup.ResolvedScenarioJson())!;
    }

    /// <inheritdoc />
    public JsonObject Resolve(JsonObject scenario) => WithSetup(scenario, setup => (JsonObject)JsonNode.Parse(setup.ResolvedScenarioJson())!);

    /// <inheritdoc />
    public double? PriceUsd(JsonObject scenario) => WithSetup(scenario, setup => setup.EstimatePackageCost()?.Report.TotalCostUsd);

    private T WithSetup<T>(JsonObject scenario, Func<ExplorationSetup, T> use)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var file = Path.Combine(Path.GetTempPath(), $"compass-point-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(file, scenario.ToJsonString());
            using var setup = ExplorationSetup.Build(new ScenarioArguments(file, [], pluginDirectories), []);
            return use(setup);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <inheritdoc />
    public PointOutcome Explore(string scenarioFile, string outputDirectory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // Force: what a killed earlier attempt left in the point's run folder is cleared, but only after the folder's lock
        // is taken, so a run folder that a live process still writes (a second sweep or worker on the same study) is
        // refused, never deleted under it.
        var args = new ExploreArguments(new ScenarioArguments(scenarioFile, [], pluginDirectories), outputDirectory, null, null, null, Quiet: true) { Lean = true, Force = true };
        var code = ExploreCommand.Execute(args, stdout, stderr);
        var error = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal));
        var status = code switch
        {
            0 => PointStatus.Completed,
            CompassCli.UserError when error?.Contains("no valid mapping", StringComparison.Ordinal) == true => PointStatus.NoValidMapping,
            // The run folder is not usable now (held by a live run): not the point's fault; it runs again on resume.
            CompassCli.UserError when error?.StartsWith("error: --out", StringComparison.Ordinal) == true => PointStatus.Failed,
            CompassCli.UserError => PointStatus.Invalid,
            CompassCli.PluginFault => PointStatus.PluginFault,
            CompassCli.Interrupted => PointStatus.Interrupted,
            _ => PointStatus.Failed,
        };
        var metricsFile = Path.Combine(outputDirectory, ReportFiles.MetricsFile);
        var (metrics, optimizer) = code == 0 && File.Exists(metricsFile) ? ReadMetrics(metricsFile) : (null, null);
        int? budget = null;
        try
        {
            var scenario = JsonNode.Parse(File.ReadAllText(scenarioFile));
            budget = scenario?["budget"]?["evaluations"]?.GetValue<int>();
            optimizer ??= scenario?["optimizer"]?["name"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            budget = null;
        }
        return new PointOutcome(status, code == 0 ? null : error?["error:".Length..].Trim() ?? $"exit code {code}", metrics, optimizer, budget);
    }

    /// <summary>Reads the metrics of a run folder's <c>metrics.json</c> (package cost and lower bounds when present).</summary>
    public static (PointMetrics? Metrics, string? Optimizer) ReadMetrics(string metricsFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(metricsFile));
        var root = doc.RootElement;
        static double D(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        static double? N(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        var energy = root.GetProperty("energy");
        double? cost = null;
        string? costModel = null;
        JsonObject? breakdown = null;
        if (root.TryGetProperty("packageCost", out var pc))
        {
            cost = N(pc, "totalUsd");
            costModel = pc.TryGetProperty("model", out var m) ? m.GetString() : null;
            breakdown = JsonNode.Parse(pc.GetRawText()) as JsonObject;
        }
        double? lbLatency = null, lbEnergy = null;
        if (root.TryGetProperty("lowerBounds", out var lb))
        {
            lbLatency = N(lb, "latencyNs");
            lbEnergy = N(lb, "energyPj");
        }
        var metrics = new PointMetrics
        {
            LatencyNs = D(root, "latencyNs"),
            EnergyPj = D(root, "energyPj"),
            EdpJs = D(root, "edpJs"),
            Objective = D(root, "objective"),
            MacPj = D(energy, "macPj"),
            BufferPj = D(energy, "bufferPj"),
            VectorPj = D(energy, "vectorPj"),
            NopPj = D(energy, "nopPj"),
            DramPj = D(energy, "dramPj"),
            StaticPj = D(energy, "staticPj"),
            Evaluations = root.TryGetProperty("evaluations", out var ev) ? ev.GetInt32() : 0,
            CostUsd = cost,
            CostModel = costModel,
            CostBreakdown = breakdown,
            LowerBoundLatencyNs = lbLatency,
            LowerBoundEnergyPj = lbEnergy,
        };
        return (metrics, root.TryGetProperty("optimizer", out var o) ? o.GetString() : null);
    }
}
