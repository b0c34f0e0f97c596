using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature, type 0x04): a witness's
/// statement that, as of the time given, the largest consistent checkpoint it has seen for the origin has
/// this root. The signed message is "cosignature/v1\ntime &lt;t&gt;\n" followed by the checkpoint note text.</summary>
public static class Cosignatures
{
    /// <summary>Adds a cosignature line to a checkpoint note.</summary>
    public static SignedNote Cosign(SignedNote checkpoint, string witnessName, SigningKey witnessKey, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(witnessKey);
        var key = NoteKey.Create(witnessName, witnessKey.Public, NoteKey.Cosignature);
        if (at.ToUnixTimeSeconds() < 0) throw Error.OutOfRange(nameof(at), "a cosignature time is seconds since 1970; this one is before.");
        var timestamp = (ulong)at.ToUnixTimeSeconds();
        var signature = witnessKey.Sign(Message(checkpoint.Text, timestamp));
        var payload = new byte[8 + signature.Length];
        BinaryPrimitives.WriteUInt64BigEndian(payload, timestamp);
        signature.CopyTo(payload, 8);
        return checkpoint.With(new NoteSignature(witnessName, key.Id, payload));
    }

    /// <summary>The witnesses among <paramref name="known"/> whose cosignatures on <paramref name="note"/> verify.
    /// Unknown cosigners are ignored; a known cosigner whose signature fails is reported in <paramref name="failed"/>.</summary>
    public static IReadOnlyList<NoteKey> Verify(SignedNote note, IEnumerable<NoteKey> known, out IReadOnlyList<NoteKey> failed)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(known);
        var keys = known.Where(k => k.Type == NoteKey.Cosignature).ToArray();
        var ok = new List<NoteKey>();
        var bad = new List<NoteKey>();
        foreach (var s in note.Signatures)
        {
            var key = keys.FirstOrDefault(k => k.Name == s.Name && k.Id == s.KeyId);
            if (key is null) continue;
            if (s.Signature.Length != 8 + 64)
            {
                bad.Add(key);
                continue;
            }

            var timestamp = BinaryPrimitives.ReadUInt64BigEndian(s.Signature);
            if (timestamp > long.MaxValue || !key.Key.Verify(Message(note.Text, timestamp), s.Signature.AsSpan(8))) bad.Add(key);
            else ok.Add(key);
        }

        failed = bad;
        return ok;
    }

    private static byte[] Message(string checkpointText, ulong timestamp) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"cosignature/v1\ntime {timestamp}\n{checkpointText}"));
}
