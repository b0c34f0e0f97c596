namespace Ledger.Kernel;

/// <summary>Where a kernel under a state memory budget (<see cref="KernelOptions.StateMemoryBudget"/>) keeps the rows
/// of evicted segments. The kernel keeps each evicted segment's hash and verifies what it reads back against it, so
/// a store need not be trusted: a missing or changed segment is a <see cref="SegmentDamagedException"/>, never folded.</summary>
/// <remarks>Called from the fold, one call at a time (the kernel is not thread-safe). What a store holds is a cache
/// of one kernel's state: a kernel built again (replay, restore) writes its own segments again. Besides segments the
/// kernel keeps pages of chain hashes (<c>$chain#n</c>) and, with provenance on, each segment's provenance records
/// (<c>$prov#n#table</c>, same branch) under ids no table can have; a store holds them all alike, and the kernel
/// verifies each against the hash it kept.</remarks>
public interface ISegmentStore
{
    /// <summary>Stores (or replaces) the rows of a segment: the canonical row bytes whose SHA-256 under the segment domain is
    /// <paramref name="hash"/> (for a chain page or a provenance record, the hash the kernel keeps of those bytes).</summary>
    void Write(SegmentId id, Hash32 hash, ReadOnlyMemory<byte> rows);

    /// <summary>The rows last written for <paramref name="id"/>, or null when there are none.</summary>
    byte[]? Read(SegmentId id);
}
