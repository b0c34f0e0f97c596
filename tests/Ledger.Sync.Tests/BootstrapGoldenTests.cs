using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Tests;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests;

/// <summary>Bootstrap checkpoint v1 and bootstrap offer v1 (docs/wire-format.md) pinned byte for byte, and read back
/// as documented.</summary>
public sealed class BootstrapGoldenTests
{
    private const string Origin = "ledger-relay/golden";

    [Fact]
    [Trait("Risk", "C2")]
    public void A_bootstrap_checkpoint_and_offer_are_pinned_byte_for_byte_and_verify_as_documented()
    {
        // Three ops of one author, folded as relay positions 0..2: the state of prefix 3.
        var chain = World.Chain("golden-a", 2);
        var options = KeyEvents.Use(new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1) });
        var kernel = new LedgerKernel(options);
        var tree = new MerkleTree();
        for (var i = 0; i < chain.Count; i++)
        {
            kernel.Apply(chain[i].Op, i);
            tree.Append(chain[i].Bytes.Span);
        }

        kernel.AdvanceRelayFrontier(chain.Count);
        var checkpoint = kernel.CreateCheckpoint(new CheckpointExtras { RelayCut = new RelayCut(Origin, chain.Count, tree.Root()) });
        var key = World.Key("golden-a", 0);
        var author = chain[0].Op.Author;
        var signed = BootstrapCheckpoint.Sign(World.Ledger, author, Origin, chain.Count, tree.Root(), checkpoint.Digest, CheckpointCodec.Encode(checkpoint), key);
        var envelope = signed.ToBytes();
        var offer = new BootstrapOffer([envelope], [(author, [chain[0].Bytes])]).ToBytes();
        var message = BootstrapWire.SignedBytes(World.Ledger, author, Origin, chain.Count, tree.Root(), checkpoint.Digest);

        var text = new StringBuilder()
            .Append("# Bootstrap checkpoint v1 and bootstrap offer v1 (docs/wire-format.md). The state of relay prefix 3: the first three ops\n")
            .Append("# of World.Chain(\"golden-a\", 2) in tests/Ledger.Sync.Tests, folded with TestManifest v1. key.seed = SHA-256(\"golden-a/0\").\n")
            .Append(CultureInfo.InvariantCulture, $"key.seed={Convert.ToHexStringLower(Hash32.Sha256(Encoding.UTF8.GetBytes("golden-a/0")).ToArray())}\n")
            .Append(CultureInfo.InvariantCulture, $"key.public={Convert.ToHexStringLower(key.Public.RawBytes.ToArray())}\n")
            .Append(CultureInfo.InvariantCulture, $"ledger={World.Ledger}\n")
            .Append(CultureInfo.InvariantCulture, $"author={author.Value}\n")
            .Append(CultureInfo.InvariantCulture, $"origin={Origin}\n")
            .Append(CultureInfo.InvariantCulture, $"prefix={chain.Count}\n")
            .Append(CultureInfo.InvariantCulture, $"root={tree.Root().ToString()}\n")
            .Append(CultureInfo.InvariantCulture, $"digest={checkpoint.Digest.ToString()}\n")
            .Append(CultureInfo.InvariantCulture, $"stateHash={checkpoint.StateHash.ToString()}\n")
            .Append("# What the signature covers: the domain line, then the MessagePack array [ledger, author, origin, prefix, root, digest].\n")
            .Append(CultureInfo.InvariantCulture, $"signed={Convert.ToHexStringLower(message)}\n")
            .Append("# The envelope [1, ledger, author, origin, prefix, root, digest, checkpoint (Checkpoint v1), signature].\n")
            .Append(CultureInfo.InvariantCulture, $"envelope={Convert.ToHexStringLower(envelope)}\n")
            .Append("# The offer [1, [envelope], [[author, [its inception]]]].\n")
            .Append(CultureInfo.InvariantCulture, $"offer={Convert.ToHexStringLower(offer)}\n");
        Golden.Match("bootstrap-v1.txt", text.ToString());

        // Read back as documented: the envelope decodes to its fields, the signature verifies with any Ed25519 library's
        // view of the key over the documented bytes, and the state restores to its hash.
        var golden = File.ReadAllLines(Golden.PathOf("bootstrap-v1.txt")).Where(l => l.Length > 0 && l[0] != '#')
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);
        var decoded = BootstrapWire.Decode(Convert.FromHexString(golden["envelope"]));
        Assert.Equal(golden["author"], decoded.Author.Value);
        Assert.Equal(long.Parse(golden["prefix"], CultureInfo.InvariantCulture), decoded.Prefix);
        Assert.True(VerificationKey.Import(Convert.FromHexString(golden["key.public"])).Verify(Convert.FromHexString(golden["signed"]), decoded.Signature.Span));
        Assert.True(decoded.Verify(key.Public));
        Assert.Equal(golden["stateHash"], LedgerKernel.Restore(decoded.Checkpoint, options, decoded.Digest).StateHash().ToString());
        var readOffer = BootstrapWire.DecodeOffer(Convert.FromHexString(golden["offer"]));
        Assert.Equal(envelope, readOffer.Checkpoints.Single().ToArray());
        Assert.Equal(author, readOffer.KeyEvents.Single().Author);

        // Bytes cut short are refused as a typed format error naming the structure.
        var bytes = Convert.FromHexString(golden["envelope"]);
        var e = Assert.Throws<LedgerFormatException>(() => BootstrapWire.Decode(bytes[..^1]));
        Assert.Contains("bootstrap checkpoint", e.Message, StringComparison.Ordinal);
    }
}
