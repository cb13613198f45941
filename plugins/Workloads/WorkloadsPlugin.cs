using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Compass.Workloads;
using Compass.Workloads.Lengths;
using Compass.Workloads.Models;
using Compass.Workloads.Schedulers;
using Compass.Workloads.Traces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: CompassPlugin(typeof(WorkloadsPlugin))]

namespace Compass.Workloads;

/// <summary>
/// The workloads plugin: the LLM model catalog, seeded trace generators, trace-file readers and serving schedulers.
/// </summary>
public sealed class WorkloadsPlugin : ICompassPlugin
{
    /// <inheritdoc />
    public string Name => "workloads";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        foreach (var model in ModelCatalog.All) services.AddModel(model);

        var lengths = $"lengths: {string.Join("|", LengthModelOptions.AllNames)}";
        services.AddTraceSource("poisson", $"Seeded Poisson arrivals (ratePerSecond, default 1) with requests (default 1000) and {lengths} (default sharegpt)",
            (options, _) => TraceSourceOptions.CreateGenerator(options, "poisson"));
        services.AddTraceSource("gamma", "Seeded Gamma inter-arrivals with a coefficient of variation (ratePerSecond, cv; shape 1/cv^2; cv > 1 is bursty), requests, lengths",
            (options, _) => TraceSourceOptions.CreateGenerator(options, "gamma"));
        services.AddTraceSource("burst", "Seeded bursts: burstSize requests at once (or Poisson at inBurstRatePerSecond), burstGapSeconds of quiet between bursts; requests, lengths",
            (options, _) => TraceSourceOptions.CreateGenerator(options, "burst"));
        services.AddTraceSource("azure-csv", "Azure LLM inference trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens), streamed from path; optional requests, zeroTokens",
            (options, _) => TraceSourceOptions.CreateReader(options, TraceFileFormat.AzureCsv));
        services.AddTraceSource("vidur-csv", "Vidur trace-replay CSV (arrived_at s, num_prefill_tokens, num_decode_tokens), streamed from path",
            (options, _) => TraceSourceOptions.CreateReader(options, TraceFileFormat.VidurCsv));
        services.AddTraceSource("jsonl", "JSON Lines trace, one object per line: arrival s / StartTimeOffset ns / timestamp ms, prompt and output tokens (APEX, Mooncake, LLMServingSim names)",
            (options, _) => TraceSourceOptions.CreateReader(options, TraceFileFormat.Jsonl));

        services.AddServingScheduler("vllm", "vLLM-style prefill-first continuous batching: admit whole-prompt prefills while limits allow, else decode all running requests",
            (options, _) => SchedulerOptions.CreateContinuous(options, BatchingPolicy.PrefillFirst));
        services.AddServingScheduler("orca", "Orca-style mixed iterations: every running request decodes and new whole-prompt prefills join within the limits",
            (options, _) => SchedulerOptions.CreateContinuous(options, BatchingPolicy.Mixed));
        services.AddServingScheduler("sarathi", "Sarathi-style chunked prefill: a chunkTokens budget (default 512) per iteration, decodes first, then prompt chunks",
            (options, _) => SchedulerOptions.CreateContinuous(options, BatchingPolicy.ChunkedPrefill));
        services.AddServingScheduler("fixed", "Published Compass closed-loop generator: exactly prefill + decode requests per iteration from batch slots; optional chunked prefill",
            (options, _) => SchedulerOptions.CreateFixed(options));
    }
}
