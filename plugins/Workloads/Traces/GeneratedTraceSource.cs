using Compass.Abstractions.Sampling;
using Compass.Abstractions.Workload;
using Compass.Workloads.Lengths;

namespace Compass.Workloads.Traces;

/// <summary>
/// A seeded synthetic trace: <see cref="Requests"/> requests with arrivals from an <see cref="IArrivalProcess"/> and
/// lengths from an <see cref="IRequestLengthModel"/>. Arrivals and lengths use independent streams of the seed, so
/// changing the arrival rate does not change the lengths. The same seed gives the same requests bit for bit.
/// </summary>
/// <param name="Arrivals">Arrival process.</param>
/// <param name="Lengths">Length model.</param>
/// <param name="Requests">Number of requests.</param>
public sealed record GeneratedTraceSource(IArrivalProcess Arrivals, IRequestLengthModel Lengths, int Requests) : ITraceSource
{
    /// <summary>Stream number of the arrival generator.</summary>
    public const ulong ArrivalStream = 1;

    /// <summary>Stream number of the length generator.</summary>
    public const ulong LengthStream = 2;

    /// <inheritdoc />
    public IEnumerable<TraceRequest> Read(int seed, CancellationToken cancellationToken)
    {
        var arrivals = Arrivals.Start(new Xoshiro256StarStar(seed, ArrivalStream));
        var lengthRng = new Xoshiro256StarStar(seed, LengthStream);
        for (var i = 0; i < Requests; i++)
        {
            if ((i & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            var lengths = Lengths.Sample(lengthRng);
            yield return new TraceRequest(i, arrivals.Next(), lengths.PromptTokens, lengths.OutputTokens);
        }
    }
}
