using Ledger.Fleet;

// dotnet run -c Release --project benchmarks/Ledger.Fleet -- [--tills 10000] [--rate 200] [--duration 600] [--kill-every 60]
//     [--fault-share 0.1] [--fault-rate 0.3] [--concurrency 256] [--observers 3] [--till-polls 0 [--till-events true]] [--notice-interval-ms 0] [--store sqlite|postgres --pg <conn>]
//     [--pg-restart-at <seconds> [--pg-restart-command 'pg_ctlcluster 15 main restart']] [--pg-keep]
//     [--work <dir>] [--summary <file.json>]
// --store postgres: two relay instances (separate processes) over a fresh database created on the --pg server (CREATEDB),
// sharing one checkpoint key; kills alternate between them; the database is dropped after unless --pg-keep.
// Exits 0 when the audit passed, 1 when a check failed, 2 on bad arguments.
if (args.Length > 0 && args[0] == "--serve-relay") return await RelayServe.RunAsync(args);
// --check-model fit1.json fit2.json [more...] target.json: the capacity model of docs/scaling.md fitted on all but the last, checked on the last.
if (args.Length > 0 && args[0] == "--check-model") return ModelCheck.Run(args[1..], Console.Out);
FleetOptions options;
try
{
    options = FleetOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

try
{
    var report = await FleetRun.RunAsync(options);
    return report.Passed ? 0 : 1;
}
catch (Exception e) when (e is NotSupportedException or Npgsql.NpgsqlException or ArgumentException)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}
