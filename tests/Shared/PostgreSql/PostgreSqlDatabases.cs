using Npgsql;

namespace Ledger.Tests;

/// <summary>Dropping a database made for a test, a fleet run or a benchmark (linked into each of those programs).</summary>
internal static class PostgreSqlDatabases
{
    /// <summary>Drops <paramref name="name"/> through <paramref name="admin"/>, ending its sessions first.</summary>
    /// <remarks>FORCE ends the database's sessions, but a role that is not a superuser (nor in pg_signal_backend) may
    /// not end an autovacuum worker's: 42501 while one runs there. It ends in moments on these small databases, so the
    /// drop is asked again (up to 10 s); seen once ending a benchmark run.</remarks>
    public static void Drop(NpgsqlConnection admin, string name)
    {
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);", admin);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                drop.ExecuteNonQuery();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 50)
            {
                Thread.Sleep(200);
            }
        }
    }
}
