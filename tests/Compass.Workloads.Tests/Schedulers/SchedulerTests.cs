using Compass.Abstractions.Sampling;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Workloads.Schedulers;

namespace Compass.Workloads.Tests;

public sealed class SchedulerTests
{
    public static TheoryData<string, int, long, int, int> ConservationCases => new()
    {
        // scheduler, maxBatchRequests, kvCapacityTokens, maxBatchTokens, seed
        { "vllm", 8, 6000, 4096, 1 },
        { "vllm", 64, long.MaxValue, int.MaxValue, 2 },
        { "orca", 8, 6000, 4096, 3 },
        { "orca", 32, 20000, 2048, 4 },
        { "sarathi", 8, 6000, 4096, 5 },
        { "sarathi", 16, 12000, 300, 6 },
        { "sarathi", 4, 3000, int.MaxValue, 7 },
    };

    [Theory]
    [MemberData(nameof(ConservationCases))]
    public void EveryPromptTokenIsPrefilledOnceAndEveryOutputTokenDecodedOnceWithinLimits(string name, int maxRequests, long kvCapacity, int maxTokens, int seed)
    {
        var trace = RandomTrace(seed, 300);
        var limits = new ServingLimits(maxRequests, kvCapacity, maxTokens);
        var scheduler = TestConfig.Scheduler(name, name == "sarathi" ? [("chunkTokens", "256")] : []);
        var checker = new ScheduleChecker(trace, limits);
        foreach (var iteration in scheduler.Schedule(trace, limits, default)) checker.Apply(iteration);
        checker.AssertComplete();
        if (name == "sarathi") Assert.True(checker.MaxIterationTokens <= Math.Min(256, maxTokens));
    }

    [Fact]
    public void ArrivalAwareAdmissionWaitsForArrivals()
    {
        TraceRequest[] trace = [new(0, 0.0, 10, 3), new(1, 100.0, 10, 3)];
        var scheduler = TestConfig.Scheduler("orca", ("iterationSeconds", "1"));
        var iterations = scheduler.Schedule(trace, new ServingLimits(8, long.MaxValue, int.MaxValue), default).ToArray();
        // Request 0: prefill + 2 decodes; request 1 cannot join them (arrives at 100 s); then its own 3 iterations.
        Assert.Equal(6, iterations.Length);
        Assert.All(iterations.Take(3), it => Assert.Equal(0, Assert.Single(it.Requests).RequestId));
        Assert.All(iterations.Skip(3), it => Assert.Equal(1, Assert.Single(it.Requests).RequestId));
    }

