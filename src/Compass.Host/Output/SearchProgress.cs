using System.Globalization;
using Compass.Engine;
using Spectre.Console;

namespace Compass.Host.Output;

/// <summary>
/// Counters of a running search, written by the engine's evaluation callback (one thread at a time) and read by one
/// progress loop; with <c>keepLog</c>, also the log of every evaluation (bounded runs only: <c>compare</c>). An
/// exploration keeps none: its log is streamed to disk and summarised (<see cref="Compass.Reporting.Analysis.SearchLogSummary"/>).
/// </summary>
/// <param name="keepLog">Keep every evaluation for <see cref="Snapshot"/>.</param>
public sealed class SearchCounters(bool keepLog = false)
{
    private readonly List<EvaluationLogEntry> _log = [];
    private int _done;
    private double _bestEdp = double.PositiveInfinity;
    private double _bestObjective = double.PositiveInfinity;

    /// <summary>Evaluations done.</summary>
    public int Done => Volatile.Read(ref _done);

    /// <summary>EDP (J·s) of the best evaluation so far.</summary>
    public double BestEdp => Volatile.Read(ref _bestEdp);

    /// <summary>Records one evaluation (the engine calls this in index order, one thread at a time).</summary>
    public void OnEvaluation(EvaluationLogEntry entry)
    {
        if (keepLog) lock (_log) _log.Add(entry);
        if (entry.Fitness.IsValid && entry.Fitness.Objective < _bestObjective)
        {
            _bestObjective = entry.Fitness.Objective;
            Volatile.Write(ref _bestEdp, entry.Fitness.EdpJouleSeconds);
        }
        Volatile.Write(ref _done, _done + 1);
    }

    /// <summary>A snapshot of the log (empty unless the counters keep it).</summary>
    public IReadOnlyList<EvaluationLogEntry> Snapshot()
    {
        lock (_log) return [.. _log];
    }
}

/// <summary>Shows search progress: a Spectre.Console bar on an interactive terminal, plain lines otherwise.</summary>
public static class SearchProgress
{
    /// <summary>True when a live progress bar can be drawn (stdout is a terminal and NO_COLOR is unset).</summary>
    public static bool Interactive => !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>Runs <paramref name="work"/> on a worker thread while one loop on this thread shows the counters.</summary>
    public static T Run<T>(Func<T> work, SearchCounters counters, int budget, string label, bool quiet, TextWriter stdout)
    {
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (quiet)
        {
            return task.GetAwaiter().GetResult();
        }
        if (Interactive && ReferenceEquals(stdout, Console.Out))
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask(label, maxValue: budget);
                    while (!task.Wait(200))
                    {
                        bar.Value = counters.Done;
                        bar.Description = $"{label}: {counters.Done}/{budget} evals, best EDP {Format(counters.BestEdp)} J·s";
                    }
                    // The run is over: the bar ends full even when the optimizer stopped below the budget (a baseline, an exhausted space).
                    var done = counters.Done;
                    bar.MaxValue = Math.Max(1, done);
                    bar.Value = bar.MaxValue;
                    bar.Description = $"{label}: {Finished(done, budget)}, best EDP {Format(counters.BestEdp)} J·s";
                    bar.StopTask();
                });
            return task.GetAwaiter().GetResult();
        }
        var start = DateTime.UtcNow;
        var nextReport = Math.Max(1, budget / 10);
        while (!task.Wait(250))
        {
            var done = counters.Done;
            if (done >= nextReport)
            {
                var elapsed = (DateTime.UtcNow - start).TotalSeconds;
                var eta = done > 0 ? elapsed / done * (budget - done) : 0;
                stdout.WriteLine($"{label}: {done}/{budget} evaluations, best EDP {Format(counters.BestEdp)} J·s, elapsed {elapsed:F1} s, ETA {eta:F1} s");
                while (nextReport <= done) nextReport += Math.Max(1, budget / 10);
            }
        }
        var total = (DateTime.UtcNow - start).TotalSeconds;
        stdout.WriteLine($"{label}: {Finished(counters.Done, budget)}, best EDP {Format(counters.BestEdp)} J·s, {total.ToString("F1", CultureInfo.InvariantCulture)} s");
        return task.GetAwaiter().GetResult();
    }

    /// <summary>The closing progress text: the evaluations done, and why when the optimizer stopped below the budget.</summary>
    public static string Finished(int done, int budget) =>
        done >= budget || budget <= 0 ? $"done, {done} evaluations" : $"done, {done} of {budget} evaluations (the optimizer finished early)";

    /// <summary>Short invariant formatting of a number (exact 0 prints as 0, non-finite as -).</summary>
    public static string Format(double v) => double.IsFinite(v) ? Compass.Reporting.Charts.Format.Number(v, 4) : "-";
}
