using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;

// One relay instance of a fleet, in its own process, for the scale-out and crash tests: a Kestrel relay on loopback
// (port chosen by the system) over the PostgreSQL store of one ledger, signing checkpoints with the key the fleet
// shares. Prints "LISTENING <url>" once it serves; runs until killed or stdin closes.
// Arguments: <connection string> <ledger> <origin> <checkpoint key seed, hex>
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: <connection string> <ledger> <origin> <checkpoint key seed hex>");
    return 2;
}

using var store = new PostgreSqlRelayStore(args[0], args[1]);
// Long polls on this instance wake when another instance stores ops.
await using var listener = new PostgreSqlRelayListener(args[0], [store]);
using var relay = new Relay(new RelayOptions { Ledger = args[1], Origin = args[2], CheckpointKey = SigningKey.FromSeed(Convert.FromHexString(args[3])), VerifyThreads = 1 }, store);
var host = await LedgerRelayHost.StartAsync(new LedgerRelayServer(new LedgerRelayOptions().AddLedger(relay, isPublic: true)), ["http://127.0.0.1:0"]);
await using (host)
{
    Console.WriteLine("LISTENING " + host.Urls[0]);
    Console.Out.Flush();
    await Console.In.ReadToEndAsync();
}

return 0;
