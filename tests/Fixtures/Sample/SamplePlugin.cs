using System.Diagnostics;
using Compass.Abstractions.Hardware;
using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

[assembly: CompassPlugin(typeof(Compass.Fixtures.Sample.SamplePlugin))]

namespace Compass.Fixtures.Sample;

/// <summary>
/// Registers a tiny but complete component set (chiplet, package, model, trace, scheduler, compute and network
/// models, optimizer), all prefixed <c>fx-</c>, so host tests run end to end without the real plugins.
/// </summary>
public sealed class SamplePlugin : ICompassPlugin
{
    private const string ModelJson = """
        { "name": "fx-tiny", "layers": 2, "hidden": 256, "heads": 4, "kvHeads": 4, "headDim": 64, "ffnHidden": 1024, "vocab": 1000 }
        """;

    /// <inheritdoc />
    public string Name => "Sample";

    /// <summary>File version of the Newtonsoft.Json this plugin runs with.</summary>
    public static string NewtonsoftFileVersion =>
        FileVersionInfo.GetVersionInfo(typeof(JsonConvert).Assembly.Location).FileVersion ?? "?";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        var chiplet = new ChipletType
        {
            Name = "fx-chiplet",
            Description = "16×16 output-stationary test chiplet",
            PeArrayRows = 16,
            PeArrayColumns = 16,
            ClockGHz = 1.0,
            Precisions = [new PrecisionRate(8, 256, 0.2), new PrecisionRate(16, 256, 0.8)],
            Buffers = [new BufferLevel("global", 512 * 1024, 1, 64, 1.2, 1.4, "all")],
            StaticPowerW = 0.05,
        };
        services.AddChipletType(chiplet);
        var channels = new List<DramChannel>
        {
            new("left", "custom", [new MeshPosition(0, 0), new MeshPosition(0, 1)], 32, 8.0, 16),
            new("right", "custom", [new MeshPosition(1, 0), new MeshPosition(1, 1)], 32, 8.0, 16),
        };
        services.AddPackagePreset(new PackageDescription
        {
            Name = "fx-2x2",
            Description = "2×2 mesh of fx-chiplet",
            MeshWidth = 2,
            MeshHeight = 2,
            Slots = ["fx-chiplet", "fx-chiplet", "fx-chiplet", "fx-chiplet"],
            Link = new LinkSpec("custom", 64, 5, 1.0),
            DramChannels = channels,
        });

        // Parsed with the plugin's private Newtonsoft.Json, which must be 13.0.1 while the host carries 13.0.3.
        var json = JObject.Parse(ModelJson);
        services.AddModel(new ModelConfig
        {
            Name = json.Value<string>("name")!,
            DisplayName = $"tiny test model (parsed by Newtonsoft.Json {NewtonsoftFileVersion})",
            Layers = json.Value<int>("layers"),
            Hidden = json.Value<int>("hidden"),
            Heads = json.Value<int>("heads"),
            KvHeads = json.Value<int>("kvHeads"),
            HeadDim = json.Value<int>("headDim"),
            FfnHidden = json.Value<int>("ffnHidden"),
            Vocab = json.Value<int>("vocab"),
        });

        services.AddTraceSource("fx-fixed", "Fixed-length requests, prompt varied by seed", (options, _) =>
        {
            options.RejectUnknownKeys("count", "prompt", "output");
            return new FixedTrace(options.GetInt32("count", 16, 1, 1_000_000), options.GetInt32("prompt", 128, 1, 1_000_000), options.GetInt32("output", 32, 1, 1_000_000));
        });
        services.AddServingScheduler("fx-decode", "Batches of requests decoding in lock step", (options, _) =>
        {
            options.RejectUnknownKeys();
            return new LockStepDecodeScheduler();
        });
        services.AddComputeCostModel("fx-roofline", "max(MACs / peak, bytes / buffer bandwidth)", (options, _) =>
        {
            options.RejectUnknownKeys();
            return new RooflineModel();
        });
        services.AddInterconnectModel("fx-mesh", "XY-routed mesh, nearest DRAM channel", (options, _) =>
        {
            options.RejectUnknownKeys();
            return new MeshModel();
        });
        services.AddOptimizer("fx-random", "Uniform random mappings in batches of 8", (options, _) =>
        {
            options.RejectUnknownKeys("batch");
            return new RandomOptimizer(options.GetInt32("batch", 8, 1, 1024));
        });
    }
}
