using Ledger.Kernel.Wire;

namespace Ledger.Kernel;

/// <summary>One effect a verb applied: the row, the kind of write, and what was written (a value, a delta,
/// an element — never the merged result, so one verb's effects do not depend on other verbs' ops).</summary>
/// <param name="Segment">The table and branch.</param>
/// <param name="Key">The row key.</param>
/// <param name="Kind"><c>put</c>, <c>remove</c>, <c>add</c>, <c>offer</c>, <c>set-add</c>, <c>lww-put</c> or <c>refuse</c>.</param>
/// <param name="Value">The written bytes (MessagePack), empty for a removal.</param>
public readonly record struct FoldEffect(SegmentId Segment, string Key, string Kind, ReadOnlyMemory<byte> Value)
{
    internal static FoldEffect From(SegmentId segment, in Effect e)
    {
        switch (e.Kind)
        {
            case EffectKind.Put:
                return new FoldEffect(segment, e.Key, "put", e.Value!);
            case EffectKind.Remove:
                return new FoldEffect(segment, e.Key, "remove", ReadOnlyMemory<byte>.Empty);
            case EffectKind.SetAdd:
                return new FoldEffect(segment, e.Key, "set-add", MsgPack.Str(e.Element!));
            case EffectKind.LwwPut:
                return new FoldEffect(segment, e.Key, "lww-put", e.Value!);
            default:
                var buffer = new byte[MsgPack.MaxIntLength];
                var n = MsgPack.WriteInt(buffer, e.Number);
                return new FoldEffect(segment, e.Key, e.Kind == EffectKind.CounterAdd ? "add" : "offer", buffer[..n]);
        }
    }
}
