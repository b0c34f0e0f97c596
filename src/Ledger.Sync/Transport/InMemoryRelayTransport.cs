using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>An in-process link to a <see cref="Relay"/> that carries every call in its wire form: each request is
/// encoded (<see cref="RelayWire"/>), answered by a <see cref="RelayWireServer"/> and decoded again, so every test
/// and the demo exercise the bytes a network transport sends. Switches give the failures real networks have:
/// offline, and an answer lost after the relay stored the batch.</summary>
public sealed class InMemoryRelayTransport : IRelayProtocol
{
    private readonly RelayWireServer _server;
    private readonly RelayWireClient _client;

    /// <summary>Links to <paramref name="relay"/>.</summary>
    public InMemoryRelayTransport(Relay relay)
    {
        Relay = relay ?? throw Error.ArgumentNull(nameof(relay));
        _server = new RelayWireServer(relay);
        _client = new RelayWireClient(ExchangeAsync);
    }

    /// <summary>The relay on the other end.</summary>
    public Relay Relay { get; }

    /// <summary>False: every call fails as if the network were down.</summary>
    public bool Online { get; set; } = true;

    /// <summary>When it returns true for a push, the relay ingests the batch but the answer is lost.</summary>
    public Func<bool>? LoseAnswer { get; set; }

    /// <summary>Round trips made (calls that reached the relay).</summary>
    public long RoundTrips { get; private set; }

    /// <summary>Bytes carried both ways, requests and answers.</summary>
    public long BytesCarried { get; private set; }

    /// <inheritdoc />
    public async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
    {
        var response = await _client.PushAsync(batch, cancellationToken).ConfigureAwait(false);
        if (LoseAnswer?.Invoke() == true) throw Error.RelayUnavailable("the relay's answer was lost.");
        return response;
    }

    /// <inheritdoc />
    public Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default) =>
        _client.PullAsync(fromPosition, max, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) =>
        _client.FetchAuthorAsync(author, fromSeq, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) =>
        _client.GetCheckpointAsync(size, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        _client.GetConsistencyProofAsync(size1, size2, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        _client.GetInclusionProofAsync(index, size, cancellationToken);

    /// <inheritdoc />
    public Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) =>
        _client.PostCosignatureAsync(note, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) =>
        _client.GetCosignaturesAsync(cancellationToken);

    private async Task<ReadOnlyMemory<byte>> ExchangeAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        if (!Online) throw Error.RelayUnavailable("offline: the relay cannot be reached.");
        RoundTrips++;
        var answer = await _server.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        BytesCarried += request.Length + answer.Length;
        return answer;
    }
}
