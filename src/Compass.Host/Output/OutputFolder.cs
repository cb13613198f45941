using System.Diagnostics;
using System.Globalization;
using Compass.Abstractions.Plugins;
using Compass.Reporting.Files;

namespace Compass.Host.Output;

/// <summary>
/// An output folder held by one run. Opening it checks the path (not empty, not a file or device, writable),
/// takes a lock file holding this process's id (a second run into the folder is refused while the first one lives;
/// a lock left by a killed run is taken over), removes temporary files a killed run left behind, and refuses a
/// folder holding another run's results unless <c>--force</c> clears it first. Disposing it releases the lock.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    /// <summary>Name of the lock file inside a folder being written.</summary>
    public const string LockFile = ".compass.lock";

    /// <summary>Files and folders a Compass run writes (any of them marks a folder as holding a run).</summary>
    public static IReadOnlyList<string> RunEntries { get; } =
    [
        ReportFiles.ScenarioFile, ReportFiles.MetricsFile, ReportFiles.SearchLogFile, ReportFiles.TimelineFile, ReportFiles.TraceFile,
        ReportFiles.ReportFile, ReportFiles.ComparisonFile, "best-mapping.json", "replay.json", "comparison.csv", CheckpointHeader.FileName,
        "convergence", "logs",
    ];

    private readonly string _lockPath;
    private bool _released;

    private OutputFolder(string path, string lockPath)
    {
        Path = path;
        _lockPath = lockPath;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>
    /// Checks <paramref name="path"/> before any work starts, without creating anything: it must name a folder
    /// (not be empty, not be an existing file or device such as <c>/dev/null</c>).
    /// </summary>
    /// <param name="path">The folder.</param>
    /// <param name="option">The option that named it (<c>--out</c>), for messages.</param>
    public static void CheckPath(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CompassInputException(option, "must name a folder, got an empty path");
        if (path.Contains('\0', StringComparison.Ordinal)) throw new CompassInputException(option, "must name a folder, got a path with a NUL character");
        if (File.Exists(path)) throw new CompassInputException(option, $"{path} is a file, not a folder");
        if (!Directory.Exists(path))
        {
            // The nearest existing ancestor must be a folder (a path under a file can never be created).
            var parent = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            while (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                if (File.Exists(parent)) throw new CompassInputException(option, $"cannot create {path}: {parent} is a file, not a folder");
                parent = System.IO.Path.GetDirectoryName(parent);
            }
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> for a run: creates it, takes the lock, cleans stale temporary files, and checks
    /// what it holds. <paramref name="resume"/> opens the folder of the interrupted run to continue (it must hold a
    /// run); otherwise a folder holding another run is refused unless <paramref name="force"/>, which clears it.
    /// </summary>
    /// <exception cref="CompassInputException">The folder cannot be used, naming <paramref name="option"/>.</exception>
    public static OutputFolder Open(string path, string option, bool force, bool resume = false)
    {
        CheckPath(path, option);
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new CompassInputException(option, $"cannot create folder {path}: {e.Message}");
        }
        var lockPath = System.IO.Path.Combine(path, LockFile);
        TakeLock(lockPath, path, option);
        var folder = new OutputFolder(path, lockPath);
        try
        {
            RemoveStaleTemporaries(path);
            if (!resume) folder.CheckEmptyOrClear(option, force);
            return folder;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="path"/> holds the lock of a live run.</summary>
    public static bool IsLocked(string path) => LiveOwner(System.IO.Path.Combine(path, LockFile)) is not null;

    private void CheckEmptyOrClear(string option, bool force)
    {
        var entries = Directory.EnumerateFileSystemEntries(Path).Where(e => System.IO.Path.GetFileName(e) != LockFile).ToList();
        if (entries.Count == 0) return;
        var holdsRun = entries.Any(e => RunEntries.Contains(System.IO.Path.GetFileName(e), StringComparer.Ordinal));
        if (!holdsRun)
            throw new CompassInputException(option, $"{Path} is not empty and holds no Compass run ({entries.Count} other entries); choose a new or empty folder");
        if (!force)
        {
            var what = File.Exists(System.IO.Path.Combine(Path, CheckpointHeader.FileName)) ? "an exploration (continue it with compass explore --resume)" : "another run's results";
            throw new CompassInputException(option, $"{Path} holds {what}; choose another folder, or add --force to clear it first");
        }
        foreach (var entry in entries)
        {
            try
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CompassInputException(option, $"--force cannot clear {entry}: {e.Message}");
            }
        }
    }

    private static void TakeLock(string lockPath, string folder, string option)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using var stream = new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                using var writer = new StreamWriter(stream);
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {StartTicks(Process.GetCurrentProcess())}\n"));
                return;
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                if (LiveOwner(lockPath) is { } pid)
                    throw new CompassInputException(option, $"{folder} is being written by another compass run (pid {pid}); wait for it or choose another folder");
                // A lock left by a run that was killed: take it over.
                TryDelete(lockPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CompassInputException(option, $"cannot write to folder {folder}: {e.Message}");
            }
        }
        throw new CompassInputException(option, $"cannot take the lock {lockPath}: another run keeps creating it");
    }

    /// <summary>How far apart two readings of one process's start time may be (2 s): a reused pid starts later than that.</summary>
    private const long StartTimeToleranceTicks = 2 * TimeSpan.TicksPerSecond;

    /// <summary>The id of the live process that holds the lock file, or null when there is none or it is stale.</summary>
    private static int? LiveOwner(string lockPath)
    {
        string text = "";
        // A run creates the lock file, then writes its pid: an empty file may be a lock being taken right now, so it is
        // read again for up to half a second before it counts as the leftover of a run killed between the two steps.
        for (var attempt = 0; attempt < 25; attempt++)
        {
            try
            {
                text = File.ReadAllText(lockPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            if (text.Trim().Length > 0) break;
            Thread.Sleep(20);
        }
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)) return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return null;
            // A reused process id is not the run that took the lock. Start times are compared within a tolerance: on
            // Linux .NET derives them from the boot time, which it estimates anew in every process (now - uptime), so
            // the same process's start time read by two processes differs by milliseconds; an exact comparison took a
            // live run's lock for stale and let a second run take (and --force clear) its folder.
            if (parts.Length > 1 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) && ticks != 0
                && StartTicks(process) is var start && start != 0 && Math.Abs(start - ticks) > StartTimeToleranceTicks) return null;
            return pid;
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static long StartTicks(Process process)
    {
        // Linux: the kernel's start time of the process (clock ticks since boot, field 22 of /proc/<pid>/stat), the same
        // number whoever reads it. Process.StartTime adds that to a boot time each reader derives from its own clock, so
        // two processes disagree by milliseconds, and a live run's lock read by another process looked stale.
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var jiffies)) return jiffies;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return 0;
            }
        }
        try
        {
            return process.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return 0;
        }
    }

    /// <summary>Deletes the temporary files of atomic writes a killed run left in <paramref name="path"/> (the caller holds the lock).</summary>
    public static void RemoveStaleTemporaries(string path)
    {
        foreach (var file in Directory.EnumerateFiles(path, "*.tmp", SearchOption.AllDirectories)) TryDelete(file);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover file is reported by the next step that trips over it.
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        if (_released) return;
        _released = true;
        TryDelete(_lockPath);
    }
}
