using Npgsql;

namespace Ledger.Sync;

/// <summary>One step of the schema: SQL, then (optionally) code that fills what SQL alone cannot — the tiles of an
/// existing log hash every op with SHA-256 — run on the same connection, inside the upgrade transaction.</summary>
/// <param name="Sql">The statements of the step.</param>
/// <param name="Then">Code run after them: the connection, the store's name for messages, a token.</param>
internal sealed record PostgreSqlSchemaStep(string Sql, Func<NpgsqlConnection, string, CancellationToken, Task>? Then = null)
{
    public static implicit operator PostgreSqlSchemaStep(string sql) => new(sql);
}
