using System.Diagnostics;
using System.Globalization;
using System.Text;
using Compass.Abstractions.Plugins;

namespace Compass.Studies.Cluster;

/// <summary>How a study is handed to Slurm (<c>compass sweep --backend slurm</c>).</summary>
public sealed record SlurmSettings
{
    /// <summary>Partition (<c>--partition</c>), or null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>Time limit per array task (<c>--time</c>, Slurm's formats: <c>MM</c>, <c>HH:MM:SS</c>, <c>D-HH:MM</c>), or null for the partition's default.</summary>
    public string? TimeLimit { get; init; }

    /// <summary>CPUs per array task (<c>--cpus-per-task</c>); the worker runs that many points at a time (÷ threads per point).</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Most array tasks running at once (<c>%N</c> of <c>--array</c>), or null for no limit.</summary>
    public int? Throttle { get; init; }

    /// <summary>Number of array tasks the points are dealt into (round robin), or null for one task per point.</summary>
    public int? Tasks { get; init; }

    /// <summary>Extra <c>#SBATCH</c> lines, given without the prefix (<c>--mem=4G</c>, <c>--account=abc</c>).</summary>
    public IReadOnlyList<string> ExtraDirectives { get; init; } = [];

    /// <summary>Shell lines run before the worker on the node (<c>module load dotnet/10</c>).</summary>
    public IReadOnlyList<string> SetupLines { get; init; } = [];

    /// <summary>The command that starts <c>compass</c> on the nodes (<c>compass</c>, <c>dotnet /opt/compass/compass.dll</c>).</summary>
    public required string WorkerCommand { get; init; }

    /// <summary>Checks the settings; errors name the option.</summary>
    public void Validate()
    {
        if (CpusPerTask < 1) throw new CompassInputException("--cpus-per-task", $"must be >= 1, got {CpusPerTask}");
        if (Throttle is < 1) throw new CompassInputException("--array-throttle", $"must be >= 1, got {Throttle}");
        if (Tasks is < 1) throw new CompassInputException("--tasks", $"must be >= 1, got {Tasks}");
        if (string.IsNullOrWhiteSpace(WorkerCommand)) throw new CompassInputException("--worker-command", "must not be empty");
        foreach (var line in ExtraDirectives.Concat(SetupLines))
            if (line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal)) throw new CompassInputException("--sbatch", "a line must not contain a line break");
        if (Partition is { } p && (p.Length == 0 || p.Any(char.IsWhiteSpace))) throw new CompassInputException("--partition", $"must be a partition name, got '{p}'");
        if (TimeLimit is { } t && (t.Length == 0 || t.Any(c => !char.IsAsciiDigit(c) && c is not ':' and not '-')))
            throw new CompassInputException("--time-limit", $"must be a Slurm time (MM, HH:MM:SS, D-HH:MM:SS), got '{t}'");
    }
}

/// <summary>The batch script of an array job whose tasks run <c>compass sweep --worker --shard $SLURM_ARRAY_TASK_ID</c>.</summary>
public static class SlurmScript
{
    /// <summary>Folder of the scripts, job records and task logs inside the study folder.</summary>
    public const string Folder = "slurm";

    /// <summary>
    /// The script for the given array indices (shards). The worker arguments follow <paramref name="workerArguments"/>
    /// (already quoted for the shell); <c>--shard "$SLURM_ARRAY_TASK_ID"</c> is added.
    /// </summary>
    public static string Build(SlurmSettings settings, string jobName, string studyDirectory, IReadOnlyList<int> arrayIndices, string workerArguments)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(arrayIndices);
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={jobName}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --array={StudyManifest.ArraySpec(arrayIndices)}{(settings.Throttle is { } n ? "%" + n.ToString(CultureInfo.InvariantCulture) : "")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={settings.CpusPerTask}\n");
        sb.Append("#SBATCH --ntasks=1\n");
        if (settings.Partition is { } p) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={p}\n");
        if (settings.TimeLimit is { } t) sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={t}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(studyDirectory, Folder, "logs", "%A_%a.out")}\n");
        foreach (var d in settings.ExtraDirectives) sb.Append("#SBATCH ").Append(d.StartsWith("#SBATCH", StringComparison.Ordinal) ? d["#SBATCH".Length..].TrimStart() : d).Append('\n');
        sb.Append("set -eo pipefail\n");
        foreach (var line in settings.SetupLines) sb.Append(line).Append('\n');
        sb.Append("export NO_COLOR=1\n");
        sb.Append(CultureInfo.InvariantCulture, $"exec {settings.WorkerCommand} {workerArguments} --shard \"$SLURM_ARRAY_TASK_ID\"\n");
        return sb.ToString();
    }

    /// <summary>Quotes one argument for bash (single quotes; plain words stay as they are).</summary>
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        return argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '=' or ':' or ',' or '+' or '@')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}

/// <summary>One array task as <c>squeue</c> shows it.</summary>
/// <param name="JobId">The array's job id.</param>
/// <param name="TaskId">The array task id (the shard).</param>
/// <param name="State">Slurm's state (<c>PENDING</c>, <c>RUNNING</c>, <c>COMPLETING</c>, …).</param>
public sealed record QueuedTask(string JobId, int TaskId, string State);

/// <summary>The Slurm commands Compass calls: <c>sbatch --parsable</c> and <c>squeue</c>. Errors carry the command's stderr.</summary>
public static class SlurmCommands
{
    /// <summary>Submits a batch script and returns the job id.</summary>
    public static string Submit(string scriptPath)
    {
        (int Code, string StdOut, string StdErr) r;
        try
        {
            r = Run("sbatch", ["--parsable", scriptPath], TimeSpan.FromSeconds(60));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new CompassInputException("--backend slurm", "sbatch is not on the PATH: submit from a Slurm login node (or see --dry-run and docs/cluster.md)");
        }
        var (code, stdout, stderr) = r;
        if (code != 0) throw new CompassInputException("--backend slurm", $"sbatch failed (exit {code}): {OneLine(stderr)}");
        var id = stdout.Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new CompassInputException("--backend slurm", $"sbatch printed no job id: {OneLine(stdout + stderr)}");
        return id;
    }

    /// <summary>The array tasks of the given jobs that are still in the queue (pending, running, completing); null when <c>squeue</c> cannot be asked.</summary>
    public static IReadOnlyList<QueuedTask>? Queue(IReadOnlyCollection<string> jobIds)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        if (jobIds.Count == 0) return [];
        // Every job in the queue, filtered here: squeue refuses the whole request when one id is already purged.
        (int Code, string StdOut, string StdErr) r;
        try
        {
            r = Run("squeue", ["--noheader", "--array", "--format=%F|%K|%T"], TimeSpan.FromSeconds(30));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        if (r.Code != 0) return null;
        var tasks = new List<QueuedTask>();
        foreach (var line in r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length != 3 || !jobIds.Contains(parts[0]) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var task)) continue;
            tasks.Add(new QueuedTask(parts[0], task, parts[2]));
        }
        return tasks;
    }

    private static string OneLine(string s) => string.Join(" ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static (int Code, string StdOut, string StdErr) Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new CompassInputException("--backend slurm", $"{file} did not answer within {timeout.TotalSeconds:F0} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
