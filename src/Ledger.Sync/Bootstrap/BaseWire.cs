using System.Buffers;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using MessagePack;

namespace Ledger.Sync;

/// <summary>"Bootstrap package v1" (docs/wire-format.md): what a peer hands a new device to start from
/// (<c>DeviceNode.CreateBootstrapPackageAsync</c>), and what a bootstrapped node keeps as its base
/// (<see cref="INodeBootstrapStore"/>), verified again on every open.
/// <c>[1, offer: bin (Bootstrap offer v1), relayNote: bin, prefix: uint, leafHashes: bin (32 × prefix)]</c>.</summary>
internal static class BaseWire
{
    private const string Structure = "bootstrap base";

    public static byte[] Encode(BootstrapOffer offer, byte[] relayNote, MerkleTree tree, long prefix)
    {
        var hashes = new Hash32[prefix];
        for (long i = 0; i < prefix; i++) hashes[i] = tree.Leaf(i);
        return Encode(offer, relayNote, hashes);
    }

    public static byte[] Encode(BootstrapOffer offer, byte[] relayNote, IReadOnlyList<Hash32> leafHashes)
    {
        var prefix = (long)leafHashes.Count;
        var leaves = new byte[checked((int)(prefix * Hash32.Length))];
        for (var i = 0; i < leafHashes.Count; i++) leafHashes[i].CopyTo(leaves.AsSpan(i * Hash32.Length));
        var buffer = new ArrayBufferWriter<byte>(leaves.Length + 4096);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(5);
        w.Write(1);
        w.Write(offer.ToBytes());
        w.Write(relayNote);
        w.Write(prefix);
        w.Write(leaves);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="LedgerFormatException">Not a base of this version.</exception>
    public static (BootstrapOffer Offer, byte[] RelayNote, Hash32[] Leaves) Decode(ReadOnlyMemory<byte> bytes)
    {
        var r = new WireReader(bytes, Structure);
        r.ReadArrayHeader("base", 5, 5);
        var at = r.Offset;
        if (r.ReadUInt64("version") != 1) throw r.Fail("version", FormatProblem.UnknownVersion, at, "this is version 1.");
        var offer = BootstrapWire.DecodeOffer(r.ReadBinary("offer", 1, int.MaxValue));
        var note = r.ReadBinary("relayNote", 1, 64 * 1024).ToArray();
        var prefixAt = r.Offset;
        var prefix = r.ReadUInt64("prefix", 0, int.MaxValue / Hash32.Length);
        var leaves = r.ReadBinary("leafHashes", 0, int.MaxValue);
        if (leaves.Length != (long)prefix * Hash32.Length) throw r.Fail("leafHashes", FormatProblem.InvalidValue, prefixAt, $"{leaves.Length} bytes of leaf hashes for a prefix of {prefix}.");
        r.EnsureEnd();
        var hashes = new Hash32[prefix];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = new Hash32(leaves.Span.Slice(i * Hash32.Length, Hash32.Length));
        return (offer, note, hashes);
    }
}
