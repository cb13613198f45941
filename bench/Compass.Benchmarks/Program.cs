using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;

namespace Compass.Benchmarks;

public static class Program
{
    /// <summary>
    /// Runs BenchmarkDotNet, or with <c>cpu-time</c> measures the process CPU time per evaluation of the
    /// <see cref="EngineEvaluationBenchmarks"/> shapes on one thread (for a machine too loaded for wall-clock figures).
    /// </summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "cpu-time")
        {
            CpuTime();
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void CpuTime()
    {
        foreach (var shape in new[] { "6x6-decode128", "llama3-70b-16x16" })
        {
            var problem = shape == "6x6-decode128" ? EngineBenchmarkFixtures.Gpt3Block(prefill: 0, decode: 128) : EngineBenchmarkFixtures.Llama70B();
            foreach (var mapping in new[] { "random", "pipeline-tensor" })
            {
                var genome = mapping == "random"
                    ? EngineBenchmarkFixtures.RandomGenome(problem.Space, 42)
                    : problem.Heuristics.Standard().First(h => h.Name == mapping).Genome;
                for (var i = 0; i < 3; i++) problem.Evaluate(genome);
                var n = shape == "6x6-decode128" ? 80 : 16;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < n; i++) problem.Evaluate(genome);
                var ms = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / n;
                var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape} {mapping}: {problem.TaskCount} tasks, {ms:F2} ms CPU per evaluation, {bytes} B allocated over {n} evaluations"));
            }
        }
    }
}
