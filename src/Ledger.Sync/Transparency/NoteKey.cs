using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A public key that signs C2SP signed notes: a name, a 4-byte key id and an Ed25519 key, of one
/// signature type — 0x01 (a log's note signature) or 0x04 (a timestamped checkpoint cosignature).</summary>
public sealed class NoteKey
{
    /// <summary>Ed25519 note signature type.</summary>
    public const byte Ed25519 = 0x01;

    /// <summary>Timestamped Ed25519 checkpoint cosignature type (c2sp.org/tlog-cosignature).</summary>
    public const byte Cosignature = 0x04;

    private NoteKey(string name, byte type, VerificationKey key)
    {
        Name = name;
        Type = type;
        Key = key;
        var material = new byte[Encoding.UTF8.GetByteCount(name) + 2 + 32];
        var n = Encoding.UTF8.GetBytes(name, material);
        material[n] = 0x0A;
        material[n + 1] = type;
        key.RawBytes.CopyTo(material.AsSpan(n + 2));
        Span<byte> digest = stackalloc byte[Hash32.Length];
        Hash32.Sha256(material).CopyTo(digest);
        Id = BinaryPrimitives.ReadUInt32BigEndian(digest);
    }

    /// <summary>The key name (for a log: its origin).</summary>
    public string Name { get; }

    /// <summary>The signature type byte.</summary>
    public byte Type { get; }

    /// <summary>SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.</summary>
    public uint Id { get; }

    /// <summary>The Ed25519 public key.</summary>
    public VerificationKey Key { get; }

    /// <summary>A note key of <paramref name="type"/> for <paramref name="key"/> under <paramref name="name"/>.</summary>
    public static NoteKey Create(string name, VerificationKey key, byte type = Ed25519)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidName(name)) throw Error.Argument("a note key name is 1 to 256 characters, without spaces or '+'.", nameof(name));
        if (type is not (Ed25519 or Cosignature)) throw Error.Argument("only Ed25519 (0x01) and Ed25519 cosignature (0x04) keys are supported.", nameof(type));
        return new NoteKey(name, type, key);
    }

    /// <summary>The verifier key text: <c>name+hex(id)+base64(type ‖ public key)</c>.</summary>
    public string ToVkey()
    {
        var material = new byte[33];
        material[0] = Type;
        Key.RawBytes.CopyTo(material.AsSpan(1));
        return string.Create(CultureInfo.InvariantCulture, $"{Name}+{Id:x8}+{Convert.ToBase64String(material)}");
    }

    /// <summary>Parses a verifier key; false for anything malformed, of another type, or whose id does not match.</summary>
    public static bool TryParseVkey(string? vkey, out NoteKey? key)
    {
        key = null;
        if (vkey is null) return false;
        var parts = vkey.Split('+', 3);
        if (parts.Length != 3 || !IsValidName(parts[0]) || parts[1].Length != 8) return false;
        if (!uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)) return false;
        if (StrictBase64.Decode(parts[2]) is not { } material) return false;

        if (material.Length != 33 || material[0] is not (Ed25519 or Cosignature) || !VerificationKey.TryImport(material.AsSpan(1), out var publicKey)) return false;
        var candidate = new NoteKey(parts[0], material[0], publicKey!);
        if (candidate.Id != id) return false;
        key = candidate;
        return true;
    }

    /// <summary>Key names are non-empty and contain no Unicode space and no '+'.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 256) return false;
        foreach (var c in name)
        {
            if (c == '+' || char.IsWhiteSpace(c) || char.IsControl(c)) return false;
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => ToVkey();
}
