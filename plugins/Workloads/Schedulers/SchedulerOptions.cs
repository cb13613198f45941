using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;
using Microsoft.Extensions.Configuration;

namespace Compass.Workloads.Schedulers;

/// <summary>Builds serving schedulers from their scenario options, validating every value up front.</summary>
public static class SchedulerOptions
{
    /// <summary>Default chunk size / token budget in tokens (Sarathi-Serve's common 512).</summary>
    public const int DefaultChunkTokens = 512;

    /// <summary>
    /// Creates a continuous-batching scheduler. Options: <c>iterationSeconds</c> (nominal iteration time for arrival-aware
    /// admission, default 0 = the trace is a backlog); <c>chunkTokens</c> for sarathi (default 512).
    /// </summary>
    public static IServingScheduler CreateContinuous(IConfiguration options, BatchingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (policy == BatchingPolicy.ChunkedPrefill) options.RejectUnknownKeys("chunkTokens", "iterationSeconds");
        else options.RejectUnknownKeys("iterationSeconds");
        var chunk = options.GetInt32("chunkTokens", DefaultChunkTokens, 1);
        var iterationSeconds = options.GetDouble("iterationSeconds", 0, 0, 1e6);
        return new ContinuousBatchingScheduler(policy, chunk, iterationSeconds);
    }

    /// <summary>
    /// Creates the fixed-mix scheduler. Options: <c>prefill</c> (P, default 0), <c>decode</c> (D, default 128),
    /// <c>chunked</c> (default false), <c>chunkTokens</c> (default 512). The published mixes: 0 + 128 (decode-only),
    /// 1 + 0 or 4 + 0 (prefill-only), 2 + 64 and 1 + 127 (mixed), 1 chunk + 127 decodes (chunked).
    /// </summary>
    public static IServingScheduler CreateFixed(IConfiguration options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RejectUnknownKeys("prefill", "decode", "chunked", "chunkTokens");
        var prefill = options.GetInt32("prefill", 0, 0, 1 << 20);
        var decode = options.GetInt32("decode", 128, 0, 1 << 20);
        if (prefill + decode < 1)
            throw new CompassInputException(OptionsReader.PathOf(options, "decode"), "prefill + decode must be >= 1, got 0");
        var chunked = options.GetBoolean("chunked", false);
        var chunk = options.GetInt32("chunkTokens", DefaultChunkTokens, 1);
        var path = options is IConfigurationSection s && s.Path.Length > 0 ? s.Path.Replace(':', '.') : "scheduler.options";
        return new FixedMixScheduler(prefill, decode, chunked, chunk, path);
    }
}
