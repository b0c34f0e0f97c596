using Ledger.Sync.Conformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>Many ledgers: a map sends each ledger to its database (exact name, longest prefix, default), and the DI
/// registration builds the relay's store from it.</summary>
public sealed class LedgerMapTests
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task Ledgers_are_stored_in_the_databases_the_map_names_and_UsePostgreSql_builds_the_relay_over_it()
    {
        var first = PostgreSqlServer.CreateDatabase("mapa");
        var second = PostgreSqlServer.CreateDatabase("mapb");
        try
        {
            using var map = new PostgreSqlLedgerMap(first).MapPrefix("tenant-", second).Map(ConformanceOps.Ledger, second);
            Assert.Equal(second, map.ConnectionStringFor("tenant-7"));
            Assert.Equal(first, map.ConnectionStringFor("other"));
            Assert.Throws<InvalidOperationException>(() => new PostgreSqlLedgerMap().ConnectionStringFor("x"));

            var services = new ServiceCollection();
            services.AddLedgerSync(relay: o => o.Ledger = ConformanceOps.Ledger).AddLedgerRelay().UsePostgreSql(map);
            using (var provider = services.BuildServiceProvider())
            {
                var relay = provider.GetRequiredService<Relay>();
                Assert.IsType<PostgreSqlRelayStore>(relay.Store);
                var response = await relay.PushAsync(ConformanceOps.Chain("mapped", 3).Select(o => o.Bytes).ToArray());
                Assert.All(response.Results, r => Assert.Equal(IngestStatus.Accepted, r.Status));
                relay.Store.Dispose();
            }

            // The ledger's ops are in the second database, none in the first.
            Assert.Equal(4L, PostgreSqlServer.Scalar(second, "SELECT count(*) FROM ledger_relay_log;"));
            Assert.Equal(true, PostgreSqlServer.Scalar(first, "SELECT to_regclass('ledger_relay_log') IS NULL;"));
            using var other = map.OpenStore("other");
            Assert.Equal(0, other.Count);
            Assert.Equal(1L, PostgreSqlServer.Scalar(first, "SELECT count(*) FROM ledger_relay_ledgers;"));
        }
        finally
        {
            PostgreSqlServer.DropDatabase(first);
            PostgreSqlServer.DropDatabase(second);
        }
    }
}
