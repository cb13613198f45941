using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Compass.Host.Tests;

/// <summary>
/// A real single-node Slurm cluster for one test, from Debian's <c>slurm-wlm</c> and <c>munge</c> packages: a fresh
/// munge key, a minimal <c>slurm.conf</c> naming this host with the CPUs and memory <c>slurmd -C</c> detects, and
/// <c>munged</c>, <c>slurmctld</c> and <c>slurmd</c> started in the foreground as root (no systemd). Everything lives in
/// its own folder with its own ports, so clusters of tests running at the same time do not meet. <see cref="Dispose"/>
/// cancels the cluster's jobs and stops the daemons it started, by their process ids. When a daemon does not come up,
/// <see cref="Start"/> fails the test with the daemons' logs.
/// </summary>
internal sealed class SlurmCluster : IDisposable
{
    private readonly List<(string Name, Process Process)> _daemons = [];

    private SlurmCluster(string directory) => Directory = directory;

    /// <summary>The cluster's folder (configuration, state, spool, logs, munge socket).</summary>
    public string Directory { get; }

    /// <summary>The cluster's configuration file: every Slurm client command needs it in <c>SLURM_CONF</c>.</summary>
    public string ConfigFile => Path.Combine(Directory, "slurm.conf");

    /// <summary>The partition jobs go to.</summary>
    public const string Partition = "compasstest";

    /// <summary>Environment for a process that talks to this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["SLURM_CONF"] = ConfigFile };

