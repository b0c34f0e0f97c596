using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Ledger.Benchmarks;

/// <summary>CPU spent by this process and by the PostgreSQL backends of one database (from /proc, so on the same Linux
/// host only), between two readings. On a host shared with other work, throughput swings with the load; CPU time per
/// op swings much less, and it is what counts when client, relay and database share the same cores. Backends of other
/// databases (other engineers' tests) and the server's shared processes (WAL writer, checkpointer) are not counted,
/// for Ledger and Marten alike. A backend that exits between two readings is lost: read before disposing pools.</summary>
internal sealed class CpuMeter : IDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly NpgsqlConnection _connection;

    public CpuMeter(string connectionString)
    {
        _connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        _connection.Open();
    }

    public static bool Available => OperatingSystem.IsLinux();

    public Reading Read()
    {
        using var process = Process.GetCurrentProcess();
        var client = process.TotalProcessorTime;
        var backends = new Dictionary<int, long>();
        if (Available)
        {
            using var c = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid();", _connection);
            using var r = c.ExecuteReader();
            var pids = new List<int>();
            while (r.Read()) pids.Add(r.GetInt32(0));
            foreach (var pid in pids)
            {
                if (Ticks(pid) is { } ticks) backends[pid] = ticks;
            }
        }

        return new Reading(client, backends);
    }

    public void Dispose() => _connection.Dispose();

    // utime + stime, fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name).
    private static long? Ticks(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public sealed record Reading(TimeSpan Client, Dictionary<int, long> Backends)
    {
        /// <summary>(client, server) CPU seconds from <paramref name="before"/> to this reading.</summary>
        public (double Client, double Server) Since(Reading before)
        {
            var server = Backends.Sum(b => b.Value - before.Backends.GetValueOrDefault(b.Key));
            return ((Client - before.Client).TotalSeconds, server / TicksPerSecond);
        }
    }
}
