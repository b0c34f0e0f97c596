using System.Buffers;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Kernel;

/// <summary>The canonical encoding of a <see cref="Checkpoint"/> (docs/wire-format.md, "Checkpoint v1").</summary>
public static class CheckpointCodec
{
    /// <summary>The label that starts every checkpoint.</summary>
    public const string Label = "ledger/checkpoint/v1";

    private const int MaxCount = 1 << 26;

    /// <summary>The largest row value a checkpoint may carry (256 MiB).</summary>
    public const int MaxRowBytes = 1 << 28;

    private const int MaxValueBytes = MaxRowBytes;

    /// <summary>The number of elements of the encoding.</summary>
    private const int Elements = 12;

    /// <summary>Encodes a checkpoint.</summary>
    public static byte[] Encode(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var buffer = WriteSections(checkpoint);
        var w = new MessagePackWriter(buffer);
        w.Write(checkpoint.Digest.ToArray());
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>SHA-256 of every byte of the encoding after its one-byte array header, up to the digest's bin header:
    /// the label and all ten sections, so a change to any of them changes the digest.</summary>
    internal static Hash32 SectionsDigest(Checkpoint checkpoint) => Hash32.Sha256(WriteSections(checkpoint).WrittenSpan[1..]);

    /// <summary>The array header and elements 0–10 (everything but the digest).</summary>
    private static ArrayBufferWriter<byte> WriteSections(Checkpoint checkpoint)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var w = new MessagePackWriter(buffer);
        var hash = new byte[Hash32.Length];
        w.WriteArrayHeader(Elements);
        w.Write(Label);

        w.WriteArrayHeader(checkpoint.Authors.Count);
        foreach (var a in checkpoint.Authors)
        {
            w.WriteArrayHeader(3);
            w.Write(a.Author.Value);
            w.Write(a.Seq);
            a.Tip.CopyTo(hash);
            w.Write(hash);
        }

        w.Write(checkpoint.RelayFrontier);
        if (checkpoint.RelayCut is { } cut)
        {
            w.WriteArrayHeader(3);
            w.Write(cut.Origin);
            w.Write(cut.Size);
            cut.Root.CopyTo(hash);
            w.Write(hash);
        }
        else
        {
            w.WriteNil();
        }

        if (checkpoint.KeyStateDigest is { } digest)
        {
            digest.CopyTo(hash);
            w.Write(hash);
        }
        else
        {
            w.WriteNil();
        }

        w.WriteArrayHeader(checkpoint.Adopted.Count);
        foreach (var a in checkpoint.Adopted)
        {
            w.WriteArrayHeader(2);
            w.Write(a.Branch.ToString());
            a.Manifest.Hash.CopyTo(hash);
            w.Write(hash);
        }

        w.WriteArrayHeader(checkpoint.ClaimFrontier.Count);
        foreach (var c in checkpoint.ClaimFrontier)
        {
            w.WriteArrayHeader(2);
            w.Write(c.ClaimKey);
            w.Write(c.Position);
        }

        WriteOps(ref w, checkpoint.Pending, hash);
        WriteOps(ref w, checkpoint.Parked, hash);

        w.WriteArrayHeader(checkpoint.Segments.Count);
        foreach (var s in checkpoint.Segments)
        {
            w.WriteArrayHeader(4);
            w.Write(s.Id.Table);
            w.Write(s.Id.Branch);
            w.Write(s.Kind.WireName());
            w.WriteArrayHeader(s.Rows.Count);
            foreach (var (key, value) in s.Rows)
            {
                w.WriteArrayHeader(2);
                w.Write(key);
                w.Write(value);
            }
        }

        checkpoint.StateHash.CopyTo(hash);
        w.Write(hash);
        w.Flush();
        return buffer;
    }

    private static void WriteOps(ref MessagePackWriter w, IReadOnlyList<CheckpointOp> ops, byte[] hash)
    {
        w.WriteArrayHeader(ops.Count);
        foreach (var o in ops)
        {
            w.WriteArrayHeader(3);
            w.Write(o.Op.CanonicalBytes.Span);
            if (o.Position is { } p) w.Write(p);
            else w.WriteNil();
            o.Op.ChainHash.CopyTo(hash);
            w.Write(hash);
        }
    }

