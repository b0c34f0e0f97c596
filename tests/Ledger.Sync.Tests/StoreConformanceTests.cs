using System.Runtime.CompilerServices;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.Sync.Conformance;

namespace Ledger.Sync.Tests;

// Every store this repository ships proves itself with the shipped suites (Ledger.Sync.Conformance), as a third-party
// store would: by deriving them.

[Trait("Risk", "A1")]
[Trait("Risk", "B3")]
public sealed class InMemoryNodeStoreConformance : NodeStoreConformance
{
    protected override INodeStore Create(long? capBytes = null) => new InMemoryNodeStore(capBytes);
}

[Trait("Risk", "A1")]
[Trait("Risk", "B3")]
public sealed class SqliteNodeStoreConformance : NodeStoreConformance
{
    protected override INodeStore Create(long? capBytes = null) => new SqliteNodeStore(Path.Combine(World.TempDir(), "node.db"), capBytes);

    protected override INodeStore? Reopen(INodeStore closed) => new SqliteNodeStore(((SqliteNodeStore)closed).Path);
}

[Trait("Risk", "G1")]
[Trait("Risk", "B3")]
[Trait("Risk", "D4")]
public sealed class InMemoryRelayStoreConformance : RelayStoreConformance
{
    protected override IRelayStore Create(long? capBytes = null) => new InMemoryRelayStore(capBytes);
}

[Trait("Risk", "G1")]
[Trait("Risk", "B3")]
[Trait("Risk", "D4")]
public sealed class SqliteRelayStoreConformance : RelayStoreConformance
{
    protected override IRelayStore Create(long? capBytes = null) => new SqliteRelayStore(Path.Combine(World.TempDir(), "relay.db"), capBytes);

    protected override IRelayStore? Reopen(IRelayStore closed) => new SqliteRelayStore(((SqliteRelayStore)closed).Path);
}

// The tree a SQLite relay store keeps in its file (tiles) answers as the in-memory tree does, across a reopen. The
// PostgreSQL store derives the same suite (Ledger.Sync.PostgreSql.Tests).
[Trait("Risk", "D4")]
[Trait("Risk", "B1")]
public sealed class SqliteRelayTreeStoreConformance : RelayTreeStoreConformance
{
    protected override IRelayTreeStore Create() => new SqliteRelayStore(Path.Combine(World.TempDir(), "relay.db"));

    protected override IRelayTreeStore Reopen(IRelayTreeStore closed) => new SqliteRelayStore(((SqliteRelayStore)closed).Path);
}

/// <summary>The suites have teeth: stores broken in one way each fail the fact about that way.</summary>
public class ConformanceSuiteTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_node_store_that_reorders_a_page_fails_the_node_store_conformance_suite()
    {
        var suite = new ReorderingNodeStoreSuite();
        await Assert.ThrowsAnyAsync<Exception>(suite.Thousands_of_ops_read_back_page_after_page_in_order_each_once);
        await Assert.ThrowsAnyAsync<Exception>(suite.Ops_come_back_in_the_order_applied_with_positions_cursor_and_refusals);
        // The same suite passes on the store it wraps, so the failures are the reordering's.
        await new InMemoryNodeStoreConformance().Thousands_of_ops_read_back_page_after_page_in_order_each_once();
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_relay_store_that_forgets_its_cosignatures_fails_the_relay_store_conformance_suite()
    {
        var suite = new ForgetfulRelayStoreSuite();
        await Assert.ThrowsAnyAsync<Exception>(suite.Cosignatures_are_kept_and_the_newest_are_read_oldest_first);
        await new InMemoryRelayStoreConformance().Cosignatures_are_kept_and_the_newest_are_read_oldest_first();
    }

    [Fact]
    [Trait("Risk", "G2")]
    public async Task A_relay_store_that_lets_an_older_beacon_replace_a_newer_one_fails_the_relay_store_conformance_suite()
    {
        var suite = new ForgetfulRelayStoreSuite();
        await Assert.ThrowsAnyAsync<Exception>(suite.Beacons_are_kept_latest_per_author_bounded_and_survive_a_reopen);
        await new InMemoryRelayStoreConformance().Beacons_are_kept_latest_per_author_bounded_and_survive_a_reopen();
    }

    private sealed class ReorderingNodeStoreSuite : NodeStoreConformance
    {
        protected override INodeStore Create(long? capBytes = null) => new ReorderingStore(new InMemoryNodeStore(capBytes));
    }

    private sealed class ForgetfulRelayStoreSuite : RelayStoreConformance
    {
        protected override IRelayStore Create(long? capBytes = null) => new ForgetfulStore(capBytes);
    }

    /// <summary>Serves each page of up to 1,000 records with its first two swapped.</summary>
    private sealed class ReorderingStore(INodeStore inner) : WrappedNodeStore(inner)
    {
        public override async IAsyncEnumerable<NodeOpRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var page = new List<NodeOpRecord>();
            await foreach (var record in base.ReadAllAsync(cancellationToken))
            {
                page.Add(record);
                if (page.Count == 1000)
                {
                    foreach (var r in Swapped(page)) yield return r;
                    page.Clear();
                }
            }

            foreach (var r in Swapped(page)) yield return r;
        }

        private static IEnumerable<NodeOpRecord> Swapped(List<NodeOpRecord> page)
        {
            if (page.Count >= 2) (page[0], page[1]) = (page[1], page[0]);
            return page;
        }
    }

    /// <summary>Keeps only the last cosignature.</summary>
    private sealed class ForgetfulStore(long? capBytes) : IRelayStore
    {
        private readonly InMemoryRelayStore _inner = new(capBytes);
        private byte[]? _last;
        private readonly Dictionary<AuthorId, BeaconRecord> _beacons = new();

        public long Count => _inner.Count;

        public long SizeBytes => _inner.SizeBytes;

        public long? CapBytes => _inner.CapBytes;

        public Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default) => _inner.GetTipAsync(author, cancellationToken);

        public Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default) => _inner.FindAsync(author, seq, cancellationToken);

        public Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default) => _inner.ReadKeyEventsAsync(author, cancellationToken);

        public Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default) => _inner.AppendAsync(ops, cancellationToken);

        public Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default) => _inner.ReadAsync(fromPosition, max, cancellationToken);

        public Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default) =>
            _inner.ReadAuthorAsync(author, fromSeq, max, cancellationToken);

        public Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
        {
            _last = note.ToArray();
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<byte[]>>(_last is null || max == 0 ? [] : [_last]);

        public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
            _inner.AddEvidenceAsync(kind, accused, bytes, cancellationToken);

        // Keeps whichever beacon came last, older or not.
        public Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default)
        {
            _beacons[beacon.Author] = beacon;
            return Task.FromResult(true);
        }

        public Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<BeaconRecord>>(_beacons.Values.OrderBy(b => b.Author.Value, StringComparer.Ordinal).ToArray());

        public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default) => _inner.ReadEvidenceAsync(cancellationToken);

        public void Dispose() => _inner.Dispose();
    }
}
