using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Workloads.Schedulers;

/// <summary>
/// The published Compass closed-loop request generator in its <c>fixed</c> mode (lllbbbyyy/Compass
/// <c>src/compass/request_generator.cpp</c>; docs/reference/compass-method.md §8.2): every iteration holds exactly
/// <see cref="Prefills"/> prefills and <see cref="Decodes"/> decodes.
/// <list type="bullet">
/// <item><see cref="Decodes"/> batch slots each hold a request in its decode phase. An empty slot takes the next trace
/// request that has output tokens to decode (output ≥ 2) and decodes it from its first decode step (history = prompt)
/// until its output is complete: decode k (k = 1 .. output − 1) has history prompt + k − 1, the prompt plus the tokens
/// generated so far that are already in the KV cache.</item>
/// <item>Prefills are fresh trace requests, processed whole and not written back to the slots (as published).</item>
/// <item>With <see cref="Chunked"/>, the first request of the iteration (the first prefill, or the first decode when there
/// are no prefills) is replaced by a chunk of <see cref="ChunkTokens"/> prompt tokens of a request being prefilled in
/// chunks; its history is the prompt tokens already processed; the last chunk takes what is left.</item>
/// <item>Within an iteration the chunk comes first, then prefills by decreasing length, then decodes by decreasing
/// history (the published generator sorts both classes by length, descending).</item>
/// </list>
/// This mode samples iteration shapes for the mapping search: slot requests start decoding without their prefill in the
/// schedule, so token conservation holds for the vllm, orca and sarathi schedulers, not here. The schedule ends when the
/// trace can no longer fill an iteration. An iteration that exceeds the batch-request, batch-token or KV limits is an
/// input error (the fixed mix does not fit the limits).
/// </summary>
public sealed class FixedMixScheduler : IServingScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="prefills">Prefills per iteration (P).</param>
    /// <param name="decodes">Decodes per iteration (D).</param>
    /// <param name="chunked">Replace the first request by a prompt chunk.</param>
    /// <param name="chunkTokens">Chunk size in tokens.</param>
    /// <param name="optionsPath">Dotted path of the scheduler's options, for error messages.</param>
    public FixedMixScheduler(int prefills, int decodes, bool chunked = false, int chunkTokens = 512, string optionsPath = "scheduler.options")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefills);
        ArgumentOutOfRangeException.ThrowIfNegative(decodes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkTokens);
        if (prefills + decodes < 1) throw new CompassInputException(optionsPath, "prefill + decode must be >= 1");
        Prefills = prefills;
        Decodes = decodes;
        Chunked = chunked;
        ChunkTokens = chunkTokens;
        OptionsPath = optionsPath;
    }

    /// <summary>Prefills per iteration.</summary>
    public int Prefills { get; }

    /// <summary>Decodes per iteration.</summary>
    public int Decodes { get; }

    /// <summary>True when the first request is replaced by a prompt chunk.</summary>
    public bool Chunked { get; }

    /// <summary>Chunk size in tokens.</summary>
    public int ChunkTokens { get; }

    /// <summary>Dotted path of the options, used in error messages.</summary>
    public string OptionsPath { get; }

    /// <inheritdoc />
    public IEnumerable<Iteration> Schedule(IEnumerable<TraceRequest> trace, ServingLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(limits);
        if (Prefills + Decodes > limits.MaxBatchRequests)
            throw new CompassInputException(OptionsPath, $"prefill + decode = {Prefills + Decodes} exceeds maxBatchRequests = {limits.MaxBatchRequests}");
        if (Chunked && ChunkTokens > limits.MaxBatchTokens)
            throw new CompassInputException(OptionsPath + ".chunkTokens", $"must be <= maxBatchTokens = {limits.MaxBatchTokens}, got {ChunkTokens}");
        return Run(trace, limits, cancellationToken);
    }

    private IEnumerable<Iteration> Run(IEnumerable<TraceRequest> trace, ServingLimits limits, CancellationToken cancellationToken)
    {
        using var source = trace.GetEnumerator();
        var slots = new Slot?[Decodes];
        Slot? chunking = null;
        var chunkReplacesPrefill = Chunked && Prefills > 0;
        var chunkReplacesDecode = Chunked && Prefills == 0;
        var freshPrefills = Prefills - (chunkReplacesPrefill ? 1 : 0);
        var prefills = new List<TraceRequest>(freshPrefills);
        var index = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < slots.Length; i++)
            {
                if (slots[i] is not null) continue;
                if (!NextWithDecodes(source, out var request)) yield break;
                slots[i] = new Slot(request);
            }

            prefills.Clear();
            for (var i = 0; i < freshPrefills; i++)
            {
                if (!source.MoveNext()) yield break;
                prefills.Add(source.Current);
            }

            if (Chunked && chunking is null)
            {
                if (!source.MoveNext()) yield break;
                chunking = new Slot(source.Current);
            }

            var batch = new List<ScheduledRequest>(Prefills + Decodes);
            long tokens = 0;
            long kvTokens = 0;
            if (chunking is { } c)
            {
                var chunk = Math.Min(ChunkTokens, c.Request.PromptTokens - c.Progress);
                batch.Add(new ScheduledRequest(c.Request.Id, chunk == c.Request.PromptTokens ? RequestPhase.Prefill : RequestPhase.ChunkedPrefill, chunk, c.Progress));
                tokens += chunk;
                kvTokens += c.Progress + chunk;
            }

            prefills.Sort(static (a, b) => a.PromptTokens != b.PromptTokens ? b.PromptTokens.CompareTo(a.PromptTokens) : a.Id.CompareTo(b.Id));
            foreach (var p in prefills)
            {
                batch.Add(new ScheduledRequest(p.Id, RequestPhase.Prefill, p.PromptTokens, 0));
                tokens += p.PromptTokens;
                kvTokens += p.PromptTokens;
            }

            // With a chunk and no prefills, one slot sits out each iteration, in rotation so none starves.
            var skipped = chunkReplacesDecode ? index % slots.Length : -1;
            var decodeStart = batch.Count;
            for (var i = 0; i < slots.Length; i++)
            {
                if (i == skipped) continue;
                var s = slots[i]!;
                batch.Add(new ScheduledRequest(s.Request.Id, RequestPhase.Decode, 1, s.History));
                tokens++;
            }

            batch.Sort(decodeStart, batch.Count - decodeStart, DecodeOrder.Instance);
            foreach (var s in slots) kvTokens += s!.History + 1;
            if (tokens > limits.MaxBatchTokens)
                throw new CompassInputException(OptionsPath, $"iteration {index} needs {tokens} new tokens, more than maxBatchTokens = {limits.MaxBatchTokens}");
            if (kvTokens > limits.KvCapacityTokens)
                throw new CompassInputException(OptionsPath, $"iteration {index} holds {kvTokens} KV-cache tokens, more than the capacity of {limits.KvCapacityTokens}");

            yield return new Iteration(index++, batch);

            if (chunking is { } done)
            {
                done.Progress += batch[0].NewTokens;
                if (done.Progress == done.Request.PromptTokens) chunking = null;
            }

            for (var i = 0; i < slots.Length; i++)
            {
                if (i == skipped) continue;
                var s = slots[i]!;
                s.Progress++;
                if (s.Progress == s.Request.OutputTokens - 1) slots[i] = null;
            }
        }
    }

    private static bool NextWithDecodes(IEnumerator<TraceRequest> source, out TraceRequest request)
    {
        while (source.MoveNext())
        {
            request = source.Current;
            if (request.OutputTokens >= 2) return true;
        }

        request = default;
        return false;
    }

    /// <summary>Decodes by decreasing history, then by id (a total order, so the schedule is deterministic).</summary>
    private sealed class DecodeOrder : IComparer<ScheduledRequest>
    {
        public static readonly DecodeOrder Instance = new();

        public int Compare(ScheduledRequest x, ScheduledRequest y)
        {
            var byHistory = y.HistoryTokens.CompareTo(x.HistoryTokens);
            return byHistory != 0 ? byHistory : x.RequestId.CompareTo(y.RequestId);
        }
    }

    /// <summary>A request in a slot (decodes done) or being chunked (prompt tokens done).</summary>
    private sealed class Slot(TraceRequest request)
    {
        public TraceRequest Request { get; } = request;

        /// <summary>Decodes done (slot) or prompt tokens processed (chunk).</summary>
        public int Progress { get; set; }

        /// <summary>History of the next decode: prompt + generated tokens already in the KV cache.</summary>
        public int History => Request.PromptTokens + Progress;
    }
}
