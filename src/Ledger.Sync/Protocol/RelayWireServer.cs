using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay's side of the wire: decodes a request (<see cref="RelayWire"/>), calls the relay and
/// encodes its answer. Any transport that carries bytes — a pipe, a socket, an HTTP body — serves a relay
/// through it. It answers every input: bytes that are not a request get a <see cref="RelayErrorCode.BadRequest"/>
/// answer naming the field and offset, never an exception.</summary>
public sealed class RelayWireServer
{
    private readonly IRelayProtocol _relay;

    /// <summary>Serves <paramref name="relay"/>.</summary>
    public RelayWireServer(IRelayProtocol relay) => _relay = relay ?? throw Error.ArgumentNull(nameof(relay));

    /// <summary>Answers one request.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken = default)
    {
        RelayRequest decoded;
        try
        {
            decoded = RelayWire.DecodeRequest(request);
        }
        catch (LedgerFormatException e)
        {
            return RelayWire.EncodeError(CallOf(request.Span), RelayErrorCode.BadRequest, e.Message);
        }

        try
        {
            return decoded.Call switch
            {
                RelayCall.Push => RelayWire.EncodePushAnswer(await _relay.PushAsync(decoded.Batch, cancellationToken).ConfigureAwait(false)),
                RelayCall.Pull => RelayWire.EncodePullAnswer(await _relay.PullAsync(decoded.FromPosition, decoded.Max, cancellationToken).ConfigureAwait(false)),
                RelayCall.FetchAuthor => RelayWire.EncodeFetchAuthorAnswer(await _relay.FetchAuthorAsync(decoded.Author, decoded.FromSeq, cancellationToken).ConfigureAwait(false)),
                RelayCall.GetCheckpoint => RelayWire.EncodeCheckpointAnswer(await _relay.GetCheckpointAsync(decoded.Size, cancellationToken).ConfigureAwait(false)),
                RelayCall.GetConsistencyProof => RelayWire.EncodeProofAnswer(RelayCall.GetConsistencyProof,
                    await _relay.GetConsistencyProofAsync(decoded.Size1, decoded.Size2, cancellationToken).ConfigureAwait(false)),
                RelayCall.GetInclusionProof => RelayWire.EncodeProofAnswer(RelayCall.GetInclusionProof,
                    await _relay.GetInclusionProofAsync(decoded.Index, decoded.Size!.Value, cancellationToken).ConfigureAwait(false)),
                RelayCall.PostCosignature => await PostAsync(decoded.Note, cancellationToken).ConfigureAwait(false),
                _ => RelayWire.EncodeCosignaturesAnswer(await _relay.GetCosignaturesAsync(cancellationToken).ConfigureAwait(false)),
            };
        }
        catch (RelayProtocolException e)
        {
            return RelayWire.EncodeError(decoded.Call, e.Code, e.Detail);
        }
        catch (ArgumentOutOfRangeException e)
        {
            return RelayWire.EncodeError(decoded.Call, RelayErrorCode.OutOfRange, e.Message);
        }
        catch (Exception e) when (e is ArgumentException or LedgerFormatException)
        {
            return RelayWire.EncodeError(decoded.Call, RelayErrorCode.BadRequest, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The relay failed (its store, say): the caller may repeat the call later. The detail names the
            // failure's type and message; it never carries key material (the relay holds none but its note key).
            return RelayWire.EncodeError(decoded.Call, RelayErrorCode.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<byte[]> PostAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken)
    {
        await _relay.PostCosignatureAsync(note, cancellationToken).ConfigureAwait(false);
        return RelayWire.EncodePostCosignatureAnswer();
    }

    // The call number of a request that did not decode, so the error answer names it when it can: the second
    // element of the outer array when that is a small positive integer, else Push (the first call).
    private static RelayCall CallOf(ReadOnlySpan<byte> request) =>
        request.Length >= 3 && request[0] == 0x93 && request[2] is >= 1 and <= 8 ? (RelayCall)request[2] : RelayCall.Push;
}
