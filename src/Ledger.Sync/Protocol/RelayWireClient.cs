using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A relay reached through encoded messages (<see cref="RelayWire"/>): each call is encoded, handed to
/// <c>exchange</c> (a pipe, a socket, an HTTP body, or <see cref="RelayWireServer.HandleAsync"/> in process),
/// and the answer decoded. An answer that does not decode is a failed call (<see cref="RelayUnavailableException"/>
/// naming the field and offset), never a wrong result.</summary>
public sealed class RelayWireClient : IRelayProtocol
{
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, Task<ReadOnlyMemory<byte>>> _exchange;

    /// <summary>Creates a client that sends each encoded request through <paramref name="exchange"/> and decodes
    /// what it returns. The exchange throws <see cref="RelayUnavailableException"/> when the relay cannot be reached.</summary>
    public RelayWireClient(Func<ReadOnlyMemory<byte>, CancellationToken, Task<ReadOnlyMemory<byte>>> exchange) =>
        _exchange = exchange ?? throw Error.ArgumentNull(nameof(exchange));

    /// <inheritdoc />
    public Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.Push(batch), RelayWire.DecodePushAnswer, cancellationToken);

    /// <inheritdoc />
    public Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.Pull(fromPosition, max), RelayWire.DecodePullAnswer, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.FetchAuthor(author, fromSeq), RelayWire.DecodeFetchAuthorAnswer, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.GetCheckpoint(size), RelayWire.DecodeCheckpointAnswer, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.GetConsistencyProof(size1, size2), b => RelayWire.DecodeProofAnswer(b, RelayCall.GetConsistencyProof), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.GetInclusionProof(index, size), b => RelayWire.DecodeProofAnswer(b, RelayCall.GetInclusionProof), cancellationToken);

    /// <inheritdoc />
    public Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.PostCosignature(note), b =>
        {
            RelayWire.DecodePostCosignatureAnswer(b);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) =>
        CallAsync(RelayRequest.GetCosignatures(), RelayWire.DecodeCosignaturesAnswer, cancellationToken);

    private async Task<T> CallAsync<T>(RelayRequest request, Func<ReadOnlyMemory<byte>, T> decode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var answer = await _exchange(RelayWire.EncodeRequest(request), cancellationToken).ConfigureAwait(false);
        try
        {
            return decode(answer);
        }
        catch (LedgerFormatException e)
        {
            throw Error.RelayUnavailable($"the relay's answer to {request.Call} is not understood: {e.Message}", e);
        }
        catch (RelayProtocolException e) when (e.Code == RelayErrorCode.Failed)
        {
            throw Error.RelayUnavailable($"the relay failed while answering {request.Call}: {e.Detail}", e);
        }
    }
}
