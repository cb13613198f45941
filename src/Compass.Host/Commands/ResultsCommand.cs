using System.CommandLine;
using System.Globalization;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Files;
using Compass.Studies.Reporting;
using Compass.Studies.Results;

namespace Compass.Host.Commands;

/// <summary><c>compass results STUDY.db [--csv [FILE]] [--report DIR]</c>: the tidy table of a results database.</summary>
public static class ResultsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var db = new Argument<string>("database") { Description = "Results database (.db) written by sweep, codesign, or explore/compare --db" };
        var csv = new Option<bool>("--csv") { Description = "Write one tidy CSV row per point (to stdout, or to --out)" };
        var output = new Option<string?>("--out", "-o") { Description = "CSV file to write instead of stdout" };
        var scenario = new Option<bool>("--with-scenario") { Description = "Add the scenario_json column to the CSV" };
        var report = new Option<string?>("--report") { Description = "Write the study report (report.html) into this folder" };
        var command = new Command("results", "Show or export a study's results database (one tidy row per point); results collect merges a cluster study's result files");
        command.Arguments.Add(db);
        command.Subcommands.Add(Collect(stdout, stderr));
        foreach (var o in new Option[] { csv, output, scenario, report }) command.Options.Add(o);
        command.SetAction(pr => CompassCli.Guard(stderr, () =>
        {
            var path = pr.GetValue(db)!;
            if (!File.Exists(path)) throw new CompassInputException("database", $"file not found: {path}");
            using var database = StudyDatabase.Open(path);
            if (pr.GetValue(report) is { } dir)
                stdout.WriteLine("report " + StudyReportWriter.Write(dir, database.Meta("study") ?? Path.GetFileNameWithoutExtension(path), database));
            if (pr.GetValue(csv))
            {
                if (pr.GetValue(output) is { } file)
                {
                    AtomicFile.WriteText(file, w => database.WriteCsv(w, pr.GetValue(scenario)));
                    stdout.WriteLine($"{database.Count()} rows written to {file}");
                }
                else
                {
                    database.WriteCsv(stdout, pr.GetValue(scenario));
                }
            }
            else if (pr.GetValue(report) is null)
            {
                var points = database.Points();
                stdout.WriteLine($"{database.Meta("study") ?? "(appended runs)"}: {points.Count} points, {points.Count(p => p.Status == PointStatus.Completed)} completed");
                foreach (var g in points.GroupBy(p => p.Status)) stdout.WriteLine($"  {g.Key}: {g.Count()}");
                if (points.Where(p => p.Status == PointStatus.Completed && p.Metrics is { EdpJs: var e } && double.IsFinite(e)).MinBy(p => p.Metrics!.EdpJs) is { } best)
                    stdout.WriteLine($"  lowest EDP {best.Metrics!.EdpJs.ToString("G4", CultureInfo.InvariantCulture)} J·s: point {best.Index} {best.Values.ToJsonString()} seed {best.Seed}");
            }
            return 0;
        }));
        return command;
    }

    private static Command Collect(TextWriter stdout, TextWriter stderr)
    {
        var study = new Argument<string>("study") { Description = "The study folder (or the study file) a --backend slurm sweep wrote" };
        var db = new Option<string?>("--db") { Description = "Results database (default <study folder>/<name>.db)" };
        var command = new Command("collect", "Merge the per-point result files of a study run on a cluster into its database (idempotent) and write the report");
        command.Arguments.Add(study);
        command.Options.Add(db);
        command.SetAction(pr => CompassCli.Guard(stderr, () => ClusterSweep.Collect(pr.GetValue(study)!, pr.GetValue(db), stdout)));
        return command;
    }
}
