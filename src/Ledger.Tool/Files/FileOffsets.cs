using Ledger.Kernel;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Tool.Files;

/// <summary>Turns the decoders' errors into messages whose byte offsets are offsets in the file the user gave.
/// A decoder names the offset of a field inside the structure it decodes; nested structures (an op inside a signed
/// op inside a chain file or a node export) were reported with the start of the enclosing binary header added,
/// not the start of the nested bytes, or not at all, so "at byte 127" pointed into another field. Here the tool
/// finds where each nested structure starts in the file itself and adds that to the innermost error's own offset,
/// so the result does not depend on how the decoders combine offsets.</summary>
internal static class FileOffsets
{
    /// <summary>The error of <see cref="ChainFile.Decode"/> located in the chain file.</summary>
    public static LedgerFormatException InChainFile(ReadOnlyMemory<byte> file, LedgerFormatException error)
    {
        if (error.OpIndex is not { } index || Innermost(error) is not { } inner || inner.Structure == "chain file") return error;
        try
        {
            var reader = new MessagePackReader(file);
            reader.ReadArrayHeader();
            reader.Skip();
            reader.Skip();
            reader.ReadArrayHeader();
            for (var i = 0; i < index; i++) reader.Skip();
            var (start, length) = Payload(ref reader);
            return Located("chain file", error.Field, inner, file.Slice((int)start, length), start, index);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or ArgumentOutOfRangeException)
        {
            return error;
        }
    }

    /// <summary>The error of <c>NodeExport.Decode</c> located in the export file: a record whose signed op does not
    /// decode is decoded again here, and the signed op's error is placed in the file.</summary>
    public static LedgerFormatException InNodeExport(ReadOnlyMemory<byte> file, LedgerFormatException error)
    {
        const string prefix = "records[";
        if (!error.Field.StartsWith(prefix, StringComparison.Ordinal) || !error.Field.EndsWith("].bytes", StringComparison.Ordinal)
            || !int.TryParse(error.Field.AsSpan(prefix.Length, error.Field.Length - prefix.Length - "].bytes".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return error;
        }

        try
        {
            var reader = new MessagePackReader(file);
            reader.ReadArrayHeader();
            for (var i = 0; i < 5; i++) reader.Skip();
            reader.ReadArrayHeader();
            for (var i = 0; i < index; i++) reader.Skip();
            reader.ReadArrayHeader();
            var (start, length) = Payload(ref reader);
            var bytes = file.Slice((int)start, length);
            if (SignedOpCodec.TryDecode(bytes, out _, out var inner) || Innermost(inner!) is not { } innermost) return error;
            return Located("node export", error.Field, innermost, bytes, start, null);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or ArgumentOutOfRangeException)
        {
            return error;
        }
    }

    /// <summary>Places <paramref name="inner"/> (an error of a signed op, or of the op inside it) in the file, given
    /// where the signed op's bytes start.</summary>
    private static LedgerFormatException Located(string structure, string field, LedgerFormatException inner, ReadOnlyMemory<byte> signedOp, long signedOpStart, long? opIndex)
    {
        var offset = signedOpStart + inner.Offset;
        var name = field;
        if (inner.Structure == "op")
        {
            // The op is the third field of the signed op: [label, ledger, op bytes, key id, signature].
            var reader = new MessagePackReader(signedOp);
            reader.ReadArrayHeader();
            reader.Skip();
            reader.Skip();
            offset = signedOpStart + Payload(ref reader).Start + inner.Offset;
            if (!name.EndsWith("." + inner.Field, StringComparison.Ordinal)) name += ".op." + inner.Field;
        }
        else if (!name.EndsWith("." + inner.Field, StringComparison.Ordinal))
        {
            name += "." + inner.Field;
        }

        return new LedgerFormatException(structure, name, inner.Problem, offset, inner.Detail, opIndex, inner);
    }

    /// <summary>Reads a binary value; where its bytes start and how many there are.</summary>
    private static (long Start, int Length) Payload(ref MessagePackReader reader)
    {
        var bytes = reader.ReadBytes() ?? throw new EndOfStreamException();
        return (reader.Consumed - bytes.Length, (int)bytes.Length);
    }

    private static LedgerFormatException? Innermost(LedgerFormatException error)
    {
        LedgerFormatException? found = null;
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is LedgerFormatException f && f.Structure is "op" or "signed op") found = f;
        }

        return found;
    }
}
