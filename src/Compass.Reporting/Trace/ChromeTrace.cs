using System.Globalization;
using System.Text.Json;
using Compass.Reporting.Files;
using Compass.Reporting.Model;

namespace Compass.Reporting.Trace;

/// <summary>
/// <c>schedule.trace.json</c> in the Chrome trace-event format (JSON object form), which Perfetto and
/// chrome://tracing open. One process ("Compass package", pid 1) with one thread per chiplet (tid = chiplet id + 1,
/// named <c>chiplet 3 (x,y) type</c>); one complete event (<c>"ph":"X"</c>) per task with <c>ts</c>/<c>dur</c> in
/// microseconds; and process counter tracks (<c>"ph":"C"</c>) of aggregate NoP and DRAM bandwidth and cumulative bytes.
/// </summary>
/// <remarks>
/// The counters come from the evaluator's resource intervals: every interval a link or DRAM channel carried a
/// transfer at its bandwidth. The DRAM counter sums the channels' rates, the NoP counter the links' rates (link
/// bytes, so a byte crossing three links counts three times), sampled at every interval boundary; the cumulative
/// bytes are the exact integral. A channel carries one transfer at a time, so the DRAM counter never exceeds the
/// package's aggregate DRAM bandwidth. A timeline without intervals (an older <c>timeline.json</c>) falls back to
/// spreading each task's bytes evenly over its duration. GB/s = bytes per ns.
/// </remarks>
public static class ChromeTrace
{
    /// <summary>The process id of the package.</summary>
    public const int ProcessId = 1;

    /// <summary>Thread id of a chiplet's track.</summary>
    public static int ThreadId(int chiplet) => chiplet + 1;

    /// <summary>Track name of a chiplet: <c>chiplet 3 (x,y) type</c>.</summary>
    public static string TrackName(PackageUsage package, int chiplet)
    {
        var width = Math.Max(1, package.MeshWidth);
        var type = package.TypeName(chiplet);
        return string.Create(CultureInfo.InvariantCulture, $"chiplet {chiplet} ({chiplet % width},{chiplet / width})") + (type.Length > 0 ? " " + type : string.Empty);
    }

