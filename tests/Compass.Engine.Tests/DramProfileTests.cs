using Compass.Abstractions.Costs;
using Compass.Engine.Evaluation;
using FsCheck;
using FsCheck.Fluent;

namespace Compass.Engine.Tests;

public sealed class DramProfileTests
{
    [Fact]
    public void HullMaximumEqualsBusiestLinkComputedLinkByLink()
    {
        PropertySeed.Check(Prop.ForAll(Gen.Choose(0, int.MaxValue - 1).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            const int links = 40, channels = 4;
            TrafficPattern Pattern()
            {
                var used = Enumerable.Range(0, links).Where(_ => random.NextDouble() < 0.4).ToArray();
                var ch = Enumerable.Range(0, channels).Where(_ => random.NextDouble() < 0.7).ToArray();
                return new TrafficPattern(used, [.. used.Select(_ => random.NextDouble())], ch, [.. ch.Select(_ => random.NextDouble())], 1, 3);
            }
            var linkNs = Enumerable.Range(0, links).Select(_ => 0.5 + random.NextDouble()).ToArray();
            var channelNs = Enumerable.Range(0, channels).Select(_ => 0.5 + random.NextDouble()).ToArray();
            var read = Pattern();
            var write = Pattern();
            var profile = DramProfile.Build(read, write, linkNs, channelNs);
            var a = random.NextDouble() * 1000;
            var b = random.NextDouble() < 0.2 ? 0 : random.NextDouble() * 1000;
            var load = new double[links];
            for (var k = 0; k < read.Links.Length; k++) load[read.Links[k]] += read.LinkShares[k] * a;
            for (var k = 0; k < write.Links.Length; k++) load[write.Links[k]] += write.LinkShares[k] * b;
            var expected = Enumerable.Range(0, links).Max(l => load[l] * linkNs[l]);
            var channelLoad = new double[channels];
            for (var k = 0; k < read.Channels.Length; k++) channelLoad[read.Channels[k]] += read.ChannelShares[k] * a;
            for (var k = 0; k < write.Channels.Length; k++) channelLoad[write.Channels[k]] += write.ChannelShares[k] * b;
            var expectedChannel = Enumerable.Range(0, channels).Max(c => channelLoad[c] * channelNs[c]);
            return Math.Abs(profile.LinkMaxNs(a, b) - expected) <= 1e-9 * Math.Max(1, expected)
                && Math.Abs(profile.ChannelMaxNs(a, b) - expectedChannel) <= 1e-9 * Math.Max(1, expectedChannel);
        }));
    }
}
