using Compass.Reporting.Model;

namespace Compass.Reporting.Analysis;

/// <summary>
/// A search log reduced, as it streams past, to what a report draws, in memory bounded by <see cref="Capacity"/>
/// whatever the length of the run:
/// <list type="bullet">
/// <item>every improvement of the best-so-far objective and the last row, so the convergence step line is exact
/// (thinned to every other improvement only past <see cref="Capacity"/> improvements);</item>
/// <item>the rows on the (latency, energy) Pareto front of the valid rows seen so far, so the front is exact;</item>
/// <item>an evenly thinned sample of the cloud: the rows whose index is a multiple of a stride that doubles each
/// time the sample outgrows <see cref="Capacity"/> (deterministic: the same log gives the same sample).</item>
/// </list>
/// The full log stays on disk (<c>search-log.csv</c>, streamed by the run); this is what the host keeps of it.
/// Rows must arrive in index order (0, 1, 2, …), as the engine logs them.
/// </summary>
public sealed class SearchLogSummary
{
    /// <summary>Default bound on each of the kept sets (sample, improvements, front), rows.</summary>
    public const int DefaultCapacity = 20_000;

    private readonly List<SearchLogRow> _sample = [];
    private readonly List<SearchLogRow> _improvements = [];
    private readonly List<SearchLogRow> _front = [];
    private SearchLogRow? _last;
    private double _best = double.PositiveInfinity;

    /// <summary>Creates a summary keeping at most <paramref name="capacity"/> rows in each kept set.</summary>
    public SearchLogSummary(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        Capacity = capacity;
    }

    /// <summary>Bound on each kept set, rows.</summary>
    public int Capacity { get; }

    /// <summary>Rows seen (the length of the whole log).</summary>
    public int Count { get; private set; }

    /// <summary>The sample keeps rows whose index is a multiple of this stride (1 until the log outgrows the capacity).</summary>
    public int Stride { get; private set; } = 1;

    /// <summary>True when <see cref="Rows"/> is the whole log (nothing was thinned out).</summary>
    public bool IsComplete => Stride == 1 && Count <= Capacity;

    /// <summary>Adds the next row of the log.</summary>
    public void Add(SearchLogRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Count++;
        _last = row;
        var value = Math.Min(_best, row.BestObjectiveSoFar);
        if (double.IsFinite(value) && value < _best)
        {
            _improvements.Add(row);
            if (_improvements.Count > Capacity) ThinImprovements();
        }
        _best = value;
        if (row.Index % Stride == 0)
        {
            _sample.Add(row);
            if (_sample.Count > Capacity)
            {
                Stride *= 2;
                _sample.RemoveAll(r => r.Index % Stride != 0);
            }
        }
        if (row.IsValid) AddToFront(row);
    }

    /// <summary>The kept rows (sample ∪ improvements ∪ front ∪ last row), each once, in index order.</summary>
    public IReadOnlyList<SearchLogRow> Rows()
    {
        var all = new List<SearchLogRow>(_sample.Count + _improvements.Count + _front.Count + 1);
        all.AddRange(_sample);
        all.AddRange(_improvements);
        all.AddRange(_front);
        if (_last is not null) all.Add(_last);
        all.Sort((a, b) => a.Index.CompareTo(b.Index));
        var unique = new List<SearchLogRow>(all.Count);
        foreach (var r in all)
            if (unique.Count == 0 || unique[^1].Index != r.Index) unique.Add(r);
        return unique;
    }

    /// <summary>Streams <paramref name="rows"/> into a new summary.</summary>
    public static SearchLogSummary Of(IEnumerable<SearchLogRow> rows, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var summary = new SearchLogSummary(capacity);
        foreach (var r in rows) summary.Add(r);
        return summary;
    }

    private void AddToFront(SearchLogRow row)
    {
        foreach (var f in _front)
            if (f.LatencyNs <= row.LatencyNs && f.EnergyPj <= row.EnergyPj) return; // dominated or a duplicate point
        _front.RemoveAll(f => row.LatencyNs <= f.LatencyNs && row.EnergyPj <= f.EnergyPj);
        _front.Add(row);
        // A front this large needs anti-correlated objectives over a huge log; keep it bounded like the sample.
        if (_front.Count > Capacity)
        {
            _front.Sort((a, b) => a.LatencyNs.CompareTo(b.LatencyNs));
            var kept = _front.Where((_, i) => i % 2 == 0 || i == _front.Count - 1).ToList();
            _front.Clear();
            _front.AddRange(kept);
        }
    }

    private void ThinImprovements()
    {
        var kept = _improvements.Where((_, i) => i % 2 == 0 || i == _improvements.Count - 1).ToList();
        _improvements.Clear();
        _improvements.AddRange(kept);
    }
}
