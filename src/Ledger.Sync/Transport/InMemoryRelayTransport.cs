using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>An in-process link to a <see cref="Relay"/>, with switches for the failures real networks have:
/// offline, and an answer lost after the relay stored the batch.</summary>
public sealed class InMemoryRelayTransport(Relay relay) : IRelayTransport
{
    /// <summary>The relay on the other end.</summary>
    public Relay Relay { get; } = relay ?? throw new ArgumentNullException(nameof(relay));

    /// <summary>False: every call fails as if the network were down.</summary>
    public bool Online { get; set; } = true;

    /// <summary>When it returns true for a push, the relay ingests the batch but the answer is lost.</summary>
    public Func<bool>? LoseAnswer { get; set; }

    /// <summary>Round trips made (pushes, pulls and fetches that reached the relay).</summary>
    public long RoundTrips { get; private set; }

    /// <inheritdoc />
    public Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
    {
        EnsureOnline();
        var response = Relay.Ingest(batch);
        if (LoseAnswer?.Invoke() == true) throw new RelayUnavailableException("the relay's answer was lost.");
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
    {
        EnsureOnline();
        return Task.FromResult(Relay.Read(fromPosition, max));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default)
    {
        EnsureOnline();
        return Task.FromResult(Relay.ReadAuthor(author, fromSeq));
    }

    /// <inheritdoc />
    public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default)
    {
        EnsureOnline();
        return Task.FromResult(Relay.Checkpoint(size));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default)
    {
        EnsureOnline();
        return Task.FromResult(Relay.ConsistencyProof(size1, size2));
    }

    /// <inheritdoc />
    public Task PostCosignedCheckpointAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        EnsureOnline();
        Relay.AddCosignedCheckpoint(note);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> GetCosignedCheckpointsAsync(CancellationToken cancellationToken = default)
    {
        EnsureOnline();
        return Task.FromResult(Relay.CosignedCheckpoints());
    }

    private void EnsureOnline()
    {
        if (!Online) throw new RelayUnavailableException("offline: the relay cannot be reached.");
        RoundTrips++;
    }
}
