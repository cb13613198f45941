using Compass.Abstractions.Costs;
using Compass.Abstractions.Evaluation;
using Compass.Abstractions.Mapping;
using Compass.Engine.Graph;

namespace Compass.Engine.Evaluation;

/// <summary>Totals of one evaluated iteration (no allocation).</summary>
internal readonly record struct IterationTotals(double LatencyNs, EnergyBreakdown Energy, double TotalMacs, double DramBytes, double NopByteHops);

/// <summary>Per-thread working memory of the evaluator, grown on demand and reused across evaluations.</summary>
internal sealed class EvaluatorScratch
{
    public double[] Finish = [];
    public int[] Order = [];
    public byte[] Forwarded = [];
    public byte[] NeedsWrite = [];
    public bool[] WeightLoad = [];
    public int[] LastTask = [];
    public int[] PrevGene = [];
    public double[] ChipFree = [];
    public double[] ChipBusy = [];
    public double[] ChipEnergy = [];
    public int[] ChipTasks = [];
    public double[] LinkLoad = [];
    public double[] LinkTotal = [];
    public double[] LinkReadNs = [];
    public double[] LinkWriteNs = [];
    public double[] ChannelTotal = [];
    public int[] TouchedLinks = [];
    public int TouchedLinkCount;
    public double[] ChipDramRead = [];
    public double[] ChipDramWrite = [];

    public void Ensure(int tasks, int edgeInstances, int chiplets, int links, int channels)
    {
        if (Finish.Length < tasks)
        {
            Finish = new double[tasks];
            Order = new int[tasks];
            NeedsWrite = new byte[tasks];
            WeightLoad = new bool[tasks];
        }
        if (Forwarded.Length < edgeInstances) Forwarded = new byte[edgeInstances];
        if (LastTask.Length < chiplets)
        {
            LastTask = new int[chiplets];
            PrevGene = new int[chiplets];
            ChipFree = new double[chiplets];
            ChipBusy = new double[chiplets];
            ChipEnergy = new double[chiplets];
            ChipTasks = new int[chiplets];
            ChipDramRead = new double[chiplets];
            ChipDramWrite = new double[chiplets];
        }
        if (LinkLoad.Length < links)
        {
            LinkLoad = new double[links];
            LinkTotal = new double[links];
            LinkReadNs = new double[links];
            LinkWriteNs = new double[links];
            TouchedLinks = new int[links];
        }
        if (ChannelTotal.Length < channels)
        {
            ChannelTotal = new double[channels];
        }
    }
}

/// <summary>
/// The list scheduler (compass-method.md §4–§5, formulas.md §9–§11). Tasks run in the order segment →
/// micro-batch → gene; a chiplet runs its tasks one at a time; start = max(chiplet free, predecessors' finish in
/// the same micro-batch); duration = max(compute, NoP, DRAM) with NoP = busiest link bytes / bandwidth + hop
/// latency × longest path and DRAM = busiest channel bytes / bandwidth. A flag pre-pass in the same order fixes
/// the data-access decisions (forward over the NoP when the producer is still the last task on its chiplet;
/// otherwise write back and read from DRAM; K/V always written; weights reloaded when a chiplet switches gene)
/// before timing. Our correction: the iteration cannot end before every link and channel has carried its total
/// bytes at its bandwidth, which keeps latency above the bytes-over-bandwidth bound when tasks on different
/// chiplets overlap their transfers.
/// </summary>
internal sealed class Evaluator
{
    private readonly GeneStructure _s;
    private readonly TrafficCache _traffic;
    private readonly int[] _chipType;
    private readonly double[] _staticPjPerNs;
    private readonly double _staticPjPerNsTotal;
    private readonly bool[] _weightFits;       // type × gene
    private readonly double[] _weightWritePj;  // type × gene
    private readonly byte[] _graphOutput;      // gene: 1 when no gene consumes it (always written back)

