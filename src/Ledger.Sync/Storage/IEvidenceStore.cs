namespace Ledger.Sync;

/// <summary>Where a store keeps evidence (encoded, see docs/wire-format.md): node and relay stores alike.</summary>
public interface IEvidenceStore
{
    /// <summary>Keeps a piece of evidence.</summary>
    /// <exception cref="StorageFullException">The store is at its cap; nothing was written (callers keep the evidence and retry).</exception>
    void AddEvidence(string kind, string accused, ReadOnlyMemory<byte> bytes);

    /// <summary>All evidence kept, oldest first.</summary>
    IReadOnlyList<(string Kind, string Accused, byte[] Bytes)> Evidence();
}
