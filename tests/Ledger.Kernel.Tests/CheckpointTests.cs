using Ledger.Kernel;
using Ledger.Testing;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class CheckpointTests
{
    [Fact]
    [Trait("Risk", "B2")]
    public void Bootstrap_from_a_checkpoint_plus_the_tail_equals_genesis_replay()
    {
        foreach (var log in LedgerGen.Sample(TestManifest.Spec(120), 20, seed: 7))
        {
            var cut = log.Count / 2;
            var genesis = ReplayAssert.Fold(TestManifest.NewKernel, log.Entries, frontierAtEnd: true);

            // The replica folded the first half with the relay frontier at the cut.
            var first = TestManifest.NewKernel();
            foreach (var e in log.Entries.Take(cut)) first.Apply(e);
            first.AdvanceRelayFrontier(cut);
            var bytes = CheckpointCodec.Encode(first.CreateCheckpoint());

            var restored = LedgerKernel.Restore(bytes, new KernelOptions { Manifests = new ManifestCatalog(TestManifest.V1) });
            Assert.Equal(first.StateHash(), restored.StateHash());
            foreach (var e in log.Entries.Skip(cut)) restored.Apply(e);
            restored.AdvanceRelayFrontier(long.MaxValue);
            Assert.Equal(genesis, restored.StateHash());
        }
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_checkpoint_with_a_tampered_row_is_rejected()
    {
        var kernel = Folded(out _);
        var checkpoint = kernel.CreateCheckpoint();
        var segment = checkpoint.Segments.First(s => s.Id.Table == "balances");
        var rows = segment.Rows.ToList();
        rows[0] = new(rows[0].Key, MessagePack.MessagePackSerializer.Serialize(999_999L));
        var tampered = Replace(checkpoint, segment, segment with { Rows = rows });
        var e = Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(tampered, Options()));
        Assert.Equal(CheckpointProblem.StateHashMismatch, e.Problem);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_cut_whose_author_frontier_excludes_a_folded_op_is_rejected_as_not_closed()
    {
        var kernel = Folded(out var chain);
        var c = kernel.CreateCheckpoint();
        var authors = c.Authors.Select(a => a.Author == chain.Author ? a with { Seq = 1 } : a).ToArray();
        var cut = new Checkpoint(authors, c.RelayFrontier, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked, c.Segments, c.StateHash);
        var e = Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(cut, Options()));
        Assert.Equal(CheckpointProblem.CutNotClosed, e.Problem);
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_cut_claiming_a_relay_frontier_past_a_pending_claim_is_rejected_as_not_closed()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        kernel.Apply(chain.Next(TestManifest.StockPool, new UnitsArgs(1, "r"), "sku:1"), 0);
        var c = kernel.CreateCheckpoint();
        Assert.Single(c.Pending);
        var cut = new Checkpoint(c.Authors, 5, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked, c.Segments, c.StateHash);
        Assert.Equal(CheckpointProblem.CutNotClosed, Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(cut, Options())).Problem);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Truncated_or_mutated_checkpoint_bytes_fail_typed_and_never_restore()
    {
        var bytes = CheckpointCodec.Encode(Folded(out _).CreateCheckpoint());
        for (var length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<LedgerFormatException>(() => CheckpointCodec.Decode(bytes.AsMemory(0, length)));
        }

        var random = new Random(42);
        for (var i = 0; i < 500; i++)
        {
            var mutated = (byte[])bytes.Clone();
            mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            // The digest covers every byte but the array header and its own, so no mutation restores.
            var e = Assert.ThrowsAny<LedgerException>(() => LedgerKernel.Restore(mutated, Options()));
            Assert.True(e is LedgerFormatException or CheckpointException, e.GetType().Name);
        }
    }

    public static TheoryData<string> Sections() =>
        ["authors", "relayFrontier", "relayCut", "keyStateDigest", "adopted", "claimFrontier", "pending", "parked", "segments", "stateHash"];

    [Theory]
    [MemberData(nameof(Sections))]
    [Trait("Risk", "B2")]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void A_change_to_any_section_of_a_checkpoint_is_refused_by_its_digest(string section)
    {
        var (kernel, parkedAuthor) = WithEverySection();
        var c = kernel.CreateCheckpoint(Extras(kernel));
        var bytes = CheckpointCodec.Encode(c);
        Assert.Equal(c.Digest, CheckpointCodec.Decode(bytes).Digest);
        Assert.Equal(kernel.StateHash(), LedgerKernel.Restore(bytes, Options(), c.Digest).StateHash());
        Assert.True(c.Pending.Count > 0 && c.Parked.Count > 0 && c.ClaimFrontier.Count > 0 && c.Adopted.Count > 0, "the fixture fills every section");

        var other = Hash32.Sha256("other"u8);
        var changed = section switch
        {
            "authors" => With(c, authors: c.Authors.Select(a => a.Author == parkedAuthor || c.Pending.Any(p => p.Op.Author == a.Author) ? a : a with { Tip = other }).ToArray()),
            "relayFrontier" => With(c, relayFrontier: c.RelayFrontier + 1),
            "relayCut" => With(c, relayCut: c.RelayCut! with { Root = other }),
            "keyStateDigest" => With(c, keyStateDigest: other),
            "adopted" => With(c, adopted: []),
            "claimFrontier" => With(c, claimFrontier: []),
            "pending" => With(c, pending: c.Pending.Select(p => p with { Position = p.Position + 1 }).ToArray()),
            "parked" => With(c, parked: []),
            "segments" => With(c, segments: c.Segments.Select(s => s.Id.Table == "balances"
                ? s with { Rows = s.Rows.Select((r, i) => i == 0 ? new KeyValuePair<string, byte[]>(r.Key, MessagePack.MessagePackSerializer.Serialize(999_999L)) : r).ToArray() }
                : s).ToArray()),
            "stateHash" => With(c, stateHash: other),
            _ => throw new ArgumentOutOfRangeException(nameof(section)),
        };
        var changedBytes = CheckpointCodec.Encode(changed);
        Assert.NotEqual(c.Digest, changed.Digest);

        // The changed section under the digest the checkpoint carried: refused before anything is believed.
        byte[] spliced = [.. changedBytes[..^Hash32.Length], .. c.Digest.ToArray()];
        var error = Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(spliced, Options()));
        Assert.Equal(CheckpointProblem.DigestMismatch, error.Problem);

        // With its digest recomputed too, it is another checkpoint: the trusted digest refuses it.
        error = Assert.Throws<CheckpointException>(() => LedgerKernel.Restore(changedBytes, Options(), c.Digest));
        Assert.Equal(CheckpointProblem.DigestMismatch, error.Problem);

        // What the digest adds: every change but the rows and the state hash is consistent enough to restore on its own.
        if (section is not ("segments" or "stateHash")) LedgerKernel.Restore(changedBytes, Options());
    }

    [Fact]
    [Trait("Risk", "B2")]
    public void A_checkpoint_round_trips_byte_for_byte()
    {
        var kernel = Folded(out _);
        var bytes = CheckpointCodec.Encode(kernel.CreateCheckpoint(new CheckpointExtras
        {
            RelayCut = new RelayCut("relay.example/ledger-1", 12, Hash32.Sha256("root"u8)),
            KeyStateDigest = Hash32.Sha256("keys"u8),
        }));
        var decoded = CheckpointCodec.Decode(bytes);
        Assert.Equal(bytes, CheckpointCodec.Encode(decoded));
        Assert.Equal(12, decoded.RelayCut!.Size);
    }

    [Fact]
    [Trait("Risk", "C2")]
    [Trait("Risk", "B2")]
    public void The_bytes_and_digest_of_a_checkpoint_with_every_section_are_pinned()
    {
        // Fixed op ids and times (not UUIDv7's random bits), so the bytes are the same on every run.
        var kernel = TestManifest.NewKernel();
        var (a, b, late) = (new FixedChain("till-1"), new FixedChain("till-2"), new FixedChain("till-new"));
        kernel.Apply(a.Next(TestManifest.PostSale, new SaleArgs("i1", "acct", 500)));
        kernel.Apply(b.Next(TestManifest.SetPrice, new AmountArgs("sku", 250)));
        kernel.Apply(a.Next(TestManifest.StockPool, new UnitsArgs(5, "r"), "sku:1"), 0);
        kernel.AdvanceRelayFrontier(1);
        kernel.Apply(a.Next(TestManifest.StockPool, new UnitsArgs(1, "r"), "sku:1"), 5);
        kernel.Apply(late.Next(ParkingTests.DoubleTallyVerb, new AmountArgs("a", 5), ParkingTests.V2));
        var c = kernel.CreateCheckpoint(Extras(kernel));
        var bytes = CheckpointCodec.Encode(c);
        var text = new System.Text.StringBuilder()
            .Append("# A kernel checkpoint (docs/wire-format.md, \"Checkpoint v1\") of the test domain: a sale and a price (rows),\n")
            .Append("# a claim folded at position 0 (claim frontier), a claim pending at position 5, an op of an unknown manifest (parked),\n")
            .Append("# a relay cut, a key-state digest and an adoption. digest = SHA-256(bytes after the array header up to the digest's c4 20).\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"stateHash={c.StateHash}\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"digest={c.Digest}\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"checkpoint={Convert.ToHexStringLower(bytes)}\n")
            .ToString();
        Golden.Match("checkpoint-v1.txt", text);

        // Read back: the digest by hand, and a restore anchored to it.
        var pinned = Convert.FromHexString(File.ReadAllLines(Golden.PathOf("checkpoint-v1.txt")).Single(l => l.StartsWith("checkpoint=", StringComparison.Ordinal))["checkpoint=".Length..]);
        Assert.Equal(0x9c, pinned[0]);
        Assert.Equal([0xc4, 0x20], pinned[^34..^32]);
        var digest = Hash32.Sha256(pinned.AsSpan(1, pinned.Length - 35));
        Assert.Equal(digest, new Hash32(pinned.AsSpan(pinned.Length - 32)));
        Assert.Equal(kernel.StateHash(), LedgerKernel.Restore(pinned, Options(), digest).StateHash());
    }

    /// <summary>Ops with ids derived from their time, for pinned bytes.</summary>
    private sealed class FixedChain(string author)
    {
        private ulong _seq;
        private Hash32 _tip;
        private long _at = 1_767_225_600_000;

        public Op Next<TArgs>(Verb<TArgs> verb, TArgs args, string? claimKey = null, Manifest? manifest = null) => Next(verb, args, manifest, claimKey);

        public Op Next<TArgs>(Verb<TArgs> verb, TArgs args, Manifest? manifest, string? claimKey = null)
        {
            _seq++;
            _at += 1000;
            var id = new AuthorId(author);
            var m = manifest ?? TestManifest.V1;
            var op = new Op(new Guid(_at.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)), id, _seq, _tip, m.Id, verb.Name, verb.Version,
                new BranchId(id, "main"), claimKey, _at, verb.EncodeArgs(args));
            _tip = op.ChainHash;
            return op;
        }
    }

    private static KernelOptions Options() => new() { Manifests = new ManifestCatalog(TestManifest.V1) };

    /// <summary>A kernel whose checkpoint fills every section: folded rows, a folded claim (claim frontier), a pending
    /// claim, a parked op of a manifest it does not know; the extras add a relay cut, a key digest and an adoption.</summary>
    private static (LedgerKernel Kernel, AuthorId ParkedAuthor) WithEverySection()
    {
        var kernel = Folded(out var chain);
        kernel.Apply(chain.Next(TestManifest.StockPool, new UnitsArgs(5, "r"), "sku:1"), 0);
        kernel.AdvanceRelayFrontier(1);
        Assert.Equal(ApplyStatus.Pending, kernel.Apply(chain.Next(TestManifest.StockPool, new UnitsArgs(1, "r"), "sku:1"), 5).Status);
        var upgraded = new Chain("till-new");
        Assert.Equal(ApplyStatus.Parked, kernel.Apply(upgraded.Next(ParkingTests.DoubleTallyVerb, new AmountArgs("a", 5), manifest: ParkingTests.V2)).Status);
        return (kernel, upgraded.Author);
    }

    private static CheckpointExtras Extras(LedgerKernel kernel) => new()
    {
        RelayCut = new RelayCut("relay.example/ledger-1", 6, Hash32.Sha256("root"u8)),
        KeyStateDigest = Hash32.Sha256("keys"u8),
        Adopted = [new AdoptedManifest(new BranchId(new AuthorId("till-1"), "main"), TestManifest.V1.Id)],
    };

    private static Checkpoint With(Checkpoint c, IReadOnlyList<AuthorTip>? authors = null, long? relayFrontier = null, RelayCut? relayCut = null,
        Hash32? keyStateDigest = null, IReadOnlyList<AdoptedManifest>? adopted = null, IReadOnlyList<ClaimFrontier>? claimFrontier = null,
        IReadOnlyList<CheckpointOp>? pending = null, IReadOnlyList<CheckpointOp>? parked = null, IReadOnlyList<CheckpointSegment>? segments = null,
        Hash32? stateHash = null) =>
        new(authors ?? c.Authors, relayFrontier ?? c.RelayFrontier, relayCut ?? c.RelayCut, keyStateDigest ?? c.KeyStateDigest, adopted ?? c.Adopted,
            claimFrontier ?? c.ClaimFrontier, pending ?? c.Pending, parked ?? c.Parked, segments ?? c.Segments, stateHash ?? c.StateHash);

    private static LedgerKernel Folded(out Chain chain)
    {
        var kernel = TestManifest.NewKernel();
        chain = new Chain("till-1");
        var other = new Chain("till-2");
        kernel.Apply(chain.Next(TestManifest.PostSale, new SaleArgs("i1", "acct", 500)));
        kernel.Apply(chain.Next(TestManifest.MoveStock, new AmountArgs("sku", -3)));
        kernel.Apply(other.Next(TestManifest.SetPrice, new AmountArgs("sku", 250)));
        kernel.Apply(other.Next(TestManifest.AddTag, new TagArgs("sku", "red")));
        kernel.Apply(chain.Next(TestManifest.PutNote, new NoteArgs("n", "hello")));
        return kernel;
    }

    private static Checkpoint Replace(Checkpoint c, CheckpointSegment old, CheckpointSegment replacement) =>
        new(c.Authors, c.RelayFrontier, c.RelayCut, c.KeyStateDigest, c.Adopted, c.ClaimFrontier, c.Pending, c.Parked,
            c.Segments.Select(s => ReferenceEquals(s, old) ? replacement : s).ToArray(), c.StateHash);
}
