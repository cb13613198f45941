using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Compass.Abstractions.Mapping;
using Compass.Engine.Graph;
using Compass.Results;

namespace Compass.Engine.Evaluation;

/// <summary>Totals of one evaluated iteration (no allocation).</summary>
internal readonly record struct IterationTotals(double LatencyNs, EnergyBreakdown Energy, double TotalMacs, double DramBytes, double NopByteHops);

/// <summary>
/// A task in the dispatch heap with its sort key: the time it became ready and, for ties, its position in genome order
/// (the key never changes once a task is ready, so the heap compares without touching the per-task arrays).
/// </summary>
internal readonly record struct ReadyTask(double ReadyNs, int Position);

/// <summary>Per-thread working memory of the evaluator, grown on demand and reused across evaluations.</summary>
internal sealed class EvaluatorScratch
{
    // Per task.
    public double[] Finish = [];
    public double[] Ready = [];
    public int[] Order = [];
    public int[] Position = [];
    public int[] Pending = [];
    public int[] NextOnChip = [];
    public int[] FirstConsumerChip = [];
    public int[] DramConsumerChip = [];
    public byte[] NeedsWrite = [];
    public byte[] WeightLoad = [];
    public double[] WeightLoadBytes = [];
    public ReadyTask[] Heap = [];

    // Multicast of a task's output: 0 not sent yet, 1 sent (arrival below), 2 not a multicast (one destination).
    public byte[] ForwardCast = [];
    public double[] ForwardArrival = [];
    public byte[] DramCast = [];
    public double[] DramArrival = [];

    // Per micro-batch: the graph input's multicast.
    public byte[] InputCast = [];
    public double[] InputArrival = [];
    public int[] Destinations = [];
    public bool[] Marked = [];

    // Per edge instance.
    public byte[] Forwarded = [];

    // Per micro-batch × all-reduce group: shards not yet dispatched.
    public int[] GroupPending = [];

    // Per chiplet: the participants of the all-reduce being run, when each has its data, and what it received in a step.
    public int[] Holders = [];
    public double[] HolderAvailable = [];
    public double[] HolderReceived = [];

    // Per ring position of the all-reduce being run: the route to the next participant, its byte-hops and hop energy per step.
    public Flow[] RingFlow = [];
    public double[] RingHopBytes = [];
    public double[] RingHopPj = [];

    // Per chiplet.
    public int[] LastTask = [];
    public int[] PrevGene = [];
    public double[] PrevResident = [];
    public double[] ChipBusy = [];
    public double[] ChipCompute = [];
    public double[] ChipEnergy = [];
    public int[] ChipTasks = [];

    // Per gene.
    public int[] WeightHome = [];
    public byte[] WeightSeen = [];

    // Per resource (links, then channels) and per channel slot (channels, then interleaved).
    public double[] BusyUntil = [];
    public double[] BusyNs = [];
    public double[] ReadBytes = [];
    public double[] WriteBytes = [];

    // DRAM bytes by kind, of the last run.
    public double WeightBytes, WeightReloadBytes, KvReadBytes, KvWriteBytes, ActivationReadBytes, ActivationWriteBytes, RefetchBytes;

    public void Ensure(int tasks, int microBatches, int edgeInstances, int chiplets, int genes, int resources, int channelSlots, int groupInstances)
    {
        if (GroupPending.Length < groupInstances) GroupPending = new int[groupInstances];
        if (Finish.Length < tasks)
        {
            Finish = new double[tasks];
            Ready = new double[tasks];
            Order = new int[tasks];
            Position = new int[tasks];
            Pending = new int[tasks];
            NextOnChip = new int[tasks];
            FirstConsumerChip = new int[tasks];
            DramConsumerChip = new int[tasks];
            NeedsWrite = new byte[tasks];
            WeightLoad = new byte[tasks];
            WeightLoadBytes = new double[tasks];
            Heap = new ReadyTask[tasks];
            ForwardCast = new byte[tasks];
            ForwardArrival = new double[tasks];
            DramCast = new byte[tasks];
            DramArrival = new double[tasks];
        }
        if (InputCast.Length < microBatches)
        {
            InputCast = new byte[microBatches];
            InputArrival = new double[microBatches];
        }
        if (Forwarded.Length < edgeInstances) Forwarded = new byte[edgeInstances];
        if (LastTask.Length < chiplets)
        {
            LastTask = new int[chiplets];
            Destinations = new int[chiplets];
            Marked = new bool[chiplets];
            PrevGene = new int[chiplets];
            PrevResident = new double[chiplets];
            ChipBusy = new double[chiplets];
            ChipCompute = new double[chiplets];
            ChipEnergy = new double[chiplets];
            ChipTasks = new int[chiplets];
            Holders = new int[chiplets];
            HolderAvailable = new double[chiplets];
            HolderReceived = new double[chiplets];
            RingFlow = new Flow[chiplets];
            RingHopBytes = new double[chiplets];
            RingHopPj = new double[chiplets];
        }
        if (WeightHome.Length < genes)
        {
            WeightHome = new int[genes];
            WeightSeen = new byte[genes];
        }
        if (BusyUntil.Length < resources)
        {
            BusyUntil = new double[resources];
            BusyNs = new double[resources];
        }
        if (ReadBytes.Length < channelSlots)
        {
            ReadBytes = new double[channelSlots];
            WriteBytes = new double[channelSlots];
        }
    }

