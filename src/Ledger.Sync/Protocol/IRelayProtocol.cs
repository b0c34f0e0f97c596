using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The relay protocol: every call a device (or any client) makes to a relay, under the same names on
/// <see cref="Relay"/> itself, on <see cref="InMemoryRelayTransport"/>, on <see cref="RelayWireClient"/> and in
/// docs/wire-format.md ("Relay protocol v1"), where each request and answer has one canonical encoding.</summary>
/// <remarks>Every call is idempotent: repeating one after a <see cref="RelayUnavailableException"/> is safe.</remarks>
public interface IRelayProtocol
{
    /// <summary>Sends a batch of signed ops; the relay persists before it answers.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached or did not answer; the batch may or may not have been stored (resending is safe).</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request itself (not an op of it).</exception>
    Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="max"/> ops from a relay position.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default);

    /// <summary>Reads one author's chain from <paramref name="fromSeq"/> (recovery fetches its own tip this way).</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    /// <exception cref="RelayProtocolException">The relay refused the request.</exception>
    Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default);

    /// <summary>The relay-signed checkpoint of the first <paramref name="size"/> ops (null: the latest), or null
    /// when the relay signs no checkpoints.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    /// <exception cref="RelayProtocolException">The size is beyond the relay's log, or negative.</exception>
    Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default);

    /// <summary>The RFC 9162 consistency proof from <paramref name="size1"/> to <paramref name="size2"/>.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    /// <exception cref="RelayProtocolException">The sizes are out of order or beyond the relay's log.</exception>
    Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default);

    /// <summary>The RFC 9162 inclusion proof of the op at <paramref name="index"/> in the tree of the first
    /// <paramref name="size"/> ops.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    /// <exception cref="RelayProtocolException">The index or size is out of range.</exception>
    Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default);

    /// <summary>Hands the relay a checkpoint a witness cosigned, for other nodes to compare with; the relay keeps it.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    /// <exception cref="RelayProtocolException">The note is not a signed note.</exception>
    Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default);

    /// <summary>The cosigned checkpoints witnesses posted, oldest first.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default);
}
