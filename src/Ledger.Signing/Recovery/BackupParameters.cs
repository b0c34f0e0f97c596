namespace Ledger.Signing.Recovery;

/// <summary>The Argon2id cost of a passphrase-wrapped backup (parallelism is always 1).</summary>
/// <param name="MemorySizeKiB">Memory in KiB, <see cref="MinMemorySizeKiB"/> to <see cref="MaxMemorySizeKiB"/>.</param>
/// <param name="Passes">Passes over the memory, 1 to <see cref="MaxPasses"/>.</param>
public readonly record struct BackupParameters(uint MemorySizeKiB, uint Passes)
{
    /// <summary>The least memory Argon2id accepts, in KiB.</summary>
    public const uint MinMemorySizeKiB = 8;

    /// <summary>The most memory a backup may ask for, in KiB (1 GiB): a file is untrusted input, and
    /// one that asks for more would exhaust memory before its authentication fails.</summary>
    public const uint MaxMemorySizeKiB = 1u << 20;

    /// <summary>The most passes a backup may ask for, for the same reason as <see cref="MaxMemorySizeKiB"/>.</summary>
    public const uint MaxPasses = 16;

    /// <summary>The production default: 256 MiB and 3 passes (libsodium's "moderate" cost), well under
    /// a second on a laptop and costly to guess at scale.</summary>
    public static BackupParameters Default => new(256 * 1024, 3);

    /// <summary>True when both values are within the bounds a backup may ask for.</summary>
    public bool IsValid => MemorySizeKiB is >= MinMemorySizeKiB and <= MaxMemorySizeKiB && Passes is >= 1 and <= MaxPasses;
}
