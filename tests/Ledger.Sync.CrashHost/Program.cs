// A relay on a SQLite file, driven over stdin/stdout, so that a test can kill it (SIGKILL) at any point of
// ingest and restart it on the same file. It speaks the relay protocol itself (RelayWire, docs/wire-format.md
// "Relay protocol v1"): each request line is one base64 request frame, each answer line one base64 answer frame,
// so the crash tests exercise the same bytes every other transport carries. An answer to a push is written only
// after Relay.Push returned, i.e. after the batch was committed.
using Ledger.Sync;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Ledger.Sync.CrashHost <relay.db> <ledger>");
    return 2;
}

using var store = new SqliteRelayStore(args[0]);
var relay = new Relay(new RelayOptions { Ledger = args[1] }, store);
var server = new RelayWireServer(relay);
var output = Console.Out;
output.WriteLine("READY");
output.Flush();
string? line;
while ((line = Console.In.ReadLine()) is not null)
{
    if (line == "WARM")
    {
        // Exercise the ingest path once (decoding, key derivation, signature checks) so that a test's kill lands in
        // real ingest work rather than in the JIT of a fresh process. Framing only: not a relay call.
        using var key = Ledger.Signing.SigningKey.FromSeed(new byte[32]);
        var log = Ledger.Signing.AuthorLog.Incept("warm-up", "warm", key, Ledger.Signing.NextKeyDigest.Of(new byte[32]), out var inception);
        var check = new Ledger.Signing.AuthorChainVerifier("warm-up", log.Author).Append(Ledger.Signing.SignedOpCodec.Decode(inception.Bytes));
        await server.HandleAsync(RelayWire.EncodeRequest(RelayRequest.Push([])));
        await server.HandleAsync(RelayWire.EncodeRequest(RelayRequest.Pull(0, 1)));
        // The store keeps the Merkle tree and extends it in every batch's transaction: its edge is loaded (and checked)
        // on first use, so a kill lands in ingest, not in loading the edge and compiling the tree's code.
        if (store.Count > 0) await store.GetConsistencyProofAsync(1, store.Count);
        Answer(check.IsOk ? "WARM ok" : "WARM failed");
    }
    else
    {
        byte[] request;
        try
        {
            request = Convert.FromBase64String(line);
        }
        catch (FormatException)
        {
            request = [];
        }

        Answer(Convert.ToBase64String(await server.HandleAsync(request)));
    }

    output.Flush();
}

return 0;

// Every answer ends with a marker: a process killed while writing leaves a torn line, which the test
// transport must see as a dead relay, never parse as a shorter answer.
void Answer(string text) => output.WriteLine(text + " #END");
