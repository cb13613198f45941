using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Compass.Tests.Shared;

/// <summary>
/// Every property test runs from one fixed seed, so a run in CI is the run on a developer's machine; a failure names
/// the seed (and FsCheck's shrunk counterexample) to replay it. One file, compiled into each test project with
/// property tests.
/// </summary>
internal static class PropertySeed
{
    /// <summary>The seed of every property test here.</summary>
    public const ulong Seed = 20251203UL;

    /// <summary>FsCheck's gamma paired with <see cref="Seed"/> (any odd constant; the golden-ratio one).</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>Quick-throw configuration with <paramref name="maxTest"/> cases replayed from <see cref="Seed"/>.</summary>
    public static Config Config(int maxTest) => FsCheck.Config.QuickThrowOnFailure
        .WithMaxTest(maxTest)
        .WithReplay(FSharpOption<FsCheck.Replay>.Some(new FsCheck.Replay(new Rnd(Seed, Gamma), FSharpOption<int>.None)));

    /// <summary>Checks <paramref name="property"/> with <see cref="Config"/>; a failure's message starts with the seed.</summary>
    public static void Check(Property property, int maxTest)
    {
        try
        {
            FsCheck.Check.One(Config(maxTest), property);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"property failed with seed {Seed} (gamma {Gamma:x}): {e.Message}", e);
        }
    }
}
