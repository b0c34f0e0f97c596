using System.Diagnostics;
using System.Globalization;
using Ledger.Tests;
using Npgsql;

namespace Ledger.Fleet;

/// <summary>The PostgreSQL database of one fleet run: created fresh on the server <c>--pg</c> names (the tills' keys are
/// the same every run, so an old log would mix into the audit), dropped after unless <c>--pg-keep</c>; and the restart
/// of the server during the window (<c>--pg-restart-at</c>, <c>--pg-restart-command</c>).</summary>
internal sealed class FleetDatabase
{
    private readonly string _admin;

    private FleetDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static FleetDatabase Create(string admin)
    {
        var name = "ledger_fleet_" + Guid.NewGuid().ToString("N");
        using var connection = new NpgsqlConnection(admin);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        create.ExecuteNonQuery();
        return new FleetDatabase(admin, name);
    }

    public void Drop()
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_admin);
        connection.Open();
        Ledger.Tests.PostgreSqlDatabases.Drop(connection, Name);
    }

    /// <summary>A simulated restart: the gate in front of the server closed (every relay session cut, new ones refused)
    /// for <paramref name="down"/>, then opened again.</summary>
    public static (bool Ok, string Line) Outage(TcpGate gate, TimeSpan down)
    {
        gate.Close();
        Thread.Sleep(down);
        gate.Open();
        return (true, string.Create(CultureInfo.InvariantCulture, $"the gate in front of it closed for {down.TotalSeconds:F1}s (sessions cut, connections refused)"));
    }

    /// <summary>Runs the restart command (<c>/bin/sh -c</c>); returns whether it exited 0 and what happened, for the report.</summary>
    public static (bool Ok, string Line) Restart(string command)
    {
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{command}' did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            return (false, $"'{command}' did not finish in 120 s (killed)");
        }

        var error = stderr.GetAwaiter().GetResult().Trim();
        return (process.ExitCode == 0, string.Create(CultureInfo.InvariantCulture, $"'{command}' exit {process.ExitCode} in {clock.Elapsed.TotalSeconds:F1}s{(error.Length > 0 ? ": " + error.Split('\n')[0] : "")}"));
    }
}