    /// <summary>Serialises the trace of <paramref name="timeline"/> on <paramref name="package"/>.</summary>
    public static byte[] Serialize(ScheduleTimeline timeline, PackageUsage package, string title)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("displayTimeUnit", "ns");
            w.WriteStartObject("otherData");
            w.WriteString("title", title);
            w.WriteNumber("iteration", timeline.Iteration);
            w.WriteNumber("tasks", timeline.Tasks.Count);
            w.WriteEndObject();
            w.WriteStartArray("traceEvents");
            Metadata(w, "process_name", 0, "name", "Compass package");
            var chiplets = Math.Max(package.ChipletCount, timeline.Tasks.Count == 0 ? 0 : timeline.Tasks.Max(t => t.Chiplet) + 1);
            for (var c = 0; c < chiplets; c++)
            {
                Metadata(w, "thread_name", ThreadId(c), "name", TrackName(package, c));
                w.WriteStartObject();
                w.WriteString("name", "thread_sort_index");
                w.WriteString("ph", "M");
                w.WriteNumber("pid", ProcessId);
                w.WriteNumber("tid", ThreadId(c));
                w.WriteStartObject("args");
                w.WriteNumber("sort_index", c);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var t in timeline.Tasks)
            {
                var gene = timeline.GeneOf(t);
                w.WriteStartObject();
                w.WriteString("name", gene.Name);
                w.WriteString("cat", gene.Stage.ToString());
                w.WriteString("ph", "X");
                w.WriteNumber("pid", ProcessId);
                w.WriteNumber("tid", ThreadId(t.Chiplet));
                w.Number("ts", t.StartNs / 1000);
                w.Number("dur", (t.EndNs - t.StartNs) / 1000);
                w.WriteStartObject("args");
                w.WriteNumber("layer", gene.Layer);
                w.WriteNumber("microBatch", t.MicroBatch);
                w.WriteString("phase", TimelineJson.PhaseName(timeline.PhaseOf(t.MicroBatch)));
                w.WriteNumber("gene", t.Gene);
                w.Number("computeNs", t.ComputeNs);
                w.Number("nopNs", t.NopNs);
                w.Number("dramNs", t.DramNs);
                w.Number("energyPj", t.EnergyPj);
                w.Number("dramBytes", t.DramBytes);
                w.Number("nopBytes", t.NopBytes);
                w.WriteBoolean("weightsLoaded", t.WeightsLoaded);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var sample in TrafficSamples(timeline))
            {
                Counter(w, "NoP bandwidth (GB/s)", sample.TimeNs, "GBps", sample.NopGBps);
                Counter(w, "DRAM bandwidth (GB/s)", sample.TimeNs, "GBps", sample.DramGBps);
                w.WriteStartObject();
                w.WriteString("name", "cumulative bytes");
                w.WriteString("ph", "C");
                w.WriteNumber("pid", ProcessId);
                w.Number("ts", sample.TimeNs / 1000);
                w.WriteStartObject("args");
                w.Number("nop", sample.NopBytesSoFar);
                w.Number("dram", sample.DramBytesSoFar);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Writes the file atomically.</summary>
    public static void Write(string path, ScheduleTimeline timeline, PackageUsage package, string title) =>
        AtomicFile.WriteAllBytes(path, Serialize(timeline, package, title));

    /// <summary>
    /// Aggregate traffic at every task boundary: summed NoP and DRAM rates of the tasks running from that instant
    /// on (GB/s), and the bytes moved up to that instant.
    /// </summary>
    public static IReadOnlyList<TrafficSample> TrafficSamples(ScheduleTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        return timeline.ResourceIntervals.Count > 0 ? ResourceSamples(timeline.ResourceIntervals) : TaskSamples(timeline);
    }

    /// <summary>Samples of the summed link and channel rates at every resource-interval boundary.</summary>
    private static List<TrafficSample> ResourceSamples(IReadOnlyList<Results.ResourceInterval> intervals)
    {
        var spans = new List<TrafficSpan>(intervals.Count);
        foreach (var r in intervals)
        {
            if (!(r.EndNs > r.StartNs) || !(r.Bytes > 0)) continue;
            var link = r.Kind == Results.ResourceKind.Link;
            spans.Add(new TrafficSpan(r.StartNs, r.EndNs, link ? r.Bytes : 0, link ? 0 : r.Bytes));
        }
        return Sweep(spans);
    }

    /// <summary>Samples from the tasks' own NoP and DRAM bytes, for a timeline without resource intervals.</summary>
    private static List<TrafficSample> TaskSamples(ScheduleTimeline timeline)
    {
        var spans = new List<TrafficSpan>(timeline.Tasks.Count);
        foreach (var t in timeline.Tasks)
        {
            if (!(t.EndNs > t.StartNs)) continue;
            if (t.NopBytes <= 0 && t.DramBytes <= 0) continue;
            spans.Add(new TrafficSpan(t.StartNs, t.EndNs, Math.Max(0, t.NopBytes), Math.Max(0, t.DramBytes)));
        }
        return Sweep(spans);
    }

    /// <summary>Bytes moved over NoP links and DRAM channels at a constant rate between two times.</summary>
    private readonly record struct TrafficSpan(double StartNs, double EndNs, double NopBytes, double DramBytes);

    /// <summary>
    /// Sweeps the spans' start and end times in order (ends before starts at one time) and samples the summed NoP and
    /// DRAM rates and the bytes moved so far at every boundary.
    /// </summary>
    private static List<TrafficSample> Sweep(List<TrafficSpan> spans)
    {
        var edges = new List<(double Time, int Index, bool Start)>(2 * spans.Count);
        for (var i = 0; i < spans.Count; i++)
        {
            edges.Add((spans[i].StartNs, i, true));
            edges.Add((spans[i].EndNs, i, false));
        }
        edges.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Start != b.Start ? (a.Start ? 1 : -1) : a.Index.CompareTo(b.Index));
        var samples = new List<TrafficSample>();
        double nopRate = 0, dramRate = 0, nopSoFar = 0, dramSoFar = 0, previous = 0;
        var running = 0;
        var k = 0;
        while (k < edges.Count)
        {
            var time = edges[k].Time;
            if (samples.Count > 0)
            {
                nopSoFar += nopRate * (time - previous);
                dramSoFar += dramRate * (time - previous);
            }
            for (; k < edges.Count && edges[k].Time == time; k++)
            {
                var span = spans[edges[k].Index];
                var duration = span.EndNs - span.StartNs;
                var sign = edges[k].Start ? 1 : -1;
                nopRate += sign * span.NopBytes / duration;
                dramRate += sign * span.DramBytes / duration;
                running += sign;
            }
            if (running == 0) { nopRate = 0; dramRate = 0; }
            samples.Add(new TrafficSample(time, Math.Max(0, nopRate), Math.Max(0, dramRate), nopSoFar, dramSoFar));
            previous = time;
        }
        return samples;
    }

    private static void Metadata(Utf8JsonWriter w, string name, int tid, string argName, string argValue)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("ph", "M");
        w.WriteNumber("pid", ProcessId);
        w.WriteNumber("tid", tid);
        w.WriteStartObject("args");
        w.WriteString(argName, argValue);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Counter(Utf8JsonWriter w, string name, double timeNs, string argName, double value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("ph", "C");
        w.WriteNumber("pid", ProcessId);
        w.Number("ts", timeNs / 1000);
        w.WriteStartObject("args");
        w.Number(argName, value);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>Aggregate traffic from one task boundary to the next.</summary>
/// <param name="TimeNs">Boundary time, ns.</param>
/// <param name="NopGBps">Summed NoP rate of the tasks running after the boundary, GB/s.</param>
/// <param name="DramGBps">Summed DRAM rate, GB/s.</param>
/// <param name="NopBytesSoFar">NoP bytes moved before the boundary.</param>
/// <param name="DramBytesSoFar">DRAM bytes moved before the boundary.</param>
public readonly record struct TrafficSample(double TimeNs, double NopGBps, double DramGBps, double NopBytesSoFar, double DramBytesSoFar);
