// A relay on a SQLite file, driven over stdin/stdout one line per request, so that a test can kill it
// (SIGKILL) at any point of ingest and restart it on the same file. An ACK line is written only after
// Relay.Ingest returned, i.e. after the batch was committed.
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Sync;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Ledger.Sync.CrashHost <relay.db> <ledger>");
    return 2;
}

using var store = new SqliteRelayStore(args[0]);
var relay = new Relay(new RelayOptions { Ledger = args[1] }, store);
var output = Console.Out;
output.WriteLine("READY");
output.Flush();
string? line;
while ((line = Console.In.ReadLine()) is not null)
{
    var parts = line.Split(' ');
    switch (parts[0])
    {
        case "PUSH":
            var batch = parts[1].Split(',').Select(b => (ReadOnlyMemory<byte>)Convert.FromBase64String(b)).ToArray();
            var response = relay.Ingest(batch);
            Answer("ACK " + string.Join(";", response.Results.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.Index}:{(int)r.Status}:{r.Position?.ToString(CultureInfo.InvariantCulture) ?? "-"}:{(r.Refusal is { } f ? ((int)f).ToString(CultureInfo.InvariantCulture) : "-")}:{r.SendFromSeq?.ToString(CultureInfo.InvariantCulture) ?? "-"}"))));
            break;
        case "PULL":
            var pulled = relay.Read(long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
            Answer(Ops(pulled.RelaySize, pulled.Ops));
            break;
        case "AUTHOR":
            var chain = relay.ReadAuthor(new AuthorId(parts[1]), ulong.Parse(parts[2], CultureInfo.InvariantCulture));
            Answer(Ops(relay.Size, chain));
            break;
        case "CHECKPOINT":
            var note = relay.Checkpoint(parts[1] == "-" ? null : long.Parse(parts[1], CultureInfo.InvariantCulture));
            Answer("NOTE " + (note is null ? "-" : Convert.ToBase64String(note)));
            break;
        case "CONSISTENCY":
            var proof = relay.ConsistencyProof(long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
            Answer("PROOF " + string.Join(",", proof.Select(h => Convert.ToBase64String(h.ToArray()))));
            break;
        case "COSIGN":
            relay.AddCosignedCheckpoint(Convert.FromBase64String(parts[1]));
            Answer("OK done");
            break;
        case "COSIGNED":
            Answer("NOTES " + string.Join(",", relay.CosignedCheckpoints().Select(Convert.ToBase64String)));
            break;
        case "WARM":
            // Exercise the ingest path once (decoding, key derivation, signature checks) so that a test's
            // kill lands in real ingest work rather than in the JIT of a fresh process.
            using (var key = Ledger.Signing.SigningKey.FromSeed(new byte[32]))
            {
                var log = Ledger.Signing.AuthorLog.Incept("warm-up", "warm", key, Ledger.Signing.NextKeyDigest.Of(new byte[32]), out var inception);
                var check = new Ledger.Signing.AuthorChainVerifier("warm-up", log.Author).Append(Ledger.Signing.SignedOpCodec.Decode(inception.Bytes));
                relay.Ingest([]);
                relay.Read(0, 1);
                Answer(check.IsOk ? "WARM ok" : "WARM failed");
            }

            break;
        default:
            Answer("ERR unknown request");
            break;
    }

    output.Flush();
}

return 0;

// Every answer ends with a marker: a process killed while writing leaves a torn line, which the test
// transport must see as a dead relay, never parse as a shorter answer.
void Answer(string text) => output.WriteLine(text + " #END");

static string Ops(long size, IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)> ops)
{
    var sb = new StringBuilder("OPS ").Append(size.ToString(CultureInfo.InvariantCulture));
    foreach (var (position, bytes) in ops)
    {
        sb.Append(' ').Append(position.ToString(CultureInfo.InvariantCulture)).Append(':').Append(Convert.ToBase64String(bytes.Span));
    }

    return sb.ToString();
}
