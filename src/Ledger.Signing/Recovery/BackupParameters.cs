namespace Ledger.Signing.Recovery;

/// <summary>The Argon2id cost of a passphrase-wrapped backup (parallelism is always 1).</summary>
/// <param name="MemorySizeKiB">Memory in KiB, <see cref="MinMemorySizeKiB"/> to <see cref="MaxMemorySizeKiB"/>.</param>
/// <param name="Passes">Passes over the memory, 1 to <see cref="MaxPasses"/>, with memory × passes at most <see cref="MaxWorkKiB"/>.</param>
public readonly record struct BackupParameters(uint MemorySizeKiB, uint Passes)
{
    /// <summary>The least memory Argon2id accepts, in KiB.</summary>
    public const uint MinMemorySizeKiB = 8;

    /// <summary>The most memory a backup may ask for, in KiB (256 MiB, the production default): the cost sits in
    /// the header, which cannot be authenticated before the key it costs is derived, so a hostile file could otherwise
    /// make a reader allocate that much for nothing.</summary>
    public const uint MaxMemorySizeKiB = 1u << 18;

    /// <summary>The most passes a backup may ask for (within <see cref="MaxWorkKiB"/>).</summary>
    public const uint MaxPasses = 16;

    /// <summary>The most work a backup may ask for: memory in KiB × passes ≤ 1 GiB·pass (4 passes over 256 MiB, 16 over
    /// 64 MiB). Argon2id's time grows with this product; at this bound an unauthenticated header costs a reader at most 4/3
    /// of what opening an honest default backup costs (about 2 s and 300 MiB on a 2-core machine), not the 13 s and 1 GiB
    /// that 1 GiB × 16 passes took (docs/reliability.md).</summary>
    public const ulong MaxWorkKiB = 1UL << 20;

    /// <summary>The production default: 256 MiB and 3 passes (libsodium's "moderate" cost), well under
    /// a second on a laptop and costly to guess at scale.</summary>
    public static BackupParameters Default => new(256 * 1024, 3);

    /// <summary>True when both values, and their product, are within the bounds a backup may ask for.</summary>
    public bool IsValid => MemorySizeKiB is >= MinMemorySizeKiB and <= MaxMemorySizeKiB && Passes is >= 1 and <= MaxPasses
        && (ulong)MemorySizeKiB * Passes <= MaxWorkKiB;

    /// <summary>The bounds, as a sentence for errors.</summary>
    internal static string Bounds =>
        $"Argon2id memory must be {MinMemorySizeKiB}–{MaxMemorySizeKiB} KiB, passes 1–{MaxPasses}, and memory × passes at most {MaxWorkKiB} KiB";
}
