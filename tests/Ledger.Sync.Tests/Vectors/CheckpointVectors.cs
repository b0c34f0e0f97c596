using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;
using static Ledger.Sync.Tests.Vectors.VectorFile;

namespace Ledger.Sync.Tests.Vectors;

/// <summary>Kernel checkpoint v1 and the state hash. Built last and kept in its own file: the checkpoint encoding may
/// change (issue 14, defect 7); regenerating is <see cref="VectorFile.RegenerateCommand"/>.</summary>
internal static class CheckpointVectors
{
    private static KernelOptions Options() => new() { Manifests = new ManifestCatalog(KeyEvents.Manifest, TestManifest.V1) };

    /// <summary>Two authors' ops folded in relay order: every row kind the test domain writes in a few ops.</summary>
    private static LedgerKernel Folded()
    {
        var kernel = new LedgerKernel(Options());
        var a = new KeyEventCases.Builder(label: "till-a");
        var b = new KeyEventCases.Builder(label: "till-b");
        a.Tally();
        a.Log.Append(TestManifest.V1, TestManifest.PutNote, new NoteArgs("greeting", "hello")).Into(a);
        a.Log.Append(TestManifest.V1, TestManifest.AddTag, new TagArgs("k", "blue")).Into(a);
        b.Log.Append(TestManifest.V1, TestManifest.SetPrice, new AmountArgs("k", 250)).Into(b);
        b.Log.Append(TestManifest.V1, TestManifest.OfferPeak, new AmountArgs("k", 7)).Into(b);
        long position = 0;
        foreach (var op in a.Chain().Concat(b.Chain())) kernel.Apply(op.Op, position++);
        kernel.AdvanceRelayFrontier(position);
        return kernel;
    }

    public static VectorFile CheckpointFile() => new()
    {
        FileName = "checkpoint.json",
        Structure = "ledger kernel checkpoint v1 and the state hash",
        Documentation = "docs/wire-format.md, \"State: rows, segments and the state hash\" and \"Checkpoint v1\"",
        Description = "Decode input.bytes as a kernel checkpoint, check that its rows reproduce its state hash and that the cut is closed, and restore a kernel from it (manifests: ledger-keys v1 and the test domain's). Valid: expected.stateHash, and per segment its kind, row count and segment hash = H(\"ledger/segment/v1\" ‖ per row u32be(len k) ‖ k ‖ u32be(len v) ‖ v); the state hash is H(\"ledger/state/v1\" ‖ per segment u32be(len t) ‖ t ‖ u32be(len b) ‖ b ‖ segmentHash). Invalid: expected.error (it does not decode) or expected.refused (a CheckpointProblem).",
        Notes = new JsonObject
        {
            ["regenerate"] = "The checkpoint encoding may change (covering more than the rows); after such a change run " + RegenerateCommand + " and review the diff of vectors/checkpoint.json.",
            ["manifests"] = "The test domain (tests/Ledger.TestDomain) is Ledger's own; its manifest id is " + Hex(TestManifest.V1.Id.Hash) + ".",
        },
        Cases = () =>
        {
            var checkpoint = Folded().CreateCheckpoint();
            var bytes = CheckpointCodec.Encode(checkpoint);
            JsonObject In(byte[] b) => new() { ["bytes"] = Hex(b) };

            // Mutations of the encoded bytes only (no Checkpoint constructor): they stay meaningful if the encoding
            // gains fields (issue 14, defect 7).
            var lww = checkpoint.Segments.First(s => s.Kind == TableKind.LastWriterWins).Rows[0].Value;
            var tampered = (byte[])bytes.Clone();
            tampered[bytes.AsSpan().IndexOf(lww) + lww.Length - 1] ^= 0x01;
            var kindChanged = (byte[])bytes.Clone();
            "max"u8.CopyTo(kindChanged.AsSpan(bytes.AsSpan().IndexOf(new byte[] { 0xa3, (byte)'l', (byte)'w', (byte)'w' }) + 1));
            var hashChanged = (byte[])bytes.Clone();
            hashChanged[^1] ^= 0x01;
            return
            [
                new("two-authors", "till-a: inception, tally.add, note.put, tag.add; till-b: inception, price.set, peak.offer; relay frontier after all", In(bytes), true,
                    "decodes, rows reproduce the state hash, the cut is closed"),
                new("row-value-changed", "the last byte of the last-writer-wins row value flipped", In(tampered), false, "the rows must reproduce stateHash"),
                new("state-hash-changed", "the last byte of stateHash flipped", In(hashChanged), false, "the rows must reproduce stateHash"),
                new("kind-changed", "the kind of segment prices written max instead of lww", In(kindChanged), false, "a segment's kind must be the one its table has in the manifests the reader knows"),
                new("trailing-byte", "a valid checkpoint followed by 00", In([.. bytes, 0x00]), false, "no bytes may follow the array"),
                new("truncated", "a valid checkpoint without its last byte", In(bytes[..^1]), false, "the input ends inside the state hash"),
            ];
        },
        Judge = input =>
        {
            Checkpoint checkpoint;
            try
            {
                checkpoint = CheckpointCodec.Decode(VectorFile.Bytes(input["bytes"]));
            }
            catch (LedgerFormatException e)
            {
                return new(false, Error(e));
            }

            try
            {
                LedgerKernel.Restore(checkpoint, Options());
            }
            catch (CheckpointException e)
            {
                return new(false, new JsonObject { ["refused"] = e.Problem.ToString() });
            }

            return new(true, new JsonObject
            {
                ["stateHash"] = Hex(checkpoint.StateHash),
                ["segments"] = new JsonArray([.. checkpoint.Segments.Select(s => (JsonNode)new JsonObject
                {
                    ["table"] = s.Id.Table,
                    ["branch"] = s.Id.Branch,
                    ["kind"] = s.Kind.WireName(),
                    ["rows"] = s.Rows.Count,
                    ["segmentHash"] = Hex(SegmentHash(s)),
                })]),
            });
        },
    };

    /// <summary>The segment hash by the formula of docs/wire-format.md, not by the kernel's code.</summary>
    internal static Hash32 SegmentHash(CheckpointSegment segment)
    {
        var bytes = new List<byte>("ledger/segment/v1"u8.ToArray());
        foreach (var (key, value) in segment.Rows)
        {
            Prefixed(bytes, Encoding.UTF8.GetBytes(key));
            Prefixed(bytes, value);
        }

        return Hash32.Sha256(bytes.ToArray());
    }

    /// <summary>The state hash by the formula of docs/wire-format.md.</summary>
    internal static Hash32 StateHash(IEnumerable<CheckpointSegment> segments)
    {
        var bytes = new List<byte>("ledger/state/v1"u8.ToArray());
        foreach (var s in segments)
        {
            Prefixed(bytes, Encoding.UTF8.GetBytes(s.Id.Table));
            Prefixed(bytes, Encoding.UTF8.GetBytes(s.Id.Branch));
            bytes.AddRange(SegmentHash(s).ToArray());
        }

        return Hash32.Sha256(bytes.ToArray());
    }

    private static void Prefixed(List<byte> bytes, byte[] part)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)part.Length);
        bytes.AddRange(length);
        bytes.AddRange(part);
    }
}
