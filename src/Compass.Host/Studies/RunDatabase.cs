using System.Globalization;
using System.Text.Json.Nodes;
using Compass.Host.Commands;
using Compass.Reporting.Files;
using Compass.Reporting.Model;
using Compass.Studies.Points;
using Compass.Studies.Results;

namespace Compass.Host.Studies;

/// <summary>
/// Appends single runs to a results database (<c>compass explore --db FILE</c>, <c>compass compare --db FILE</c>):
/// the same <c>points</c> table as a study, keyed by the hash of the command and the run's resolved scenario (optimizer
/// and seed included), so rerunning the same scenario with the same command replaces its row instead of adding one.
/// </summary>
public static class RunDatabase
{
    /// <summary>Appends the exploration whose files are in <paramref name="outputDirectory"/> (nothing when it wrote no scenario).</summary>
    public static void AppendExplore(string database, string outputDirectory, int exitCode, double wallSeconds)
    {
        var scenarioFile = Path.Combine(outputDirectory, ReportFiles.ScenarioFile);
        if (!File.Exists(scenarioFile)) return;
        var scenario = JsonNode.Parse(File.ReadAllText(scenarioFile))!.AsObject();
        var compact = scenario.ToJsonString();
        var metricsFile = Path.Combine(outputDirectory, ReportFiles.MetricsFile);
        var (metrics, optimizer) = File.Exists(metricsFile) ? HostPointExplorer.ReadMetrics(metricsFile) : (null, null);
        var status = exitCode switch
        {
            0 => PointStatus.Completed,
            CompassCli.UserError => PointStatus.NoValidMapping,
            CompassCli.PluginFault => PointStatus.PluginFault,
            CompassCli.Interrupted => PointStatus.Interrupted,
            _ => PointStatus.Failed,
        };
        using var db = StudyDatabase.Open(database);
        db.Upsert(new PointResult
        {
            Id = StudyPoint.IdOf("explore:" + compact),
            Kind = "explore",
            Study = scenario["name"]?.GetValue<string>() ?? "explore",
            Seed = scenario["seed"]?.GetValue<int>() ?? 0,
            ScenarioJson = compact,
            Optimizer = optimizer ?? scenario["optimizer"]?["name"]?.GetValue<string>(),
            BudgetEvaluations = scenario["budget"]?["evaluations"]?.GetValue<int>(),
            Status = status,
            Error = status == PointStatus.Completed ? null : $"exit code {exitCode}",
            Metrics = status == PointStatus.Completed ? metrics : null,
            WallSeconds = wallSeconds,
            OutputDirectory = Path.GetFullPath(outputDirectory),
            FinishedAt = Now(),
        });
    }

    /// <summary>Appends every run of a comparison (one row per optimizer and seed).</summary>
    public static void AppendCompare(string database, string resolvedScenarioJson, string outputDirectory, IReadOnlyList<ComparisonRun> runs, PackageCostSummary? cost, int budget)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var scenario = JsonNode.Parse(resolvedScenarioJson)!.AsObject();
        var name = scenario["name"]?.GetValue<string>() ?? "compare";
        var rows = new List<PointResult>();
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var s = (JsonObject)scenario.DeepClone();
            s["seed"] = run.Seed;
            s["optimizer"] = new JsonObject { ["name"] = run.Optimizer, ["options"] = s["optimizer"]?["name"]?.GetValue<string>() == run.Optimizer ? s["optimizer"]?["options"]?.DeepClone() : new JsonObject() };
            var compact = s.ToJsonString();
            var valid = double.IsFinite(run.BestEdpJouleSeconds);
            rows.Add(new PointResult
            {
                Id = StudyPoint.IdOf("compare:" + compact),
                Index = i,
                Kind = "compare",
                Study = name,
                Seed = run.Seed,
                Values = new JsonObject { ["optimizer"] = run.Optimizer },
                ScenarioJson = compact,
                Optimizer = run.Optimizer,
                BudgetEvaluations = budget,
                Status = valid ? PointStatus.Completed : PointStatus.NoValidMapping,
                Metrics = valid ? new PointMetrics
                {
                    LatencyNs = run.LatencyNs,
                    EnergyPj = run.EnergyPj,
                    EdpJs = run.BestEdpJouleSeconds,
                    Objective = double.NaN,
                    Evaluations = budget,
                    CostUsd = cost?.Report.TotalCostUsd,
                    CostModel = cost?.Model,
                } : null,
                WallSeconds = run.WallSeconds,
                OutputDirectory = Path.GetFullPath(outputDirectory),
                FinishedAt = Now(),
            });
        }
        using var db = StudyDatabase.Open(database);
        db.UpsertMany(rows);
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
