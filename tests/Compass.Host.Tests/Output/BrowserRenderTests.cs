using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Compass.Host.Tests;

/// <summary>
/// The real report of a real run, rendered by headless Chromium (Debian's <c>chromium</c>; <c>.ci/run</c> installs it).
/// Without a browser this test fails: the report must be checked where users open it.
/// </summary>
public sealed partial class BrowserRenderTests
{
    [GeneratedRegex("<svg[ >]")]
    private static partial Regex SvgStart();

    private static string Chromium()
    {
        foreach (var candidate in new[] { Environment.GetEnvironmentVariable("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return candidate;
        Assert.Fail("no Chromium found: install Debian's chromium (apt-get update; apt-get install -y chromium; .ci/run does) or set CHROMIUM to a Chromium binary");
        return string.Empty;
    }

    [Fact]
    public void RealReportRendersInHeadlessChromiumWithTheSummaryFirst()
    {
        var chromium = Chromium();
        var dir = TestPaths.NewTempDir();
        var outDir = Path.Combine(dir, "run");
        var run = HostProcess.Run(TimeSpan.FromMinutes(2), "explore", "--budget", "200", "--out", outDir, "--quiet");
        Assert.True(run.ExitCode == 0, run.StdErr);
        var report = Path.Combine(outDir, "report.html");

        // The DOM Chromium built from the file: every section, the five charts, the settings folded in <details>.
        var dom = Browser(chromium, dir, "--dump-dom", "file://" + report);
        Assert.True(dom.ExitCode == 0, dom.StdErr);
        var html = dom.StdOut;
        var order = new[] { "summary", "convergence", "pareto", "energy", "utilisation", "schedule", "scenario" }
            .Select(id => html.IndexOf("<section id=\"" + id + "\">", StringComparison.Ordinal)).ToList();
        Assert.All(order, i => Assert.True(i >= 0));
        Assert.Equal(order.Order(), order);
        Assert.Equal(5, SvgStart().Count(html));
        Assert.Contains("<p class=\"headline\">EDP <b>", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("<details>", StringComparison.Ordinal) > html.LastIndexOf("<svg", StringComparison.Ordinal));

        // A screenshot of the first screen: Chromium wrote a PNG of the requested size.
        var png = Path.Combine(dir, "report.png");
        var shot = Browser(chromium, dir, "--hide-scrollbars", "--window-size=1400,1000", "--screenshot=" + png, "file://" + report);
        Assert.True(File.Exists(png), "no screenshot: " + shot.StdErr);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "not a PNG");
        Assert.Equal(1400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(1000, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        Assert.True(bytes.Length > 20_000, $"screenshot is only {bytes.Length} bytes: blank page?");
    }

    [Fact]
    public void SeventyBReportStaysUnderThreeMegabytesAndRenders()
    {
        // All 80 layers of Llama-3-70B on the 16 × 16 mesh, with a small budget: the report must stay small and readable.
        var chromium = Chromium();
        var dir = TestPaths.NewTempDir();
        var outDir = Path.Combine(dir, "run");
        var run = HostProcess.Run(TimeSpan.FromMinutes(4), "explore", "--scenario", Path.Combine(TestPaths.RepoRoot, "scenarios", "llama3-70b-16x16.json"),
            "--budget", "10", "--out", outDir, "--quiet");
        Assert.True(run.ExitCode == 0, run.StdErr);
        var report = Path.Combine(outDir, "report.html");
        var size = new FileInfo(report).Length;
        Assert.True(size < 3_000_000, $"report.html is {size:N0} bytes");
        var dom = Browser(chromium, dir, "--dump-dom", "file://" + report);
        Assert.True(dom.ExitCode == 0, dom.StdErr);
        Assert.Equal(5, SvgStart().Count(dom.StdOut));
        Assert.Contains("Utilisation of the 16×16 mesh", dom.StdOut, StringComparison.Ordinal);
        Assert.Contains("coloured by layer group (8 layers each)", dom.StdOut, StringComparison.Ordinal);
        Assert.Contains("Aggregated: a chiplet", dom.StdOut, StringComparison.Ordinal);
    }

    private static (int ExitCode, string StdOut, string StdErr) Browser(string chromium, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-extensions", "--user-data-dir=" + Path.Combine(dir, "profile") })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("Chromium did not finish within 2 minutes");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
