using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>One push waiting to be ingested in a group (<see cref="PushGroupQueue"/>): its batch, what was prepared
/// before the gate, and, while its group is ingested, what waits for the group's commit.</summary>
internal sealed class GroupMember(IReadOnlyList<ReadOnlyMemory<byte>> batch, PreparedBatch? prepared, CancellationToken cancellationToken)
{
    // Continuations run on the thread pool: the group's leader goes on to answer the other members, never into a pusher's code.
    private readonly TaskCompletionSource<IngestResponse> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<ReadOnlyMemory<byte>> Batch { get; } = batch;

    public PreparedBatch? Prepared { get; } = prepared;

    /// <summary>The pusher's token: honoured when the member is ingested alone; a group's shared work never takes it
    /// (one pusher going away must not fail the others).</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The answer, once the member is settled.</summary>
    public Task<IngestResponse> Outcome => _answer.Task;

    public bool Settled => _answer.Task.IsCompleted;

    /// <summary>The member's answer with the group's positions still tentative (the view's), or the error it met.</summary>
    public IngestResponse? Response { get; set; }

    public Exception? Failure { get; set; }

    /// <summary>Forks found in the member, kept as evidence once the group is stored.</summary>
    public List<Evidence> Forks { get; } = [];

    /// <summary>The member's accepted ops at their tentative positions.</summary>
    public List<StoredOp> Accepted { get; } = [];

    /// <summary>Every author the batch names: their cached chains are forgotten when the group is not stored.</summary>
    public IEnumerable<AuthorId> Authors => Prepared is null ? [] : Prepared.Decoded.Where(o => o is not null).Select(o => o!.Op.Author).Distinct();

    /// <summary>Forgets what an attempt at the group left (the group is ingested again, or the member alone).</summary>
    public void Reset()
    {
        Response = null;
        Failure = null;
        Forks.Clear();
        Accepted.Clear();
    }

    public void Reply(IngestResponse response) => _answer.TrySetResult(response);

    public void Fail(Exception error) => _answer.TrySetException(error);
}
