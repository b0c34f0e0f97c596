using System.Buffers;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Kernel;

/// <summary>The canonical MessagePack encoding of an <see cref="Op"/> (docs/wire-format.md, "Op v1").</summary>
/// <remarks>An array of 12: format (1), op id (bin 16, RFC 9562 byte order), author (str), seq (uint),
/// prev (bin 32), manifest (bin 32), verb (str), verb version (uint), branch (str <c>owner/name</c>),
/// claim key (nil or str), at (int, Unix ms), args (bin). Integers and lengths use their shortest
/// MessagePack form; decoding rejects any other form, so bytes and ops correspond one to one.</remarks>
public static class OpCodec
{
    /// <summary>The envelope format this software writes and reads.</summary>
    public const int FormatVersion = 1;

    private const int FieldCount = 12;

    private static readonly string[] FieldNames =
        ["format", "opId", "author", "seq", "prev", "manifest", "verb", "verbVersion", "branch", "claimKey", "at", "args"];

    /// <summary>The canonical bytes of <paramref name="op"/> (cached on the op).</summary>
    public static ReadOnlyMemory<byte> Encode(Op op)
    {
        ArgumentNullException.ThrowIfNull(op);
        return op.CanonicalBytes;
    }

    /// <summary>One encoding buffer per thread, reused: a fresh one per op grew three times on the way to an op's
    /// size, and on a device's serial signing path every allocation counts (it also sets the pace of collections).</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>Buffers that grew past this for one large op are not kept.</summary>
    private const int ScratchKeptBytes = 16 * 1024;

    internal static byte[] EncodeFields(Op op)
    {
        var buffer = t_scratch ?? new ArrayBufferWriter<byte>(1024);
        t_scratch = null; // taken: an encode that re-entered (it cannot today) would get its own
        buffer.ResetWrittenCount();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(FieldCount);
        w.Write(FormatVersion);
        // Fixed-size bins are written in place (header, then the bytes into the writer's own span).
        w.WriteBinHeader(16);
        op.OpId.TryWriteBytes(w.GetSpan(16), bigEndian: true, out _);
        w.Advance(16);
        w.Write(op.Author.Value);
        w.Write(op.Seq);
        w.WriteBinHeader(Hash32.Length);
        op.Prev.CopyTo(w.GetSpan(Hash32.Length));
        w.Advance(Hash32.Length);
        w.WriteBinHeader(Hash32.Length);
        op.Manifest.Hash.CopyTo(w.GetSpan(Hash32.Length));
        w.Advance(Hash32.Length);
        w.Write(op.Verb);
        w.Write(op.VerbVersion);
        w.Write(op.Branch.ToString());
        if (op.ClaimKey is null) w.WriteNil();
        else w.Write(op.ClaimKey);
        w.Write(op.At);
        w.Write(op.Args.Span);
        w.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= ScratchKeptBytes) t_scratch = buffer;
        return bytes;
    }

    /// <summary>Decodes canonical op bytes.</summary>
    /// <exception cref="LedgerFormatException">The bytes are truncated, oversized, mistyped, invalid or
    /// not canonical; the exception names the field and byte offset.</exception>
    public static Op Decode(ReadOnlyMemory<byte> bytes)
    {
        var fieldStarts = new (string Field, long Start)[FieldCount];
        var r = new WireReader(bytes, "op");
        r.ReadArrayHeader("envelope", FieldCount, FieldCount);

        fieldStarts[0] = (FieldNames[0], r.Offset);
        var format = r.ReadUInt64("format");
        if (format != FormatVersion)
        {
            throw r.Fail("format", FormatProblem.UnknownVersion, fieldStarts[0].Start, $"envelope format {format}; this software reads format {FormatVersion}.");
        }

        fieldStarts[1] = (FieldNames[1], r.Offset);
        var opId = new Guid(r.ReadBinary("opId", 16, 16).Span, bigEndian: true);

        fieldStarts[2] = (FieldNames[2], r.Offset);
        var authorText = r.ReadString("author", AuthorId.MaxLength);
        if (!AuthorId.TryCreate(authorText, out var author))
        {
            throw r.Fail("author", FormatProblem.InvalidValue, fieldStarts[2].Start, $"'{Error.Printable(authorText)}' is not an author id ([A-Za-z0-9._-], 1-64).");
        }

        fieldStarts[3] = (FieldNames[3], r.Offset);
        var seq = r.ReadUInt64("seq", min: 1);

        fieldStarts[4] = (FieldNames[4], r.Offset);
        var prev = r.ReadHash("prev");
        if ((seq == 1) != prev.IsZero)
        {
            throw r.Fail("prev", FormatProblem.InvalidValue, fieldStarts[4].Start, seq == 1 ? "the first op of a chain has a zero prev." : "only the first op of a chain has a zero prev.");
        }

        fieldStarts[5] = (FieldNames[5], r.Offset);
        var manifest = new ManifestId(r.ReadHash("manifest"));

        fieldStarts[6] = (FieldNames[6], r.Offset);
        var verb = r.ReadString("verb", Op.MaxVerbLength);
        if (!Op.IsValidVerbName(verb))
        {
            throw r.Fail("verb", FormatProblem.InvalidValue, fieldStarts[6].Start, $"'{Error.Printable(verb)}' is not a verb name ([a-z0-9._-], 1-64).");
        }

        fieldStarts[7] = (FieldNames[7], r.Offset);
        var verbVersion = (uint)r.ReadUInt64("verbVersion", 1, uint.MaxValue);

        fieldStarts[8] = (FieldNames[8], r.Offset);
        var branchText = r.ReadString("branch", AuthorId.MaxLength + 1 + BranchId.MaxNameLength);
        if (!BranchId.TryParse(branchText, out var branch))
        {
            throw r.Fail("branch", FormatProblem.InvalidValue, fieldStarts[8].Start, $"'{Error.Printable(branchText)}' is not a branch id (owner/name).");
        }

        fieldStarts[9] = (FieldNames[9], r.Offset);
        var claimKey = r.ReadNullableString("claimKey", Op.MaxClaimKeyLength);
        if (claimKey is not null && !Op.IsValidClaimKey(claimKey))
        {
            throw r.Fail("claimKey", FormatProblem.InvalidValue, fieldStarts[9].Start, $"'{Error.Printable(claimKey)}' is not a claim key ([A-Za-z0-9._:/-], 1-128).");
        }

        fieldStarts[10] = (FieldNames[10], r.Offset);
        var at = r.ReadInt64("at");

        fieldStarts[11] = (FieldNames[11], r.Offset);
        var args = r.ReadBinary("args", 0, Op.MaxArgsLength);
        r.EnsureEnd();

        var op = new Op(opId, author, seq, prev, manifest, verb, verbVersion, branch, claimKey, at, args.ToArray());
        var reencoded = op.CanonicalBytes;
        Canonical.RequireEqual("op", bytes.Span, reencoded.Span, fieldStarts);
        return op;
    }

    /// <summary>Decodes canonical op bytes; on failure returns false and the error.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out Op? op, out LedgerFormatException? error) =>
        LedgerFormatException.TryDecode(static b => Decode(b), bytes, out op, out error);
}
