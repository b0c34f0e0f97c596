using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Tests;

/// <summary>An <see cref="IRelayProtocol"/> that passes every call to <see cref="Inner"/>. The test doubles that bend one
/// or two calls (a lying relay's push and pull, a link taken offline, a pull lost, a pull reordered) override those and
/// inherit the rest, instead of each repeating the eight pass-throughs. Linked into the test projects that reference
/// Ledger.Sync; it is not in tests/Shared itself, which every test project compiles.</summary>
internal abstract class ForwardingRelayProtocol : IRelayProtocol
{
    /// <summary>Where the calls go; read on every call, so a double may switch it (or refuse, by throwing).</summary>
    protected abstract IRelayProtocol Inner { get; }

    public virtual Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default) =>
        Inner.PushAsync(batch, cancellationToken);

    public virtual Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default) =>
        Inner.PullAsync(fromPosition, max, cancellationToken);

    public virtual Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) =>
        Inner.FetchAuthorAsync(author, fromSeq, cancellationToken);

    public virtual Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) => Inner.GetCheckpointAsync(size, cancellationToken);

    public virtual Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        Inner.GetConsistencyProofAsync(size1, size2, cancellationToken);

    public virtual Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        Inner.GetInclusionProofAsync(index, size, cancellationToken);

    public virtual Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => Inner.PostCosignatureAsync(note, cancellationToken);

    public virtual Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) => Inner.GetCosignaturesAsync(cancellationToken);
}