    public DramTraffic Traffic => new(WeightBytes, WeightReloadBytes, KvReadBytes, KvWriteBytes, ActivationReadBytes, ActivationWriteBytes, RefetchBytes);
}

/// <summary>
/// The list scheduler with shared, located resources (docs/reference/compass-method.md §4–§5, docs/reference/formulas.md §9–§11, docs/evaluator.md).
/// <para>
/// Pass 1 walks the tasks in the genome's order (segment → micro-batch → gene) and fixes the data-access decisions:
/// forward over the NoP when the producer is still the last task on its chiplet, otherwise write back and read from
/// DRAM; K/V always written; weights reloaded when a chiplet switches node. It also fixes where data lives: every
/// weight, KV and spilled tensor gets a home channel from the placement policy (nearest to its first consumer by
/// default), and each task's predecessors on its chiplet and in its micro-batch.
/// </para>
/// <para>
/// Pass 2 is a discrete-event simulation: tasks are dispatched in order of the time they become ready (all
/// predecessors finished and the previous task on the chiplet finished; ties in genome order). A dispatched task
/// starts its compute and all of its transfers at once. Every link and DRAM channel serves transfers first come,
/// first served, one at a time and at its full bandwidth: the part of a transfer a resource carries starts when
/// the resource is free, so no resource ever exceeds its bandwidth and concurrent transfers queue. The task ends
/// when its compute and its last transfer are done; the iteration latency is the last task's end.
/// </para>
/// </summary>
internal sealed class Evaluator
{
    private readonly GeneStructure _s;
    private readonly TrafficCache _traffic;
    private readonly int[] _chipType;
    private readonly double[] _staticPjPerNs;
    private readonly double _staticPjPerNsTotal;
    private readonly double[] _bufferBytes;     // type: global buffer capacity
    private readonly double[] _writePjPerByte; // type: global buffer write energy
    private readonly byte[] _graphOutput;      // gene: 1 when no gene consumes it (always written back)
    private readonly int[] _explicitHome;      // gene: explicit weight channel, or −1
    private readonly bool _interleaved;
    private readonly CollectiveAlgorithm _collective;
    private readonly double _hopLatencyNs;
    private readonly double[] _resourceNsPerByte;

