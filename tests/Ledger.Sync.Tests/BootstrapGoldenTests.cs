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

    /// <summary>The first three ops of <c>World.Chain("golden-a", 2)</c>, folded as relay positions 0..2 with TestManifest
    /// v1: the state of prefix 3, its Merkle tree and its checkpoint (relay cut of that prefix).</summary>
    private static (IReadOnlyList<SignedOp> Chain, KernelOptions Options, MerkleTree Tree, Checkpoint Checkpoint) StateOfPrefix3()
    {
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
        return (chain, options, tree, kernel.CreateCheckpoint(new CheckpointExtras { RelayCut = new RelayCut(Origin, chain.Count, tree.Root()) }));
    }

    [Fact]
    [Trait("Risk", "C2")]
    public void A_bootstrap_checkpoint_and_offer_are_pinned_byte_for_byte_and_verify_as_documented()
    {
        // Three ops of one author, folded as relay positions 0..2: the state of prefix 3.
        var (chain, options, tree, checkpoint) = StateOfPrefix3();
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

    [Fact]
    [Trait("Risk", "C2")]
    public async Task A_bootstrap_package_is_pinned_byte_for_byte_and_a_new_device_starts_from_it()
    {
        // The same state of prefix 3, its relay note signed by the key whose seed is SHA-256("golden-relay/0").
        var (chain, _, tree, checkpoint) = StateOfPrefix3();
        var author = chain[0].Op.Author;
        var envelope = BootstrapCheckpoint.Sign(World.Ledger, author, Origin, chain.Count, tree.Root(), checkpoint.Digest, CheckpointCodec.Encode(checkpoint), World.Key("golden-a", 0)).ToBytes();
        var offer = new BootstrapOffer([envelope], [(author, [chain[0].Bytes])]);
        var relayKey = World.Key("golden-relay", 0);
        var note = new RelayCheckpoint(Origin, chain.Count, tree.Root()).Sign(relayKey).ToBytes();
        var leaves = Enumerable.Range(0, chain.Count).Select(i => tree.Leaf(i)).ToArray();
        var package = BaseWire.Encode(offer, note, leaves);

        var text = new StringBuilder()
            .Append("# Bootstrap package v1 (docs/wire-format.md): [1, offer, relayNote, prefix, leafHashes]. The offer of bootstrap-v1.txt,\n")
            .Append("# the relay's note of prefix 3 signed by the key whose seed is SHA-256(\"golden-relay/0\"), and the three leaf hashes.\n")
            .Append(CultureInfo.InvariantCulture, $"relay.public={Convert.ToHexStringLower(relayKey.Public.RawBytes.ToArray())}\n")
            .Append(CultureInfo.InvariantCulture, $"relayNote={Convert.ToHexStringLower(note)}\n")
            .Append(CultureInfo.InvariantCulture, $"leaf0={leaves[0].ToString()}\nleaf1={leaves[1].ToString()}\nleaf2={leaves[2].ToString()}\n")
            .Append(CultureInfo.InvariantCulture, $"package={Convert.ToHexStringLower(package)}\n");
        Golden.Match("bootstrap-package-v1.txt", text.ToString());

        // Read back: the fields, and a device that trusts the relay key starts from it.
        var golden = File.ReadAllLines(Golden.PathOf("bootstrap-package-v1.txt")).Where(l => l.Length > 0 && l[0] != '#')
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);
        var bytes = Convert.FromHexString(golden["package"]);
        var (readOffer, readNote, readLeaves) = BaseWire.Decode(bytes);
        Assert.Equal(envelope, readOffer.Checkpoints.Single().ToArray());
        Assert.Equal(golden["relayNote"], Convert.ToHexStringLower(readNote));
        Assert.Equal(golden["leaf2"], readLeaves[2].ToString());
        var nodeOptions = World.Options();
        nodeOptions.TrustedRelay = NoteKey.Create(Origin, relayKey.Public);
        await using var device = await DeviceNode.BootstrapFromPackageAsync(nodeOptions, new InMemoryNodeStore(), World.Key("golden-new", 0), "golden-new",
            World.Key("golden-new", 1).Public.Digest, bytes);
        Assert.Equal(NodeStartPath.Bootstrapped, device.Startup.Path);
        Assert.Equal(3, device.Startup.BootstrapPrefix);

        // Cut short: a typed format error naming the structure.
        var e = Assert.Throws<LedgerFormatException>(() => BaseWire.Decode(bytes[..^1]));
        Assert.Contains("bootstrap base", e.Message, StringComparison.Ordinal);
    }
}
