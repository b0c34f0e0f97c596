using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Sync;

/// <summary>The canonical encodings of bootstrap (docs/wire-format.md, "Bootstrap checkpoint v1" and "Bootstrap offer
/// v1"). Decoders are strict: one canonical encoding, a <see cref="LedgerFormatException"/> naming field and byte offset
/// otherwise.</summary>
public static class BootstrapWire
{
    /// <summary>The media type of a bootstrap checkpoint envelope (<c>POST bootstrap</c>) and of an offer (<c>GET bootstrap</c>).</summary>
    public const string MediaType = "application/vnd.ledger.bootstrap+msgpack";

    /// <summary>The version of both encodings.</summary>
    public const int Version = 1;

    /// <summary>The largest envelope, in bytes (under the HTTP relay's 16 MiB request limit).</summary>
    public const int MaxBytes = 15 * 1024 * 1024;

    /// <summary>The most checkpoints, authors, or key events of one author, an offer carries.</summary>
    public const int MaxItems = 65_536;

    /// <summary>The signature's domain separation prefix: a bootstrap signature is never a valid op, beacon or request signature.</summary>
    public const string Domain = "ledger-bootstrap-checkpoint/v1\n";

    private const string Structure = "bootstrap checkpoint";
    private const string OfferStructure = "bootstrap offer";
    private const int Fields = 9;

    /// <summary>The bytes a bootstrap signature covers: <see cref="Domain"/> ‖ the MessagePack array
    /// <c>[ledger, author, origin, prefix, root, digest]</c>.</summary>
    public static byte[] SignedBytes(string ledger, AuthorId author, string origin, long prefix, Hash32 root, Hash32 digest)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(origin);
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(System.Text.Encoding.UTF8.GetBytes(Domain));
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(6);
        w.Write(ledger);
        w.Write(author.Value);
        w.Write(origin);
        w.Write(prefix);
        w.Write(root.ToArray());
        w.Write(digest.ToArray());
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The envelope <c>[1, ledger, author, origin, prefix, root, digest, checkpoint, signature]</c>.</summary>
    public static byte[] Encode(BootstrapCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var buffer = new ArrayBufferWriter<byte>(checkpoint.Checkpoint.Length + 256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(Fields);
        w.Write(Version);
        w.Write(checkpoint.Ledger);
        w.Write(checkpoint.Author.Value);
        w.Write(checkpoint.Origin);
        w.Write(checkpoint.Prefix);
        w.Write(checkpoint.Root.ToArray());
        w.Write(checkpoint.Digest.ToArray());
        w.Write(checkpoint.Checkpoint.Span);
        w.Write(checkpoint.Signature.Span);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes an envelope (untrusted bytes); nothing is verified but its form.</summary>
    /// <exception cref="LedgerFormatException">Not one canonical envelope (names field and offset).</exception>
    public static BootstrapCheckpoint Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, Structure);
        if (bytes.Length > MaxBytes) throw r.Fail("(structure)", FormatProblem.Oversized, 0, $"a bootstrap checkpoint is at most {MaxBytes} bytes; this one is {bytes.Length}.");
        r.ReadArrayHeader("envelope", Fields, Fields);
        var at = r.Offset;
        var version = r.ReadUInt64("version");
        if (version != Version) throw r.Fail("version", FormatProblem.UnknownVersion, at, $"bootstrap checkpoint version {version}; this is version {Version}.");
        var starts = new List<(string, long)> { ("version", at) };
        starts.Add(("ledger", r.Offset));
        var ledger = r.ReadString("ledger", 256);
        var authorAt = r.Offset;
        starts.Add(("author", authorAt));
        if (!AuthorId.TryCreate(r.ReadString("author", 64), out var author)) throw r.Fail("author", FormatProblem.InvalidValue, authorAt, "an author id is 1-64 characters of [A-Za-z0-9._-].");
        starts.Add(("origin", r.Offset));
        var origin = r.ReadString("origin", RelayWire.MaxOriginBytes);
        var prefixAt = r.Offset;
        starts.Add(("prefix", prefixAt));
        var prefix = r.ReadInt64("prefix");
        if (prefix < 0) throw r.Fail("prefix", FormatProblem.InvalidValue, prefixAt, "the prefix is not negative.");
        starts.Add(("root", r.Offset));
        var root = r.ReadHash("root");
        starts.Add(("digest", r.Offset));
        var digest = r.ReadHash("digest");
        starts.Add(("checkpoint", r.Offset));
        var checkpoint = r.ReadBinary("checkpoint", 1, MaxBytes);
        starts.Add(("signature", r.Offset));
        var signature = r.ReadBinary("signature", 64, 64);
        r.EnsureEnd();
        var decoded = new BootstrapCheckpoint(ledger, author, origin, prefix, root, digest, checkpoint, signature);
        Canonical.RequireEqual(Structure, bytes.Span, Encode(decoded), starts.ToArray());
        return decoded;
    }

    /// <summary>The offer <c>[1, [envelope: bin …], [[author, [key event: bin …]] …]]</c>.</summary>
    public static byte[] EncodeOffer(BootstrapOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var buffer = new ArrayBufferWriter<byte>(1024);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(Version);
        w.WriteArrayHeader(offer.Checkpoints.Count);
        foreach (var c in offer.Checkpoints) w.Write(c.Span);
        w.WriteArrayHeader(offer.KeyEvents.Count);
        foreach (var (author, events) in offer.KeyEvents)
        {
            w.WriteArrayHeader(2);
            w.Write(author.Value);
            w.WriteArrayHeader(events.Count);
            foreach (var e in events) w.Write(e.Span);
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes an offer (untrusted bytes); the envelopes and key events in it are checked by the device.</summary>
    /// <exception cref="LedgerFormatException">Not one canonical offer (names field and offset).</exception>
    public static BootstrapOffer DecodeOffer(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, OfferStructure);
        r.ReadArrayHeader("offer", 3, 3);
        var at = r.Offset;
        var version = r.ReadUInt64("version");
        if (version != Version) throw r.Fail("version", FormatProblem.UnknownVersion, at, $"bootstrap offer version {version}; this is version {Version}.");
        var count = r.ReadArrayHeader("checkpoints", 0, MaxItems);
        var checkpoints = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++) checkpoints[i] = r.ReadBinary("checkpoints", 1, MaxBytes);
        count = r.ReadArrayHeader("keyEvents", 0, MaxItems);
        var keyEvents = new (AuthorId, IReadOnlyList<ReadOnlyMemory<byte>>)[count];
        for (var i = 0; i < count; i++)
        {
            r.ReadArrayHeader("keyEvents", 2, 2);
            var authorAt = r.Offset;
            if (!AuthorId.TryCreate(r.ReadString("keyEvents.author", 64), out var author)) throw r.Fail("keyEvents.author", FormatProblem.InvalidValue, authorAt, "an author id is 1-64 characters of [A-Za-z0-9._-].");
            var n = r.ReadArrayHeader("keyEvents.events", 0, MaxItems);
            var events = new ReadOnlyMemory<byte>[n];
            for (var j = 0; j < n; j++) events[j] = r.ReadBinary("keyEvents.events", 1, RelayHttp.MaxEntryBytes);
            keyEvents[i] = (author, events);
        }

        r.EnsureEnd();
        var offer = new BootstrapOffer(checkpoints, keyEvents);
        Canonical.RequireEqual(OfferStructure, bytes.Span, EncodeOffer(offer), [("offer", 0)]);
        return offer;
    }
}
