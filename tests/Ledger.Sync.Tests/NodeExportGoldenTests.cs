using System.Buffers;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;
using MessagePack;
using NSec.Cryptography;

namespace Ledger.Sync.Tests;

/// <summary>Pins every byte of a node export (docs/wire-format.md, "Node export v1") and reads it back both
/// with the library and by hand, the way an integrator with only MessagePack and Ed25519 would.</summary>
public class NodeExportGoldenTests
{
    [Fact]
    [Trait("Risk", "A1")]
    [Trait("Risk", "C2")]
    public async Task A_node_export_with_own_foreign_acknowledged_and_unacknowledged_records_is_pinned_and_verifies_as_documented()
    {
        var bytes = await ExportOfAFixedHistory();
        var export = NodeExport.Decode(bytes);
        var text = new StringBuilder()
            .Append("# A node export (docs/wire-format.md, \"Node export v1\") of device golden-a, which signed two ops,\n")
            .Append("# synced with device golden-b through a relay, then signed one more op offline (position nil).\n")
            .Append("# Keys: seed of key i of device L = SHA-256(\"L/i\"); edge times from 2026-01-01T00:00:01Z, one second per reading.\n")
            .Append(CultureInfo.InvariantCulture, $"exporter={export.Exporter}\n")
            .Append(CultureInfo.InvariantCulture, $"exporter.public={Convert.ToHexStringLower(World.Key("golden-a", 0).Public.RawBytes)}\n")
            .Append(CultureInfo.InvariantCulture, $"cursor={export.Cursor}\n")
            .Append(CultureInfo.InvariantCulture, $"stateHash={export.StateHash}\n");
        for (var i = 0; i < export.Records.Count; i++)
        {
            var r = export.Records[i];
            text.Append(CultureInfo.InvariantCulture,
                $"# records[{i}]: {r.Op} own={r.Own} position={(r.Position is { } p ? p.ToString(CultureInfo.InvariantCulture) : "nil")} refusedBy={r.RefusedBy ?? "nil"}\n");
        }

        text.Append("# The whole export, hex:\n")
            .Append(CultureInfo.InvariantCulture, $"export={Convert.ToHexStringLower(bytes)}\n");
        Golden.Match("node-export-v1.txt", text.ToString());

        // Read back with the library.
        var golden = File.ReadAllText(Golden.PathOf("node-export-v1.txt")).ReplaceLineEndings("\n").Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#').ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);
        var pinned = Convert.FromHexString(golden["export"]);
        var decoded = NodeExport.Decode(pinned);
        Assert.True(decoded.Verify().Ok, decoded.Verify().Finding);
        Assert.Equal([true, true, false, false, true], decoded.Records.Select(r => r.Own));
        Assert.Null(decoded.Records[^1].Position);

        // Read back by hand: a MessagePack array of 9; the signature is element 9 (bin 64) over every byte after
        // the one-byte array header up to the signature's two-byte bin header; element 8 names the key.
        var reader = new MessagePackReader(pinned);
        Assert.Equal(9, reader.ReadArrayHeader());
        Assert.Equal("ledger/export/v1", reader.ReadString());
        Assert.Equal(World.Ledger, reader.ReadString());
        Assert.Equal(golden["exporter"], reader.ReadString());
        Assert.Equal(long.Parse(golden["cursor"], CultureInfo.InvariantCulture), reader.ReadInt64());
        Assert.Equal(golden["stateHash"], Convert.ToHexStringLower(reader.ReadBytes()!.Value.ToArray()));
        reader.Skip(); // records
        reader.Skip(); // witnesses
        var keyId = reader.ReadBytes()!.Value.ToArray();
        var messageEnd = (int)reader.Consumed;
        var signature = reader.ReadBytes()!.Value.ToArray();
        Assert.True(reader.End);
        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString(golden["exporter.public"]), KeyBlobFormat.RawPublicKey);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, pinned.AsSpan(1, messageEnd - 1), signature));
        Assert.Equal(8, keyId.Length);
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void A_pinned_export_with_a_bin16_signature_header_or_a_longer_cursor_form_is_refused_as_non_canonical()
    {
        var golden = File.ReadAllText(Golden.PathOf("node-export-v1.txt")).ReplaceLineEndings("\n").Split('\n')
            .Single(l => l.StartsWith("export=", StringComparison.Ordinal))["export=".Length..];
        var pinned = Convert.FromHexString(golden);
        Assert.True(NodeExport.Decode(pinned).Verify().Ok);

        // c4 40 → c5 00 40: the same signature, a second encoding of the export.
        var at = pinned.Length - 64 - 2;
        Assert.Equal((byte)0xc4, pinned[at]);
        byte[] longSignature = [.. pinned[..at], 0xc5, 0x00, 0x40, .. pinned[(at + 2)..]];
        var error = Assert.Throws<LedgerFormatException>(() => NodeExport.Decode(longSignature));
        Assert.Equal(("node export", "signature", FormatProblem.NonCanonical, (long)at), (error.Structure, error.Field, error.Problem, error.Offset));

        // cursor 4 (positive fixint 04) → cd 00 04 (uint 16).
        var reader = new MessagePackReader(pinned);
        reader.ReadArrayHeader();
        reader.Skip();
        reader.Skip();
        reader.Skip();
        var cursorAt = (int)reader.Consumed;
        Assert.Equal((byte)0x04, pinned[cursorAt]);
        byte[] longCursor = [.. pinned[..cursorAt], 0xcd, 0x00, 0x04, .. pinned[(cursorAt + 1)..]];
        error = Assert.Throws<LedgerFormatException>(() => NodeExport.Decode(longCursor));
        Assert.Equal(("node export", "cursor", FormatProblem.NonCanonical), (error.Structure, error.Field, error.Problem));
    }

    internal static async Task<byte[]> ExportOfAFixedHistory()
    {
        static NodeOptions Options() => new()
        {
            Ledger = World.Ledger,
            Manifests = new ManifestCatalog(TestManifest.V1),
            Time = new SteppingClock(),
            OpIds = World.DeterministicId,
        };

        var relay = World.NewRelay();
        var link = new InMemoryRelayTransport(relay);
        await using var a = (await DeviceNode.InceptAsync(Options(), new InMemoryNodeStore(), World.Key("golden-a", 0), "golden-a", World.Key("golden-a", 1).Public.Digest));
        await using var b = (await DeviceNode.InceptAsync(Options(), new InMemoryNodeStore(), World.Key("golden-b", 0), "golden-b", World.Key("golden-b", 1).Public.Digest));
        await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 120));
        await b.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", -45));
        await b.SyncAsync(link);
        await a.SyncAsync(link);
        await a.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 7));
        return (await a.ExportAsync());
    }
}
