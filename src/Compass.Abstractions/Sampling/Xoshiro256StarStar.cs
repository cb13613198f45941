namespace Compass.Abstractions.Sampling;

/// <summary>
/// The one seeded random generator of Compass (host, engine and plugins alike): xoshiro256** 1.0 (Blackman and Vigna,
/// 2018, https://prng.di.unimi.it/xoshiro256starstar.c) seeded through SplitMix64 as its authors recommend. Its output
/// is fixed by the algorithm, so a seed gives the same bits on every runtime and platform, unlike
/// <see cref="System.Random"/>, whose algorithm and seeding .NET does not promise across versions.
/// </summary>
public sealed class Xoshiro256StarStar
{
    private const double Inv53 = 1.0 / (1UL << 53);
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator for a seed and an independent stream number.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="stream">A constant per consumer (an optimizer, arrivals, prompt lengths, ...), so one seed feeds independent streams.</param>
    public Xoshiro256StarStar(long seed, ulong stream = 0)
    {
        var x = unchecked((ulong)seed ^ (stream * 0xD1B54A32D192ED03UL));
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    /// <summary>The next 64 random bits.</summary>
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

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>) (Lemire's unbiased multiply-shift); 0, drawing nothing, when the range is empty or one value.</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 1) return 0;
        return (int)Bounded((ulong)exclusiveMax);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="exclusiveMax"/>).</summary>
    public int NextInt(int min, int exclusiveMax) => min + NextInt(exclusiveMax - min);

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxInclusive"/>] (Lemire's method); always draws.</summary>
    public long NextInt64(long minInclusive, long maxInclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInclusive, minInclusive);
        var range = unchecked((ulong)(maxInclusive - minInclusive)) + 1;
        if (range == 0) return unchecked((long)NextUInt64());
        return minInclusive + (long)Bounded(range);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * Inv53;

    /// <summary>A uniform double in the open interval (0, 1), safe for logarithms.</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * Inv53;

    /// <summary>True with probability <paramref name="probability"/> (no draw at 0 or 1).</summary>
    public bool Chance(double probability) => probability > 0 && (probability >= 1 || NextDouble() < probability);

    /// <summary>True or false with probability ½.</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;

    /// <summary>Shuffles a span in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A standard normal deviate (Box–Muller, one value per pair of uniforms).</summary>
    public double NextStandardNormal()
    {
        var u1 = NextOpenDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>An exponential deviate with mean 1: −ln(U), U in (0, 1).</summary>
    public double NextExponential() => -Math.Log(NextOpenDouble());

    /// <summary>
    /// A Gamma(<paramref name="shape"/>, 1) deviate: Marsaglia and Tsang (2000) for shape ≥ 1; below 1 the boost
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

    private ulong Bounded(ulong range)
    {
        var m = Math.BigMul(NextUInt64(), range, out var low);
        if (low < range)
        {
            var threshold = unchecked(0 - range) % range;
            while (low < threshold) m = Math.BigMul(NextUInt64(), range, out low);
        }
        return m;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong x)
    {
        unchecked
        {
            x += 0x9E3779B97F4A7C15UL;
            var z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
