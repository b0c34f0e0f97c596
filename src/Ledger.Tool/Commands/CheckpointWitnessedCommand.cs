using System.CommandLine;
using System.Text;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger checkpoint witnessed</c>: the relay's signed checkpoint note a device witnessed, out of its
/// node store.</summary>
internal static class CheckpointWitnessedCommand
{
    public static Command Create(ToolContext context)
    {
        var store = new Argument<string>("node-store") { Description = "a device's SQLite node store (read-only)" };
        var origin = new Option<string>("--origin") { Description = "the relay origin whose note to write (default: the relay the device follows)" };
        var output = new Option<string>("--out") { Description = "write the note to this new file instead of standard output" };
        var command = new Command("witnessed", """
            The relay's latest signed checkpoint note that a device verified and kept (docs/wire-format.md, "Relay
            checkpoint"; a signed note), exactly as the relay signed it, from the device's node store (read-only).
            Check it against the relay's verifier key with any signed-note implementation.
            """ + "\n" + ExitCodes.Text)
        {
            store, origin, output,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(store)!, parsed.GetValue(origin), parsed.GetValue(output)));
        return command;
    }

    private static int Run(ToolContext context, string path, string? origin, string? output)
    {
        if (output is not null) InputFiles.MustBeNew(output, "note file");
        var store = StoreFiles.ReadNodeStore(path);
        var witnesses = Completed.Of(store.LoadWitnessesAsync());
        if (witnesses.Count == 0) throw new InvalidInputException($"'{path}' holds no witnessed checkpoint (the device has not verified one, or its relay signs none).");
        origin ??= store.RelayOrigin ?? (witnesses.Count == 1 ? witnesses.Keys.Single() : null)
            ?? throw new InvalidInputException($"'{path}' holds checkpoints of {witnesses.Count} origins ({string.Join(", ", witnesses.Keys.Order(StringComparer.Ordinal))}): give --origin.");
        if (!witnesses.TryGetValue(origin, out var note)) throw new InvalidInputException($"'{path}' holds no checkpoint of origin '{origin}' (it holds {string.Join(", ", witnesses.Keys.Order(StringComparer.Ordinal))}).");
        if (output is not null)
        {
            InputFiles.WriteNew(output, "note file", note);
            context.Output.WriteLine($"{origin}: {output} ({note.Length} bytes)");
        }
        else
        {
            context.Output.Write(Encoding.UTF8.GetString(note));
        }

        return ExitCodes.Ok;
    }
}
