using System.CommandLine;
using System.Globalization;
using System.Text;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger checkpoint relay</c>: the checkpoint of a relay store's log (origin, size, Merkle root), as the
/// relay's checkpoint note.</summary>
internal static class CheckpointRelayCommand
{
    public static Command Create(ToolContext context)
    {
        var store = new Argument<string>("relay-store") { Description = "a relay's SQLite store (read-only)" };
        var origin = new Option<string>("--origin") { Description = "the relay's origin (default: ledger-relay/<ledger>, the relay's default)" };
        var size = new Option<long?>("--size") { Description = "the checkpoint of the first N ops (default: all, the latest)" };
        var keyFile = new Option<string>("--key-file") { Description = "a file holding the relay's 32-byte Ed25519 seed as hex, to sign the note as the relay does" };
        var output = new Option<string>("--out") { Description = "write the note to this new file instead of standard output" };
        var json = new Option<bool>("--json") { Description = "print the checkpoint as JSON" };
        var command = new Command("relay", """
            The relay's latest checkpoint, computed from its store: the note text "<origin>\n<size>\n<base64 root>\n"
            (docs/wire-format.md, "Relay checkpoint"), the RFC 9162 Merkle root over every op's bytes in position
            order. The store does not hold the relay's key: without --key-file the note is unsigned (the body every
            signature covers); devices keep the signed notes they witnessed ('ledger checkpoint witnessed').
            """ + "\n" + ExitCodes.Text)
        {
            store, origin, size, keyFile, output, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(store)!, parsed.GetValue(origin), parsed.GetValue(size), parsed.GetValue(keyFile), parsed.GetValue(output), parsed.GetValue(json)));
        return command;
    }

    private static int Run(ToolContext context, string path, string? origin, long? size, string? keyFile, string? output, bool json)
    {
        if (output is not null) InputFiles.MustBeNew(output, "note file");
        if (size is < 0) throw new UsageException($"--size takes a whole number of ops; got {size}.");
        SigningKey? key = null;
        if (keyFile is not null)
        {
            var hex = Encoding.ASCII.GetString(InputFiles.ReadAll(keyFile, "key file")).Trim();
            if (hex.Length != 64 || !hex.All(Uri.IsHexDigit)) throw new InvalidInputException($"'{keyFile}' does not hold a 32-byte seed as 64 hex digits.");
            key = SigningKey.FromSeed(Convert.FromHexString(hex));
        }

        var relay = StoreFiles.ReadRelayStore(path);
        var count = relay.Count;
        var n = size ?? count;
        if (n > count) throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"'{path}' holds {count} ops; there is no checkpoint of {n}."));
        var tree = new MerkleTree();
        string? ledger = null;
        using (var progress = context.Progress("hashing the log"))
        {
            for (long at = 0; at < n;)
            {
                var chunk = Completed.Of(relay.ReadAsync(at, (int)Math.Min(4096, n - at)));
                foreach (var op in chunk)
                {
                    if (ledger is null && SignedOpCodec.TryDecode(op.Bytes, out var signed, out _)) ledger = signed!.Ledger;
                    tree.Append(op.Bytes.Span);
                }

                at += chunk.Count;
                progress.Report(at, n);
            }
        }

        origin ??= ledger is null
            ? throw new InvalidInputException($"'{path}' holds no op to take the ledger's name from: give --origin.")
            : "ledger-relay/" + ledger;
        var checkpoint = new RelayCheckpoint(origin, n, tree.Root(n));
        var note = key is null ? checkpoint.ToNoteText() : checkpoint.Sign(key).ToString();
        key?.Dispose();
        if (output is not null) InputFiles.WriteNew(output, "note file", Encoding.UTF8.GetBytes(note));
        if (json)
        {
            Json.Write(context.Output, w =>
            {
                w.WriteStartObject();
                w.WriteString("origin", checkpoint.Origin);
                w.WriteNumber("size", checkpoint.Size);
                w.WriteString("root", checkpoint.Root.ToString());
                w.WriteBoolean("signed", key is not null);
                w.WriteString("note", note);
                w.WriteEndObject();
            });
        }
        else if (output is null)
        {
            context.Output.Write(note);
        }
        else
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{checkpoint.Origin} size {checkpoint.Size} root {checkpoint.Root}: {output}"));
        }

        return ExitCodes.Ok;
    }
}
