using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Tests;

/// <summary>An <see cref="IRelayStore"/> that passes every call to an in-memory store. The test stores that hold or
/// fail one call (a write held under the gate, a read that fails after callers pile up on it) override that one and
/// inherit the rest, instead of each repeating the fifteen pass-throughs. Linked into the test projects that reference
/// Ledger.Sync, as <see cref="ForwardingRelayProtocol"/> is.</summary>
internal abstract class ForwardingRelayStore : IRelayStore
{
    /// <summary>Where the calls go.</summary>
    protected InMemoryRelayStore Inner { get; } = new();

    public long Count => Inner.Count;

    public long SizeBytes => Inner.SizeBytes;

    public long? CapBytes => Inner.CapBytes;

    public virtual Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default) => Inner.AppendAsync(ops, cancellationToken);

    public Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default) => Inner.GetTipAsync(author, cancellationToken);

    public Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default) => Inner.FindAsync(author, seq, cancellationToken);

    public Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default) => Inner.ReadKeyEventsAsync(author, cancellationToken);

    public virtual Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default) => Inner.ReadAsync(fromPosition, max, cancellationToken);

    public Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default) => Inner.ReadAuthorAsync(author, fromSeq, max, cancellationToken);

    public Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => Inner.AddCosignatureAsync(note, cancellationToken);

    public Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default) => Inner.ReadCosignaturesAsync(max, cancellationToken);

    public Task TrimCosignaturesAsync(int keep, CancellationToken cancellationToken = default) => Inner.TrimCosignaturesAsync(keep, cancellationToken);

    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => Inner.AddEvidenceAsync(kind, accused, bytes, cancellationToken);

    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default) => Inner.ReadEvidenceAsync(cancellationToken);

    public Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default) => Inner.KeepBeaconAsync(beacon, cancellationToken);

    public Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default) => Inner.ReadBeaconsAsync(cancellationToken);

    public void Dispose() => Inner.Dispose();
}
