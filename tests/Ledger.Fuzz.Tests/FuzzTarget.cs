namespace Ledger.Fuzz.Tests;

/// <summary>One public decoder under fuzzing.</summary>
/// <param name="Name">The target's name, used in the replay form and in docs/reliability.md.</param>
/// <param name="Seeds">Valid inputs (every one must be accepted).</param>
/// <param name="Check">Runs the decoder on one input: true when it accepted it (and every property held), false when it
/// refused it with its documented typed failure. Any other exception, or a broken property, escapes.</param>
/// <param name="Weight">Relative share of the CI case budget (the slow targets, e.g. Argon2id, get less).</param>
internal sealed record FuzzTarget(string Name, Func<IReadOnlyList<byte[]>> Seeds, Func<byte[], bool> Check, double Weight = 1);

/// <summary>A property of an accepted input did not hold (e.g. it re-encodes to other bytes).</summary>
internal sealed class FuzzPropertyException(string message) : Exception(message);

/// <summary>What a target's checks use.</summary>
internal static class Expect
{
    /// <summary>Runs <paramref name="decode"/>; its documented failure <typeparamref name="TFailure"/> means "refused".</summary>
    public static bool Typed<TFailure>(Func<bool> decode)
        where TFailure : Exception
    {
        try
        {
            return decode();
        }
        catch (TFailure)
        {
            return false;
        }
    }

    /// <summary>"Decodes" implies "re-encodes to the same bytes".</summary>
    public static void SameBytes(ReadOnlySpan<byte> input, ReadOnlySpan<byte> reencoded, string what)
    {
        if (!input.SequenceEqual(reencoded))
        {
            throw new FuzzPropertyException($"{what}: decoded, but re-encodes to other bytes (first difference at byte {input.CommonPrefixLength(reencoded)}; {input.Length} bytes in, {reencoded.Length} out).");
        }
    }

    /// <summary>An accepted input must be one of the seeds (authenticated formats: nothing else can open or verify).</summary>
    public static void IsASeed(byte[] input, IReadOnlyList<byte[]> seeds, string what)
    {
        if (!seeds.Any(s => s.AsSpan().SequenceEqual(input))) throw new FuzzPropertyException($"{what}: accepted bytes that are not one of the authenticated seeds.");
    }

    /// <summary>Runs a check that is documented never to throw.</summary>
    public static T NeverThrows<T>(Func<T> check) => check();
}
