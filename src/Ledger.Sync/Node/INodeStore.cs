using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>An op a node holds, as its store keeps it.</summary>
/// <param name="Op">(author, seq).</param>
/// <param name="Bytes">The signed op bytes.</param>
/// <param name="Own">True for the node's own ops.</param>
/// <param name="Position">The relay position, once known (for others' ops: always).</param>
/// <param name="RefusedBy">For own ops the relay refused: why.</param>
public sealed record NodeOpRecord(OpRef Op, ReadOnlyMemory<byte> Bytes, bool Own, long? Position, string? RefusedBy = null);

/// <summary>Where a device node keeps every op it holds — its own chain forever, and for every op the relay
/// position — plus its pull cursor. Every implementation passes the node-store conformance suite. Writes are
/// atomic: a batch is stored whole or not at all, and a write over the cap changes nothing.</summary>
public interface INodeStore : IEvidenceStore, IDisposable
{
    /// <summary>The next relay position to pull (the node holds the relay prefix below it).</summary>
    long Cursor { get; }

    /// <summary>Bytes the store occupies.</summary>
    long SizeBytes { get; }

    /// <summary>The size cap, if any.</summary>
    long? CapBytes { get; }

    /// <summary>Every op held, in the order the node applied them (a legal order).</summary>
    IReadOnlyList<NodeOpRecord> LoadAll();

    /// <summary>The bytes of <paramref name="ops"/>, in the order asked. A node keeps only a ladder record per own op in
    /// memory (its signed bytes would make every own op ever signed live on the heap); pushing reads the bytes here.</summary>
    /// <exception cref="KeyNotFoundException">One of them is not held.</exception>
    IReadOnlyList<ReadOnlyMemory<byte>> Load(IReadOnlyList<OpRef> ops);

    /// <summary>Stores new ops and, when given, the new cursor, in one transaction.</summary>
    /// <exception cref="StorageFullException">Over the cap; nothing was written.</exception>
    void Append(IReadOnlyList<NodeOpRecord> ops, long? cursor = null);

    /// <summary>Records the relay positions of ops already held (acknowledgements), atomically.</summary>
    void SetPositions(IReadOnlyList<(OpRef Op, long Position)> positions);

    /// <summary>Records that the relay refused an own op.</summary>
    void MarkRefused(OpRef op, string reason);

    /// <summary>Replaces the latest checkpoint witnessed for a relay origin (the caller only ever moves it forward).</summary>
    void SaveWitness(string origin, ReadOnlyMemory<byte> note);

    /// <summary>The latest checkpoint witnessed per relay origin.</summary>
    IReadOnlyDictionary<string, byte[]> LoadWitnesses();

    /// <summary>The origin of the relay log that <see cref="Cursor"/> and every stored position refer to; null until
    /// the node first heard from a relay that names itself.</summary>
    string? RelayOrigin { get; }

    /// <summary>Records the relay log the positions refer to (set once, or when a rebuilt successor takes over).</summary>
    void SetRelayOrigin(string origin);
}
