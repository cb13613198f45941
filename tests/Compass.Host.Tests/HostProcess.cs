using System.Diagnostics;

namespace Compass.Host.Tests;

/// <summary>Result of one run of the built <c>compass</c> executable.</summary>
internal sealed record HostResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    /// <summary>Non-empty stderr lines.</summary>
    public IReadOnlyList<string> ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Starts <c>dotnet compass.dll ...</c> as a child process with a time limit, as a user would.</summary>
internal static class HostProcess
{
    public static HostResult Run(TimeSpan timeout, params string[] args) => Run(timeout, new Dictionary<string, string>(), args);

    /// <summary>Runs with extra environment variables (after every inherited <c>COMPASS_*</c> one is removed).</summary>
    public static HostResult Run(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = TestPaths.NewTempDir() };
        psi.ArgumentList.Add(TestPaths.HostDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("COMPASS_", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"compass {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s");
        }
        process.WaitForExit();
        return new HostResult(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }

    public static HostResult Run(params string[] args) => Run(TimeSpan.FromSeconds(60), args);
}
