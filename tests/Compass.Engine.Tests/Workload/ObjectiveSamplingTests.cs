using Compass.Abstractions.Workload;
using Compass.Engine.Workload;

namespace Compass.Engine.Tests;

public sealed class ObjectiveSamplingTests
{
    /// <summary>100 iterations: every 10th holds two prefills, every 10th + 3 and + 6 one prefill, the rest decodes only.</summary>
    private static IEnumerable<Iteration> Schedule()
    {
        for (var i = 0; i < 100; i++)
        {
            var prefills = i % 10 == 0 ? 2 : i % 10 is 3 or 6 ? 1 : 0;
            var requests = new List<ScheduledRequest>();
            for (var p = 0; p < prefills; p++) requests.Add(new ScheduledRequest(1000 * i + p, RequestPhase.Prefill, 50, 0));
            for (var d = 0; d < 4; d++) requests.Add(new ScheduledRequest(1000 * i + 10 + d, RequestPhase.Decode, 1, 100 + i));
            yield return new Iteration(i, requests);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(99)]
    public void StratifiedSamplingRepresentsEveryPhaseMixInProportion(int seed)
    {
        var sample = IterationSampler.SampleStratified(Schedule(), 0, 10, seed, poolSize: 100);
        Assert.Equal(10, sample.Count);
        Assert.Equal(10, sample.Select(s => s.Index).Distinct().Count());
        Assert.Equal(sample.Select(s => s.Index).Order(), sample.Select(s => s.Index));
        int Mix(Iteration it) => it.Requests.Count(r => r.Phase != RequestPhase.Decode);
        // Pool: 10 % with two prefills, 20 % with one, 70 % with none → exactly 1, 2 and 7 of 10.
        Assert.Equal(1, sample.Count(s => Mix(s) == 2));
        Assert.Equal(2, sample.Count(s => Mix(s) == 1));
        Assert.Equal(7, sample.Count(s => Mix(s) == 0));
        Assert.Equal(sample.Select(s => s.Index), IterationSampler.SampleStratified(Schedule(), 0, 10, seed, poolSize: 100).Select(s => s.Index));
    }

    [Fact]
    public void UniformSamplingCanMissAMixThatStratifiedSamplingKeeps()
    {
        // Over 200 seeds, a uniform sample of 10 misses the two-prefill iterations (10 % of the pool) in about 1/3 of
        // draws; a stratified one never does.
        var uniformMisses = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            if (!IterationSampler.Sample(Schedule(), 0, 10, seed, poolSize: 100).Any(s => s.Requests.Count(r => r.Phase == RequestPhase.Prefill) == 2)) uniformMisses++;
            Assert.Contains(IterationSampler.SampleStratified(Schedule(), 0, 10, seed, poolSize: 100), s => s.Requests.Count(r => r.Phase == RequestPhase.Prefill) == 2);
        }
        Assert.InRange(uniformMisses, 40, 100);
    }

    [Fact]
    public void TheStandardErrorOfTheEdpFollowsTheDeltaMethod()
    {
        // L = [1, 3] ns, E = [2, 2] pJ: mean 2 × 2 = 4 ns·pJ; s_L² = 2, s_E² = 0 → SE² = Ē² s_L² / n = 4 · 2 / 2 = 4.
        var s = ObjectiveSpread.Of([1, 3], [2, 2]);
        Assert.Equal(4.0, s.EdpJs * 1e21, 12);
        Assert.Equal(2.0, s.EdpStandardErrorJs * 1e21, 12);
        Assert.Equal(0.5, s.RelativeStandardError, 12);
        // Perfectly anti-correlated latency and energy with equal means: the product is constant to first order.
        var anti = ObjectiveSpread.Of([1, 3], [3, 1]);
        Assert.Equal(0, anti.EdpStandardErrorJs * 1e21, 12);
        Assert.Equal(0, ObjectiveSpread.Of([5], [7]).EdpStandardErrorJs);
    }

    [Fact]
    public void TheSpreadOfAMappingMatchesItsEvaluation()
    {
        var p = ExplorationProblem.Create(Fixtures.MeshDefinition(), CancellationToken.None);
        var genome = p.Heuristics.Standard()[0].Genome;
        var spread = p.Spread(genome);
        var f = p.Evaluate(genome);
        Assert.Equal(2, spread.LatencyNs.Count);
        Assert.Equal(f.LatencyNs, spread.LatencyNs.Average(), 9);
        Assert.Equal(1.0, spread.EdpJs / (f.EnergyPj * f.LatencyNs * 1e-21), 12);
        Assert.True(spread.EdpStandardErrorJs > 0);
    }
}
