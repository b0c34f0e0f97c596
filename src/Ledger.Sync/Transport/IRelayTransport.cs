using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>How a node talks to a relay. In memory for tests and the demo; HTTP for real deployments.</summary>
public interface IRelayTransport
{
    /// <summary>Sends a batch of signed ops; the relay persists before it answers.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached or did not answer; the batch may or may not have been stored (resending is safe).</exception>
    Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default);

    /// <summary>Reads ops from a relay position.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default);

    /// <summary>Reads one author's chain from <paramref name="fromSeq"/> (recovery fetches its own tip this way).</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default);

    /// <summary>The relay-signed checkpoint of the first <paramref name="size"/> ops (null: the latest), or null
    /// when the relay signs no checkpoints.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default);

    /// <summary>The RFC 9162 consistency proof from <paramref name="size1"/> to <paramref name="size2"/>.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default);

    /// <summary>Hands the relay a checkpoint this node cosigned, for other nodes to compare with.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task PostCosignedCheckpointAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default);

    /// <summary>The cosigned checkpoints other nodes posted.</summary>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    Task<IReadOnlyList<byte[]>> GetCosignedCheckpointsAsync(CancellationToken cancellationToken = default);
}

/// <summary>The relay could not be reached, or its answer was lost.</summary>
public sealed class RelayUnavailableException(string message, Exception? inner = null) : LedgerException(message, inner);
