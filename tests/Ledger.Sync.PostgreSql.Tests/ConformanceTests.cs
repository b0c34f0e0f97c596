using Ledger.Sync.Conformance;

namespace Ledger.Sync.PostgreSql.Tests;

// The PostgreSQL store proves itself with the shipped suite, as a third-party store would: by deriving it. Each
// test's store is a ledger of its own in the class's database.
[Trait("Risk", "G1")]
[Trait("Risk", "B3")]
[Trait("Risk", "D4")]
public sealed class PostgreSqlRelayStoreConformance(PostgreSqlDatabase database) : RelayStoreConformance, IClassFixture<PostgreSqlDatabase>
{
    private static int _ledgers;

    protected override IRelayStore Create(long? capBytes = null) =>
        new PostgreSqlRelayStore(database.ConnectionString, "conformance-" + Interlocked.Increment(ref _ledgers), capBytes);

    protected override IRelayStore? Reopen(IRelayStore closed) => new PostgreSqlRelayStore(database.ConnectionString, ((PostgreSqlRelayStore)closed).Ledger);
}

// The tree the PostgreSQL store keeps as tiles answers as the in-memory tree does, across a reopen: the same suite the
// SQLite store derives (Ledger.Sync.Tests).
[Trait("Risk", "D4")]
[Trait("Risk", "B1")]
public sealed class PostgreSqlRelayTreeStoreConformance(PostgreSqlDatabase database) : RelayTreeStoreConformance, IClassFixture<PostgreSqlDatabase>
{
    private static int _ledgers;

    protected override IRelayTreeStore Create() =>
        new PostgreSqlRelayStore(database.ConnectionString, "tree-conformance-" + Interlocked.Increment(ref _ledgers));

    protected override IRelayTreeStore Reopen(IRelayTreeStore closed) => new PostgreSqlRelayStore(database.ConnectionString, ((PostgreSqlRelayStore)closed).Ledger);
}
