using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Sync;

/// <summary>The canonical encoding of beacons (docs/wire-format.md, "Beacon v1"). The envelope is
/// <c>[1, body: bin, signature: bin 64]</c>; the body is the MessagePack array of <see cref="NodeBeacon"/>'s fields in
/// declaration order; the signature is Ed25519 over <see cref="Domain"/> followed by the body. The decoder is strict:
/// one canonical encoding, a <see cref="LedgerFormatException"/> naming field and byte offset otherwise.</summary>
public static class BeaconWire
{
    /// <summary>The media type of a beacon envelope over HTTP (<c>POST beacons</c>).</summary>
    public const string MediaType = "application/vnd.ledger.beacon+msgpack";

    /// <summary>The envelope's version.</summary>
    public const int Version = 1;

    /// <summary>The largest envelope, in bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The most manifests or finding codes a beacon carries.</summary>
    public const int MaxItems = 256;

    /// <summary>The signature's domain separation prefix: a beacon signature is never a valid op or request signature.</summary>
    public const string Domain = "ledger-beacon/v1\n";

    private const string Structure = "beacon";
    private const int Fields = 15;

    /// <summary>The canonical body of <paramref name="beacon"/>.</summary>
    public static byte[] EncodeBody(NodeBeacon beacon)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(Fields);
        w.Write(beacon.Ledger);
        w.Write(beacon.Author.Value);
        w.Write(beacon.SentAtUnixMs);
        w.Write(beacon.Software);
        w.WriteArrayHeader(beacon.Manifests.Count);
        foreach (var m in beacon.Manifests) w.Write(m.ToArray());
        if (beacon.RelayOrigin is null) w.WriteNil();
        else w.Write(beacon.RelayOrigin);
        w.Write(beacon.Prefix);
        if (beacon.StateHash is { } hash) w.Write(hash.ToArray());
        else w.WriteNil();
        w.Write(beacon.Local);
        w.Write(beacon.Syncing);
        w.Write(beacon.Durable);
        w.Write(beacon.Refused);
        if (beacon.OldestUnacknowledgedSeconds is { } age) w.Write(age);
        else w.WriteNil();
        w.Write(beacon.Parked);
        w.WriteArrayHeader(beacon.Findings.Count);
        foreach (var f in beacon.Findings) w.Write(f);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The signed envelope of <paramref name="beacon"/>, signed with the author's current key.</summary>
    public static byte[] Sign(NodeBeacon beacon, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var body = EncodeBody(beacon);
        var signature = key.Sign(SignedBytes(body));
        var buffer = new ArrayBufferWriter<byte>(body.Length + 80);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(Version);
        w.Write(body);
        w.Write(signature);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes an envelope (untrusted bytes); the signature is checked by <see cref="SignedBeacon.Verify"/>.</summary>
    /// <exception cref="LedgerFormatException">The bytes are not one canonical beacon envelope (names field and offset).</exception>
    public static SignedBeacon Decode(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length > MaxBytes) throw new WireReader(bytes, Structure).Fail("(structure)", FormatProblem.Oversized, 0, $"a beacon is at most {MaxBytes} bytes; this one is {bytes.Length}.");
        var r = new WireReader(bytes, Structure);
        r.ReadArrayHeader("envelope", 3, 3);
        var at = r.Offset;
        var version = r.ReadUInt64("version");
        if (version != Version) throw r.Fail("version", FormatProblem.UnknownVersion, at, $"beacon version {version}; this is version {Version}.");
        var bodyAt = r.Offset;
        var body = r.ReadBinary("body", 1, MaxBytes);
        var signatureAt = r.Offset;
        var signature = r.ReadBinary("signature", 64, 64);
        r.EnsureEnd();
        var beacon = DecodeBody(body, signatureAt - body.Length);
        var reencoded = new ArrayBufferWriter<byte>(bytes.Length);
        var w = new MessagePackWriter(reencoded);
        w.WriteArrayHeader(3);
        w.Write(Version);
        w.Write(body.Span);
        w.Write(signature.Span);
        w.Flush();
        Canonical.RequireEqual(Structure, bytes.Span, reencoded.WrittenSpan, [("version", 1), ("body", bodyAt), ("signature", signatureAt)]);
        return new SignedBeacon(beacon, body, signature, bytes);
    }

    internal static byte[] SignedBytes(ReadOnlySpan<byte> body)
    {
        var domain = System.Text.Encoding.UTF8.GetBytes(Domain);
        var all = new byte[domain.Length + body.Length];
        domain.CopyTo(all, 0);
        body.CopyTo(all.AsSpan(domain.Length));
        return all;
    }

    // Offsets in errors are of the envelope: the body's bytes start at `baseOffset`.
    private static NodeBeacon DecodeBody(ReadOnlyMemory<byte> body, long baseOffset)
    {
        try
        {
            var r = new WireReader(body, Structure);
            r.ReadArrayHeader("body", Fields, Fields);
            var ledger = r.ReadString("ledger", 256);
            var authorAt = r.Offset;
            var authorText = r.ReadString("author", 64);
            if (!AuthorId.TryCreate(authorText, out var author)) throw r.Fail("author", FormatProblem.InvalidValue, authorAt, "an author id is 1-64 characters of [A-Za-z0-9._-].");
            var sentAt = r.ReadInt64("sentAt");
            var software = r.ReadString("software", 64);
            var count = r.ReadArrayHeader("manifests", 0, MaxItems);
            var manifests = new Hash32[count];
            for (var i = 0; i < count; i++) manifests[i] = r.ReadHash("manifests");
            var origin = r.ReadNullableString("relayOrigin", RelayWire.MaxOriginBytes);
            var prefixAt = r.Offset;
            var prefix = r.ReadInt64("prefix");
            if (prefix < 0) throw r.Fail("prefix", FormatProblem.InvalidValue, prefixAt, "the prefix is not negative.");
            Hash32? hash = r.TryReadNil() ? null : r.ReadHash("stateHash");
            var local = Count(ref r, "local");
            var syncing = Count(ref r, "syncing");
            var durable = Count(ref r, "durable");
            var refused = Count(ref r, "refused");
            long? age = r.TryReadNil() ? null : (long)r.ReadUInt64("oldestUnacknowledgedSeconds", 0, long.MaxValue);
            var parked = Count(ref r, "parked");
            count = r.ReadArrayHeader("findings", 0, MaxItems);
            var findings = new string[count];
            for (var i = 0; i < count; i++) findings[i] = r.ReadString("findings", 64);
            r.EnsureEnd();
            var beacon = new NodeBeacon(ledger, author, sentAt, software, manifests, origin, prefix, hash, local, syncing, durable, refused, age, parked, findings);
            Canonical.RequireEqual(Structure, body.Span, EncodeBody(beacon), [("body", 0)]);
            return beacon;
        }
        catch (LedgerFormatException e)
        {
            throw Error.Decode(Structure, e.Field, e.Problem, e.Offset + baseOffset, e.Detail, inner: e);
        }
    }

    private static int Count(ref WireReader r, string field) => (int)r.ReadUInt64(field, 0, int.MaxValue);
}
