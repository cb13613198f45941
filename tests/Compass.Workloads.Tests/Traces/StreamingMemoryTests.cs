using System.Diagnostics;
using Compass.Workloads.Traces;
using Xunit.Abstractions;

namespace Compass.Workloads.Tests;

/// <summary>
/// Reading a 1M-row Azure-format trace streams in bounded memory. Measured, not timed: the bytes the reading thread
/// allocates (GC.GetAllocatedBytesForCurrentThread) and the managed heap sampled during the read. The numbers are
/// recorded in docs/bench-workloads.md.
/// </summary>
public sealed class StreamingMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Rows = 1_000_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("compass-1m-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MillionRowAzureTraceStreamsInBoundedMemory()
    {
        var path = Path.Combine(_folder, "azure-1m.csv");
        TraceWriter.WriteFile(path, TraceFileFormat.AzureCsv, TestConfig.Trace("poisson", ("requests", Rows.ToString()), ("ratePerSecond", "50"), ("lengths", "azure-code")).Read(1, default));
        var fileBytes = new FileInfo(path).Length;
        var source = TestConfig.Trace("azure-csv", ("path", path));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long rows = 0, promptTokens = 0, heapPeak = 0;
        foreach (var r in source.Read(0, default))
        {
            rows++;
            promptTokens += r.PromptTokens;
            if ((rows & 0xFFFF) == 0) heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        using var process = Process.GetCurrentProcess();
        output.WriteLine($"file {fileBytes / 1e6:F1} MB, {rows} rows, mean prompt {promptTokens / (double)rows:F1} tokens");
        output.WriteLine($"allocated while reading: {allocated} bytes ({allocated / (double)rows:F4} B/row); managed heap before {heapBefore / 1e6:F2} MB, peak during read {heapPeak / 1e6:F2} MB; process peak working set {process.PeakWorkingSet64 / 1e6:F1} MB");

        Assert.Equal(Rows, rows);
        // Bounded: the 64 KiB line buffer, the file stream and the parser; nothing per row (1M rows would need > 1 MB at 1 B/row).
        // The heap figures are process-wide (other tests run in parallel), so they are reported, not asserted.
        Assert.True(allocated < 512 * 1024, $"allocated {allocated} bytes for {rows} rows");
    }
}