    public Evaluator(GeneStructure structure, TrafficCache traffic, int[] chipType, double[] staticPowerW, double[] bufferBytes, double[] writePjPerByte, EvaluatorOptions options)
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
        _bufferBytes = bufferBytes;
        _writePjPerByte = writePjPerByte;
        _graphOutput = [.. structure.IsGraphOutput.Select(o => o ? (byte)1 : (byte)0)];
        _interleaved = options.Placement == DramPlacement.Interleaved || traffic.ChannelCount == 0;
        _collective = options.Collective;
        _hopLatencyNs = traffic.HopLatencyNs;
        _resourceNsPerByte = traffic.ResourceNsPerByte;
        _explicitHome = new int[structure.GeneCount];
        Array.Fill(_explicitHome, -1);
        for (var g = 0; g < structure.GeneCount; g++)
            if (options.WeightHomes.TryGetValue(structure.Names[g], out var ch)) _explicitHome[g] = ch;
    }

    public int Chiplets => _chipType.Length;

    /// <summary>Static power of every chiplet together, pJ per ns.</summary>
    public double StaticPjPerNs => _staticPjPerNsTotal;

    public TrafficCache Traffic => _traffic;

    /// <summary>Home channel of data whose first consumer runs on <paramref name="chiplet"/> (−1: interleaved).</summary>
    private int HomeNear(int chiplet) => _interleaved ? -1 : _traffic.Nearest[chiplet];

    /// <summary>Evaluates one iteration under <paramref name="genome"/> (rows used as b mod rows).</summary>
    /// <remarks>With <paramref name="detail"/> the per-resource busy times (for <see cref="Busiest"/>) and, when given, the resource intervals are recorded; the search runs without.</remarks>
    public IterationTotals Run(IterationGraph it, Genome genome, EvaluatorScratch s, List<TaskRecord>? timeline, List<ResourceInterval>? intervals, int iterationIndex, bool detail = false)
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
        var channels = _traffic.ChannelCount;
        var resources = _traffic.ResourceCount;
        var groups = _s.GroupCount;
        var groupOf = _s.Group;
        s.Ensure(it.Tasks, mbs, mbs * edges, chiplets, genes, resources, channels + 1, mbs * groups);
        Array.Clear(s.InputCast, 0, mbs);
        for (var mb = 0; mb < mbs; mb++)
            for (var k = 0; k < groups; k++) s.GroupPending[mb * groups + k] = _s.GroupStart[k + 1] - _s.GroupStart[k];

        // Pass 1: order, data-access flags, homes, dependencies.
        var lastTask = s.LastTask;
        var prevGene = s.PrevGene;
        var order = s.Order;
        var position = s.Position;
        var pending = s.Pending;
        var ready = s.Ready;
        var nextOnChip = s.NextOnChip;
        var firstConsumer = s.FirstConsumerChip;
        var dramConsumer = s.DramConsumerChip;
        var forwarded = s.Forwarded;
        var needsWrite = s.NeedsWrite;
        var weightLoad = s.WeightLoad;
        var weightHome = s.WeightHome;
        var weightSeen = s.WeightSeen;
        var prevResident = s.PrevResident;
        Array.Fill(lastTask, -1, 0, chiplets);
        Array.Fill(prevGene, -1, 0, chiplets);
        Array.Fill(weightHome, int.MinValue, 0, genes);
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
                    position[t] = n;
                    order[n++] = t;
                    ready[t] = 0;
                    nextOnChip[t] = -1;
                    firstConsumer[t] = -1;
                    dramConsumer[t] = -1;
                    s.ForwardCast[t] = 0;
                    s.DramCast[t] = 0;
                    // Weights: all of them when the chiplet's previous task was another node; when it ran this node
                    // last, only the part that did not stay resident beside that task's activations and KV.
                    var type = _chipType[c];
                    var loadBytes = prevGene[c] == g ? weights[g] - prevResident[c] : weights[g];
                    var load = loadBytes > 0;
                    weightLoad[t] = (byte)(load ? 1 : 0);
                    s.WeightLoadBytes[t] = load ? loadBytes : 0;
                    if (load && weightHome[g] == int.MinValue) weightHome[g] = _explicitHome[g] >= 0 ? _explicitHome[g] : HomeNear(c);
                    prevGene[c] = g;
                    prevResident[c] = it.ResidentWeightBytes[type * it.Tasks + t];
                    var deps = 0;
                    // After an all-reduce every participant holds the whole reduced tensor: a consumer on a chiplet that
                    // ran a shard of the group (still holding its output) reads all of it locally.
                    var groupLocal = -1;
                    if (_s.ConsumesGroup[g])
                    {
                        for (var e = predStart[g]; e < predStart[g + 1]; e++)
                        {
                            var p = predGene[e];
                            var tp = baseT + p;
                            if (groupOf[p] >= 0 && active[tp] && edgeBytes[baseE + e] > 0 && assign[row + p] == c && lastTask[c] == tp && it.OutputFits[_chipType[c] * it.Tasks + tp]) { groupLocal = groupOf[p]; break; }
                        }
                    }
                    for (var e = predStart[g]; e < predStart[g + 1]; e++)
                    {
                        var tp = baseT + predGene[e];
                        if (edgeBytes[baseE + e] <= 0 || !active[tp]) { forwarded[baseE + e] = 2; continue; }
                        deps++;
                        if (groupLocal >= 0 && groupOf[predGene[e]] == groupLocal) { forwarded[baseE + e] = 3; continue; }
                        if (firstConsumer[tp] < 0) firstConsumer[tp] = c;
                        if (lastTask[assign[row + predGene[e]]] == tp && it.OutputFits[_chipType[assign[row + predGene[e]]] * it.Tasks + tp])
                        {
                            forwarded[baseE + e] = 1;
                        }
                        else
                        {
                            forwarded[baseE + e] = 0;
                            needsWrite[tp] = 1;
                            if (dramConsumer[tp] < 0) dramConsumer[tp] = c;
                        }
                    }
                    var previous = lastTask[c];
                    if (previous >= 0)
                    {
                        nextOnChip[previous] = t;
                        deps++;
                    }
                    pending[t] = deps;
                    lastTask[c] = t;
                }
            }
            segStart = segEnd;
        }

        // Pass 2: event-driven dispatch in ready-time order, FCFS reservation of links and channels.
        var finish = s.Finish;
        var chipBusy = s.ChipBusy;
        var chipEnergy = s.ChipEnergy;
        var chipTasks = s.ChipTasks;
        var busyUntil = s.BusyUntil;
        var busyNs = detail || intervals is not null ? s.BusyNs : null;
        var readBytes = s.ReadBytes;
        var writeBytes = s.WriteBytes;
        Array.Clear(chipBusy, 0, chiplets);
        Array.Clear(s.ChipCompute, 0, chiplets);
        Array.Clear(chipEnergy, 0, chiplets);
        Array.Clear(chipTasks, 0, chiplets);
        Array.Clear(busyUntil, 0, resources);
        Array.Clear(s.BusyNs, 0, resources);
        Array.Clear(readBytes, 0, channels + 1);
        Array.Clear(writeBytes, 0, channels + 1);
        Array.Clear(weightSeen, 0, genes);
        s.WeightBytes = s.WeightReloadBytes = s.KvReadBytes = s.KvWriteBytes = s.ActivationReadBytes = s.ActivationWriteBytes = s.RefetchBytes = 0;
        var costs = it.Costs;
        var tasks = it.Tasks;
        var outputBytes = it.OutputBytes;
        var mustWrite = it.MustWriteBytes;
        var extraRead = it.ExtraReadBytes;
        var graphInput = it.GraphInputBytes;
        var inputGenes = _s.GraphInputGenes;
        var hopEnergy = _traffic.HopEnergyPjPerByte;
        var succStart = _s.SuccStart;
        var succGene = _s.SuccGene;
        var succEdge = _s.SuccEdge;
        var heap = s.Heap;
        var heapCount = 0;
        for (var i = 0; i < n; i++)
        {
            var t = order[i];
            if (pending[t] == 0) Push(heap, ref heapCount, new ReadyTask(ready[t], position[t]));
        }
        var nonFinite = false;
        double makespan = 0, macPj = 0, bufferPj = 0, vectorPj = 0, nopPj = 0, dramPj = 0, totalDram = 0, totalHop = 0;
        while (heapCount > 0)
        {
            var t = order[Pop(heap, ref heapCount).Position];
            var mb = t / genes;
            var g = t - mb * genes;
            var row = (mb % rows) * genes;
            var baseT = mb * genes;
            var baseE = mb * edges;
            var c = assign[row + g];
            var type = _chipType[c];
            ref readonly var cost = ref costs[type * tasks + t];
            var start = ready[t];
            var compute = cost.TimeNs;
            if (!double.IsFinite(compute) || compute < 0) { nonFinite = true; compute = 0; }
            var end = start + compute;
            double nopEnd = start, dramEnd = start, hop = 0, nopBytes = 0, taskDramPj = 0, taskDramBytes = 0;

            // Inputs forwarded from producer chiplets, and inputs read back from DRAM.
            for (var e = predStart[g]; e < predStart[g + 1]; e++)
            {
                var f = forwarded[baseE + e];
                if (f >= 2) continue;
                var p = predGene[e];
                var bytes = edgeBytes[baseE + e];
                var tp = baseT + p;
                var whole = bytes == outputBytes[tp];
                if (f == 1)
                {
                    var cp = assign[row + p];
                    if (cp == c) continue;
                    if (whole && s.ForwardCast[tp] != 2)
                    {
                        // The producer's whole output goes to several chiplets: one tree-routed send, sent by the first
                        // consumer dispatched; the others wait for its arrival.
                        if (s.ForwardCast[tp] == 0)
                        {
                            var count = Consumers(s, tp, p, baseT, baseE, row, assign, active, edgeBytes, outputBytes, forwarded, 1, cp);
                            if (count >= 2)
                            {
                                var tree = _traffic.Multicast(cp, s.Destinations.AsSpan(0, count));
                                s.ForwardArrival[tp] = Reserve(tree, bytes, start, busyUntil, busyNs, intervals);
                                s.ForwardCast[tp] = 1;
                                nopBytes += bytes;
                                hop += bytes * tree.HopBytesPerByte;
                            }
                            else
                            {
                                s.ForwardCast[tp] = 2;
                            }
                        }
                        if (s.ForwardCast[tp] == 1)
                        {
                            if (s.ForwardArrival[tp] > nopEnd) nopEnd = s.ForwardArrival[tp];
                            continue;
                        }
                    }
                    var flow = _traffic.Unicast(cp, c);
                    var arrive = Reserve(flow, bytes, start, busyUntil, busyNs, intervals);
                    if (arrive > nopEnd) nopEnd = arrive;
                    nopBytes += bytes;
                    hop += bytes * flow.HopBytesPerByte;
                }
                else
                {
                    // Read back from DRAM; when several chiplets read the whole output, one read from its home channel
                    // and one tree from the channel's router.
                    var home = HomeNear(dramConsumer[tp]);
                    var readers = whole && home >= 0 && s.DramCast[tp] == 0 ? s.Destinations.AsSpan(0, Consumers(s, tp, p, baseT, baseE, row, assign, active, edgeBytes, outputBytes, forwarded, 0, -1)) : default;
                    ReadShared(ref s.DramCast[tp], ref s.DramArrival[tp], whole, home, readers, bytes, start, readBytes, ref s.ActivationReadBytes, ref dramEnd, ref hop, ref taskDramPj, ref taskDramBytes, busyUntil, busyNs, intervals);
                }
            }

            // Weights (first load, reload), tiling refetch, KV history and graph inputs.
            if (weightLoad[t] != 0)
            {
                var wHome = weightHome[g];
                var loaded = s.WeightLoadBytes[t];
                readBytes[wHome < 0 ? channels : wHome] += loaded;
                if (weightSeen[g] == 0) { weightSeen[g] = 1; s.WeightBytes += loaded; }
                else s.WeightReloadBytes += loaded;
            }
            if (cost.RefetchBytes > 0)
            {
                var wHome = weightHome[g] == int.MinValue ? HomeNear(c) : weightHome[g];
                readBytes[wHome < 0 ? channels : wHome] += cost.RefetchBytes;
                s.RefetchBytes += cost.RefetchBytes;
            }
            var input = graphInput[t];
            if (input > 0)
            {
                // The graph input of the micro-batch: read once from the home nearest its first reader and multicast
                // to every chiplet that reads it (interleaved placement: every reader reads its own copy).
                var home = HomeNear(assign[row + inputGenes[0]]);
                var readers = home >= 0 && s.InputCast[mb] == 0 ? s.Destinations.AsSpan(0, InputReaders(s, mb, row, assign, active)) : default;
                ReadShared(ref s.InputCast[mb], ref s.InputArrival[mb], true, home, readers, input, start, readBytes, ref s.KvReadBytes, ref dramEnd, ref hop, ref taskDramPj, ref taskDramBytes, busyUntil, busyNs, intervals);
            }
            var history = extraRead[t] - input;
            if (history > 0)
            {
                var home = HomeNear(c);
                readBytes[home < 0 ? channels : home] += history;
                s.KvReadBytes += history;
            }

            // Outputs: the KV cache to its consumer's home, spilled activations to their first DRAM reader's home.
            if (mustWrite[t] > 0)
            {
                var home = HomeNear(firstConsumer[t] >= 0 ? firstConsumer[t] : c);
                writeBytes[home < 0 ? channels : home] += mustWrite[t];
                s.KvWriteBytes += mustWrite[t];
            }
            if (needsWrite[t] != 0)
            {
                var spill = outputBytes[t] - mustWrite[t];
                if (spill > 0)
                {
                    var home = HomeNear(dramConsumer[t] >= 0 ? dramConsumer[t] : c);
                    writeBytes[home < 0 ? channels : home] += spill;
                    s.ActivationWriteBytes += spill;
                }
            }

            var slotBase = c * (channels + 1);
            for (var ch = 0; ch <= channels; ch++)
            {
                var r = readBytes[ch];
                if (r > 0)
                {
                    readBytes[ch] = 0;
                    var flow = _traffic.DramReads[slotBase + ch];
                    var done = Reserve(flow, r, start, busyUntil, busyNs, intervals);
                    if (done > dramEnd) dramEnd = done;
                    hop += r * flow.HopBytesPerByte;
                    taskDramPj += r * flow.DramPjPerByte;
                    taskDramBytes += r;
                }
                var w = writeBytes[ch];
                if (w > 0)
                {
                    writeBytes[ch] = 0;
                    var flow = _traffic.DramWrites[slotBase + ch];
                    var done = Reserve(flow, w, start, busyUntil, busyNs, intervals);
                    if (done > dramEnd) dramEnd = done;
                    hop += w * flow.HopBytesPerByte;
                    taskDramPj += w * flow.DramPjPerByte;
                    taskDramBytes += w;
                }
            }
            // The device-side fixed part of the compute time (kernel start, drain) is serial with the transfers.
            if (nopEnd + cost.FixedNs > end) end = nopEnd + cost.FixedNs;
            if (dramEnd + cost.FixedNs > end) end = dramEnd + cost.FixedNs;
            if (!double.IsFinite(end)) { nonFinite = true; end = start; }
            finish[t] = end;
            chipBusy[c] += end - start;
            s.ChipCompute[c] += compute;
            chipTasks[c]++;
            if (end > makespan) makespan = end;

            // The group's last shard to run starts its all-reduce; its record carries the all-reduce's byte-hops and
            // energy (the chiplets' energy is charged to the senders).
            var group = groupOf[g];
            double collectiveEnd = end, collectiveHop = 0;
            if (group >= 0 && --s.GroupPending[mb * groups + group] == 0)
            {
                (collectiveEnd, collectiveHop) = AllReduce(s, group, baseT, row, assign, finish, it.AllReduceBytes[t], busyUntil, busyNs, intervals);
                if (!double.IsFinite(collectiveEnd)) { nonFinite = true; collectiveEnd = end; }
                if (collectiveEnd > makespan) makespan = collectiveEnd;
            }
            var taskBuffer = cost.BufferPj + (weightLoad[t] != 0 ? s.WeightLoadBytes[t] * _writePjPerByte[type] : 0);
            var taskNop = (hop + collectiveHop) * hopEnergy;
            var taskEnergy = cost.MacPj + taskBuffer + cost.VectorPj + taskNop + taskDramPj;
            macPj += cost.MacPj;
            bufferPj += taskBuffer;
            vectorPj += cost.VectorPj;
            nopPj += taskNop;
            dramPj += taskDramPj;
            chipEnergy[c] += taskEnergy - collectiveHop * hopEnergy;
            totalDram += taskDramBytes;
            totalHop += hop + collectiveHop;
            timeline?.Add(new TaskRecord(iterationIndex, mb, g, c, start, end, cost.TimeNs, nopEnd - start, dramEnd - start, taskEnergy, taskDramBytes, nopBytes, weightLoad[t] != 0));

            // Release the next task on this chiplet and this task's consumers. A shard of an all-reduce group frees its
            // chiplet at once, but its consumers wait for the all-reduce, which starts when the group's last shard has run.
            var next = nextOnChip[t];
            if (next >= 0)
            {
                if (end > ready[next]) ready[next] = end;
                if (--pending[next] == 0) Push(heap, ref heapCount, new ReadyTask(ready[next], position[next]));
            }
            if (group < 0)
            {
                Release(g, baseT, baseE, end, active, forwarded, ready, pending, position, heap, ref heapCount);
            }
            else if (s.GroupPending[mb * groups + group] == 0)
            {
                for (var k = _s.GroupStart[group]; k < _s.GroupStart[group + 1]; k++)
                    Release(_s.GroupGene[k], baseT, baseE, collectiveEnd, active, forwarded, ready, pending, position, heap, ref heapCount);
            }
        }

        var latency = nonFinite ? double.NaN : makespan;
        var staticPj = latency * _staticPjPerNsTotal;
        return new IterationTotals(latency, new EnergyBreakdown(macPj, bufferPj, vectorPj, nopPj, dramPj, staticPj), it.ActiveGemmMacs, totalDram, totalHop);
    }

    /// <summary>Releases the consumers of task <c>baseT + g</c>, whose output is available from <paramref name="at"/>.</summary>
    private void Release(int g, int baseT, int baseE, double at, bool[] active, byte[] forwarded, double[] ready, int[] pending, int[] position, ReadyTask[] heap, ref int heapCount)
    {
        for (var k = _s.SuccStart[g]; k < _s.SuccStart[g + 1]; k++)
        {
            var consumer = baseT + _s.SuccGene[k];
            if (!active[consumer] || forwarded[baseE + _s.SuccEdge[k]] == 2) continue;
            if (at > ready[consumer]) ready[consumer] = at;
            if (--pending[consumer] == 0) Push(heap, ref heapCount, new ReadyTask(ready[consumer], position[consumer]));
        }
    }

    /// <summary>
    /// The all-reduce of group <paramref name="group"/> in the micro-batch at <paramref name="baseT"/> (Megatron tensor
    /// parallelism): the distinct chiplets holding its shards, in shard order, each from the end of its last shard, reduce
    /// a partial sum of <paramref name="bytes"/>. Shards on one chiplet are summed locally. Ring (default): 2(p − 1) steps,
    /// in each every participant sends <paramref name="bytes"/>/p to its successor over the routed unicast path, once it
    /// has received the previous step's slice (reduce-scatter, then all-gather). Direct: two steps, in each every
    /// participant sends its 1/p slice to every other. Every send is reserved on its links first come, first served, like
    /// any transfer. Each participant sends 2(p − 1)/p × <paramref name="bytes"/>. Returns when the last participant holds
    /// the reduced tensor, and the byte-hops moved.
    /// </summary>
    private (double Done, double HopBytes) AllReduce(EvaluatorScratch s, int group, int baseT, int row, int[] assign, double[] finish, double bytes, double[] busyUntil, double[]? busyNs, List<ResourceInterval>? intervals)
    {
        var holders = s.Holders;
        var available = s.HolderAvailable;
        var received = s.HolderReceived;
        var p = 0;
        for (var k = _s.GroupStart[group]; k < _s.GroupStart[group + 1]; k++)
        {
            var g = _s.GroupGene[k];
            var c = assign[row + g];
            var end = finish[baseT + g];
            var i = 0;
            while (i < p && holders[i] != c) i++;
            if (i == p) { holders[p] = c; available[p] = end; p++; }
            else if (end > available[i]) available[i] = end;
        }
        double done = 0, hopBytes = 0;
        if (p >= 2 && bytes > 0)
        {
            var slice = bytes / p;
            var ring = _collective == CollectiveAlgorithm.Ring;
            var steps = ring ? 2 * (p - 1) : 2;
            if (ring)
            {
                // Every step of the ring sends the same slice over the same p routes.
                for (var i = 0; i < p; i++)
                {
                    s.RingFlow[i] = _traffic.Unicast(holders[i], holders[i + 1 == p ? 0 : i + 1]);
                    s.RingHopBytes[i] = slice * s.RingFlow[i].HopBytesPerByte;
                    s.RingHopPj[i] = slice * s.RingFlow[i].HopBytesPerByte * _traffic.HopEnergyPjPerByte;
                }
            }
            for (var step = 0; step < steps; step++)
            {
                for (var i = 0; i < p; i++) received[i] = 0;
                for (var i = 0; i < p; i++)
                {
                    if (ring)
                    {
                        var j = i + 1 == p ? 0 : i + 1;
                        var arrive = Reserve(s.RingFlow[i], slice, available[i], busyUntil, busyNs, intervals);
                        if (arrive > received[j]) received[j] = arrive;
                        hopBytes += s.RingHopBytes[i];
                        s.ChipEnergy[holders[i]] += s.RingHopPj[i];
                    }
                    else
                    {
                        for (var j = 0; j < p; j++)
                        {
                            if (j == i) continue;
                            var flow = _traffic.Unicast(holders[i], holders[j]);
                            var arrive = Reserve(flow, slice, available[i], busyUntil, busyNs, intervals);
                            if (arrive > received[j]) received[j] = arrive;
                            hopBytes += slice * flow.HopBytesPerByte;
                            s.ChipEnergy[holders[i]] += slice * flow.HopBytesPerByte * _traffic.HopEnergyPjPerByte;
                        }
                    }
                }
                for (var i = 0; i < p; i++) if (received[i] > available[i]) available[i] = received[i];
            }
        }
        for (var i = 0; i < p; i++) if (available[i] > done) done = available[i];
        return (done, hopBytes);
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> of <paramref name="flow"/> from <paramref name="start"/>: on each resource the
    /// part it carries starts when the resource is free (first come, first served) and runs at its full bandwidth.
    /// Returns when the last part is done, plus the hop latency of the longest path.
    /// </summary>
    private double Reserve(Flow flow, double bytes, double start, double[] busyUntil, double[]? busyNs, List<ResourceInterval>? intervals)
    {
        if (busyNs is null) return ReserveFast(flow, bytes, start, busyUntil);
        var end = start;
        var hops = flow.Hops;
        var packed = flow.Packed;
        var table = flow.Set.Shares;
        var nsPerByte = packed ? default : flow.NsPerByte;
        var shares = packed ? default : flow.Shares;
        for (var k = 0; k < hops.Length; k++)
        {
            var r = packed ? hops[k] & FlowSet.ResourceMask : hops[k];
            var share = packed ? table[hops[k] >>> FlowSet.ResourceBits] : shares[k];
            var span = bytes * (packed ? share * _resourceNsPerByte[r] : nsPerByte[k]);
            if (span <= 0) continue;
            var busy = busyUntil[r];
            var from = busy > start ? busy : start;
            var to = from + span;
            busyUntil[r] = to;
            if (to > end) end = to;
            busyNs[r] += span;
            if (intervals is not null)
            {
                var link = r < _traffic.LinkCount;
                intervals.Add(new ResourceInterval(link ? ResourceKind.Link : ResourceKind.DramChannel, link ? r : r - _traffic.LinkCount, from, to, bytes * share));
            }
        }
        var maxHops = flow.MaxHops;
        return maxHops > 0 ? end + _traffic.HopLatencyNs * maxHops : end;
    }

    /// <summary>
    /// The search's <see cref="Reserve"/>: the same reservations, without recording busy time or intervals. On x86 the
    /// two maxima are MAXSD, which returns its first operand when it is greater and its second otherwise, exactly the
    /// comparisons of <see cref="Reserve"/>, without their unpredictable branches.
    /// </summary>
    private double ReserveFast(Flow flow, double bytes, double start, double[] busyUntil)
    {
        var data = flow.Set.Data;
        var o = flow.Offset;
        var count = data[o];
        var tag = data[o + 1];
        var hops = data.AsSpan(o + FlowSet.HeaderInts, count);
        var resourceNs = _resourceNsPerByte;
        double end;
        if (tag < 0)
        {
            var table = flow.Set.Shares;
            if (Sse2.IsSupported)
            {
                var from = Vector128.CreateScalarUnsafe(start);
                var last = from;
                foreach (var hop in hops)
                {
                    var r = hop & FlowSet.ResourceMask;
                    var span = bytes * (table[hop >>> FlowSet.ResourceBits] * resourceNs[r]);
                    if (span <= 0) continue;
                    ref var busy = ref busyUntil[r];
                    var to = Sse2.AddScalar(Sse2.MaxScalar(Vector128.CreateScalarUnsafe(busy), from), Vector128.CreateScalarUnsafe(span));
                    busy = to.ToScalar();
                    last = Sse2.MaxScalar(to, last);
                }
                end = last.ToScalar();
            }
            else
            {
                end = start;
                foreach (var hop in hops)
                {
                    var r = hop & FlowSet.ResourceMask;
                    var span = bytes * (table[hop >>> FlowSet.ResourceBits] * resourceNs[r]);
                    if (span <= 0) continue;
                    ref var busy = ref busyUntil[r];
                    var to = (busy > start ? busy : start) + span;
                    busy = to;
                    if (to > end) end = to;
                }
            }
        }
        else
        {
            var nsPerByte = MemoryMarshal.Cast<int, double>(data.AsSpan(FlowSet.Even(o + FlowSet.HeaderInts + count), 2 * count));
            end = start;
            for (var k = 0; k < hops.Length; k++)
            {
                var span = bytes * nsPerByte[k];
                if (span <= 0) continue;
                ref var busy = ref busyUntil[hops[k]];
                var to = (busy > start ? busy : start) + span;
                busy = to;
                if (to > end) end = to;
            }
        }
        var maxHops = tag & int.MaxValue;
        return maxHops > 0 ? end + _hopLatencyNs * maxHops : end;
    }

    /// <summary>
    /// Distinct chiplets (sorted, into <see cref="EvaluatorScratch.Destinations"/>) of the active consumers of task
    /// <paramref name="tp"/> that take its whole output by <paramref name="mode"/> (1 forwarded, 0 from DRAM), other than
    /// <paramref name="exclude"/>; returns their count.
    /// </summary>
    private int Consumers(EvaluatorScratch s, int tp, int p, int baseT, int baseE, int row, int[] assign, bool[] active, double[] edgeBytes, double[] outputBytes, byte[] forwarded, byte mode, int exclude)
    {
        var marked = s.Marked;
        var destinations = s.Destinations;
        var count = 0;
        for (var k = _s.SuccStart[p]; k < _s.SuccStart[p + 1]; k++)
        {
            var e = baseE + _s.SuccEdge[k];
            var consumer = _s.SuccGene[k];
            if (!active[baseT + consumer] || forwarded[e] != mode || edgeBytes[e] != outputBytes[tp]) continue;
            var chip = assign[row + consumer];
            if (chip != exclude && !marked[chip]) { marked[chip] = true; destinations[count++] = chip; }
        }
        return Collect(s, count);
    }

    /// <summary>Distinct chiplets of the active readers of micro-batch <paramref name="mb"/>'s graph input; returns their count.</summary>
    private int InputReaders(EvaluatorScratch s, int mb, int row, int[] assign, bool[] active)
    {
        var baseT = mb * _s.GeneCount;
        var marked = s.Marked;
        var destinations = s.Destinations;
        var count = 0;
        foreach (var g in _s.GraphInputGenes)
        {
            if (!active[baseT + g]) continue;
            var chip = assign[row + g];
            if (!marked[chip]) { marked[chip] = true; destinations[count++] = chip; }
        }
        return Collect(s, count);
    }

    /// <summary>Sorts the <paramref name="count"/> distinct chiplets gathered in <see cref="EvaluatorScratch.Destinations"/> (few: insertion sort) and clears their marks.</summary>
    private static int Collect(EvaluatorScratch s, int count)
    {
        var destinations = s.Destinations;
        for (var i = 0; i < count; i++)
        {
            var chip = destinations[i];
            s.Marked[chip] = false;
            var j = i;
            while (j > 0 && destinations[j - 1] > chip) { destinations[j] = destinations[j - 1]; j--; }
            destinations[j] = chip;
        }
        return count;
    }

    /// <summary>
    /// The dispatched task's DRAM read of <paramref name="bytes"/> that each of the chiplets <paramref name="readers"/> reads (computed only while the state is 0)
    /// (an activation read back whole, or the micro-batch's graph input), its state in <paramref name="cast"/> (0 not read
    /// yet, 1 multicast, arriving at <paramref name="arrival"/>; 2 not a multicast). When the data is
    /// <paramref name="shareable"/>, has a home channel and at least two readers, the first reader dispatched makes one read
    /// and one tree-routed send to all of them, and every reader waits for its arrival; otherwise (interleaved placement
    /// has no home) the task reads its own copy with its other reads of the channel. Each read made adds its bytes to
    /// <paramref name="counter"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReadShared(ref byte cast, ref double arrival, bool shareable, int home, ReadOnlySpan<int> readers, double bytes, double start, double[] readBytes, ref double counter, ref double dramEnd, ref double hop, ref double taskDramPj, ref double taskDramBytes, double[] busyUntil, double[]? busyNs, List<ResourceInterval>? intervals)
    {
        if (shareable && home >= 0 && cast != 2)
        {
            if (cast == 0)
            {
                if (readers.Length >= 2)
                {
                    var (at, hops, pj) = DramMulticast(home, readers, bytes, start, busyUntil, busyNs, intervals);
                    arrival = at;
                    cast = 1;
                    hop += hops;
                    taskDramPj += pj;
                    taskDramBytes += bytes;
                    counter += bytes;
                }
                else
                {
                    cast = 2;
                }
            }
            if (cast == 1)
            {
                if (arrival > dramEnd) dramEnd = arrival;
                return;
            }
        }
        readBytes[home < 0 ? _traffic.ChannelCount : home] += bytes;
        counter += bytes;
    }

    /// <summary>
    /// One read of <paramref name="bytes"/> from channel <paramref name="home"/> and one tree from its router to
    /// <paramref name="destinations"/>, both from <paramref name="start"/> (each resource FCFS, as every transfer);
    /// returns the arrival, the byte-hops and the DRAM energy.
    /// </summary>
    private (double Arrival, double HopBytes, double DramPj) DramMulticast(int home, ReadOnlySpan<int> destinations, double bytes, double start, double[] busyUntil, double[]? busyNs, List<ResourceInterval>? intervals)
    {
        var channel = _traffic.ChannelOnly(home);
        var read = Reserve(channel, bytes, start, busyUntil, busyNs, intervals);
        var tree = _traffic.Multicast(_traffic.ChannelRouter[home], destinations);
        var sent = Reserve(tree, bytes, start, busyUntil, busyNs, intervals);
        return (Math.Max(read, sent), bytes * tree.HopBytesPerByte, bytes * channel.DramPjPerByte);
    }

    private static bool Before(in ReadyTask a, in ReadyTask b) =>
        a.ReadyNs < b.ReadyNs || (a.ReadyNs == b.ReadyNs && a.Position < b.Position);

    private static void Push(ReadyTask[] heap, ref int count, ReadyTask task)
    {
        var i = count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Before(task, heap[parent])) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = task;
    }

    private static ReadyTask Pop(ReadyTask[] heap, ref int count)
    {
        var top = heap[0];
        var last = heap[--count];
        var i = 0;
        while (true)
        {
            var l = 2 * i + 1;
            if (l >= count) break;
            var m = l + 1 < count && Before(heap[l + 1], heap[l]) ? l + 1 : l;
            if (!Before(heap[m], last)) break;
            heap[i] = heap[m];
            i = m;
        }
        heap[i] = last;
        return top;
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

    /// <summary>The shared resource busy longest in the last <see cref="Run"/> on <paramref name="s"/>, and its busy time.</summary>
    public (string Name, double BusyNs) Busiest(EvaluatorScratch s)
    {
        var best = -1;
        double busy = 0;
        for (var r = 0; r < _traffic.ResourceCount; r++)
        {
            if (s.BusyNs[r] > busy) { busy = s.BusyNs[r]; best = r; }
        }
        return best < 0 ? ("", 0) : (_traffic.Describe(best), busy);
    }
}
