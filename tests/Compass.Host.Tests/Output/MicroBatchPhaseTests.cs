using System.Text.Json.Nodes;
using Compass.Abstractions.Workload;
using Compass.Engine.Graph;
using Compass.Host.Output;
using Compass.Reporting.Model;

namespace Compass.Host.Tests;

/// <summary>The report labels micro-batches from the engine's own split, so every label matches the requests in it.</summary>
public sealed class MicroBatchPhaseTests
{
    [Fact]
    public void MixedIterationLabelsMatchTheRequestsOfEachMicroBatch()
    {
        // Two long prefills, a prefill chunk and decodes with long and short histories: sorting by total length (what
        // the report did before) puts short decodes first and labels the wrong micro-batches.
        var requests = new List<ScheduledRequest>
        {
            new(1, RequestPhase.Decode, 1, 3000), new(2, RequestPhase.Decode, 1, 12), new(3, RequestPhase.Prefill, 900, 0),
            new(4, RequestPhase.Decode, 1, 40), new(5, RequestPhase.ChunkedPrefill, 256, 512), new(6, RequestPhase.Decode, 1, 2048),
            new(7, RequestPhase.Prefill, 64, 0), new(8, RequestPhase.Decode, 1, 7), new(9, RequestPhase.Decode, 1, 100),
        };
        var split = MicroBatcher.Split(requests, 2);
        var phases = RunReportBuilder.Phases(split);
        Assert.Equal(split.Count, phases.Count);
        for (var b = 0; b < split.Count; b++)
        {
            var decodes = split[b].Count(r => r.Phase == RequestPhase.Decode);
            var expected = decodes == 0 ? MicroBatchPhase.Prefill : decodes == split[b].Length ? MicroBatchPhase.Decode : MicroBatchPhase.Mixed;
            Assert.Equal(expected, phases[b]);
        }
        // The engine cuts prefill work first: [900, 256-chunk], [64, decode 3000], then decodes only.
        Assert.Equal([MicroBatchPhase.Prefill, MicroBatchPhase.Mixed, MicroBatchPhase.Decode, MicroBatchPhase.Decode, MicroBatchPhase.Decode], phases);
    }

    [Fact]
    public void TimelineOfTheDefaultScenarioLabelsItsMixedMicroBatch()
    {
        // The default scenario samples 2 prefill + 14 decode requests per iteration in micro-batches of 4: the engine's
        // split puts both prefills with two decodes in micro-batch 0, and the other three micro-batches only decode.
        var outDir = Path.Combine(TestPaths.NewTempDir(), "out");
        var r = Cli.Run("explore", "--scenario", Cli.DefaultScenarioPath, "--plugins", TestPaths.PluginsDir, "--out", outDir, "--quiet", "--budget", "4");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var timeline = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "timeline.json")))!;
        Assert.Equal(["mixed", "decode", "decode", "decode"], timeline["microBatches"]!.AsArray().Select(p => p!.GetValue<string>()));
    }
}
