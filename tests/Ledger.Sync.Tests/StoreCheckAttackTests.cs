using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>A second pair of eyes on the SQLite node store's integrity check after open (risk B2): a store closed
/// while its check is about to run stops it at once, the writes that waited for it fail typed, and it never reports a
/// check it did not finish as passed.</summary>
public sealed class StoreCheckAttackTests
{
    private static async Task<string> NodeFileAsync()
    {
        var path = Path.Combine(World.TempDir(), "node.db");
        await using (var node = await World.NewNodeAsync("till-c", new SqliteNodeStore(path)))
        {
            for (var i = 0; i < 3; i++) await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("k", i));
        }

        return path;
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_store_closed_when_its_check_is_about_to_run_stops_it_at_once_fails_the_waiting_write_typed_and_never_says_it_passed()
    {
        var path = await NodeFileAsync();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The seam runs once the check's connection is open, before its statement: the store closes right there, when
        // there is no statement for sqlite3_interrupt to stop.
        var store = new SqliteNodeStore(path, null, token =>
        {
            entered.TrySetResult();
            return Task.Delay(Timeout.Infinite, token);
        });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // A write waits for the check (on the caller's thread: the store's methods are synchronous under its gate).
        var chain = World.Chain("till-late", 0);
        var append = Task.Run(() => store.AppendAsync([new NodeOpRecord(chain[0].Ref, chain[0].Bytes, false, null)]));
        await Task.Delay(50);
        Assert.False(append.IsCompleted);

        await Task.Run(store.Dispose).WaitAsync(TimeSpan.FromSeconds(60));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => append);
        Assert.Equal(StoreCheckStatus.Pending, store.IntegrityStatus);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.EnsureIntactAsync());

        // Nothing was written, and the file opens again with a check that passes.
        using var reopened = new SqliteNodeStore(path);
        await reopened.EnsureIntactAsync();
        Assert.Equal(StoreCheckStatus.Passed, reopened.IntegrityStatus);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => reopened.LoadAsync([chain[0].Ref]));
    }

    [Fact]
    [Trait("Risk", "B2")]
    public async Task A_write_that_reaches_a_store_closed_after_its_check_passed_is_refused_as_closed_not_with_sqlites_connection_error()
    {
        var path = await NodeFileAsync();
        var store = new SqliteNodeStore(path);
        await store.EnsureIntactAsync();
        store.Dispose();
        var chain = World.Chain("till-late", 0);
        var e = await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync([new NodeOpRecord(chain[0].Ref, chain[0].Bytes, false, null)]));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.SetPositionsAsync([(chain[0].Ref, 0L)]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AddEvidenceAsync("kind", "someone", new byte[] { 1 }));
    }
}
