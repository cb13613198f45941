using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace Compass.Benchmarks;

public static class Program
{
    /// <summary>
    /// Runs BenchmarkDotNet; with <c>fingerprint</c> prints a hash of the bits of every result of many evaluations (to check
    /// that a speed change leaves every result bit-identical); or with <c>cpu-time</c> measures the process CPU time per evaluation of the
    /// <see cref="EngineEvaluationBenchmarks"/> shapes on one thread (for a machine too loaded for wall-clock figures).
    /// </summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "cpu-time")
        {
            CpuTime(args.Length > 1 ? args[1] : null);
            return;
        }
        if (args.Length > 0 && args[0] == "fingerprint")
        {
            Fingerprint();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>CPU time per evaluation of each shape × mapping, or only of <paramref name="only"/> (<c>shape/mapping</c>, five times as many evaluations).</summary>
    private static void CpuTime(string? only)
    {
        foreach (var shape in new[] { "6x6-decode128", "llama3-70b-16x16" })
        {
            if (only is not null && !only.StartsWith(shape + "/", StringComparison.Ordinal)) continue;
            var problem = shape == "6x6-decode128" ? EngineBenchmarkFixtures.Gpt3Block(prefill: 0, decode: 128) : EngineBenchmarkFixtures.Llama70B();
            foreach (var mapping in new[] { "random", "pipeline-tensor" })
            {
                if (only is not null && only != shape + "/" + mapping) continue;
                var genome = mapping == "random"
                    ? EngineBenchmarkFixtures.RandomGenome(problem.Space, 42)
                    : problem.Heuristics.Standard().First(h => h.Name == mapping).Genome;
                for (var i = 0; i < 3; i++) problem.Evaluate(genome);
                var n = (shape == "6x6-decode128" ? 80 : 16) * (only is null ? 1 : 5);
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < n; i++) problem.Evaluate(genome);
                var ms = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / n;
                var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape} {mapping}: {problem.TaskCount} tasks, {ms:F2} ms CPU per evaluation, {bytes} B allocated over {n} evaluations"));
            }
        }
    }

    /// <summary>
    /// Evaluates 24 random genomes and the standard heuristics on the three benchmark shapes, and the full iteration
    /// result with its timeline and resource intervals for two of them, and prints an FNV-1a hash of every result's
    /// text (shortest round-trip doubles, so equal hashes mean equal bits).
    /// </summary>
    private static void Fingerprint()
    {
        var all = 14695981039346656037UL;
        foreach (var shape in new[] { "6x6-decode128", "6x6-mixed2+64", "llama3-70b-16x16" })
        {
            var problem = shape switch
            {
                "6x6-decode128" => EngineBenchmarkFixtures.Gpt3Block(prefill: 0, decode: 128),
                "6x6-mixed2+64" => EngineBenchmarkFixtures.Gpt3Block(prefill: 2, decode: 64),
                _ => EngineBenchmarkFixtures.Llama70B(),
            };
            var hash = 14695981039346656037UL;
            void Add(string text)
            {
                foreach (var ch in text) hash = (hash ^ ch) * 1099511628211UL;
            }
            var genomes = new List<Compass.Abstractions.Mapping.Genome>();
            for (var seed = 1; seed <= 24; seed++) genomes.Add(EngineBenchmarkFixtures.RandomGenome(problem.Space, seed));
            genomes.AddRange(problem.Heuristics.Standard().Select(h => h.Genome));
            foreach (var genome in genomes) Add(problem.Evaluate(genome).ToString());
            foreach (var genome in new[] { genomes[0], genomes[^1] })
            {
                var r = problem.EvaluateIteration(genome, 0, includeTimeline: true);
                Add(string.Create(CultureInfo.InvariantCulture, $"{r.LatencyNs} {r.Energy} {r.TotalMacs} {r.DramBytes} {r.NopByteHops} {r.DramTraffic} {r.BusiestResource} {r.BusiestResourceBusyNs}"));
                foreach (var c in r.Chiplets) Add(c.ToString());
                foreach (var t in r.Tasks) Add(t.ToString());
                foreach (var i in r.ResourceIntervals) Add(i.ToString());
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape}: {hash:x16}"));
            all = (all ^ hash) * 1099511628211UL;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all: {all:x16}"));
    }
}