    [Fact]
    public void ChunkedPrefillOfTenThousandTokensWithBudget512TakesTwentyIterations()
    {
        TraceRequest[] trace = [new(0, 0, 10_000, 4)];
        var scheduler = TestConfig.Scheduler("sarathi", ("chunkTokens", "512"));
        var iterations = scheduler.Schedule(trace, new ServingLimits(128, long.MaxValue, int.MaxValue), default).ToArray();
        var chunks = iterations.Where(i => i.Requests.Any(r => r.Phase == RequestPhase.ChunkedPrefill)).ToArray();
        Assert.Equal(20, chunks.Length); // ceil(10000 / 512)
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 512), chunks.Select(c => c.Requests[0].HistoryTokens));
        Assert.Equal(10_000 - (19 * 512), chunks[^1].Requests[0].NewTokens);
        Assert.Equal(23, iterations.Length); // + 3 decodes
        Assert.Equal([10_000, 10_001, 10_002], iterations.Skip(20).Select(i => i.Requests[0].HistoryTokens));
    }

    [Fact]
    public void SarathiFillsTheBudgetAfterDecodesWithChunks()
    {
        TraceRequest[] trace = [new(0, 0, 100, 5), new(1, 0, 1000, 2)];
        var iterations = TestConfig.Scheduler("sarathi", ("chunkTokens", "256"))
            .Schedule(trace, new ServingLimits(8, long.MaxValue, int.MaxValue), default).ToArray();
        // Iteration 0: request 0 whole (100, a plain prefill) + 156 tokens of request 1.
        Assert.Equal([new ScheduledRequest(0, RequestPhase.Prefill, 100, 0), new ScheduledRequest(1, RequestPhase.ChunkedPrefill, 156, 0)], iterations[0].Requests);
        // Iteration 1: request 0 decodes first (1 token), then 255 tokens of request 1 continue from 156.
        Assert.Equal([new ScheduledRequest(0, RequestPhase.Decode, 1, 100), new ScheduledRequest(1, RequestPhase.ChunkedPrefill, 255, 156)], iterations[1].Requests);
    }

    [Fact]
    public void VllmNeverMixesPrefillAndDecode()
    {
        var trace = RandomTrace(9, 200);
        var iterations = TestConfig.Scheduler("vllm").Schedule(trace, new ServingLimits(16, 20_000, 8192), default).ToArray();
        Assert.All(iterations, it => Assert.Single(it.Requests.Select(r => r.Phase).Distinct()));
        Assert.Contains(iterations, it => it.Requests[0].Phase == RequestPhase.Prefill);
        Assert.Contains(iterations, it => it.Requests[0].Phase == RequestPhase.Decode);
    }

    [Fact]
    public void OrcaMixesPrefillsIntoDecodeIterations()
    {
        var trace = RandomTrace(10, 200);
        var iterations = TestConfig.Scheduler("orca").Schedule(trace, new ServingLimits(16, 20_000, 8192), default).ToArray();
        Assert.Contains(iterations, it => it.Requests.Any(r => r.Phase == RequestPhase.Prefill) && it.Requests.Any(r => r.Phase == RequestPhase.Decode));
    }

    [Fact]
    public void VllmPrefillsAsManyAsFitThenDecodesTogether()
    {
        TraceRequest[] trace = [new(0, 0, 50, 3), new(1, 0, 60, 2), new(2, 0, 70, 2)];
        var iterations = TestConfig.Scheduler("vllm").Schedule(trace, new ServingLimits(2, long.MaxValue, int.MaxValue), default).ToArray();
        Assert.Equal([new ScheduledRequest(0, RequestPhase.Prefill, 50, 0), new ScheduledRequest(1, RequestPhase.Prefill, 60, 0)], iterations[0].Requests);
        Assert.Equal([new ScheduledRequest(0, RequestPhase.Decode, 1, 50), new ScheduledRequest(1, RequestPhase.Decode, 1, 60)], iterations[1].Requests);
        // Request 1 finished (2 outputs); request 2 takes its slot as a prefill before request 0's last decode.
        Assert.Equal([new ScheduledRequest(2, RequestPhase.Prefill, 70, 0)], iterations[2].Requests);
        Assert.Equal([new ScheduledRequest(0, RequestPhase.Decode, 1, 51), new ScheduledRequest(2, RequestPhase.Decode, 1, 70)], iterations[3].Requests);
        Assert.Equal(4, iterations.Length);
    }

    [Fact]
    public void RequestLargerThanTheKvCacheIsAnInputError()
    {
        TraceRequest[] trace = [new(0, 0, 900, 200)];
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Scheduler("orca").Schedule(trace, new ServingLimits(4, 1000, int.MaxValue), default).ToArray());
        Assert.Equal("trace request 0", e.Field);
    }

    [Fact]
    public void PromptAboveTheTokenLimitNeedsChunking()
    {
        TraceRequest[] trace = [new(0, 0, 5000, 2)];
        Assert.Throws<CompassInputException>(() => TestConfig.Scheduler("vllm").Schedule(trace, new ServingLimits(4, long.MaxValue, 4096), default).ToArray());
        var chunked = TestConfig.Scheduler("sarathi").Schedule(trace, new ServingLimits(4, long.MaxValue, 4096), default).ToArray();
        Assert.Equal(10 + 1, chunked.Length); // ceil(5000 / 512) chunks + 1 decode
    }

    [Theory]
    [InlineData(0, 128, false, 0, 128, 0)]
    [InlineData(2, 64, false, 2, 64, 0)]
    [InlineData(1, 127, false, 1, 127, 0)]
    [InlineData(1, 127, true, 0, 127, 1)]
    [InlineData(0, 128, true, 0, 127, 1)]
    [InlineData(4, 0, false, 4, 0, 0)]
    public void FixedMixGivesExactCountsEveryIteration(int prefill, int decode, bool chunked, int prefills, int decodes, int chunks)
    {
        var trace = RandomTrace(12, 5000);
        var scheduler = TestConfig.Scheduler("fixed", ("prefill", prefill.ToString()), ("decode", decode.ToString()), ("chunked", chunked ? "true" : "false"), ("chunkTokens", "512"));
        var iterations = scheduler.Schedule(trace, new ServingLimits(128, long.MaxValue, int.MaxValue), default).Take(300).ToArray();
        Assert.Equal(300, iterations.Length);
        var byId = trace.ToDictionary(r => r.Id);
        foreach (var it in iterations)
        {
            Assert.Equal(prefills + decodes + chunks, it.Requests.Count);
            var rest = it.Requests.Skip(chunks).ToArray();
            if (chunks == 1)
            {
                // The chunk replaces the first request: a prompt piece of at most chunkTokens (a whole short prompt is a plain prefill).
                Assert.Contains(it.Requests[0].Phase, new[] { RequestPhase.ChunkedPrefill, RequestPhase.Prefill });
                Assert.InRange(it.Requests[0].NewTokens, 1, 512);
            }

            Assert.Equal(prefills, rest.Count(r => r.Phase == RequestPhase.Prefill));
            Assert.Equal(decodes, rest.Count(r => r.Phase == RequestPhase.Decode));
            Assert.DoesNotContain(rest, r => r.Phase == RequestPhase.ChunkedPrefill);
            foreach (var r in it.Requests.Where(r => r.Phase == RequestPhase.Decode))
                Assert.InRange(r.HistoryTokens, byId[r.RequestId].PromptTokens, byId[r.RequestId].PromptTokens + byId[r.RequestId].OutputTokens - 2);
            var decodeHistories = it.Requests.Where(r => r.Phase == RequestPhase.Decode).Select(r => r.HistoryTokens).ToArray();
            Assert.Equal(decodeHistories.OrderDescending(), decodeHistories);
        }
    }

    [Fact]
    public void FixedDecodeHistoryGrowsByOnePerIteration()
    {
        TraceRequest[] trace = [new(0, 0, 100, 4), new(1, 0, 50, 3), new(2, 0, 7, 2)];
        var iterations = TestConfig.Scheduler("fixed", ("prefill", "0"), ("decode", "1"))
            .Schedule(trace, new ServingLimits(1, long.MaxValue, int.MaxValue), default).ToArray();
        Assert.Equal([100, 101, 102, 50, 51, 7], iterations.Select(i => i.Requests.Single().HistoryTokens));
    }

    [Fact]
    public void FixedChunkWalksThroughThePrompt()
    {
        TraceRequest[] trace = [new(0, 0, 100, 50), new(1, 0, 90, 50), new(2, 0, 1200, 2), new(3, 0, 10, 2)];
        var iterations = TestConfig.Scheduler("fixed", ("prefill", "1"), ("decode", "2"), ("chunked", "true"), ("chunkTokens", "512"))
            .Schedule(trace, new ServingLimits(8, long.MaxValue, int.MaxValue), default).ToArray();
        // Slots take requests 0 and 1; the chunk walks through request 2 (512 + 512 + 176), then request 3 fits whole.
        Assert.Equal(
            [
                new ScheduledRequest(2, RequestPhase.ChunkedPrefill, 512, 0),
                new ScheduledRequest(2, RequestPhase.ChunkedPrefill, 512, 512),
                new ScheduledRequest(2, RequestPhase.ChunkedPrefill, 176, 1024),
                new ScheduledRequest(3, RequestPhase.Prefill, 10, 0),
            ],
            iterations.Select(i => i.Requests[0]));
        Assert.Equal([new ScheduledRequest(0, RequestPhase.Decode, 1, 100), new ScheduledRequest(1, RequestPhase.Decode, 1, 90)], iterations[0].Requests.Skip(1));
        Assert.All(iterations, it => Assert.Equal(3, it.Requests.Count));
    }

    [Fact]
    public void FixedMixAboveTheBatchLimitIsAnInputError()
    {
        var scheduler = TestConfig.Scheduler("fixed", ("prefill", "2"), ("decode", "128"));
        var e = Assert.Throws<CompassInputException>(() => scheduler.Schedule(RandomTrace(1, 10), new ServingLimits(128, long.MaxValue, int.MaxValue), default));
        Assert.Equal("workload.scheduler.options", e.Field);
    }

    [Theory]
    [InlineData("sarathi", "chunkTokens", "0", "workload.scheduler.options.chunkTokens")]
    [InlineData("vllm", "chunkTokens", "256", "workload.scheduler.options.chunkTokens")]
    [InlineData("fixed", "decode", "-1", "workload.scheduler.options.decode")]
    [InlineData("fixed", "chunked", "yes", "workload.scheduler.options.chunked")]
    [InlineData("orca", "iterationSeconds", "-2", "workload.scheduler.options.iterationSeconds")]
    public void BadSchedulerOptionNamesItsPath(string name, string key, string value, string field)
    {
        var e = Assert.Throws<CompassInputException>(() => TestConfig.Scheduler(name, (key, value)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void SchedulesAreDeterministic()
    {
        var trace = RandomTrace(13, 200);
        var limits = new ServingLimits(16, 20_000, 1024);
        foreach (var name in new[] { "vllm", "orca", "sarathi", "fixed" })
        {
            var a = TestConfig.Scheduler(name).Schedule(trace, limits with { MaxBatchTokens = int.MaxValue, MaxBatchRequests = 128, KvCapacityTokens = long.MaxValue }, default).Take(500).SelectMany(i => i.Requests).ToArray();
            var b = TestConfig.Scheduler(name).Schedule(trace, limits with { MaxBatchTokens = int.MaxValue, MaxBatchRequests = 128, KvCapacityTokens = long.MaxValue }, default).Take(500).SelectMany(i => i.Requests).ToArray();
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void ScheduleIsLazyOverAnEndlessTrace()
    {
        static IEnumerable<TraceRequest> Endless()
        {
            for (long i = 0; ; i++) yield return new TraceRequest(i, i, 20, 5);
        }

        var iterations = TestConfig.Scheduler("orca").Schedule(Endless(), new ServingLimits(4, long.MaxValue, int.MaxValue), default).Take(100).ToArray();
        Assert.Equal(100, iterations.Length);
    }

    internal static TraceRequest[] RandomTrace(int seed, int count)
    {
        var rng = new Xoshiro256StarStar(seed);
        return Enumerable.Range(0, count)
            .Select(i => new TraceRequest(i, i * 0.1, (int)rng.NextInt64(1, 1500), (int)rng.NextInt64(1, 300)))
            .ToArray();
    }
}

/// <summary>Replays a schedule and checks conservation, histories and limits.</summary>
internal sealed class ScheduleChecker(IReadOnlyList<TraceRequest> trace, ServingLimits limits)
{
    private readonly Dictionary<long, TraceRequest> _requests = trace.ToDictionary(r => r.Id);
    private readonly Dictionary<long, (int Prefilled, int Generated)> _progress = [];
    private int _expectedIndex;

    public int MaxIterationTokens { get; private set; }

    public void Apply(Iteration iteration)
    {
        Assert.Equal(_expectedIndex++, iteration.Index);
        Assert.InRange(iteration.Requests.Count, 1, limits.MaxBatchRequests);
        Assert.True(iteration.NewTokens <= limits.MaxBatchTokens, $"iteration {iteration.Index}: {iteration.NewTokens} tokens > {limits.MaxBatchTokens}");
        MaxIterationTokens = Math.Max(MaxIterationTokens, iteration.NewTokens);
        Assert.Equal(iteration.Requests.Count, iteration.Requests.Select(r => r.RequestId).Distinct().Count());
        foreach (var s in iteration.Requests)
        {
            var request = _requests[s.RequestId];
            var (prefilled, generated) = _progress.GetValueOrDefault(s.RequestId);
            switch (s.Phase)
            {
                case RequestPhase.Prefill:
                    Assert.Equal(0, prefilled);
                    Assert.Equal(0, s.HistoryTokens);
                    Assert.Equal(request.PromptTokens, s.NewTokens);
                    prefilled = request.PromptTokens;
                    generated = 1;
                    break;
                case RequestPhase.ChunkedPrefill:
                    Assert.Equal(prefilled, s.HistoryTokens);
                    Assert.InRange(s.NewTokens, 1, request.PromptTokens - prefilled);
                    prefilled += s.NewTokens;
                    if (prefilled == request.PromptTokens) generated = 1;
                    break;
                default:
                    Assert.Equal(request.PromptTokens, prefilled);
                    Assert.Equal(1, s.NewTokens);
                    Assert.Equal(request.PromptTokens + generated - 1, s.HistoryTokens);
                    Assert.True(generated < request.OutputTokens, $"request {s.RequestId} decoded past its output");
                    generated++;
                    break;
            }

            _progress[s.RequestId] = (prefilled, generated);
        }

        // KV cache: prompt + generated tokens of every started request that is not finished, or finished just now.
        long kv = 0;
        var now = iteration.Requests.Select(r => r.RequestId).ToHashSet();
        foreach (var (id, (prefilled, generated)) in _progress)
            if (generated < _requests[id].OutputTokens || now.Contains(id)) kv += prefilled + generated;
        Assert.True(kv <= limits.KvCapacityTokens, $"iteration {iteration.Index}: KV {kv} > {limits.KvCapacityTokens}");
        // Running requests (started, unfinished) never exceed the batch limit.
        Assert.True(_progress.Count(p => p.Value.Generated < _requests[p.Key].OutputTokens) <= limits.MaxBatchRequests);
    }

    public void AssertComplete()
    {
        foreach (var r in trace)
        {
            Assert.True(_progress.TryGetValue(r.Id, out var p), $"request {r.Id} never scheduled");
            Assert.Equal(r.PromptTokens, p.Prefilled);
            Assert.Equal(r.OutputTokens, p.Generated);
        }
    }
}