    /// <summary>Starts the cluster and waits until its node is idle (at most 60 s).</summary>
    public static SlurmCluster Start()
    {
        var missing = new[] { "munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel" }.Where(c => Which(c) is null).ToList();
        if (missing.Count > 0)
            Assert.Fail($"Slurm is not installed ({string.Join(", ", missing)} not found): apt-get install -y slurm-wlm munge (.ci/run installs them)");
        var dir = Path.Combine("/tmp", "compass-slurm-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var cluster = new SlurmCluster(dir);
        try
        {
            cluster.Boot();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    private void Boot()
    {
        foreach (var sub in new[] { "munge", "state", "spool", "log" }) System.IO.Directory.CreateDirectory(Path.Combine(Directory, sub));
        var munge = Path.Combine(Directory, "munge");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(munge, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead);
        var socket = Path.Combine(munge, "munge.socket");
        StartDaemon("munged", Which("munged")!, "-F", "-f", $"--socket={socket}", $"--key-file={key}", $"--log-file={Log("munged.log")}", $"--pid-file={Path.Combine(munge, "munged.pid")}", $"--seed-file={Path.Combine(munge, "munged.seed")}");
        WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(20), "munged did not create its socket");

        var host = System.Environment.MachineName.Split('.')[0];
        var node = Run(Which("slurmd")!, ["-C"], null).StdOut.Split('\n')[0].Trim();
        if (!node.StartsWith("NodeName=", StringComparison.Ordinal)) Assert.Fail($"slurmd -C printed no node line: {node}");
        var ctldPort = FreePort();
        var dPort = FreePort();
        while (dPort == ctldPort) dPort = FreePort();
        var conf = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"ClusterName=compasstest{Path.GetFileName(Directory)[^6..]}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmctldHost={host}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmctldPort={ctldPort}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmdPort={dPort}")
            .AppendLine("SlurmUser=root")
            .AppendLine("SlurmdUser=root")
            .AppendLine("AuthType=auth/munge")
            .AppendLine("CredType=cred/munge")
            .AppendLine(CultureInfo.InvariantCulture, $"AuthInfo=socket={socket}")
            .AppendLine(CultureInfo.InvariantCulture, $"StateSaveLocation={Path.Combine(Directory, "state")}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmdSpoolDir={Path.Combine(Directory, "spool")}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmctldPidFile={Path.Combine(Directory, "slurmctld.pid")}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmdPidFile={Path.Combine(Directory, "slurmd.pid")}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmctldLogFile={Log("slurmctld.log")}")
            .AppendLine(CultureInfo.InvariantCulture, $"SlurmdLogFile={Log("slurmd.log")}")
            .AppendLine("ProctrackType=proctrack/linuxproc")
            .AppendLine("TaskPlugin=task/none")
            .AppendLine("JobAcctGatherType=jobacct_gather/none")
            .AppendLine("AccountingStorageType=accounting_storage/none")
            .AppendLine("JobCompType=jobcomp/none")
            .AppendLine("MpiDefault=none")
            .AppendLine("SchedulerType=sched/backfill")
            .AppendLine("SelectType=select/cons_tres")
            .AppendLine("SelectTypeParameters=CR_CPU")
            .AppendLine("ReturnToService=2")
            .AppendLine("MinJobAge=600")
            .AppendLine(node + " State=UNKNOWN")
            .AppendLine(CultureInfo.InvariantCulture, $"PartitionName={Partition} Nodes=ALL Default=YES MaxTime=INFINITE State=UP");
        File.WriteAllText(ConfigFile, conf.ToString());

        StartDaemon("slurmctld", Which("slurmctld")!, "-D", "-c", "-f", ConfigFile);
        StartDaemon("slurmd", Which("slurmd")!, "-D", "-f", ConfigFile);
        string state = "";
        WaitFor(() =>
        {
            var r = Run(Which("sinfo")!, ["--noheader", "--format=%T"], Environment);
            state = r.StdOut.Trim() + r.StdErr.Trim();
            return r.ExitCode == 0 && state.StartsWith("idle", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "the node did not become idle (sinfo: {0})", () => state);
    }

    private string Log(string name) => Path.Combine(Directory, "log", name);

    /// <summary>Everything the daemons logged, for a failure message.</summary>
    public string Logs()
    {
        var sb = new StringBuilder();
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(Directory, "log")).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            sb.AppendLine(CultureInfo.InvariantCulture, $"--- {Path.GetFileName(file)} (last 40 of {lines.Length} lines)");
            foreach (var l in lines.TakeLast(40)) sb.AppendLine(l);
        }
        return sb.ToString();
    }

    private void StartDaemon(string name, string file, params string[] args)
    {
        // exec: the shell becomes the daemon, so the id we hold is the daemon's.
        var command = "exec " + string.Join(' ', new[] { file }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'")) + $" >'{Log(name + ".out")}' 2>&1 </dev/null";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        psi.Environment["SLURM_CONF"] = ConfigFile;
        var process = Process.Start(psi)!;
        _daemons.Add((name, process));
        Thread.Sleep(200);
        if (process.HasExited) Assert.Fail($"{name} exited at once with code {process.ExitCode}\n{Logs()}");
    }

    private void WaitFor(Func<bool> ready, TimeSpan timeout, string what, Func<string>? detail = null)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            foreach (var (name, p) in _daemons)
                if (p.HasExited) Assert.Fail($"{name} exited with code {p.ExitCode} while starting the cluster\n{Logs()}");
            if (clock.Elapsed > timeout) Assert.Fail(string.Format(CultureInfo.InvariantCulture, what, detail?.Invoke()) + $" within {timeout.TotalSeconds} s\n{Logs()}");
            Thread.Sleep(250);
        }
    }

    /// <summary>Cancels one job (every array task of it) and waits until it has left the queue (at most 10 s).</summary>
    public void Cancel(string jobId)
    {
        Run(Which("scancel")!, [jobId], Environment);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10) && Run(Which("squeue")!, ["--noheader", "--jobs=" + jobId], Environment).StdOut.Trim().Length > 0) Thread.Sleep(250);
    }

    /// <summary>Cancels the cluster's jobs, stops its daemons (SIGTERM, then SIGKILL after 10 s) and deletes its folder.</summary>
    public void Dispose()
    {
        if (_daemons.Any(d => d.Name == "slurmctld" && !d.Process.HasExited))
        {
            Run(Which("scancel")!, ["--full", "--partition=" + Partition], Environment);
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10) && Run(Which("squeue")!, ["--noheader"], Environment).StdOut.Trim().Length > 0) Thread.Sleep(250);
        }
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            var (_, p) = _daemons[i];
            if (!p.HasExited)
            {
                Run("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)], null);
                if (!p.WaitForExit(TimeSpan.FromSeconds(10))) p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
            p.Dispose();
        }
        _daemons.Clear();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A daemon's last write may race the delete; the folder is under /tmp.
        }
    }

    /// <summary>Runs a command to its end (at most 60 s).</summary>
    public static (int ExitCode, string StdOut, string StdErr) Run(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, stdout.Result, stderr.Result + $"\n{file} timed out");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? Which(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"])
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
