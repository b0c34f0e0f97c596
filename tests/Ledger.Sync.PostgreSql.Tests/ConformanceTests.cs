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