    /// <summary>Decodes a checkpoint. Does not verify it (not even its digest): <see cref="LedgerKernel.Restore(Checkpoint, KernelOptions)"/> does.</summary>
    /// <exception cref="LedgerFormatException">The bytes are not a well-formed, canonical checkpoint.</exception>
    public static Checkpoint Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, "checkpoint");
        r.ReadArrayHeader("checkpoint", Elements, Elements);
        var labelAt = r.Offset;
        var label = r.ReadString("label", 64);
        if (label != Label) throw r.Fail("label", FormatProblem.UnknownVersion, labelAt, $"'{Error.Printable(label)}' is not '{Label}'.");

        var authorCount = r.ReadArrayHeader("authors", 0, MaxCount);
        var authors = new AuthorTip[authorCount];
        for (var i = 0; i < authorCount; i++)
        {
            r.ReadArrayHeader("authors[]", 3, 3);
            var at = r.Offset;
            var text = r.ReadString("authors[].author", AuthorId.MaxLength);
            if (!AuthorId.TryCreate(text, out var author)) throw r.Fail("authors[].author", FormatProblem.InvalidValue, at, "not an author id.");
            authors[i] = new AuthorTip(author, r.ReadUInt64("authors[].seq", 1), r.ReadHash("authors[].tip"));
        }

        var relayFrontierAt = r.Offset;
        var relayFrontier = r.ReadInt64("relayFrontier");
        if (relayFrontier < 0) throw r.Fail("relayFrontier", FormatProblem.InvalidValue, relayFrontierAt, "negative.");

        RelayCut? cut = null;
        if (!r.TryReadNil())
        {
            r.ReadArrayHeader("relayCut", 3, 3);
            var origin = r.ReadString("relayCut.origin", 1024);
            var sizeAt = r.Offset;
            var size = r.ReadInt64("relayCut.size");
            if (size < 0) throw r.Fail("relayCut.size", FormatProblem.InvalidValue, sizeAt, "negative.");
            cut = new RelayCut(origin, size, r.ReadHash("relayCut.root"));
        }

        Hash32? keyState = r.TryReadNil() ? null : r.ReadHash("keyStateDigest");

        var adoptedCount = r.ReadArrayHeader("adopted", 0, MaxCount);
        var adopted = new AdoptedManifest[adoptedCount];
        for (var i = 0; i < adoptedCount; i++)
        {
            r.ReadArrayHeader("adopted[]", 2, 2);
            var at = r.Offset;
            var text = r.ReadString("adopted[].branch", 200);
            if (!BranchId.TryParse(text, out var branch)) throw r.Fail("adopted[].branch", FormatProblem.InvalidValue, at, "not a branch id.");
            adopted[i] = new AdoptedManifest(branch, new ManifestId(r.ReadHash("adopted[].manifest")));
        }

        var claimCount = r.ReadArrayHeader("claimFrontier", 0, MaxCount);
        var claims = new ClaimFrontier[claimCount];
        for (var i = 0; i < claimCount; i++)
        {
            r.ReadArrayHeader("claimFrontier[]", 2, 2);
            var at = r.Offset;
            var key = r.ReadString("claimFrontier[].key", Op.MaxClaimKeyLength);
            if (!Op.IsValidClaimKey(key)) throw r.Fail("claimFrontier[].key", FormatProblem.InvalidValue, at, "not a claim key.");
            var posAt = r.Offset;
            var pos = r.ReadInt64("claimFrontier[].position");
            if (pos < 0) throw r.Fail("claimFrontier[].position", FormatProblem.InvalidValue, posAt, "negative.");
            claims[i] = new ClaimFrontier(key, pos);
        }

        var pending = ReadOps(ref r, "pending");
        var parked = ReadOps(ref r, "parked");

        var segmentCount = r.ReadArrayHeader("segments", 0, MaxCount);
        var segments = new CheckpointSegment[segmentCount];
        for (var i = 0; i < segmentCount; i++)
        {
            r.ReadArrayHeader("segments[]", 4, 4);
            var tableAt = r.Offset;
            var table = r.ReadString("segments[].table", 65);
            if (!Identifier.IsValidTableName(table, allowReserved: true)) throw r.Fail("segments[].table", FormatProblem.InvalidValue, tableAt, "not a table name.");
            var branchAt = r.Offset;
            var branch = r.ReadString("segments[].branch", 200);
            if (branch.Length > 0 && !BranchId.TryParse(branch, out _)) throw r.Fail("segments[].branch", FormatProblem.InvalidValue, branchAt, "not a branch id.");
            var kindAt = r.Offset;
            if (!TableKinds.TryParseWireName(r.ReadString("segments[].kind", 16), out var kind)) throw r.Fail("segments[].kind", FormatProblem.InvalidValue, kindAt, "unknown table kind.");
            var rowCount = r.ReadArrayHeader("segments[].rows", 1, MaxCount);
            var rows = new KeyValuePair<string, byte[]>[rowCount];
            for (var j = 0; j < rowCount; j++)
            {
                r.ReadArrayHeader("rows[]", 2, 2);
                var keyAt = r.Offset;
                var key = r.ReadString("rows[].key", RowKey.MaxBytes);
                if (!RowKey.IsValid(key)) throw r.Fail("rows[].key", FormatProblem.InvalidValue, keyAt, "not a row key.");
                rows[j] = new(key, r.ReadBinary("rows[].value", 0, MaxValueBytes).ToArray());
            }

            segments[i] = new CheckpointSegment(new SegmentId(table, branch), kind, rows);
        }

        var stateHash = r.ReadHash("stateHash");
        var digest = r.ReadHash("digest");
        r.EnsureEnd();
        var checkpoint = new Checkpoint(authors, relayFrontier, cut, keyState, adopted, claims, pending, parked, segments, stateHash, digest);
        var canonical = Encode(checkpoint);
        Canonical.RequireEqual("checkpoint", bytes.Span, canonical, [("checkpoint", 0)]);
        return checkpoint;
    }

    private static CheckpointOp[] ReadOps(ref WireReader r, string field)
    {
        var count = r.ReadArrayHeader(field, 0, MaxCount);
        var ops = new CheckpointOp[count];
        for (var i = 0; i < count; i++)
        {
            r.ReadArrayHeader(field + "[]", 3, 3);
            var opAt = r.Offset;
            var bytes = r.ReadBinary(field + "[].op", 1, Op.MaxArgsLength + 1024);
            Op op;
            try
            {
                op = OpCodec.Decode(bytes.ToArray());
            }
            catch (LedgerFormatException e)
            {
                throw Error.Decode("checkpoint", $"{field}[{i}].op.{e.Field}", e.Problem, opAt + e.Offset, e.Detail, i, e);
            }

            long? position = null;
            if (!r.TryReadNil())
            {
                var posAt = r.Offset;
                position = r.ReadInt64(field + "[].position");
                if (position < 0) throw r.Fail(field + "[].position", FormatProblem.InvalidValue, posAt, "negative.");
            }

            var chainHash = r.ReadHash(field + "[].chainHash");
            ops[i] = new CheckpointOp(op.WithChainHash(chainHash), position);
        }

        return ops;
    }
}
