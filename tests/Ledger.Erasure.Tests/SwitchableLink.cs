using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Erasure.Tests;

/// <summary>A site's link to the relay over any transport; <see cref="Online"/> = false takes the site off the
/// network (every call fails as an unreachable relay does).</summary>
internal sealed class SwitchableLink(IRelayProtocol inner) : IRelayProtocol
{
    public bool Online { get; set; } = true;

    private IRelayProtocol Inner => Online ? inner : throw new RelayUnavailableException("offline: the relay cannot be reached (test).");

    public Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default) => Inner.PushAsync(batch, cancellationToken);

    public Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default) => Inner.PullAsync(fromPosition, max, cancellationToken);

    public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) =>
        Inner.FetchAuthorAsync(author, fromSeq, cancellationToken);

    public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) => Inner.GetCheckpointAsync(size, cancellationToken);

    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        Inner.GetConsistencyProofAsync(size1, size2, cancellationToken);

    public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        Inner.GetInclusionProofAsync(index, size, cancellationToken);

    public Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) => Inner.PostCosignatureAsync(note, cancellationToken);

    public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) => Inner.GetCosignaturesAsync(cancellationToken);
}
