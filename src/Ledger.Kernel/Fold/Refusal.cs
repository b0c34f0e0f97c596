using System.Globalization;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Kernel;

/// <summary>A refused op as recorded in <c>$refused</c>: part of the state and the hash; never blocks the fold.</summary>
/// <param name="Op">The refused op.</param>
/// <param name="Code">The stable code (see <see cref="RefusalCodes"/>).</param>
/// <param name="Verb">The verb the op named.</param>
/// <param name="VerbVersion">The verb version the op named.</param>
public sealed record Refusal(OpRef Op, string Code, string Verb, uint VerbVersion)
{
    internal byte[] ToRowValue()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(32);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(Code);
        w.Write(Verb);
        w.Write(VerbVersion);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    internal static Refusal FromRow(string key, byte[] value)
    {
        var slash = key.LastIndexOf('/');
        var op = new OpRef(new AuthorId(key[..slash]), ulong.Parse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture));
        var r = new WireReader(value, "refusal row");
        r.ReadArrayHeader("row", 3, 3);
        var code = r.ReadString("code", 256);
        var verb = r.ReadString("verb", Kernel.Op.MaxVerbLength);
        var version = (uint)r.ReadUInt64("version", 1, uint.MaxValue);
        r.EnsureEnd();
        return new Refusal(op, code, verb, version);
    }
}
