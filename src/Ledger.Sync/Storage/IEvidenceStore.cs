namespace Ledger.Sync;

/// <summary>Where a store keeps evidence (encoded, see docs/wire-format.md): node and relay stores alike.</summary>
public interface IEvidenceStore
{
    /// <summary>Keeps a piece of evidence.</summary>
    /// <exception cref="StorageFullException">The store is at its cap; nothing was written (callers keep the evidence and retry).</exception>
    Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);

    /// <summary>All evidence kept, oldest first.</summary>
    Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default);
}
