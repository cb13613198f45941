using Compass.Abstractions.Hardware;
using Compass.Abstractions.Workload;
using Compass.Chiplets.Building;
using Compass.Chiplets.Catalog;
using Compass.CostModels.Compute;
using Compass.CostModels.Interconnect;
using Compass.Engine;

namespace Compass.Optimizers.Tests;

/// <summary>
/// The published Compass 6 × 6 heterogeneous setup (<c>compass-6x6-hetero</c>: 18 output-stationary chiplets in rows
/// 0–2, 18 weight-stationary in rows 3–5; 128 GB/s links at 2 pJ/bit; 4 GDDR6X channels of 64 GB/s at 10.5 pJ/bit on
/// the left and right edges) with the real <c>dataflow</c> compute model and <c>mesh</c> interconnect, running a
/// reduced mixed workload: one decoder block of GPT-3 Medium shape (Brown et al. 2020, Table 2.1: d_model 1024,
/// 16 heads of 64, FFN 4096), tensor-parallel 4, one iteration of 2 prefills + <c>decodes</c> decodes, micro-batch 1.
/// </summary>
internal static class HeteroFixture
{
    public static ProblemDefinition Mixed(int decodes = 10)
    {
        var description = PackagePresets.Compass6x6Hetero;
        var package = PackageBuilder.Resolve(description, ChipletCatalog.ByName);
        var model = new ModelConfig
        {
            Name = "gpt3-medium-block", Family = "gpt3", Layers = 1, Hidden = 1024, Heads = 16, KvHeads = 16, HeadDim = 64,
            FfnHidden = 4096, Vocab = 50257, GatedMlp = false, Attention = AttentionKind.Mha,
        };
        var requests = new List<ScheduledRequest>
        {
            new(0, RequestPhase.Prefill, 96, 0),
            new(1, RequestPhase.Prefill, 40, 0),
        };
        for (var i = 0; i < decodes; i++)
            requests.Add(new ScheduledRequest(2 + i, RequestPhase.Decode, 1, 60 + (i * 137 % 700)));
        return new ProblemDefinition
        {
            Package = package,
            Interconnect = new MeshInterconnectModel().Build(package),
            ComputeModel = new DataflowComputeModel(),
            Model = model,
            Precision = new PrecisionConfig(8, 8, 8),
            Graph = new GraphOptions { Layers = 1, TensorParallel = 4, MicroBatchSize = 1 },
            Iterations = [new Iteration(0, requests)],
        };
    }
}
