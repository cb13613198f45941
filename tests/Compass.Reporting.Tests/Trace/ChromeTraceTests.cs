using System.Text.Json;
using Compass.Reporting.Model;
using Compass.Reporting.Trace;
using Compass.Results;

namespace Compass.Reporting.Tests.Trace;

public sealed class ChromeTraceTests
{
    private static JsonElement[] Events(ScheduleTimeline timeline)
    {
        var doc = JsonDocument.Parse(ChromeTrace.Serialize(timeline, TestData.Run().Package, "unit"));
        return doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToArray();
    }

    [Fact]
    public void TraceHasExactlyOneCompleteSlicePerTaskMatchingTheTimeline()
    {
        var timeline = TestData.Timeline();
        var slices = Events(timeline).Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        Assert.Equal(timeline.Tasks.Count, slices.Count);
        for (var i = 0; i < slices.Count; i++)
        {
            var t = timeline.Tasks[i];
            var s = slices[i];
            Assert.Equal(t.StartNs, s.GetProperty("ts").GetDouble() * 1000, 9);
            Assert.Equal(t.EndNs, (s.GetProperty("ts").GetDouble() + s.GetProperty("dur").GetDouble()) * 1000, 9);
            Assert.Equal(ChromeTrace.ThreadId(t.Chiplet), s.GetProperty("tid").GetInt32());
            Assert.Equal(timeline.Genes[t.Gene].Name, s.GetProperty("name").GetString());
            Assert.Equal(timeline.Genes[t.Gene].Stage.ToString(), s.GetProperty("cat").GetString());
            var args = s.GetProperty("args");
            Assert.Equal(timeline.Genes[t.Gene].Layer, args.GetProperty("layer").GetInt32());
            Assert.Equal(t.MicroBatch, args.GetProperty("microBatch").GetInt32());
            Assert.Equal(t.ComputeNs, args.GetProperty("computeNs").GetDouble());
            Assert.Equal(t.NopNs, args.GetProperty("nopNs").GetDouble());
            Assert.Equal(t.DramNs, args.GetProperty("dramNs").GetDouble());
            Assert.Equal(t.EnergyPj, args.GetProperty("energyPj").GetDouble());
            Assert.Equal(t.DramBytes, args.GetProperty("dramBytes").GetDouble());
            Assert.Equal(t.WeightsLoaded, args.GetProperty("weightsLoaded").GetBoolean());
        }
    }

    [Fact]
    public void TraceNamesTheProcessAndOneThreadPerChiplet()
    {
        var meta = Events(TestData.Timeline()).Where(e => e.GetProperty("ph").GetString() == "M").ToList();
        Assert.Equal("Compass package", meta.Single(e => e.GetProperty("name").GetString() == "process_name").GetProperty("args").GetProperty("name").GetString());
        var threads = meta.Where(e => e.GetProperty("name").GetString() == "thread_name")
            .ToDictionary(e => e.GetProperty("tid").GetInt32(), e => e.GetProperty("args").GetProperty("name").GetString());
        Assert.Equal(4, threads.Count);
        Assert.Equal("chiplet 3 (1,1) ws-b", threads[ChromeTrace.ThreadId(3)]);
        Assert.Equal("chiplet 0 (0,0) os-a", threads[ChromeTrace.ThreadId(0)]);
    }

    [Fact]
    public void CountersSumOverlappingTaskRatesAndIntegrateToTotalBytes()
    {
        // Task A: 0..100 ns, 1000 NoP bytes (10 GB/s). Task B: 50..150 ns, 500 NoP bytes (5 GB/s), 2000 DRAM bytes (20 GB/s).
        var timeline = new ScheduleTimeline(0, [], [],
        [
            new TaskRecord(0, 0, 0, 0, 0, 100, 100, 0, 0, 0, 0, 1000, false),
            new TaskRecord(0, 0, 1, 1, 50, 150, 100, 0, 0, 0, 2000, 500, false),
        ]);
        var samples = ChromeTrace.TrafficSamples(timeline);
        Assert.Equal([0.0, 50, 100, 150], samples.Select(s => s.TimeNs));
        Assert.Equal([10.0, 15, 5, 0], samples.Select(s => s.NopGBps));
        Assert.Equal([0.0, 20, 20, 0], samples.Select(s => s.DramGBps));
        Assert.Equal(1500, samples[^1].NopBytesSoFar, 9);
        Assert.Equal(2000, samples[^1].DramBytesSoFar, 9);
        var counters = Events(timeline).Where(e => e.GetProperty("ph").GetString() == "C").ToList();
        Assert.Equal(4 * 3, counters.Count);
        Assert.Equal(15, counters.Single(c => c.GetProperty("name").GetString() == "NoP bandwidth (GB/s)" && c.GetProperty("ts").GetDouble() == 0.05).GetProperty("args").GetProperty("GBps").GetDouble(), 12);
    }

    [Fact]
    public void TraceIsByteIdenticalForTheSameTimeline() =>
        Assert.Equal(ChromeTrace.Serialize(TestData.Timeline(), TestData.Run().Package, "u"), ChromeTrace.Serialize(TestData.Timeline(), TestData.Run().Package, "u"));
}
