using Compass.Abstractions.Plugins;
using Compass.Abstractions.Workload;

namespace Compass.Engine.Workload;

/// <summary>How requests are padded before the graph is built (prior work's fixed-length batching).</summary>
public enum PaddingMode
{
    /// <summary>No padding: tokens are concatenated (Orca-style selective batching, the Compass default).</summary>
    None,

    /// <summary>Every request is padded to the longest request of its class in its iteration (static batching).</summary>
    BatchMax,

    /// <summary>Every request is padded to a fixed length (<see cref="PaddingOptions.PaddedLength"/>).</summary>
    Fixed,
}

/// <summary>The <c>workload.padding</c> choice.</summary>
/// <param name="Mode">Padding mode.</param>
/// <param name="PaddedLength">Length every prompt and history is padded to in <see cref="PaddingMode.Fixed"/> mode.</param>
public sealed record PaddingOptions(PaddingMode Mode = PaddingMode.None, int PaddedLength = 0)
{
    /// <summary>No padding.</summary>
    public static PaddingOptions None { get; } = new();

    /// <summary>True when padding changes anything.</summary>
    public bool IsActive => Mode != PaddingMode.None;
}

/// <summary>Tokens an iteration holds before and after padding.</summary>
/// <param name="RealNewTokens">New tokens (prompt, chunk, 1 per decode) before padding.</param>
/// <param name="PaddedNewTokens">New tokens after padding.</param>
/// <param name="RealHistoryTokens">Attended history (KV) tokens before padding.</param>
/// <param name="PaddedHistoryTokens">Attended history tokens after padding.</param>
/// <param name="LongerThanFixed">Requests whose prompt or history exceeds the fixed length (kept at their length, never truncated).</param>
public readonly record struct PaddingTokens(long RealNewTokens, long PaddedNewTokens, long RealHistoryTokens, long PaddedHistoryTokens, int LongerThanFixed)
{
    /// <summary>Sum of two counts.</summary>
    public static PaddingTokens operator +(PaddingTokens a, PaddingTokens b) =>
        new(a.RealNewTokens + b.RealNewTokens, a.PaddedNewTokens + b.PaddedNewTokens, a.RealHistoryTokens + b.RealHistoryTokens,
            a.PaddedHistoryTokens + b.PaddedHistoryTokens, a.LongerThanFixed + b.LongerThanFixed);
}

/// <summary>
/// Padding as prior chiplet-mapping work assumes it (Gemini, MOHaM, SCAR: one request type at a fixed sequence
/// length; docs/reference/compass-method.md §1). Requests are padded within their class, because a padded batch holds one request
/// type: prefills and prompt chunks have their new tokens (prompt) and history padded to the class maximum, decodes
/// keep one new token and have their history (the KV cache they attend to, read from DRAM) padded to the class
/// maximum. <see cref="PaddingMode.BatchMax"/> takes the maximum over the iteration (the batch) — not over the
/// micro-batch, which with one request per micro-batch would pad nothing; <see cref="PaddingMode.Fixed"/> pads to
/// <see cref="PaddingOptions.PaddedLength"/> and leaves longer requests at their length (never truncated, so padded
/// work is never below the real work). The padded tokens run through every operator (projections, attention, KV
/// write-back and KV reads), so the wasted work costs time and energy like real work.
/// </summary>
public static class Padding
{
    /// <summary>The scenario field the options come from (error messages).</summary>
    public const string Field = "workload.padding";

    /// <summary>Parses a mode name: <c>none</c>, <c>batch-max</c> or <c>fixed</c>.</summary>
    public static PaddingMode ParseMode(string? value, string field = Field) => (value ?? "none").Trim().ToLowerInvariant() switch
    {
        "none" or "" => PaddingMode.None,
        "batch-max" or "batchmax" => PaddingMode.BatchMax,
        "fixed" => PaddingMode.Fixed,
        _ => throw new CompassInputException(field, $"must be none, batch-max or fixed, got '{value}'"),
    };

    /// <summary>The mode's name as the scenario writes it.</summary>
    public static string Name(PaddingMode mode) => mode switch
    {
        PaddingMode.BatchMax => "batch-max",
        PaddingMode.Fixed => "fixed",
        _ => "none",
    };

    /// <summary>Checks the options: <c>fixed</c> needs a padded length ≥ 1.</summary>
    public static void Validate(PaddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Mode == PaddingMode.Fixed && options.PaddedLength < 1)
            throw new CompassInputException("workload.paddedLength", $"must be >= 1 when workload.padding is fixed, got {options.PaddedLength}");
        if (options.PaddedLength < 0)
            throw new CompassInputException("workload.paddedLength", $"must be >= 0, got {options.PaddedLength}");
    }

    /// <summary>Pads every iteration (a new list; the input is unchanged). Returns the input itself when padding is off.</summary>
    public static IReadOnlyList<Iteration> Apply(IReadOnlyList<Iteration> iterations, PaddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(iterations);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsActive) return iterations;
        Validate(options);
        var result = new Iteration[iterations.Count];
        for (var i = 0; i < result.Length; i++) result[i] = Apply(iterations[i], options);
        return result;
    }

    /// <summary>Pads one iteration.</summary>
    public static Iteration Apply(Iteration iteration, PaddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(iteration);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsActive) return iteration;
        var requests = iteration.Requests;
        int prefillNew = 0, prefillHistory = 0, decodeHistory = 0;
        if (options.Mode == PaddingMode.BatchMax)
        {
            foreach (var r in requests)
            {
                if (r.Phase == RequestPhase.Decode) decodeHistory = Math.Max(decodeHistory, r.HistoryTokens);
                else
                {
                    prefillNew = Math.Max(prefillNew, r.NewTokens);
                    prefillHistory = Math.Max(prefillHistory, r.HistoryTokens);
                }
            }
        }
        else
        {
            // Fixed length: prompts and chunks are padded to the length, decode KV histories likewise (the KV cache
            // is allocated and read at the fixed length); a chunk's history is the real prompt prefix, kept.
            prefillNew = options.PaddedLength;
            decodeHistory = options.PaddedLength;
        }
        var padded = new ScheduledRequest[requests.Count];
        for (var i = 0; i < padded.Length; i++)
        {
            var r = requests[i];
            padded[i] = r.Phase == RequestPhase.Decode
                ? r with { HistoryTokens = Math.Max(r.HistoryTokens, decodeHistory) }
                : r with { NewTokens = Math.Max(r.NewTokens, prefillNew), HistoryTokens = Math.Max(r.HistoryTokens, prefillHistory) };
        }
        return new Iteration(iteration.Index, padded);
    }

    /// <summary>Token counts of an iteration before and after padding.</summary>
    public static PaddingTokens Count(Iteration real, Iteration padded, PaddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(padded);
        ArgumentNullException.ThrowIfNull(options);
        long rn = 0, pn = 0, rh = 0, ph = 0;
        var longer = 0;
        for (var i = 0; i < real.Requests.Count; i++)
        {
            var a = real.Requests[i];
            var b = padded.Requests[i];
            rn += a.NewTokens;
            pn += b.NewTokens;
            rh += a.HistoryTokens;
            ph += b.HistoryTokens;
            if (options.Mode == PaddingMode.Fixed && (a.Phase == RequestPhase.Decode ? a.HistoryTokens : a.NewTokens) > options.PaddedLength) longer++;
        }
        return new PaddingTokens(rn, pn, rh, ph, longer);
    }
}
