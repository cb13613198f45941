using Compass.Abstractions.Sampling;

namespace Compass.Workloads.Traces;

/// <summary>An arrival process: successive arrival times in seconds, starting from a fresh state per enumeration.</summary>
public interface IArrivalProcess
{
    /// <summary>Name (<c>poisson</c>, <c>gamma</c>, <c>burst</c>).</summary>
    string Name { get; }

    /// <summary>Creates a fresh cursor over arrival times drawn with <paramref name="rng"/>.</summary>
    IArrivalCursor Start(Xoshiro256StarStar rng);
}

/// <summary>A stateful position in an arrival process.</summary>
public interface IArrivalCursor
{
    /// <summary>The next arrival time in seconds (non-decreasing).</summary>
    double Next();
}

/// <summary>
/// Poisson arrivals: inter-arrival Δ = −ln(1 − U)/λ (docs/reference/traces.md §4; APEX, Vidur, vLLM benchmarks).
/// </summary>
/// <param name="RatePerSecond">Mean rate λ in requests per second.</param>
public sealed record PoissonArrivals(double RatePerSecond) : IArrivalProcess
{
    /// <inheritdoc />
    public string Name => "poisson";

    /// <inheritdoc />
    public IArrivalCursor Start(Xoshiro256StarStar rng) => new Cursor(this, rng);

    private sealed class Cursor(PoissonArrivals process, Xoshiro256StarStar rng) : IArrivalCursor
    {
        private double _time;

        public double Next() => _time += rng.NextExponential() / process.RatePerSecond;
    }
}

/// <summary>
/// Gamma inter-arrivals with a coefficient of variation: shape k = 1/CV², scale θ = 1/(λ·k), so the mean gap is 1/λ
/// and CV as given; CV &gt; 1 is bursty, CV = 1 is Poisson (docs/reference/traces.md §4; Vidur, DistServe, BurstGPT). Azure 2023
/// conversation fits k = 0.84 (CV 1.09).
/// </summary>
/// <param name="RatePerSecond">Mean rate λ in requests per second.</param>
/// <param name="CoefficientOfVariation">CV of the gaps.</param>
public sealed record GammaArrivals(double RatePerSecond, double CoefficientOfVariation) : IArrivalProcess
{
    /// <summary>Shape k = 1/CV².</summary>
    public double Shape => 1.0 / (CoefficientOfVariation * CoefficientOfVariation);

    /// <summary>Scale θ = 1/(λ·k) in seconds.</summary>
    public double ScaleSeconds => 1.0 / (RatePerSecond * Shape);

    /// <inheritdoc />
    public string Name => "gamma";

    /// <inheritdoc />
    public IArrivalCursor Start(Xoshiro256StarStar rng) => new Cursor(this, rng);

    private sealed class Cursor(GammaArrivals process, Xoshiro256StarStar rng) : IArrivalCursor
    {
        private double _time;

        public double Next() => _time += rng.NextGamma(process.Shape) * process.ScaleSeconds;
    }
}

/// <summary>
/// Pulse / burst arrivals (LLMServingSim <c>--pulse-n</c>/<c>--pulse-delay-sec</c>; docs/reference/traces.md §4): bursts of
/// <paramref name="BurstSize"/> requests; inside a burst all arrive at once, or as a Poisson process of rate
/// <paramref name="InBurstRatePerSecond"/> when it is &gt; 0; the next burst starts <paramref name="BurstGapSeconds"/>
/// after the last arrival of the previous one.
/// </summary>
/// <param name="BurstSize">Requests per burst.</param>
/// <param name="BurstGapSeconds">Quiet time between bursts.</param>
/// <param name="InBurstRatePerSecond">Poisson rate inside a burst, or 0 for simultaneous arrivals.</param>
public sealed record BurstArrivals(int BurstSize, double BurstGapSeconds, double InBurstRatePerSecond) : IArrivalProcess
{
    /// <inheritdoc />
    public string Name => "burst";

    /// <inheritdoc />
    public IArrivalCursor Start(Xoshiro256StarStar rng) => new Cursor(this, rng);

    private sealed class Cursor(BurstArrivals process, Xoshiro256StarStar rng) : IArrivalCursor
    {
        private double _time;
        private int _inBurst;

        public double Next()
        {
            if (_inBurst == process.BurstSize)
            {
                _inBurst = 0;
                _time += process.BurstGapSeconds;
            }

            if (_inBurst > 0 && process.InBurstRatePerSecond > 0) _time += rng.NextExponential() / process.InBurstRatePerSecond;
            _inBurst++;
            return _time;
        }
    }
}
