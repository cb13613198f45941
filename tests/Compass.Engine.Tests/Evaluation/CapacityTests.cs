using Compass.Abstractions.Mapping;
using Compass.Abstractions.Workload;
using Compass.Engine;

namespace Compass.Engine.Tests;

/// <summary>Global-buffer capacity: partial weight residency, streaming, activation spills (docs/evaluator.md, "Capacity").</summary>
public sealed class CapacityTests
{
    /// <summary>Tiny model (d 4, one head, F 8, one layer, TP 1) on two unit chiplets whose global buffer holds <paramref name="bufferBytes"/>.</summary>
    private static ExplorationProblem Tiny(long bufferBytes, params int[] histories) =>
        ExplorationProblem.Create(
            Fixtures.TwoChipletDefinition(Fixtures.TinyModel(layers: 1), [Fixtures.Decode(histories)], new GraphOptions { TensorParallel = 1, HeadGroups = 1, MicroBatchSize = 1 })
                with { Package = Fixtures.Package(2, 1, Fixtures.UnitChiplet(bufferBytes: bufferBytes)) },
            CancellationToken.None);

    /// <summary>Everything on chiplet 0, one segment per gene: both micro-batches run a gene back to back.</summary>
    private static Genome GeneMajor(ExplorationProblem p)
    {
        var genome = p.Space.CreateGenome();
        for (var g = 0; g + 1 < p.Space.GeneCount; g++) genome.Boundaries[g] = 1;
        return genome;
    }

    [Fact]
    public void WeightsKeepWhatFitsBesideTheActivationsAndStreamTheRest()
    {
        // Two decodes, each gene runs for micro-batch 0 then 1 on chiplet 0, so the second run reloads only the part of
        // the weights that did not stay beside the first run's activations. 20-byte buffer, 1 token, 8-bit:
        //   qkv      W 48, working set in 4 + out 12 = 16 → 4 resident, reload 44
        //   o_proj   W 16, in 4 + out 4 = 8  → 12 resident, reload 4
        //   ffn_up   W 32, in 4 + out 8 = 12 → 8 resident, reload 24
        //   ffn_down W 32, in 8 + out 4 = 12 → 8 resident, reload 24
        // Reloads: 96 B (all-or-nothing residency against the whole buffer reloaded all four: 128 B).
        // With a 1 MiB buffer everything stays: no reload.
        var small = Tiny(20, 3, 3);
        var r = small.EvaluateIteration(GeneMajor(small), 0, includeTimeline: true);
        Assert.Equal(96, r.DramTraffic.WeightReloadBytes, 9);
        Assert.Equal(128, r.DramTraffic.WeightBytes, 9);
        var large = Tiny(1 << 20, 3, 3);
        Assert.Equal(0, large.EvaluateIteration(GeneMajor(large), 0, includeTimeline: false).DramTraffic.WeightReloadBytes);
        // The streamed bytes are charged: DRAM time (1 B/ns channel) and energy (10 pJ/B) grow by exactly 96 B's worth.
        var a = large.EvaluateIteration(GeneMajor(large), 0, includeTimeline: false);
        Assert.Equal(96 * 10, r.Energy.DramPj - a.Energy.DramPj, 9);
        Assert.Equal(96, r.DramBytes - a.DramBytes, 9);
        // Buffer writes of the loaded weights: 0.5 pJ/B.
        Assert.Equal(96 * 0.5, r.Energy.BufferPj - a.Energy.BufferPj, 9);
    }

    [Fact]
    public void AnOutputLargerThanTheBufferIsSpilledEvenToTheSameChiplet()
    {
        // One decode, all on chiplet 0. A 6-byte buffer cannot hold the QKV output (12 B), the FFN-up output (8 B) or
        // the activation output (8 B): they are written to DRAM and read back by their consumers on the same chiplet.
        // Writes: FFN-up 8 + activation 8 more than with a large buffer (the QKV output's Q part, 4 B, is written either
        // way because attention-value reads it after softmax has run). Reads: score's Q and K (4 + 4 B) from QKV, the
        // activation's 8 B and FFN-down's 8 B: 24 B more.
        var small = Tiny(6, 3);
        var large = Tiny(1 << 20, 3);
        var genome = small.Space.CreateGenome();
        var a = small.EvaluateIteration(genome, 0, includeTimeline: false);
        var b = large.EvaluateIteration(genome, 0, includeTimeline: false);
        Assert.Equal(16, a.DramTraffic.ActivationWriteBytes - b.DramTraffic.ActivationWriteBytes, 9);
        Assert.Equal(24, a.DramTraffic.ActivationReadBytes - b.DramTraffic.ActivationReadBytes, 9);
        Assert.True(a.LatencyNs > b.LatencyNs);
    }
}
