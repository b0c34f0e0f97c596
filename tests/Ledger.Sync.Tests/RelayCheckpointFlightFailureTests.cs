using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Tests;

namespace Ledger.Sync.Tests;

/// <summary>The one signing of the latest checkpoint that every caller missing the cache joins (Relay.GetCheckpointAsync):
/// a signing that fails fails every caller that joined it with the store's own error, and the next caller signs again —
/// a failure is never served from the cache.</summary>
public sealed class RelayCheckpointFlightFailureTests
{
    private const string Origin = "relay.example/flight";

    private static Relay NewRelay(FailingReadStore store) =>
        new(new RelayOptions { Ledger = World.Ledger, Origin = Origin, CheckpointKey = World.Key("relay", 0) }, store);

    [Fact]
    public async Task A_signing_the_store_fails_fails_every_caller_that_joined_it_typed_and_the_next_caller_signs_again()
    {
        var store = new FailingReadStore();
        var relay = NewRelay(store);
        var chain = World.Chain("flight", 2);
        await relay.PushAsync(chain.Select(o => o.Bytes).ToArray());

        store.FailNextRead(new StoreUnavailableException("the test store", "unreachable just now"), hold: true);
        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(() => relay.GetCheckpointAsync())).ToArray();
        await store.Holding.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        store.Release();
        foreach (var caller in callers) await Assert.ThrowsAsync<StoreUnavailableException>(() => caller.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, store.Failures);

        Assert.Equal(3, Size((await relay.GetCheckpointAsync().WaitAsync(TimeSpan.FromSeconds(10)))!));
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_signing_that_ended_cancelled_is_not_served_to_later_callers()
    {
        // A store may end a read with an OperationCanceledException of its own (its command timed out, its connection was
        // closed under it) though nobody cancelled: the signing's task then ends Canceled, not Faulted. Before the fix
        // every later caller joined that finished flight and got the cancellation again — a quiet ledger's latest
        // checkpoint failed (HTTP 503) until the next push.
        var store = new FailingReadStore();
        var relay = NewRelay(store);
        var chain = World.Chain("flight", 2);
        await relay.PushAsync(chain.Select(o => o.Bytes).ToArray());

        store.FailNextRead(new OperationCanceledException("the store's command timed out"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => relay.GetCheckpointAsync().WaitAsync(TimeSpan.FromSeconds(10)));

        var note = await relay.GetCheckpointAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, Size(note!));
        Assert.True(SignedNote.Parse(note).Verify([relay.CheckpointVerifierKey!]).Ok);
    }

    private static long Size(byte[] note) =>
        RelayCheckpoint.TryParse(SignedNote.Parse(note), out var checkpoint, out var problem) ? checkpoint!.Size : throw new InvalidOperationException(problem);

    /// <summary>The in-memory store, whose next read can fail (after being held open, so callers pile up on it).</summary>
    private sealed class FailingReadStore : ForwardingRelayStore
    {
        private Exception? _fail;
        private TaskCompletionSource? _release;
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _failures;

        public Task Holding => _holding.Task;

        public int Failures => Volatile.Read(ref _failures);

        public void FailNextRead(Exception failure, bool hold = false)
        {
            _release = hold ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            Volatile.Write(ref _fail, failure);
        }

        public void Release() => _release?.TrySetResult();

        public override async Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _fail, null) is { } failure)
            {
                _holding.TrySetResult();
                if (_release is { } release) await release.Task.WaitAsync(cancellationToken);
                Interlocked.Increment(ref _failures);
                throw failure;
            }

            return await Inner.ReadAsync(fromPosition, max, cancellationToken);
        }
    }
}
