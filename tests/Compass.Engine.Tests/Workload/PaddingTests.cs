using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Engine.Workload;

namespace Compass.Engine.Tests;

public sealed class PaddingTests
{
    private static readonly GraphOptions OnePerMicroBatch = new() { TensorParallel = 2, HeadGroups = 1, MicroBatchSize = 1, CausalPrefill = false };

    private static Iteration Prefills(params int[] prompts) =>
        new(0, [.. prompts.Select((p, i) => new ScheduledRequest(i, RequestPhase.Prefill, p, 0))]);

    private static ExplorationProblem Problem(Iteration iteration, PaddingOptions padding) =>
        ExplorationProblem.Create(Fixtures.TwoChipletDefinition(Fixtures.TinyModel(1), [iteration], OnePerMicroBatch) with { Padding = padding }, default);

    private static double Macs(ExplorationProblem p) => p.EvaluateIteration(p.Space.CreateGenome(), 0, false).TotalMacs;

    [Fact]
    public void BatchMaxPadsTheShortPromptToTheLongestAndChangesNothingElse()
    {
        var batch = Prefills(10, 100);
        var padded = Padding.Apply(batch, new PaddingOptions(PaddingMode.BatchMax));
        Assert.Equal(new ScheduledRequest(0, RequestPhase.Prefill, 100, 0), padded.Requests[0]);
        Assert.Equal(batch.Requests[1], padded.Requests[1]);
        Assert.Equal(batch.Index, padded.Index);
        var tokens = Padding.Count(batch, padded, new PaddingOptions(PaddingMode.BatchMax));
        Assert.Equal(new PaddingTokens(110, 200, 0, 0, 0), tokens);
    }

    [Fact]
    public void PaddingTenAndHundredToHundredDoublesTheLongRequestsWorkExactly()
    {
        // Unpadded, the batch does the work of a 10-token and a 100-token prompt; padded to 100, the short prompt does
        // exactly the long prompt's work (projections, scores, KV writes), so the batch does twice the long one's.
        var shortAlone = Macs(Problem(Prefills(10), PaddingOptions.None));
        var longAlone = Macs(Problem(Prefills(100), PaddingOptions.None));
        var real = Problem(Prefills(10, 100), PaddingOptions.None);
        var padded = Problem(Prefills(10, 100), new PaddingOptions(PaddingMode.BatchMax));
        Assert.Equal(shortAlone + longAlone, Macs(real), 6);
        Assert.Equal(2 * longAlone, Macs(padded), 6);
        Assert.True(longAlone > 10 * shortAlone, "the full 100 × 100 score matrix makes the long prompt more than 10× the short one");

        // The wasted work is counted in time and energy, and reported separately: padded − real.
        var genome = padded.Space.CreateGenome();
        var report = padded.MeasurePadding(genome, real)!;
        var withPadding = padded.Evaluate(genome);
        var without = real.Evaluate(genome);
        Assert.Equal(withPadding.LatencyNs, report.PaddedLatencyNs);
        Assert.Equal(without.EnergyPj, report.RealEnergyPj);
        Assert.True(report.WastedLatencyNs > 0 && report.WastedEnergyPj > 0);
        Assert.Equal(withPadding.EnergyPj - without.EnergyPj, report.WastedEnergyPj, 9);
        Assert.Equal(200, report.Tokens.PaddedNewTokens);
        Assert.Null(real.MeasurePadding(genome, real));
    }

    [Fact]
    public void DecodesKeepOneNewTokenAndHavePaddedHistories()
    {
        var mixed = new Iteration(3, [new ScheduledRequest(7, RequestPhase.Prefill, 12, 0), new ScheduledRequest(8, RequestPhase.Decode, 1, 40), new ScheduledRequest(9, RequestPhase.Decode, 1, 300)]);
        var padded = Padding.Apply(mixed, new PaddingOptions(PaddingMode.BatchMax));
        // Padding is per request type: the prefill's 12 tokens are the prefill maximum, decode histories go to 300.
        Assert.Equal(mixed.Requests[0], padded.Requests[0]);
        Assert.Equal(new ScheduledRequest(8, RequestPhase.Decode, 1, 300), padded.Requests[1]);
        Assert.Equal(mixed.Requests[2], padded.Requests[2]);

        var fixedLength = Padding.Apply(mixed, new PaddingOptions(PaddingMode.Fixed, 256));
        Assert.Equal(256, fixedLength.Requests[0].NewTokens);
        Assert.Equal(256, fixedLength.Requests[1].HistoryTokens);
        Assert.Equal(300, fixedLength.Requests[2].HistoryTokens); // longer than the fixed length: kept, never truncated
        Assert.Equal(1, Padding.Count(mixed, fixedLength, new PaddingOptions(PaddingMode.Fixed, 256)).LongerThanFixed);
    }

    [Fact]
    public void DecodeHistoryPaddingCostsKvReadsOnly()
    {
        var real = Problem(Fixtures.Decode(10, 100), PaddingOptions.None);
        var padded = Problem(Fixtures.Decode(10, 100), new PaddingOptions(PaddingMode.BatchMax));
        var genome = real.Space.CreateGenome();
        var a = real.EvaluateIteration(genome, 0, false);
        var b = padded.EvaluateIteration(genome, 0, false);
        Assert.True(b.DramBytes > a.DramBytes, "the padded history is read from the KV cache");
        Assert.True(b.Energy.TotalPj > a.Energy.TotalPj);
    }

    [Fact]
    public void NoneLeavesTheIterationsAsTheyAreAndFixedNeedsALength()
    {
        IReadOnlyList<Iteration> list = [Prefills(3, 9)];
        Assert.Same(list, Padding.Apply(list, PaddingOptions.None));
        var error = Assert.Throws<CompassInputException>(() => Padding.Apply(list, new PaddingOptions(PaddingMode.Fixed, 0)));
        Assert.Equal("workload.paddedLength", error.Field);
        Assert.Equal(PaddingMode.BatchMax, Padding.ParseMode("batch-max"));
        Assert.Equal("workload.padding", Assert.Throws<CompassInputException>(() => Padding.ParseMode("pad")).Field);
    }
}
