using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, and one or
/// more lines "— name base64(key id ‖ signature)". Parsing takes untrusted bytes and answers with a typed
/// error; verification follows the spec: unknown keys are ignored, a known key whose signature fails rejects
/// the note, and at least one known key must verify.</summary>
public sealed class SignedNote
{
    /// <summary>The most bytes a note may have.</summary>
    public const int MaxBytes = 1 << 16;

    /// <summary>The most signature lines accepted (the spec asks for at least 16).</summary>
    public const int MaxSignatures = 100;

    private const string Dash = "\u2014 ";

    private SignedNote(string text, IReadOnlyList<NoteSignature> signatures)
    {
        Text = text;
        Signatures = signatures;
    }

    /// <summary>The signed text, including its final newline.</summary>
    public string Text { get; }

    /// <summary>The signature lines, in order.</summary>
    public IReadOnlyList<NoteSignature> Signatures { get; }

    /// <summary>Signs <paramref name="text"/> (which must end in a newline) with a note key of type 0x01.</summary>
    public static SignedNote Sign(string text, string name, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(key);
        if (!text.EndsWith('\n')) throw Error.Argument("a note text ends with a newline.", nameof(text));
        var noteKey = NoteKey.Create(name, key.Public, NoteKey.Ed25519);
        var signature = key.Sign(Encoding.UTF8.GetBytes(text));
        return new SignedNote(text, [new NoteSignature(name, noteKey.Id, signature)]);
    }

    /// <summary>This note with one more signature line.</summary>
    public SignedNote With(NoteSignature signature) => new(Text, [.. Signatures, signature]);

    /// <summary>The note as text.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Text).Append('\n');
        foreach (var s in Signatures)
        {
            var payload = new byte[4 + s.Signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(payload, s.KeyId);
            s.Signature.CopyTo(payload, 4);
            sb.Append(Dash).Append(s.Name).Append(' ').Append(Convert.ToBase64String(payload)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The note as UTF-8 bytes.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToString());

    /// <summary>Parses a signed note from untrusted bytes.</summary>
    /// <exception cref="LedgerFormatException">Not a well-formed note; says which line and why.</exception>
    public static SignedNote Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes) throw Fail("(whole)", FormatProblem.Oversized, 0, $"{bytes.Length} bytes; the limit is {MaxBytes}.");
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw Fail("(whole)", FormatProblem.InvalidValue, 0, "not valid UTF-8.");
        var all = Encoding.UTF8.GetString(bytes);
        for (var i = 0; i < all.Length; i++)
        {
            if (all[i] < 0x20 && all[i] != '\n') throw Fail("(whole)", FormatProblem.InvalidValue, i, "an ASCII control character other than newline.");
        }

        var split = all.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) throw Fail("separator", FormatProblem.Truncated, all.Length, "no blank line separates the text from the signatures.");
        var text = all[..(split + 1)];
        var lines = all[(split + 2)..];
        if (lines.Length == 0 || !lines.EndsWith('\n')) throw Fail("signatures", FormatProblem.Truncated, split + 2, "the signature lines must end with a newline.");
        var signatures = new List<NoteSignature>();
        var offset = split + 2;
        foreach (var line in lines[..^1].Split('\n'))
        {
            if (signatures.Count >= MaxSignatures) throw Fail("signatures", FormatProblem.Oversized, offset, $"more than {MaxSignatures} signatures.");
            if (!line.StartsWith(Dash, StringComparison.Ordinal)) throw Fail("signature line", FormatProblem.InvalidValue, offset, "a signature line starts with an em dash and a space.");
            var rest = line[Dash.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0) throw Fail("signature line", FormatProblem.InvalidValue, offset, "a signature line is '— name signature'.");
            var name = rest[..space];
            if (!NoteKey.IsValidName(name)) throw Fail("signature line", FormatProblem.InvalidValue, offset, "the key name is empty or has a space or '+'.");
            var payload = StrictBase64.Decode(rest[(space + 1)..])
                ?? throw Fail("signature line", FormatProblem.InvalidValue, offset, "the signature is not canonical base64 (padded, no whitespace, zero padding bits).");

            if (payload.Length < 5) throw Fail("signature line", FormatProblem.InvalidValue, offset, "a signature is a 4-byte key id and at least one byte.");
            signatures.Add(new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(payload), payload[4..]));
            offset += line.Length + 1;
        }

        return new SignedNote(text, signatures);
    }

    /// <summary>Verifies the note against the keys this verifier knows (note signatures, type 0x01).</summary>
    public NoteVerdict Verify(IEnumerable<NoteKey> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        var keys = known.Where(k => k.Type == NoteKey.Ed25519).ToArray();
        var message = Encoding.UTF8.GetBytes(Text);
        var verified = new List<NoteKey>();
        foreach (var s in Signatures)
        {
            var key = keys.FirstOrDefault(k => k.Name == s.Name && k.Id == s.KeyId);
            if (key is null) continue;
            if (!key.Key.Verify(message, s.Signature)) return NoteVerdict.Rejected($"the signature of known key {key.Name} does not verify.");
            verified.Add(key);
        }

        return verified.Count == 0 ? NoteVerdict.Rejected("no signature by a known key.") : NoteVerdict.Accepted(verified);
    }

    private static LedgerFormatException Fail(string field, FormatProblem problem, long offset, string detail) =>
        new("signed note", field, problem, offset, detail);
}
