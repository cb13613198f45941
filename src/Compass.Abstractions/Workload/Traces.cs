namespace Compass.Abstractions.Workload;

/// <summary>One request of a serving trace.</summary>
/// <param name="Id">Request id, unique within the trace, in arrival order.</param>
/// <param name="ArrivalSeconds">Arrival time in seconds from the start of the trace.</param>
/// <param name="PromptTokens">Prompt (context) tokens, ≥ 1.</param>
/// <param name="OutputTokens">Generated tokens, ≥ 1.</param>
public readonly record struct TraceRequest(long Id, double ArrivalSeconds, int PromptTokens, int OutputTokens);

/// <summary>
/// A source of requests: a seeded generator or a reader of a trace file. Created by an
/// <c>IComponentFactory&lt;ITraceSource&gt;</c> registered under a name (<c>poisson</c>, <c>azure-csv</c>).
/// </summary>
public interface ITraceSource
{
    /// <summary>
    /// Streams the requests in arrival order. Generators are deterministic for a seed (the same seed gives the
    /// same requests bit for bit); readers ignore the seed. Enumerating twice gives the same sequence.
    /// A malformed file row throws <c>CompassInputException</c> naming the file and line.
    /// </summary>
    IEnumerable<TraceRequest> Read(int seed, CancellationToken cancellationToken);
}

/// <summary>
/// Optional companion of <see cref="ITraceSource"/> for sources read from a file: where a request was written, so that
/// a check the host makes on a request (a prompt longer than the model's context window) can name the file and line.
/// Sources that do not implement it are named by their scenario field.
/// </summary>
public interface ITraceRequestLocator
{
    /// <summary>
    /// The location of request <paramref name="requestId"/> as <c>file:line</c>, or null when the source does not know it.
    /// Cheap for the request the current enumeration yielded last; may re-read the file for any other.
    /// </summary>
    string? Locate(long requestId);
}

/// <summary>What a request does in one iteration.</summary>
public enum RequestPhase
{
    /// <summary>The whole prompt is processed; history is 0.</summary>
    Prefill,

    /// <summary>One new token attends to the history (prompt + tokens generated so far).</summary>
    Decode,

    /// <summary>A chunk of the prompt attends to the chunks before it.</summary>
    ChunkedPrefill,
}

/// <summary>One request's share of an iteration.</summary>
/// <param name="RequestId">The trace request id.</param>
/// <param name="Phase">Prefill, decode or chunk.</param>
/// <param name="NewTokens">Tokens processed this iteration (prompt, 1, or chunk size).</param>
/// <param name="HistoryTokens">Tokens already in the KV cache that the new tokens attend to (prompt + generated for decode).</param>
public readonly record struct ScheduledRequest(long RequestId, RequestPhase Phase, int NewTokens, int HistoryTokens);

/// <summary>A batch the accelerator executes in one model forward pass.</summary>
/// <param name="Index">Iteration number within the schedule.</param>
/// <param name="Requests">The requests of the batch.</param>
public sealed record Iteration(int Index, IReadOnlyList<ScheduledRequest> Requests)
{
    /// <summary>Total new tokens of the iteration.</summary>
    public int NewTokens
    {
        get { var s = 0; foreach (var r in Requests) s += r.NewTokens; return s; }
    }
}

/// <summary>Limits that bound a continuous-batching scheduler.</summary>
/// <param name="MaxBatchRequests">Maximum requests in one iteration.</param>
/// <param name="KvCapacityTokens">KV-cache capacity in tokens across all running requests (long.MaxValue for unbounded).</param>
/// <param name="MaxBatchTokens">Maximum new tokens in one iteration (the chunk/token budget; int.MaxValue for unbounded).</param>
public sealed record ServingLimits(int MaxBatchRequests, long KvCapacityTokens, int MaxBatchTokens);

/// <summary>
/// Turns a stream of requests into iterations (vLLM-style prefill-first, Orca-style mixed, Sarathi-style chunked,
/// or a fixed mix). Created by an <c>IComponentFactory&lt;IServingScheduler&gt;</c>.
/// </summary>
public interface IServingScheduler
{
    /// <summary>
    /// Schedules the trace. Every prompt token is prefilled exactly once and every output token decoded exactly
    /// once (the first output token is produced by the prefill; each further one by a decode); no iteration
    /// exceeds <paramref name="limits"/>. Lazily enumerated; deterministic.
    /// </summary>
    IEnumerable<Iteration> Schedule(IEnumerable<TraceRequest> trace, ServingLimits limits, CancellationToken cancellationToken);
}
