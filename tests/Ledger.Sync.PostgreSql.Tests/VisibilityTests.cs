using Ledger.Sync.Conformance;
using Npgsql;

namespace Ledger.Sync.PostgreSql.Tests;

/// <summary>The visibility falsifier: while ingest transactions run concurrently (each its own store, as separate
/// relay instances are), a reader polling the log must never see a gap that later fills — position N+1 visible before
/// N. It has teeth: the same reader against positions taken from a sequence (what the store does not do) sees one.</summary>
public sealed class VisibilityTests(PostgreSqlDatabase database) : IClassFixture<PostgreSqlDatabase>
{
    [Fact]
    [Trait("Risk", "G1")]
    public async Task A_reader_polling_during_concurrent_ingest_transactions_never_sees_a_gap_that_later_fills()
    {
        const string ledger = "visibility";
        var writers = Enumerable.Range(0, 4).Select(_ => new PostgreSqlRelayStore(database.ConnectionString, ledger)).ToArray();
        try
        {
            var chains = Enumerable.Range(0, 4).Select(w => ConformanceOps.Chain("vis-" + w, 199)).ToArray();
            var writing = Task.WhenAll(writers.Select((store, w) => Task.Run(async () =>
            {
                foreach (var batch in chains[w].Chunk(5)) await store.AppendSequencedAsync(ConformanceOps.Stored(batch, 0));
            })));
            var (polls, gaps) = await PollAsync(database.ConnectionString, ledger, writing);
            await writing;
            Assert.Equal(0, gaps);
            Assert.True(polls > 10, $"the reader polled only {polls} times while the writers ran");
            Assert.Equal(800, (await writers[0].RefreshAsync()));
        }
        finally
        {
            foreach (var w in writers) w.Dispose();
        }
    }

    [Fact]
    [Trait("Risk", "G1")]
    public async Task The_falsifier_sees_gaps_when_positions_come_from_a_sequence()
    {
        var cs = database.ConnectionString;
        PostgreSqlServer.Execute(cs, "CREATE TABLE seq_log (position bigint PRIMARY KEY); CREATE SEQUENCE seq_positions MINVALUE 0 START 0;");
        var writing = Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var rng = new Random(w);
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync();
            for (var i = 0; i < 60; i++)
            {
                await using var tx = await connection.BeginTransactionAsync();
                await using (var take = new NpgsqlCommand("INSERT INTO seq_log VALUES (nextval('seq_positions'));", connection, tx)) await take.ExecuteNonQueryAsync();
                await Task.Delay(rng.Next(5));
                await tx.CommitAsync();
            }
        })));
        var (_, gaps) = await PollAsync(cs, null, writing);
        await writing;
        Assert.True(gaps > 0, "the reader never saw a gap: the falsifier has no teeth");
    }

    // Polls the log's positions until the writers finish; counts the polls that saw a gap (a position missing below the
    // highest one visible).
    private static async Task<(int Polls, int Gaps)> PollAsync(string cs, string? ledger, Task writing)
    {
        var polls = 0;
        var gaps = 0;
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        while (!writing.IsCompleted)
        {
            await using var read = new NpgsqlCommand(ledger is null
                ? "SELECT count(*), coalesce(max(position) + 1, 0) FROM seq_log;"
                : "SELECT count(*), coalesce(max(position) + 1, 0) FROM ledger_relay_log WHERE ledger = $1;", connection);
            if (ledger is not null) read.Parameters.Add(new NpgsqlParameter { Value = ledger });
            await using var r = await read.ExecuteReaderAsync();
            await r.ReadAsync();
            if (r.GetInt64(0) != r.GetInt64(1)) gaps++;
            polls++;
        }

        return (polls, gaps);
    }
}
