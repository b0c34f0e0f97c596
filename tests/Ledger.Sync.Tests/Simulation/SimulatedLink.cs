using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.Tests.Simulation;

/// <summary>A device's line to the relay under the fault simulator: every call goes through the wire codec
/// (<see cref="InMemoryRelayTransport"/>) to whichever relay process is current (<paramref name="wire"/> makes the
/// connection), and the simulator arms faults for the next call: the request lost, the answer lost, the request
/// delivered twice, or a push held back and delivered later, out of order, before another. A partition cuts the line in
/// both directions until it heals: nothing is sent, held pushes stay held.</summary>
internal sealed class SimulatedLink(Func<IRelayProtocol> wire) : IRelayProtocol
{
    private readonly List<IReadOnlyList<ReadOnlyMemory<byte>>> _held = [];

    public bool Online { get; set; } = true;

    /// <summary>Cut off from the relay by a partition (both directions) until this step; -1 when not.</summary>
    public int PartitionedUntil { get; set; } = -1;

    public bool Partitioned => PartitionedUntil >= 0;

    private bool Reachable => Online && !Partitioned;

    public LinkFault NextFault { get; set; }

    private IRelayProtocol Wire => wire();

    private async Task<T> CallAsync<T>(Func<IRelayProtocol, Task<T>> call)
    {
        if (!Online) throw new RelayUnavailableException("offline (simulated).");
        if (Partitioned) throw new RelayUnavailableException("partitioned from the relay (simulated).");
        var fault = NextFault;
        NextFault = LinkFault.None;
        switch (fault)
        {
            case LinkFault.LoseRequest:
                throw new RelayUnavailableException("the request was lost (simulated).");
            case LinkFault.LoseAnswer:
                await call(Wire).ConfigureAwait(false);
                throw new RelayUnavailableException("the answer was lost (simulated).");
            case LinkFault.Duplicate:
                await call(Wire).ConfigureAwait(false);
                return await call(Wire).ConfigureAwait(false);
            default:
                return await call(Wire).ConfigureAwait(false);
        }
    }

    public async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
    {
        if (NextFault == LinkFault.HoldBack && Reachable)
        {
            // Delivered later, before some other push: the relay sees batches out of order and a stale duplicate.
            NextFault = LinkFault.None;
            _held.Add(batch.Select(b => (ReadOnlyMemory<byte>)b.ToArray()).ToArray());
            throw new RelayUnavailableException("the request is delayed in the network (simulated).");
        }

        if (_held.Count > 0 && Reachable)
        {
            foreach (var late in _held) await Wire.PushAsync(late, cancellationToken).ConfigureAwait(false);
            _held.Clear();
        }

        return await CallAsync(w => w.PushAsync(batch, cancellationToken)).ConfigureAwait(false);
    }

    public Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default) =>
        CallAsync(w => w.PullAsync(fromPosition, max, cancellationToken));

    public Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default) =>
        CallAsync(w => w.FetchAuthorAsync(author, fromSeq, cancellationToken));

    public Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default) =>
        CallAsync(w => w.GetCheckpointAsync(size, cancellationToken));

    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        CallAsync(w => w.GetConsistencyProofAsync(size1, size2, cancellationToken));

    public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        CallAsync(w => w.GetInclusionProofAsync(index, size, cancellationToken));

    public Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default) =>
        CallAsync(async w =>
        {
            await w.PostCosignatureAsync(note, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default) =>
        CallAsync(w => w.GetCosignaturesAsync(cancellationToken));
}

/// <summary>A fault armed for a link's next call.</summary>
internal enum LinkFault
{
    None,
    LoseRequest,
    LoseAnswer,
    Duplicate,
    HoldBack,
}
