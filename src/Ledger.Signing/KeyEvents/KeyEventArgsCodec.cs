using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Signing;

/// <summary>Key-event args read as strictly as ops (docs/wire-format.md, "Key events"): exactly the documented
/// array, each field of its type and length, nothing after it, and the one canonical encoding. A lenient reader
/// (the general MessagePack formatter) took 2- and 4-element rotations, nil args, <c>cc 01</c> for 1 and trailing
/// bytes; a strict verifier in another language refuses those, and two verifiers of one chain must agree.</summary>
internal static class KeyEventArgsCodec
{
    /// <summary>The longest label the codec reads; <see cref="AuthorIdentity.IsValidLabel"/> decides validity.</summary>
    private const int MaxLabelBytes = AuthorId.MaxLength;

    /// <summary>A raw Ed25519 public key.</summary>
    private const int KeyLength = 32;

    public static InceptArgs DecodeIncept(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "ledger.key.incept args");
        r.ReadArrayHeader("args", 4, 4);
        var labelAt = r.Offset;
        var label = r.ReadString("label", MaxLabelBytes);
        var keyAt = r.Offset;
        var key = r.ReadBinary("publicKey", KeyLength, KeyLength).ToArray();
        var nextAt = r.Offset;
        var next = r.ReadBinary("nextKeyDigest", Hash32.Length, Hash32.Length).ToArray();
        var indexAt = r.Offset;
        var index = (uint)r.ReadUInt64("keyIndex", 0, uint.MaxValue);
        r.EnsureEnd();
        var args = new InceptArgs(label, key, next, index);
        Canonical.RequireEqual(r.Structure, bytes.Span, Encode(args), [("label", labelAt), ("publicKey", keyAt), ("nextKeyDigest", nextAt), ("keyIndex", indexAt)]);
        return args;
    }

    public static RotateArgs DecodeRotate(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "ledger.key.rotate args");
        r.ReadArrayHeader("args", 3, 3);
        var keyAt = r.Offset;
        var key = r.ReadBinary("publicKey", KeyLength, KeyLength).ToArray();
        var nextAt = r.Offset;
        var next = r.ReadBinary("nextKeyDigest", Hash32.Length, Hash32.Length).ToArray();
        var indexAt = r.Offset;
        var index = (uint)r.ReadUInt64("keyIndex", 0, uint.MaxValue);
        r.EnsureEnd();
        var args = new RotateArgs(key, next, index);
        Canonical.RequireEqual(r.Structure, bytes.Span, Encode(args), [("publicKey", keyAt), ("nextKeyDigest", nextAt), ("keyIndex", indexAt)]);
        return args;
    }

    public static RevokeArgs DecodeRevoke(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "ledger.key.revoke args");
        r.ReadArrayHeader("args", 5, 5);
        var keyAt = r.Offset;
        var key = r.ReadBinary("publicKey", KeyLength, KeyLength).ToArray();
        var nextAt = r.Offset;
        var next = r.TryReadNil() ? null : r.ReadBinary("nextKeyDigest", Hash32.Length, Hash32.Length).ToArray();
        var indexAt = r.Offset;
        var index = (uint)r.ReadUInt64("keyIndex", 0, uint.MaxValue);
        var disputedAt = r.Offset;
        ulong? disputed = r.TryReadNil() ? null : r.ReadUInt64("disputedSinceSeq");
        var reasonAt = r.Offset;
        var reason = r.ReadString("reason", Op.MaxArgsLength);
        r.EnsureEnd();
        var args = new RevokeArgs(key, next, index, disputed, reason);
        Canonical.RequireEqual(r.Structure, bytes.Span, Encode(args),
            [("publicKey", keyAt), ("nextKeyDigest", nextAt), ("keyIndex", indexAt), ("disputedSinceSeq", disputedAt), ("reason", reasonAt)]);
        return args;
    }

    public static byte[] Encode(InceptArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write(args.Label);
            w.Write(args.PublicKey);
            w.Write(args.NextKeyDigest);
            w.Write(args.KeyIndex);
        });
    }

    public static byte[] Encode(RotateArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write(args.PublicKey);
            w.Write(args.NextKeyDigest);
            w.Write(args.KeyIndex);
        });
    }

    public static byte[] Encode(RevokeArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write(args.PublicKey);
            if (args.NextKeyDigest is null) w.WriteNil(); else w.Write(args.NextKeyDigest);
            w.Write(args.KeyIndex);
            if (args.DisputedSinceSeq is { } disputed) w.Write(disputed); else w.WriteNil();
            w.Write(args.Reason);
        });
    }

    private delegate void Writing(ref MessagePackWriter writer);

    private static byte[] Write(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
