using Compass.Abstractions.Mapping;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Engine;
using Compass.Engine.Replay;
using Compass.Engine.Workload;

namespace Compass.Engine.Tests;

public sealed class WorkloadTests
{
    [Fact]
    public void ReplayDerivesTtftTpotAndEndToEndFromIterationLatencies()
    {
        // Request 0 arrives at 0 with a 4-token prompt and 3 output tokens: prefill, then two decodes.
        var iterations = new[]
        {
            new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, 4, 0)]),
            new Iteration(1, [new ScheduledRequest(0, RequestPhase.Decode, 1, 4)]),
            new Iteration(2, [new ScheduledRequest(0, RequestPhase.Decode, 1, 5)]),
        };
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), iterations, new GraphOptions { TensorParallel = 1 });
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        var genome = problem.Space.CreateGenome();
        var l = Enumerable.Range(0, 3).Select(i => problem.EvaluateIteration(genome, i, false).LatencyNs).ToArray();
        var report = ReplayRunner.Run(problem, genome, [new TraceRequest(0, 0, 4, 3)], ttftSloMs: 1, tpotSloMs: 1, CancellationToken.None);
        var r = Assert.Single(report.Requests);
        Assert.Equal(l[0] / 1e6, r.TtftMs, 12);
        Assert.Equal((l[0] + l[1] + l[2]) / 1e6, r.EndToEndMs, 12);
        Assert.Equal((l[1] + l[2]) / 2 / 1e6, r.TpotMs, 12);
        Assert.Equal(3, report.GeneratedTokens);
        Assert.Equal(3 / ((l[0] + l[1] + l[2]) * 1e-9), report.ThroughputBusyTokensPerSecond, 6);
        Assert.Equal(1, report.SloAttainment);
    }

    [Fact]
    public void ChunkedPrefillProducesTheFirstTokenWithItsLastChunk()
    {
        // A 6-token prompt in chunks of 4 and 2, then one decode; a genome of one row replays iterations whose
        // micro-batch count differs (rows reused b mod rows).
        var iterations = new[]
        {
            new Iteration(0, [new ScheduledRequest(0, RequestPhase.ChunkedPrefill, 4, 0)]),
            new Iteration(1, [new ScheduledRequest(0, RequestPhase.ChunkedPrefill, 2, 4), new ScheduledRequest(1, RequestPhase.Prefill, 3, 0)]),
            new Iteration(2, [new ScheduledRequest(0, RequestPhase.Decode, 1, 6), new ScheduledRequest(1, RequestPhase.Decode, 1, 3)]),
        };
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), iterations, new GraphOptions { TensorParallel = 1 });
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        Assert.Equal(2, problem.Space.MicroBatchCount);
        var oneRow = new Genome(1, problem.Space.GeneCount);
        var l = Enumerable.Range(0, 3).Select(i => problem.EvaluateIteration(oneRow, i, false).LatencyNs).ToArray();
        var report = ReplayRunner.Run(problem, oneRow, [new TraceRequest(0, 0, 6, 2), new TraceRequest(1, 0, 3, 2)], 0, 0, CancellationToken.None);
        Assert.Equal(2, report.Requests.Count);
        Assert.Equal((l[0] + l[1]) / 1e6, report.Requests[0].TtftMs, 12);
        Assert.Equal((l[0] + l[1] + l[2]) / 1e6, report.Requests[0].EndToEndMs, 12);
        Assert.Equal(l[2] / 1e6, report.Requests[0].TpotMs, 12);
        Assert.Equal(4, report.GeneratedTokens);
        Assert.Equal(0, report.IncompleteRequests);

        // Iteration-level results (the published exec mode): means over the held-out iterations and their product.
        var e = Enumerable.Range(0, 3).Select(i => problem.EvaluateIteration(oneRow, i, false).Energy.TotalPj).ToArray();
        Assert.Equal(l.Average(), report.MeanIterationLatencyNs, 9);
        Assert.Equal(e.Average(), report.MeanIterationEnergyPj, 9);
        Assert.Equal(1.0, report.IterationEdpJs / (l.Average() * 1e-9 * e.Average() * 1e-12), 12);
    }

    [Fact]
    public void ReplayWaitsForArrivals()
    {
        var iterations = new[] { new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, 4, 0)]) };
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), iterations, new GraphOptions { TensorParallel = 1 });
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        var genome = problem.Space.CreateGenome();
        var report = ReplayRunner.Run(definition, genome, iterations, [new TraceRequest(0, 2.0, 4, 1)], 0, 0, CancellationToken.None);
        var r = Assert.Single(report.Requests);
        Assert.Equal(report.IterationLatencyNs[0] / 1e6, r.TtftMs, 9);
        Assert.Equal(0, r.TpotMs);

        // Replaying on a problem already built for the same iterations gives the same bits.
        var reused = ReplayRunner.Run(problem, genome, [new TraceRequest(0, 2.0, 4, 1)], 0, 0, CancellationToken.None);
        Assert.Equal(report.IterationLatencyNs, reused.IterationLatencyNs);
        Assert.Equal(report.IterationEnergyPj, reused.IterationEnergyPj);
        Assert.Equal(r, Assert.Single(reused.Requests));
    }

    [Fact]
    public void ReplayWithoutACompletedRequestReportsNotAvailableWithTheReason()
    {
        // Two decodes of a request whose prefill happened before the window: seen, never completed.
        var iterations = new[]
        {
            new Iteration(0, [new ScheduledRequest(7, RequestPhase.Decode, 1, 100)]),
            new Iteration(1, [new ScheduledRequest(7, RequestPhase.Decode, 1, 101)]),
        };
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), iterations, new GraphOptions { TensorParallel = 1 });
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        var genome = problem.Space.CreateGenome();
        var report = ReplayRunner.Run(problem, genome, [new TraceRequest(7, 0, 100, 50)], ttftSloMs: 100, tpotSloMs: 0, CancellationToken.None);
        Assert.Empty(report.Requests);
        Assert.Equal(1, report.IncompleteRequests);
        Assert.Null(report.Ttft);
        Assert.Null(report.Tpot);
        Assert.Null(report.EndToEnd);
        Assert.Null(report.SloAttainment);   // an SLO was given, but no request completed to measure it on
        Assert.StartsWith("n/a: none of the 1 requests seen in the 2 replayed iterations", report.RequestMetricsNote, StringComparison.Ordinal);
        // Iteration-level results and throughput stay valid: 2 tokens over the two iteration latencies.
        Assert.Equal(2, report.GeneratedTokens);
        Assert.Equal(2 / (report.IterationLatencyNs.Sum() * 1e-9), report.ThroughputBusyTokensPerSecond, 6);
    }

    [Fact]
    public void ThroughputOverTraceTimeCountsTheIdleGapAndSloAttainmentNeedsAnSlo()
    {
        // Request 0 at t = 0, request 1 arrives 1 s later: the second iteration waits, so trace time > busy time.
        var iterations = new[]
        {
            new Iteration(0, [new ScheduledRequest(0, RequestPhase.Prefill, 4, 0)]),
            new Iteration(1, [new ScheduledRequest(1, RequestPhase.Prefill, 4, 0)]),
        };
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), iterations, new GraphOptions { TensorParallel = 1 });
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        var genome = problem.Space.CreateGenome();
        var report = ReplayRunner.Run(problem, genome, [new TraceRequest(0, 0, 4, 1), new TraceRequest(1, 1.0, 4, 1)], 0, 0, CancellationToken.None);
        var busy = report.IterationLatencyNs.Sum();
        Assert.Equal(busy, report.BusyNs, 9);
        Assert.Equal(1e9 + report.IterationLatencyNs[1], report.WallNs, 3);
        Assert.Equal(2 / (busy * 1e-9), report.ThroughputBusyTokensPerSecond, 6);
        Assert.Equal(2 / (report.WallNs * 1e-9), report.ThroughputTraceTokensPerSecond, 6);
        Assert.True(report.ThroughputTraceTokensPerSecond < report.ThroughputBusyTokensPerSecond);
        Assert.Null(report.SloAttainment);   // no SLO given
        Assert.Null(report.Tpot);            // single-token requests have no TPOT
        Assert.NotNull(report.Ttft);
        Assert.Null(report.RequestMetricsNote);
    }

    [Fact]
    public void PercentilesInterpolateBetweenOrderStatistics()
    {
        var s = PercentileSummary.Of([4, 1, 3, 2, 5]);
        Assert.Equal(3, s.Mean);
        Assert.Equal(3, s.P50);
        Assert.Equal(4.6, s.P90, 12);
        Assert.Equal(4.96, s.P99, 12);
    }

    [Fact]
    public void SamplerIsDeterministicAndSkipsWarmup()
    {
        var schedule = Enumerable.Range(0, 1000).Select(i => new Iteration(i, [new ScheduledRequest(i, RequestPhase.Decode, 1, i)]));
        var a = IterationSampler.Sample(schedule, 200, 5, seed: 42);
        var b = IterationSampler.Sample(schedule, 200, 5, seed: 42);
        var c = IterationSampler.Sample(schedule, 200, 5, seed: 43);
        Assert.Equal(a.Select(i => i.Index), b.Select(i => i.Index));
        Assert.NotEqual(a.Select(i => i.Index), c.Select(i => i.Index));
        Assert.All(a, i => Assert.InRange(i.Index, 200, 249));
        var held = IterationSampler.HeldOut(schedule, 200, 30, seed: 43);
        Assert.Equal(30, held.Count);
        Assert.Equal(Enumerable.Range(held[0].Index, 30), held.Select(i => i.Index));
        Assert.Equal("workload.warmupIterations", Assert.Throws<CompassInputException>(() => IterationSampler.Sample(schedule.Take(10), 200, 5, 1)).Field);
        // No warm-up and still nothing: the trace is what is short, not the warm-up (the message said "before 0 warm-up iterations").
        var empty = Assert.Throws<CompassInputException>(() => IterationSampler.SampleStratified([], 0, 5, 1));
        Assert.Equal("workload.trace", empty.Field);
        Assert.Contains("formed no iteration", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryPlannerGivesKvCapacityAndNamesTheShortfall()
    {
        var model = Fixtures.TinyModel();
        var package = Fixtures.Package(2, 1, Fixtures.UnitChiplet()) with { };
        var plan = MemoryPlanner.Plan(model, Fixtures.Int8, package, 0);
        // 2 layers × 128 B of weights; KV 2 layers × 2 × 1 head × 4 B per token.
        Assert.Equal(256, plan.WeightBytes);
        Assert.Equal(16, plan.KvBytesPerToken);
        Assert.Equal((long)((1000e9 - 256) / 16), plan.KvCapacityTokens);
        var e = Assert.Throws<CompassInputException>(() => MemoryPlanner.Check(plan, plan.KvCapacityTokens + 1));
        Assert.Equal("model", e.Field);
        Assert.Matches("weights .* GB \\+ KV cache .* GB do not fit package DRAM .* GB", e.Reason);
    }

    [Fact]
    public void BestMappingRoundTripsAndIsValidated()
    {
        var problem = ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None);
        var genome = problem.Heuristics.MicroBatchParallel();
        genome.Boundaries[3] = 1;
        var path = Path.Combine(Path.GetTempPath(), $"compass-engine-{Guid.NewGuid():N}", "best-mapping.json");
        try
        {
            BestMappingFile.From(problem.Space, genome, "test", 42, problem.Evaluate(genome)).Save(path);
            var loaded = BestMappingFile.Load(path);
            Assert.Equal(genome, loaded.ToGenome(problem.Space));
            Assert.Equal(42, loaded.Seed);
            Assert.Equal(problem.Evaluate(genome).LatencyNs, loaded.Fitness!.LatencyNs);
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"geneCount\": ", "\"geneCount\": 1", StringComparison.Ordinal));
            Assert.Throws<CompassInputException>(() => BestMappingFile.Load(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
