using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A relay's tree head as a C2SP tlog-checkpoint: the note text "origin\nsize\nbase64(root)\n",
/// signed by the relay's note key (whose name is the origin). Extension lines are not used.</summary>
/// <param name="Origin">The log identity: the relay and the ledger, e.g. <c>relay.example/sitebooks</c>.</param>
/// <param name="Size">The number of leaves.</param>
/// <param name="Root">The RFC 9162 root of those leaves.</param>
public sealed record RelayCheckpoint(string Origin, long Size, Hash32 Root)
{
    /// <summary>The note text.</summary>
    public string ToNoteText() => string.Create(CultureInfo.InvariantCulture, $"{Origin}\n{Size}\n{Convert.ToBase64String(Root.ToArray())}\n");

    /// <summary>Signs the checkpoint as a note.</summary>
    public SignedNote Sign(SigningKey relayKey) => SignedNote.Sign(ToNoteText(), Origin, relayKey);

    /// <summary>Reads the checkpoint out of a note's text; false when the text is not a checkpoint.</summary>
    public static bool TryParse(SignedNote note, out RelayCheckpoint? checkpoint, out string problem)
    {
        ArgumentNullException.ThrowIfNull(note);
        checkpoint = null;
        var lines = note.Text.Split('\n');
        if (lines.Length < 4 || lines[^1].Length != 0)
        {
            problem = "a checkpoint has an origin, a size and a root line.";
            return false;
        }

        if (lines[0].Length == 0 || lines[1].Length == 0 || (lines[1].Length > 1 && lines[1][0] == '0') || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            problem = "the size line is not a decimal without leading zeros.";
            return false;
        }

        if (lines[3..^1].Any(extension => extension.Length == 0))
        {
            problem = "extension lines must not be empty.";
            return false;
        }

        if (StrictBase64.Decode(lines[2]) is not { } root)
        {
            problem = "the root line is not canonical base64.";
            return false;
        }

        if (root.Length != Hash32.Length)
        {
            problem = "the root is not 32 bytes.";
            return false;
        }

        checkpoint = new RelayCheckpoint(lines[0], size, new Hash32(root));
        problem = "";
        return true;
    }

    /// <summary>Parses and verifies a signed checkpoint against the relay's note key.</summary>
    /// <exception cref="LedgerFormatException">Not a note, or not a checkpoint.</exception>
    public static (RelayCheckpoint Checkpoint, SignedNote Note, NoteVerdict Verdict) Open(ReadOnlySpan<byte> bytes, NoteKey relayKey)
    {
        ArgumentNullException.ThrowIfNull(relayKey);
        var note = SignedNote.Parse(bytes);
        if (!TryParse(note, out var checkpoint, out var problem))
        {
            throw Error.Decode("checkpoint", "text", FormatProblem.InvalidValue, 0, problem);
        }

        var verdict = checkpoint!.Origin != relayKey.Name
            ? NoteVerdict.Rejected($"the checkpoint's origin '{checkpoint.Origin}' is not the relay's '{relayKey.Name}'.")
            : note.Verify([relayKey]);
        return (checkpoint, note, verdict);
    }
}
