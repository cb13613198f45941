using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Workloads.Schedulers;

/// <summary>How a continuous-batching scheduler composes an iteration.</summary>
public enum BatchingPolicy
{
    /// <summary>
    /// vLLM (Kwon et al., SOSP'23) prefill-first: admit waiting requests as whole-prompt prefills while the limits
    /// allow; an iteration that admits anything holds only prefills, otherwise every running request decodes.
    /// </summary>
    PrefillFirst,

    /// <summary>
    /// Orca (Yu et al., OSDI'22) iteration-level mixed batching: every running request decodes and new requests are
    /// admitted as whole-prompt prefills in the same iteration, within the limits.
    /// </summary>
    Mixed,

    /// <summary>
    /// Sarathi-Serve (Agrawal et al., OSDI'24) chunked prefill: each iteration has a token budget; running decodes go
    /// first, the rest of the budget is filled with prompt chunks (unfinished prompts first, then new admissions).
    /// </summary>
    ChunkedPrefill,
}

/// <summary>
/// Continuous (iteration-level) batching of a trace under <see cref="ServingLimits"/>.
/// <list type="bullet">
/// <item>Requests are admitted first come, first served; the head of the queue blocks later ones (no reordering).</item>
/// <item>Admission reserves the request's final KV footprint, prompt + output tokens, so the KV cache never overflows
/// and no request is preempted or recomputed: every prompt token is prefilled exactly once. (vLLM admits on the current
/// footprint and preempts on overflow; that recompute is not modelled.)</item>
/// <item>The prefill (or last chunk) yields the first output token; each further output token takes one decode, whose
/// history is the prompt plus the generated tokens already in the KV cache (the first decode attends to the prompt).</item>
/// <item>With <see cref="IterationSeconds"/> = 0 the whole trace is a backlog (every request has arrived); with a positive
/// value, a clock advances by that much per iteration and only requests that have arrived can be admitted (the clock
/// jumps to the next arrival when nothing runs).</item>
/// </list>
/// A request that can never fit (prompt + output above the KV capacity, or a whole prompt above the batch-token limit
/// without chunking) is an input error naming it.
/// </summary>
public sealed class ContinuousBatchingScheduler : IServingScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="policy">Iteration composition.</param>
    /// <param name="chunkTokens">Token budget per iteration for <see cref="BatchingPolicy.ChunkedPrefill"/> (also capped by the limits).</param>
    /// <param name="iterationSeconds">Nominal iteration time for arrival-aware admission, or 0 for a backlog.</param>
    public ContinuousBatchingScheduler(BatchingPolicy policy, int chunkTokens = 512, double iterationSeconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkTokens);
        if (!(iterationSeconds >= 0) || double.IsInfinity(iterationSeconds)) throw new ArgumentOutOfRangeException(nameof(iterationSeconds));
        Policy = policy;
        ChunkTokens = chunkTokens;
        IterationSeconds = iterationSeconds;
    }

    /// <summary>Iteration composition.</summary>
    public BatchingPolicy Policy { get; }

    /// <summary>Chunked-prefill token budget.</summary>
    public int ChunkTokens { get; }

    /// <summary>Nominal iteration time in seconds (0 = backlog).</summary>
    public double IterationSeconds { get; }

    /// <inheritdoc />
    public IEnumerable<Iteration> Schedule(IEnumerable<TraceRequest> trace, ServingLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.MaxBatchRequests < 1) throw new CompassInputException("workload.maxBatchRequests", $"must be >= 1, got {limits.MaxBatchRequests}");
        if (limits.MaxBatchTokens < 1) throw new CompassInputException("workload.maxBatchTokens", $"must be >= 1, got {limits.MaxBatchTokens}");
        if (limits.KvCapacityTokens < 2) throw new CompassInputException("kvCapacityTokens", $"must be >= 2, got {limits.KvCapacityTokens}");
        return Run(trace, limits, cancellationToken);
    }

    private IEnumerable<Iteration> Run(IEnumerable<TraceRequest> trace, ServingLimits limits, CancellationToken cancellationToken)
    {
        var state = new BatchState(trace.GetEnumerator(), limits, Policy, IterationSeconds);
        try
        {
            var index = 0;
            var budget = Policy == BatchingPolicy.ChunkedPrefill ? Math.Min(ChunkTokens, limits.MaxBatchTokens) : limits.MaxBatchTokens;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!state.Prepare()) yield break;
                var batch = Policy switch
                {
                    BatchingPolicy.PrefillFirst => state.ComposePrefillFirst(),
                    BatchingPolicy.Mixed => state.ComposeMixed(),
                    _ => state.ComposeChunked(budget),
                };
                if (batch.Count == 0) throw new InvalidOperationException("scheduler made no progress; this is a bug");
                yield return new Iteration(index++, batch);
                state.Complete();
            }
        }
        finally
        {
            state.Dispose();
        }
    }

    /// <summary>Progress of one admitted request.</summary>
    private sealed class Running(TraceRequest request)
    {
        public TraceRequest Request { get; } = request;

        public int PrefilledTokens { get; set; }

        public int GeneratedTokens { get; set; }

        public bool PrefillDone => PrefilledTokens == Request.PromptTokens;

        public long ReservedKvTokens => (long)Request.PromptTokens + Request.OutputTokens;
    }

    private sealed class BatchState(IEnumerator<TraceRequest> trace, ServingLimits limits, BatchingPolicy policy, double iterationSeconds) : IDisposable
    {
        private readonly List<Running> _running = [];
        private readonly List<(Running Request, int NewTokens)> _work = [];
        private TraceRequest? _next;
        private bool _traceDone;
        private long _kvReserved;
        private double _clock;

        /// <summary>Pulls the next request if needed, jumps the clock over idle time; false when everything is done.</summary>
        public bool Prepare()
        {
            Peek();
            if (_running.Count > 0) return true;
            if (_next is not { } next) return false;
            if (iterationSeconds > 0 && next.ArrivalSeconds > _clock) _clock = next.ArrivalSeconds;
            return true;
        }

        public List<ScheduledRequest> ComposePrefillFirst()
        {
            var batch = new List<ScheduledRequest>();
            var tokens = 0;
            while (TryAdmit(batch.Count, tokens, wholePrompt: true, out var admitted))
            {
                Add(batch, admitted, admitted.Request.PromptTokens);
                tokens += admitted.Request.PromptTokens;
            }

            if (batch.Count > 0) return batch;
            foreach (var r in _running)
            {
                if (batch.Count >= limits.MaxBatchRequests || tokens + 1 > limits.MaxBatchTokens) break;
                Add(batch, r, 1);
                tokens++;
            }

            return batch;
        }

        public List<ScheduledRequest> ComposeMixed()
        {
            var batch = new List<ScheduledRequest>();
            var tokens = 0;
            foreach (var r in _running)
            {
                if (batch.Count >= limits.MaxBatchRequests || tokens + 1 > limits.MaxBatchTokens) break;
                Add(batch, r, 1);
                tokens++;
            }

            while (TryAdmit(batch.Count, tokens, wholePrompt: true, out var admitted))
            {
                Add(batch, admitted, admitted.Request.PromptTokens);
                tokens += admitted.Request.PromptTokens;
            }

            return batch;
        }

        public List<ScheduledRequest> ComposeChunked(int budget)
        {
            var batch = new List<ScheduledRequest>();
            var tokens = 0;
            foreach (var r in _running)
            {
                if (!r.PrefillDone) continue;
                if (batch.Count >= limits.MaxBatchRequests || tokens >= budget) break;
                Add(batch, r, 1);
                tokens++;
            }

            foreach (var r in _running)
            {
                if (r.PrefillDone) continue;
                if (batch.Count >= limits.MaxBatchRequests || tokens >= budget) break;
                var chunk = Math.Min(r.Request.PromptTokens - r.PrefilledTokens, budget - tokens);
                Add(batch, r, chunk);
                tokens += chunk;
            }

            while (tokens < budget && TryAdmit(batch.Count, tokens, wholePrompt: false, out var admitted))
            {
                var chunk = Math.Min(admitted.Request.PromptTokens, budget - tokens);
                Add(batch, admitted, chunk);
                tokens += chunk;
            }

            return batch;
        }

        /// <summary>Applies the iteration's work, releases finished requests and advances the clock.</summary>
        public void Complete()
        {
            foreach (var (r, newTokens) in _work)
            {
                if (r.PrefillDone)
                {
                    r.GeneratedTokens++;
                }
                else
                {
                    r.PrefilledTokens += newTokens;
                    if (r.PrefillDone) r.GeneratedTokens = 1;
                }
            }

            _work.Clear();
            for (var i = _running.Count - 1; i >= 0; i--)
            {
                var r = _running[i];
                if (r.GeneratedTokens < r.Request.OutputTokens) continue;
                _kvReserved -= r.ReservedKvTokens;
                _running.RemoveAt(i);
            }

            _clock += iterationSeconds;
        }

        public void Dispose() => trace.Dispose();

        private void Add(List<ScheduledRequest> batch, Running r, int newTokens)
        {
            ScheduledRequest scheduled;
            if (r.PrefillDone)
                scheduled = new ScheduledRequest(r.Request.Id, RequestPhase.Decode, 1, r.Request.PromptTokens + r.GeneratedTokens - 1);
            else if (r.PrefilledTokens == 0 && newTokens == r.Request.PromptTokens)
                scheduled = new ScheduledRequest(r.Request.Id, RequestPhase.Prefill, newTokens, 0);
            else
                scheduled = new ScheduledRequest(r.Request.Id, RequestPhase.ChunkedPrefill, newTokens, r.PrefilledTokens);
            batch.Add(scheduled);
            _work.Add((r, newTokens));
        }

        private bool TryAdmit(int batchCount, int tokens, bool wholePrompt, out Running admitted)
        {
            admitted = null!;
            Peek();
            if (_next is not { } next) return false;
            if (iterationSeconds > 0 && next.ArrivalSeconds > _clock) return false;
            if (_running.Count >= limits.MaxBatchRequests || batchCount >= limits.MaxBatchRequests) return false;
            var need = (long)next.PromptTokens + next.OutputTokens;
            if (_kvReserved + need > limits.KvCapacityTokens) return false;
            if (wholePrompt && tokens + next.PromptTokens > limits.MaxBatchTokens) return false;
            admitted = new Running(next);
            _running.Add(admitted);
            _kvReserved += need;
            _next = null;
            return true;
        }

        private void Peek()
        {
            if (_next is not null || _traceDone) return;
            if (!trace.MoveNext())
            {
                _traceDone = true;
                return;
            }

            var next = trace.Current;
            if (next.PromptTokens < 1 || next.OutputTokens < 1)
                throw new CompassInputException($"trace request {next.Id}", $"needs prompt and output tokens >= 1, got {next.PromptTokens} and {next.OutputTokens}");
            var need = (long)next.PromptTokens + next.OutputTokens;
            if (need > limits.KvCapacityTokens)
                throw new CompassInputException($"trace request {next.Id}", $"needs {need} KV-cache tokens (prompt {next.PromptTokens} + output {next.OutputTokens}), more than the capacity of {limits.KvCapacityTokens}");
            if (policy != BatchingPolicy.ChunkedPrefill && next.PromptTokens > limits.MaxBatchTokens)
                throw new CompassInputException($"trace request {next.Id}", $"prompt of {next.PromptTokens} tokens exceeds the batch-token limit of {limits.MaxBatchTokens} and this scheduler does not chunk prompts (use sarathi)");
            _next = next;
        }
    }
}
