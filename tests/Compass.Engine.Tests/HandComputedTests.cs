using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.Engine;

namespace Compass.Engine.Tests;

/// <summary>
/// The tiny model (d 4, one head of 4, F 8, 2 pre-norm layers, 8-bit) on two chiplets of 1 MAC/ns and 1 vector
/// op/ns, one DRAM channel of 1 B/ns at 10 pJ/B wired to both chiplets without links, links of 1 B/ns at
/// 2 pJ/B per hop and 1 ns per hop, global-buffer writes 0.5 pJ/B, no static power.
/// Genes per layer: 0 norm1, 1 qkv, 2 score, 3 softmax, 4 attn_v, 5 o_proj, 6 res1, 7 norm2, 8 ffn_up, 9 act,
/// 10 ffn_down, 11 res2 (layer 1 adds 12).
/// </summary>
public sealed class HandComputedTests
{
    private static ExplorationProblem Problem(params Iteration[] iterations) =>
        ExplorationProblem.Create(Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), iterations, new GraphOptions { TensorParallel = 1, HeadGroups = 1, MicroBatchSize = 1 }), CancellationToken.None);

    [Fact]
    public void TwoLayerDecodeOnOneChipletMatchesHandComputation()
    {
        // One decode request with history 3 (T = 1), every gene on chiplet 0, one segment. A task forwards from
        // its predecessor only when that predecessor ran just before it on the chiplet; otherwise DRAM.
        // Layer 0, task time = max(compute, DRAM bytes / 1 B/ns):
        //   norm1   4 ops;  reads the layer input 4 B from DRAM                                  → 4
        //   qkv     1×4×12 = 48 MACs; weights 48 B + writes Q,K,V 12 B (V is read back)           → 60
        //   score   1×4×4 = 16 MACs; K history 3×4 = 12 B                                         → 16
        //   softmax 4 ops                                                                         → 4
        //   attn_v  16 MACs; V of the new token 4 B (qkv is no longer last) + V history 12 B      → 16
        //   o_proj  16 MACs; weights 16 B                                                         → 16
        //   res1    4 ops; layer input 4 B + write 4 B (res2 reads it from DRAM)                  → 8
        //   norm2 4, ffn_up 32 (weights 32 B), act 8, ffn_down 32 (weights 32 B)                  → 4+32+8+32
        //   res2    4 ops; res1 4 B read + write 4 B (layer-1 res1 reads it from DRAM)             → 8
        //   layer 0 = 4+60+16+4+16+16+8+4+32+8+32+8 = 208 ns, DRAM 4+60+12+16+16+8+32+32+8 = 188 B.
        // Layer 1 is the same except norm1 gets res2 forwarded (0 B) and res2 writes the graph output:
        //   208 ns, DRAM 184 B.
        // Latency 416 ns. Energy: MAC 2×160 = 320 pJ; vector 2×28 = 56 pJ; weight buffer writes
        // 2×128 B × 0.5 = 128 pJ; DRAM 372 B × 10 = 3720 pJ; NoP 0; total 4224 pJ.
        var problem = Problem(Fixtures.Decode(3));
        var genome = problem.Space.CreateGenome();
        var result = problem.EvaluateIteration(genome, 0, includeTimeline: true);
        Assert.Equal(24, problem.Space.GeneCount);
        Assert.Equal(416, result.LatencyNs, 9);
        Assert.Equal(320, result.Energy.MacPj, 9);
        Assert.Equal(56, result.Energy.VectorPj, 9);
        Assert.Equal(128, result.Energy.BufferPj, 9);
        Assert.Equal(3720, result.Energy.DramPj, 9);
        Assert.Equal(0, result.Energy.NopPj);
        Assert.Equal(0, result.Energy.StaticPj);
        Assert.Equal(4224, result.Energy.TotalPj, 9);
        Assert.Equal(372, result.DramBytes, 9);
        var fitness = problem.Evaluate(genome);
        Assert.Equal(416, fitness.LatencyNs, 9);
        Assert.Equal(416 * 4224.0, fitness.Objective, 6);
    }

    /// <summary>
    /// The evaluator does not charge a compute model's launch overhead (docs/cost-models.md): a served model issues its
    /// kernels back to back, so the overhead of an isolated operator is not on the device's critical path. A model that
    /// reports 1 ms of launch per operator gives the same latency and energy as the hand-computed case.
    /// </summary>
    [Fact]
    public void LaunchOverheadOfIsolatedOperatorsIsNotCharged()
    {
        var problem = ExplorationProblem.Create(Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), [Fixtures.Decode(3)],
            new GraphOptions { TensorParallel = 1, HeadGroups = 1, MicroBatchSize = 1 }, new LaunchReportingCostModel(1_000_000)), CancellationToken.None);
        var result = problem.EvaluateIteration(problem.Space.CreateGenome(), 0, includeTimeline: false);
        Assert.Equal(416, result.LatencyNs, 9);
        Assert.Equal(4224, result.Energy.TotalPj, 9);
    }

    /// <summary>
    /// A device-side fixed time per kernel (<c>OperatorCost.KernelFixedNs</c>, part of the compute time) is serial with
    /// the task's transfers: with 10 ns per operator every one of the 24 tasks ends 10 ns later, whether its compute or
    /// its DRAM read bounds it (qkv: max(48, 60) + 10 = 70, not max(58, 60) = 60). Latency 416 + 24 × 10 = 656 ns; the
    /// energy (no static power) is unchanged.
    /// </summary>
    [Fact]
    public void KernelFixedTimeIsSerialWithTheTransfers()
    {
        var problem = ExplorationProblem.Create(Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), [Fixtures.Decode(3)],
            new GraphOptions { TensorParallel = 1, HeadGroups = 1, MicroBatchSize = 1 }, new FixedTimeCostModel(10)), CancellationToken.None);
        var result = problem.EvaluateIteration(problem.Space.CreateGenome(), 0, includeTimeline: false);
        Assert.Equal(656, result.LatencyNs, 9);
        Assert.Equal(4224, result.Energy.TotalPj, 9);
    }

    private sealed class FixedTimeCostModel(double fixedNs) : Compass.Abstractions.Costs.IComputeCostModel
    {
        private readonly LinearCostModel inner = new();

        public Compass.Abstractions.Costs.OperatorCost Estimate(Compass.Abstractions.Hardware.ChipletType chiplet, Compass.Abstractions.Costs.OperatorShape op, CancellationToken cancellationToken)
        {
            var c = inner.Estimate(chiplet, op, cancellationToken);
            return c with { TimeNs = c.TimeNs + fixedNs, KernelFixedNs = fixedNs };
        }
    }

    private sealed class LaunchReportingCostModel(double launchNs) : Compass.Abstractions.Costs.IComputeCostModel
    {
        private readonly LinearCostModel inner = new();

        public Compass.Abstractions.Costs.OperatorCost Estimate(Compass.Abstractions.Hardware.ChipletType chiplet, Compass.Abstractions.Costs.OperatorShape op, CancellationToken cancellationToken) =>
            inner.Estimate(chiplet, op, cancellationToken) with { LaunchOverheadNs = launchNs };
    }

    [Fact]
    public void OutputIsForwardedOverTheNopWhenProducerIsLastOnItsChiplet()
    {
        // Layer-0 score (gene 2) moves to chiplet 1. qkv is still the last task of chiplet 0, so Q and K (8 B)
        // are forwarded 0→1: NoP 8 B / 1 B/ns + 1 hop × 1 ns = 9 ns < compute 16 ns. softmax on chiplet 0 gets
        // the scores (4 B) forwarded 1→0: NoP 4 + 1 = 5 ns > 4 ns compute, so everything after is 1 ns later.
        // attn_v still reads V of the new token from DRAM (softmax is now last on chiplet 0).
        // Latency 417 ns; energy 4224 + (8 + 4) B × 1 hop × 2 pJ/B = 4248 pJ.
        var problem = Problem(Fixtures.Decode(3));
        var genome = problem.Space.CreateGenome();
        genome[0, 2] = 1;
        var result = problem.EvaluateIteration(genome, 0, includeTimeline: true);
        Assert.Equal(417, result.LatencyNs, 9);
        Assert.Equal(24, result.Energy.NopPj, 9);
        Assert.Equal(4248, result.Energy.TotalPj, 9);
        var score = result.Tasks.Single(t => t.Gene == 2);
        Assert.Equal(1, score.Chiplet);
        Assert.Equal(8, score.NopBytes, 9);
        Assert.Equal(9, score.NopNs, 9);
        Assert.Equal(12, score.DramBytes, 9);
        var softmax = result.Tasks.Single(t => t.Gene == 3);
        Assert.Equal(5, softmax.EndNs - softmax.StartNs, 9);
        var attentionValue = result.Tasks.Single(t => t.Gene == 4);
        Assert.Equal(16, attentionValue.DramBytes, 9);
    }

    [Fact]
    public void WeightsAreLoadedOnceWhenMicroBatchesOfOneGeneRunBackToBack()
    {
        // Two decode requests (histories 5 and 3), one micro-batch each, every gene on chiplet 0.
        // With a boundary after every gene the order is gene-major: qkv mb0, qkv mb1, ... so qkv of mb1 follows
        // qkv of mb0 and keeps its weights. Its DRAM bytes: its input (norm1 of mb1 is no longer last) 4 B, plus
        // the write of Q, K, V (12 B; score of mb1 reads Q from DRAM) = 16 B. qkv of mb0 adds 48 B of weights
        // to the same 4 B read and 12 B write = 64 B.
        var problem = Problem(Fixtures.Decode(5, 3));
        var segmented = problem.Space.CreateGenome();
        Array.Fill(segmented.Boundaries, (byte)1);
        var result = problem.EvaluateIteration(segmented, 0, includeTimeline: true);
        var qkv0 = result.Tasks.Single(t => t.Gene == 1 && t.MicroBatch == 0);
        var qkv1 = result.Tasks.Single(t => t.Gene == 1 && t.MicroBatch == 1);
        Assert.True(qkv0.WeightsLoaded);
        Assert.False(qkv1.WeightsLoaded);
        Assert.Equal(64, qkv0.DramBytes, 9);
        Assert.Equal(16, qkv1.DramBytes, 9);

        // One segment: micro-batch 1 runs after all of micro-batch 0, so every weight is reloaded.
        var unsegmented = problem.EvaluateIteration(problem.Space.CreateGenome(), 0, includeTimeline: true);
        Assert.All(unsegmented.Tasks.Where(t => problem.Space.Genes[t.Gene].WeightBytes > 0), t => Assert.True(t.WeightsLoaded));
        Assert.Equal(2 * 128 * 2 * 0.5, unsegmented.Energy.BufferPj, 9);
        Assert.Equal(2 * 128 * 0.5, result.Energy.BufferPj, 9);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(250)]
    public void DecodeAttentionReadsWholeKvHistory(int history)
    {
        // Score reads K of the history (h × 4 B) and computes 1 × 4 × (h + 1) MACs; attn_v reads V of the
        // history plus the new token's V (4 B) from DRAM.
        var problem = Problem(Fixtures.Decode(history));
        var result = problem.EvaluateIteration(problem.Space.CreateGenome(), 0, includeTimeline: true);
        var score = result.Tasks.Single(t => t.Gene == 2);
        var attentionValue = result.Tasks.Single(t => t.Gene == 4);
        Assert.Equal(4.0 * history, score.DramBytes, 9);
        Assert.Equal(4.0 * (history + 1), score.ComputeNs, 9);
        Assert.Equal(4.0 * history + 4, attentionValue.DramBytes, 9);
    }

    [Fact]
    public void StaticEnergyIsPowerTimesLatencyForEveryChiplet()
    {
        var definition = Fixtures.TwoChipletDefinition(Fixtures.TinyModel(), [Fixtures.Decode(3)], new GraphOptions { TensorParallel = 1, HeadGroups = 1 });
        definition = definition with { Package = Fixtures.Package(2, 1, Fixtures.UnitChiplet(staticW: 0.002)) };
        var problem = ExplorationProblem.Create(definition, CancellationToken.None);
        var result = problem.EvaluateIteration(problem.Space.CreateGenome(), 0, false);
        // 2 chiplets × 0.002 W × 416 ns × 1000 pJ/(W·ns).
        Assert.Equal(2 * 0.002 * 416 * 1000, result.Energy.StaticPj, 9);
        Assert.Equal(result.Energy.TotalPj, result.Chiplets.Sum(c => c.EnergyPj), 6);
    }
}
