using Compass.Abstractions.Plugins;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Compass.Reporting.Files;
using Compass.Studies.Codesign;
using Compass.Studies.Points;
using Compass.Studies.Reporting;
using Compass.Studies.Results;

namespace Compass.Host.Commands;

/// <summary>
/// <c>compass codesign STUDY.json</c>: hardware–mapping co-exploration. NSGA-II proposes packages over the study's
/// hardware axes, each scored by a mapping search at a small budget on EDP and monetary cost (optional cost limit);
/// successive halving re-searches the promising ones at larger budgets. Writes the Pareto set (<c>pareto.csv</c>),
/// every point into the study's database, and the report.
/// </summary>
public static class CodesignCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var (command, read) = SweepCommand.StudyCommand("codesign", "Co-explore hardware and mapping: NSGA-II over hardware axes, inner mapping searches with successive halving, Pareto set of EDP and monetary cost");
        var (clusterOptions, readCluster) = ClusterSweep.Options();
        foreach (var o in clusterOptions) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () => Execute(read(pr), readCluster(pr), stdout, stderr)));
        return command;
    }

    /// <summary>Runs the co-exploration here (<c>--backend local</c>) or with its batches of independent inner searches as Slurm job arrays.</summary>
    public static int Execute(StudyArguments args, ClusterArguments cluster, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        // --status shows the batch the driver submitted last (the folder's study-points.json), as for a sweep.
        if (cluster.Status && !cluster.Worker && !cluster.ResubmitMissing && !cluster.DryRun && cluster.Shard is null)
            return ClusterSweep.Execute(args, cluster, stdout, stderr);
        if (cluster.Worker || cluster.Status || cluster.ResubmitMissing || cluster.DryRun || cluster.Shard is not null)
            throw new CompassInputException(cluster.Status ? "--status" : cluster.ResubmitMissing ? "--resubmit-missing" : cluster.DryRun ? "--dry-run" : "--worker",
                "is a compass sweep option; codesign submits each batch itself, after the one before has finished, and waits for it (its current batch: compass codesign DIR --status)");
        var slurm = string.Equals(cluster.Backend, "slurm", StringComparison.Ordinal);
        if (!slurm && !string.Equals(cluster.Backend, "local", StringComparison.Ordinal))
            throw new CompassInputException("--backend", "codesign runs local or slurm: each generation depends on the one before");
        if (slurm) cluster.Slurm!.Validate();
        var study = SweepCommand.Prepare(args);
        using var db = StudyDatabase.Open(study.DatabasePath);
        var runner = new StudyRunner(study.Explorer, study.Directory, db);
        var search = new CodesignSearch(study.Definition, study.Prepared, study.Explorer, runner, study.Parallel)
        {
            BeforeBatch = slurm ? ClusterSweep.SlurmBatches(study.Definition, study.Directory, cluster.Slurm!, args, stdout, stderr) : null,
        };
        db.RecordStudy(study.Definition, "codesign");
        var settings = study.Definition.Codesign ?? new Compass.Studies.Definition.CodesignSettings();
        if (!args.Quiet)
            stdout.WriteLine($"Co-exploring '{study.Definition.Name}': NSGA-II over {string.Join(" × ", study.Definition.Axes.Select(a => $"{a.Name} {a.Values.Count}"))} = {search.SpaceSize:N0} packages, {Math.Min(settings.HardwarePoints, search.SpaceSize)} proposed at {settings.RungBudgets[0]} evaluations, successive halving (η = {settings.Eta}) at {string.Join(", ", settings.RungBudgets.Skip(1))}{(settings.CostLimitUsd is { } l ? $", cost limit {l.ToString("F0", CultureInfo.InvariantCulture)} USD" : "")}; {study.Parallel} points at a time, into {study.Directory}");
        using var stop = new CancellationTokenSource();
        var interrupted = false;
        CodesignOutcome? outcome = null;
        try
        {
            outcome = SweepCommand.WithInterrupts(stop, () => interrupted = true, () =>
                StudyProgressView.Run(args.Quiet, stdout, search.PlannedPoints, "points", report => search.Run(report, stop.Token)));
        }
        catch (OperationCanceledException)
        {
            interrupted = true;
        }
        var reportPath = StudyReportWriter.Write(study.Directory, study.Definition.Name, db);
        var results = outcome?.Results ?? db.Points();
        if (outcome is not null)
        {
            WritePareto(Path.Combine(study.Directory, "pareto.csv"), outcome.ParetoSet);
            if (!args.Quiet)
            {
                stdout.WriteLine($"Pareto set (EDP against package cost, {outcome.ParetoSet.Count} packages; {study.Directory}/pareto.csv):");
                foreach (var p in outcome.ParetoSet)
                    stdout.WriteLine($"  {p.Metrics!.CostUsd!.Value.ToString("F2", CultureInfo.InvariantCulture),10} USD  EDP {p.Metrics.EdpJs.ToString("G4", CultureInfo.InvariantCulture),-11} J·s  rung {p.Rung}  {string.Join(' ', p.Values.Select(kv => $"{kv.Key}={(kv.Value is null ? "null" : AxisAssignment.ValueLabel(kv.Value))}"))}");
            }
        }
        return SweepCommand.Finish(args, stdout, stderr, study, db, results, search.PlannedPoints, interrupted || outcome is null || outcome.Cancelled, reportPath, "codesign");
    }

    /// <summary>Writes the Pareto set as CSV: axis values, rung, budget, cost, EDP, latency, energy, point id.</summary>
    public static void WritePareto(string path, IReadOnlyList<PointResult> pareto)
    {
        ArgumentNullException.ThrowIfNull(pareto);
        var axes = pareto.SelectMany(p => p.Values.Select(kv => kv.Key)).Distinct().ToList();
        var sb = new StringBuilder(string.Join(',', axes.Append("rung").Append("budget_evaluations").Append("cost_usd").Append("edp_js").Append("latency_ns").Append("energy_pj").Append("point_id"))).Append('\n');
        foreach (var p in pareto)
        {
            var m = p.Metrics!;
            sb.Append(string.Join(',', axes.Select(a => p.Values[a] is { } v ? Csv(AxisAssignment.ValueLabel(v)) : "")
                .Append(p.Rung?.ToString(CultureInfo.InvariantCulture) ?? "").Append(p.BudgetEvaluations?.ToString(CultureInfo.InvariantCulture) ?? "")
                .Append(R(m.CostUsd ?? double.NaN)).Append(R(m.EdpJs)).Append(R(m.LatencyNs)).Append(R(m.EnergyPj)).Append(p.Id))).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
