namespace Compass.Workloads.Sampling;

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro256starstar.c) seeded through SplitMix64.
/// Compass owns this generator instead of using <see cref="System.Random"/>, whose algorithm and seeding are not
/// promised across .NET versions: the same seed gives the same bits on every runtime.
/// </summary>
public sealed class Xoshiro256StarStar
{
    private const double Inv53 = 1.0 / (1UL << 53);
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator for a seed and an independent stream number.</summary>
    /// <param name="seed">Scenario seed.</param>
    /// <param name="stream">Stream index, so one seed feeds independent sub-generators (arrivals, prompt lengths ...).</param>
    public Xoshiro256StarStar(long seed, ulong stream = 0)
    {
        var sm = unchecked((ulong)seed ^ (stream * 0xD1B54A32D192ED03UL));
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * Inv53;

    /// <summary>Uniform double in the open interval (0, 1), safe for logarithms.</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * Inv53;

    /// <summary>Uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxInclusive"/>] without modulo bias (Lemire's method).</summary>
    public long NextInt64(long minInclusive, long maxInclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInclusive, minInclusive);
        var range = unchecked((ulong)(maxInclusive - minInclusive)) + 1;
        if (range == 0) return unchecked((long)NextUInt64());
        var x = NextUInt64();
        var m = Math.BigMul(x, range, out var low);
        if (low < range)
        {
            var threshold = unchecked(0 - range) % range;
            while (low < threshold)
            {
                x = NextUInt64();
                m = Math.BigMul(x, range, out low);
            }
        }

        return minInclusive + (long)m;
    }

    /// <summary>Standard normal deviate (Box–Muller, one value per pair of uniforms).</summary>
    public double NextStandardNormal()
    {
        var u1 = NextOpenDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Exponential deviate with mean 1: −ln(1 − U).</summary>
    public double NextExponential() => -Math.Log(NextOpenDouble());

    /// <summary>
    /// Gamma(shape, 1) deviate: Marsaglia and Tsang (2000) for shape ≥ 1; for shape &lt; 1 the boost
    /// Gamma(shape + 1)·U^(1/shape).
    /// </summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape));
        if (shape < 1)
        {
            var boost = Math.Pow(NextOpenDouble(), 1.0 / shape);
            return NextGamma(shape + 1) * boost;
        }

        var d = shape - (1.0 / 3.0);
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextStandardNormal();
                v = 1.0 + (c * x);
            }
            while (v <= 0);
            v = v * v * v;
            var u = NextOpenDouble();
            if (u < 1.0 - (0.0331 * x * x * x * x)) return d * v;
            if (Math.Log(u) < (0.5 * x * x) + (d * (1.0 - v + Math.Log(v)))) return d * v;
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        unchecked
        {
            var z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