    public Evaluator(GeneStructure structure, TrafficCache traffic, int[] chipType, double[] staticPowerW, bool[] weightFits, double[] weightWritePj)
    {
        _s = structure;
        _traffic = traffic;
        _chipType = chipType;
        _staticPjPerNs = new double[chipType.Length];
        for (var c = 0; c < chipType.Length; c++)
        {
            // 1 W = 1 J/s = 1e12 pJ / 1e9 ns = 1000 pJ/ns.
            _staticPjPerNs[c] = staticPowerW[c] * 1000.0;
            _staticPjPerNsTotal += _staticPjPerNs[c];
        }
        _weightFits = weightFits;
        _weightWritePj = weightWritePj;
        _graphOutput = [.. structure.IsGraphOutput.Select(o => o ? (byte)1 : (byte)0)];
    }

    public int Chiplets => _chipType.Length;

    /// <summary>Evaluates one iteration under <paramref name="genome"/> (rows used as b mod rows).</summary>
    public IterationTotals Run(IterationGraph it, Genome genome, EvaluatorScratch s, List<TaskRecord>? timeline, int iterationIndex)
    {
        var genes = _s.GeneCount;
        var edges = _s.EdgeCount;
        var mbs = it.MicroBatches;
        var rows = genome.MicroBatchCount;
        var assign = genome.Assignment;
        var bounds = genome.Boundaries;
        var predStart = _s.PredStart;
        var predGene = _s.PredGene;
        var weights = _s.WeightBytes;
        var active = it.Active;
        var edgeBytes = it.EdgeBytes;
        var chiplets = _chipType.Length;
        s.Ensure(it.Tasks, mbs * edges, chiplets, _traffic.LinkCount, _traffic.ChannelCount);

        // Pass 1: order and data-access flags.
        var lastTask = s.LastTask;
        var prevGene = s.PrevGene;
        var order = s.Order;
        var forwarded = s.Forwarded;
        var needsWrite = s.NeedsWrite;
        var weightLoad = s.WeightLoad;
        Array.Fill(lastTask, -1, 0, chiplets);
        Array.Fill(prevGene, -1, 0, chiplets);
        for (var mb = 0; mb < mbs; mb++) _graphOutput.CopyTo(needsWrite, mb * genes);
        var n = 0;
        var segStart = 0;
        while (segStart < genes)
        {
            var segEnd = segStart + 1;
            while (segEnd < genes && bounds[segEnd - 1] == 0) segEnd++;
            for (var mb = 0; mb < mbs; mb++)
            {
                var row = (mb % rows) * genes;
                var baseT = mb * genes;
                var baseE = mb * edges;
                for (var g = segStart; g < segEnd; g++)
                {
                    var t = baseT + g;
                    if (!active[t]) continue;
                    var c = assign[row + g];
                    order[n++] = t;
                    weightLoad[t] = weights[g] > 0 && (prevGene[c] != g || !_weightFits[_chipType[c] * genes + g]);
                    prevGene[c] = g;
                    for (var e = predStart[g]; e < predStart[g + 1]; e++)
                    {
                        var tp = baseT + predGene[e];
                        if (edgeBytes[baseE + e] <= 0 || !active[tp]) { forwarded[baseE + e] = 2; continue; }
                        if (lastTask[assign[row + predGene[e]]] == tp)
                        {
                            forwarded[baseE + e] = 1;
                        }
                        else
                        {
                            forwarded[baseE + e] = 0;
                            needsWrite[tp] = 1;
                        }
                    }
                    lastTask[c] = t;
                }
            }
            segStart = segEnd;
        }

        // Pass 2: timing and energy.
        var finish = s.Finish;
        var chipFree = s.ChipFree;
        var chipBusy = s.ChipBusy;
        var chipEnergy = s.ChipEnergy;
        var chipTasks = s.ChipTasks;
        Array.Clear(chipFree, 0, chiplets);
        Array.Clear(chipBusy, 0, chiplets);
        Array.Clear(chipEnergy, 0, chiplets);
        Array.Clear(chipTasks, 0, chiplets);
        Array.Clear(s.LinkTotal, 0, _traffic.LinkCount);
        Array.Clear(s.ChannelTotal, 0, _traffic.ChannelCount);
        var costs = it.Costs;
        var tasks = it.Tasks;
        var outputBytes = it.OutputBytes;
        var mustWrite = it.MustWriteBytes;
        var extraRead = it.ExtraReadBytes;
        var hopLatency = _traffic.HopLatencyNs;
        var hopEnergy = _traffic.HopEnergyPjPerByte;
        var dram = _traffic.Dram;
        Array.Clear(s.ChipDramRead, 0, chiplets);
        Array.Clear(s.ChipDramWrite, 0, chiplets);
        double durationSum = 0, makespan = 0, macPj = 0, bufferPj = 0, vectorPj = 0, nopPj = 0, dramPj = 0, totalDram = 0, totalHop = 0;
        for (var i = 0; i < n; i++)
        {
            var t = order[i];
            var mb = t / genes;
            var g = t - mb * genes;
            var row = (mb % rows) * genes;
            var baseT = mb * genes;
            var baseE = mb * edges;
            var c = assign[row + g];
            var type = _chipType[c];
            ref readonly var cost = ref costs[type * tasks + t];
            var start = chipFree[c];
            var wl = weightLoad[t];
            var dramRead = extraRead[t] + cost.RefetchBytes + (wl ? weights[g] : 0);
            double hop = 0, nopBytes = 0;
            var maxHops = 0;
            for (var e = predStart[g]; e < predStart[g + 1]; e++)
            {
                var f = forwarded[baseE + e];
                if (f == 2) continue;
                var p = predGene[e];
                var fin = finish[baseT + p];
                if (fin > start) start = fin;
                var bytes = edgeBytes[baseE + e];
                if (f == 1)
                {
                    var cp = assign[row + p];
                    if (cp == c) continue;
                    var pattern = _traffic.Unicast(cp, c);
                    AddLinks(s, pattern, bytes);
                    nopBytes += bytes;
                    hop += bytes * pattern.HopBytesPerByte;
                    if (pattern.MaxHops > maxHops) maxHops = pattern.MaxHops;
                }
                else
                {
                    dramRead += bytes;
                }
            }
            var write = mustWrite[t] + (needsWrite[t] != 0 ? outputBytes[t] - mustWrite[t] : 0);
            var profile = dram[c];
            if (dramRead > 0 || write > 0)
            {
                var readPattern = _traffic.DramRead[c];
                var writePattern = _traffic.DramWrite[c];
                if (dramRead > 0)
                {
                    hop += dramRead * readPattern.HopBytesPerByte;
                    if (readPattern.MaxHops > maxHops) maxHops = readPattern.MaxHops;
                    s.ChipDramRead[c] += dramRead;
                }
                if (write > 0)
                {
                    hop += write * writePattern.HopBytesPerByte;
                    if (writePattern.MaxHops > maxHops) maxHops = writePattern.MaxHops;
                    s.ChipDramWrite[c] += write;
                }
            }
            var busiestLinkNs = profile.LinkMaxNs(dramRead, write);
            var forwardNs = FlushLinks(s, dramRead, write);
            if (forwardNs > busiestLinkNs || double.IsNaN(forwardNs)) busiestLinkNs = forwardNs;
            var nopNs = busiestLinkNs + (maxHops > 0 ? hopLatency * maxHops : 0);
            var dramNs = profile.ChannelMaxNs(dramRead, write);
            var duration = cost.TimeNs;
            if (nopNs > duration) duration = nopNs;
            if (dramNs > duration) duration = dramNs;
            durationSum += duration;
            var end = start + duration;
            finish[t] = end;
            chipFree[c] = end;
            chipBusy[c] += duration;
            chipTasks[c]++;
            if (end > makespan) makespan = end;

            var taskBuffer = cost.BufferPj + (wl ? _weightWritePj[type * genes + g] : 0);
            var taskNop = hop * hopEnergy;
            var taskDram = dramRead * _traffic.DramReadEnergyPjPerByte[c] + write * _traffic.DramWriteEnergyPjPerByte[c];
            var taskEnergy = cost.MacPj + taskBuffer + cost.VectorPj + taskNop + taskDram;
            macPj += cost.MacPj;
            bufferPj += taskBuffer;
            vectorPj += cost.VectorPj;
            nopPj += taskNop;
            dramPj += taskDram;
            chipEnergy[c] += taskEnergy;
            totalDram += dramRead + write;
            totalHop += hop;
            timeline?.Add(new TaskRecord(iterationIndex, mb, g, c, start, end, cost.TimeNs, nopNs, dramNs, taskEnergy, dramRead + write, nopBytes, wl));
        }

        // DRAM flows enter the link and channel totals once per chiplet (patterns are linear in bytes).
        for (var c = 0; c < chiplets; c++)
        {
            if (s.ChipDramRead[c] > 0) AddTotals(s, _traffic.DramRead[c], s.ChipDramRead[c]);
            if (s.ChipDramWrite[c] > 0) AddTotals(s, _traffic.DramWrite[c], s.ChipDramWrite[c]);
        }

        // Fluid bound: every link and channel must have carried its total bytes. A NaN or ∞ duration (a faulty
        // cost) would be lost by the comparisons above; the sum of durations carries it into the latency.
        var latency = double.IsFinite(durationSum) ? makespan : double.NaN;
        var linkNs = _traffic.LinkNsPerByte;
        for (var l = 0; l < linkNs.Length; l++)
        {
            var busy = s.LinkTotal[l] * linkNs[l];
            if (busy > latency) latency = busy;
        }
        var channelNs = _traffic.ChannelNsPerByte;
        for (var ch = 0; ch < channelNs.Length; ch++)
        {
            var busy = s.ChannelTotal[ch] * channelNs[ch];
            if (busy > latency) latency = busy;
        }
        var staticPj = latency * _staticPjPerNsTotal;
        return new IterationTotals(latency, new EnergyBreakdown(macPj, bufferPj, vectorPj, nopPj, dramPj, staticPj), it.ActiveGemmMacs, totalDram, totalHop);
    }

