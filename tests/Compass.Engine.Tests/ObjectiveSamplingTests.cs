using Compass.Abstractions.Workload;
using Compass.Engine.Workload;

namespace Compass.Engine.Tests;

public sealed class ObjectiveSamplingTests
{
    private static readonly int[] PinnedUniform = [8, 11, 16, 20, 25];
    private static readonly int[] PinnedStratified = [3, 13, 24, 31, 41];
    private const int PinnedHeldOutStart = 4;

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
    public void StratifiedSamplingBinsAMixBySizeSoItsMeanVariesLessThanAUniformSamplesMean()
    {
        // 100 decode-only iterations whose history grows by one token each (100 … 199): one mix, sizes spread evenly.
        static IEnumerable<Iteration> Decodes()
        {
            for (var i = 0; i < 100; i++) yield return new Iteration(i, [new ScheduledRequest(i, RequestPhase.Decode, 1, 100 + i)]);
        }
        static double Sd(IReadOnlyList<double> x) => Math.Sqrt(x.Sum(v => (v - x.Average()) * (v - x.Average())) / (x.Count - 1));
        var uniform = new List<double>();
        var stratified = new List<double>();
        for (var seed = 0; seed < 200; seed++)
        {
            uniform.Add(IterationSampler.Sample(Decodes(), 0, 10, seed, poolSize: 100).Average(i => i.Requests[0].HistoryTokens));
            var s = IterationSampler.SampleStratified(Decodes(), 0, 10, seed, poolSize: 100);
            // One draw from each tenth of the size order: the k-th smallest drawn comes from sizes 10k … 10k + 9.
            var sizes = s.Select(i => i.Requests[0].HistoryTokens - 100).Order().ToArray();
            for (var k = 0; k < 10; k++) Assert.InRange(sizes[k], 10 * k, (10 * k) + 9);
            stratified.Add(s.Average(i => i.Requests[0].HistoryTokens));
        }
        // Uniform without replacement: SD of the mean = sqrt(833.25 / 10 · 90 / 99) ≈ 8.7 tokens; one per bin of 10:
        // sqrt(8.25 / 10) ≈ 0.91. Both means are unbiased (149.5).
        Assert.InRange(Sd(uniform), 7.0, 10.5);
        Assert.InRange(Sd(stratified), 0.7, 1.1);
        Assert.InRange(stratified.Average(), 149.0, 150.0);
    }

    [Fact]
    public void SamplesComeFromTheProductsSeededGenerator()
    {
        // Pinned draws of xoshiro256** (stream IterationSampler.Stream), checked against an independent re-implementation of the
        // published algorithm: the same indices on every runtime and platform. Stratified: one index from each fifth of 0 … 49.
        static IEnumerable<Iteration> Decodes()
        {
            for (var i = 0; i < 50; i++) yield return new Iteration(i, [new ScheduledRequest(i, RequestPhase.Decode, 1, 100 + i)]);
        }
        Assert.Equal(PinnedUniform, IterationSampler.Sample(Decodes(), 0, 5, 42, poolSize: 50).Select(i => i.Index));
        Assert.Equal(PinnedStratified, IterationSampler.SampleStratified(Decodes(), 0, 5, 42, poolSize: 50).Select(i => i.Index));
        Assert.Equal(PinnedHeldOutStart, IterationSampler.HeldOut(Decodes(), 3, 5, 42)[0].Index);
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