    /// <summary>Per-chiplet usage of the last <see cref="Run"/> on <paramref name="s"/>.</summary>
    public ChipletUsage[] Usage(EvaluatorScratch s, double latencyNs)
    {
        var result = new ChipletUsage[_chipType.Length];
        for (var c = 0; c < result.Length; c++)
        {
            var utilisation = latencyNs > 0 ? s.ChipBusy[c] / latencyNs : 0;
            result[c] = new ChipletUsage(c, s.ChipBusy[c], utilisation, s.ChipEnergy[c] + _staticPjPerNs[c] * latencyNs, s.ChipTasks[c]);
        }
        return result;
    }

    private static void AddLinks(EvaluatorScratch s, UnicastRoute p, double bytes)
    {
        var load = s.LinkLoad;
        foreach (ref readonly var hop in p.Hops.AsSpan())
        {
            var amount = hop.Share * bytes;
            if (amount <= 0) continue;
            var l = hop.Link;
            if (load[l] == 0)
            {
                s.TouchedLinks[s.TouchedLinkCount++] = l;
                s.LinkReadNs[l] = hop.ReadNs;
                s.LinkWriteNs[l] = hop.WriteNs;
            }
            load[l] += amount;
        }
    }

    private static void AddTotals(EvaluatorScratch s, TrafficPattern p, double bytes)
    {
        for (var k = 0; k < p.Links.Length; k++) s.LinkTotal[p.Links[k]] += p.LinkShares[k] * bytes;
        for (var k = 0; k < p.Channels.Length; k++) s.ChannelTotal[p.Channels[k]] += p.ChannelShares[k] * bytes;
    }

    /// <summary>Busiest forwarded link's time including the DRAM flows of the same task on it; resets the scratch.</summary>
    private double FlushLinks(EvaluatorScratch s, double dramRead, double dramWrite)
    {
        double max = 0;
        var nsPerByte = _traffic.LinkNsPerByte;
        var hasDram = dramRead > 0 || dramWrite > 0;
        for (var k = 0; k < s.TouchedLinkCount; k++)
        {
            var l = s.TouchedLinks[k];
            var bytes = s.LinkLoad[l];
            var time = bytes * nsPerByte[l];
            if (hasDram)
            {
                if (dramRead > 0) time += dramRead * s.LinkReadNs[l];
                if (dramWrite > 0) time += dramWrite * s.LinkWriteNs[l];
            }
            if (time > max || double.IsNaN(time)) max = time;
            s.LinkTotal[l] += bytes;
            s.LinkLoad[l] = 0;
        }
        s.TouchedLinkCount = 0;
        return max;
    }
}
