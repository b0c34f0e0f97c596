using System.Buffers.Binary;
using System.Text;
using Ledger.Erasure;
using Ledger.Kernel;
using Ledger.Migration;
using Ledger.Signing;
using Ledger.Signing.Recovery;
using Ledger.Sync;

namespace Ledger.Fuzz.Tests;

/// <summary>Every public decoder of the packages, with its documented typed failure and the properties of what it
/// accepts (docs/reliability.md lists them). "Re-encodes" uses the type's own encoder where it has one independent of
/// the input bytes; types that keep their input (signed structures) re-encode inside the decoder, which then compares.</summary>
internal static class Targets
{
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        // Ledger.Kernel
        new("op", Seeds.Ops, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var op = OpCodec.Decode(b);
            Expect.SameBytes(b, op.CanonicalBytes.Span, "op");
            return true;
        })),
        new("checkpoint", Seeds.Checkpoints, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var checkpoint = CheckpointCodec.Decode(b);
            Expect.SameBytes(b, CheckpointCodec.Encode(checkpoint), "checkpoint");
            // Restoring verifies the digest, the rows and the cut: a typed refusal, or a kernel.
            try
            {
                LedgerKernel.Restore(checkpoint, Seeds.CheckpointOptions());
            }
            catch (CheckpointException)
            {
            }

            return true;
        }), Weight: 0.5),

        new("checkpoint-restore", Seeds.Checkpoints, b =>
        {
            // Structure-aware: the mutated checkpoint's digest is recomputed (as a party rewriting sections would), so
            // Restore's own checks — rows against the state hash, order, kinds, the closed cut, routing of pending and
            // parked ops — see the hostile sections instead of stopping at the digest.
            if (b.Length < 35 || b[^34] != 0xc4 || b[^33] != 0x20) return Expect.Typed<LedgerFormatException>(() => CheckpointCodec.Decode(b) is not null);
            byte[] fixedUp = [.. b[..^32], .. Hash32.Sha256(b.AsSpan(1, b.Length - 35)).ToArray()];
            return Expect.Typed<LedgerFormatException>(() =>
            {
                var checkpoint = CheckpointCodec.Decode(fixedUp);
                try
                {
                    var kernel = LedgerKernel.Restore(checkpoint, Seeds.CheckpointOptions());
                    if (kernel.StateHash() != checkpoint.StateHash) throw new FuzzPropertyException("checkpoint: restored to another state hash than it carries.");
                }
                catch (CheckpointException)
                {
                    return false;
                }

                return true;
            });
        }, Weight: 0.5),

        // Ledger.Signing
        new("signed-op", Seeds.SignedOps, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var signed = SignedOpCodec.Decode(b);
            Expect.SameBytes(b, signed.Bytes.Span, "signed op");
            Expect.SameBytes(signed.Op.CanonicalBytes.Span, OpCodec.Decode(signed.Op.CanonicalBytes).CanonicalBytes.Span, "signed op's op");
            return true;
        })),
        new("resigned-op", Seeds.ChainOps, b => Expect.Typed<LedgerFormatException>(() =>
        {
            // Structure-aware: a mutated op that still decodes is signed again with the author's key, so the chain
            // verifier sees well-signed hostile content (bad args, wrong links, odd verbs) instead of a bad signature.
            var op = OpCodec.Decode(b);
            var (chain, _) = Seeds.Author();
            var key = Seeds.Key(op.Seq <= 4 ? "fuzz/0" : "fuzz/1");
            var signed = SignedOpCodec.Sign(op, Seeds.Ledger, key);
            var prefix = chain.Take((int)Math.Min((ulong)chain.Count, op.Seq == 0 ? 0 : op.Seq - 1)).ToList();
            // (Whether it verifies depends on what changed: other args of an app op are the author's to sign.)
            Expect.NeverThrows(() => ChainVerifier.Verify(Seeds.Ledger, [.. prefix, signed]));
            return true;
        })),
        new("key-event-args", Seeds.KeyEventArgs, b =>
        {
            // Structure-aware: byte 0 picks the inception (0) or the rotation (1) of the fuzz author; the rest replaces
            // its args, and the op is signed by the key that may sign it, so only the args are hostile.
            if (b.Length == 0 || b[0] > 1 || b.Length - 1 > Op.MaxArgsLength) return false;
            var (chain, _) = Seeds.Author();
            var index = b[0] == 0 ? 0 : 4;
            var t = chain[index].Op;
            var op = new Op(t.OpId, t.Author, t.Seq, t.Prev, t.Manifest, t.Verb, t.VerbVersion, t.Branch, t.ClaimKey, t.At, b[1..]);
            var signed = SignedOpCodec.Sign(op, Seeds.Ledger, Seeds.Key(index == 0 ? "fuzz/0" : "fuzz/1"));
            // What verifies is the key holder's to sign (another next-key digest, another key index); the property here
            // is the verifier's contract: a verdict, never an exception. (Strict args decoding is issue 14, defect 1.)
            return Expect.NeverThrows(() => ChainVerifier.Verify(Seeds.Ledger, [.. chain.Take(index), signed])).Ok;
        }),
        new("chain-file", Seeds.ChainFiles, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var (ledger, ops) = ChainFile.Decode(b);
            var reports = Expect.NeverThrows(() => ChainFile.VerifyAll(ledger, ops, maxDegreeOfParallelism: 1));
            // A file may hold an op signed for another ledger: it decodes (the decoder re-encodes and compares itself)
            // so that verification can name it; Encode refuses to write one.
            if (ops.All(o => o.Ledger == ledger)) Expect.SameBytes(b, ChainFile.Encode(ledger, ops), "chain file");
            else if (reports.All(r => r.Ok)) throw new FuzzPropertyException("chain file: an op of another ledger verifies.");
            return true;
        })),
        new("evidence", Seeds.Evidence, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var evidence = EvidenceCodec.Decode(b);
            Expect.SameBytes(b, evidence.Encode(), "evidence");
            Expect.NeverThrows(evidence.Verify);
            return true;
        })),
        new("grant", Seeds.Grants, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var grant = Grant.Decode(b);
            Expect.SameBytes(b, grant.Bytes.Span, "grant");
            if (Expect.NeverThrows(grant.VerifySignature)) Expect.IsASeed(b, Seeds.Grants(), "grant");
            return true;
        })),
        new("backup", Seeds.Backups, b => Expect.Typed<BackupException>(() =>
        {
            var secret = MasterSecretBackup.Unwrap(b, Seeds.Passphrase);
            Expect.IsASeed(b, Seeds.Backups(), "backup");
            Expect.SameBytes(Seeds.MasterSecret.AsSpan(0, secret.Length), secret, "backup secret");
            return true;
        }), Weight: 0.25),
        new("slip39-share", Seeds.Mnemonics, b => Expect.Typed<ShareException>(() =>
        {
            var share = Slip39.Decode(Encoding.UTF8.GetString(b));
            // Words may differ in case and spacing; the share they name has one mnemonic.
            Expect.SameBytes(Encoding.UTF8.GetBytes(share.ToMnemonic()), Encoding.UTF8.GetBytes(Slip39.Decode(share.ToMnemonic()).ToMnemonic()), "share");
            return true;
        })),
        new("slip39-combine", Seeds.ShareSets, b => Expect.Typed<ShareException>(() =>
        {
            var secret = Slip39.Combine(Encoding.UTF8.GetString(b).Split('\n'));
            Expect.SameBytes(Seeds.MasterSecret.AsSpan(0, 16), secret, "combined secret");
            return true;
        }), Weight: 0.5),

        // Ledger.Erasure
        new("sealed-field", () => [Seeds.Erasure("sealed-field")], b =>
        {
            if (!SealedEnvelope.TryRead(b, out var envelope, out _)) return false;
            Expect.SameBytes(b, envelope.Bytes.Span, "sealed field");
            using var store = new InMemorySubjectKeyStore();
            store.Add(SubjectId.Parse(Seeds.ErasureValue("subject")), Seeds.Hex(Seeds.ErasureValue("subject-key")));
            var opened = Expect.NeverThrows(() => new Unsealer(store).Open(Sealed<string>.FromEnvelope(b), new OpRef(new AuthorId("till-7"), 42), "name"));
            if (opened.Status == UnsealStatus.Open) Expect.IsASeed(b, [Seeds.Erasure("sealed-field")], "sealed field");
            return true;
        }),
        new("wrapped-key", () => [Seeds.Erasure("wrapped-key")], b =>
        {
            if (!WrappedSubjectKey.TryRead(b, out var wrapped, out _)) return false;
            Expect.SameBytes(b, wrapped.Bytes.Span, "wrapped key");
            using var pair = ReplicaKeyPair.FromPrivateKey(Hash32.Sha256("replica-b/x25519"u8).ToArray());
            var key = new byte[SubjectKey.Length];
            if (Expect.NeverThrows(() => wrapped.TryUnwrap(new AuthorId("replica-b"), pair, key, out _))) Expect.IsASeed(b, [Seeds.Erasure("wrapped-key")], "wrapped key");
            return true;
        }),
        new("erasure-confirmation", () => [Seeds.Erasure("erasure-confirmation")], b => Expect.Typed<LedgerFormatException>(() =>
        {
            var confirmation = ErasureConfirmation.Decode(b);
            Expect.SameBytes(b, confirmation.Bytes.Span, "confirmation");
            if (Expect.NeverThrows(confirmation.VerifySignature)) Expect.IsASeed(b, [Seeds.Erasure("erasure-confirmation")], "confirmation");
            return true;
        })),
        new("erasure-certificate", () => [Seeds.Erasure("erasure-certificate")], b =>
        {
            // The verifier takes every input and never throws; the decoder refuses typed.
            var verdict = Expect.NeverThrows(() => ErasureCertificateVerifier.Verify(b));
            if (verdict.IsValid) Expect.IsASeed(b, [Seeds.Erasure("erasure-certificate")], "certificate");
            return Expect.Typed<LedgerFormatException>(() =>
            {
                Expect.SameBytes(b, ErasureCertificate.Decode(b).Bytes.Span, "certificate");
                return true;
            });
        }),

        // Ledger.Migration
        new("fixture", Seeds.Fixtures, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var ops = FixtureLog.Decode(b);
            Expect.SameBytes(b, FixtureLog.Encode(ops), "fixture");
            return true;
        })),
        new("lock-file", Seeds.LockFiles, b => Expect.Typed<LockFileViolationException>(() =>
        {
            // A JSON text: whitespace and member order are free, so the property is a fixed point, not equal bytes.
            var value = LockFile.FromJson(Encoding.UTF8.GetString(b));
            var text = LockFile.ToJson(value);
            Expect.SameBytes(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetBytes(LockFile.ToJson(LockFile.FromJson(text))), "lock file");
            LockFile.Check(value, value);
            return true;
        })),

        // Ledger.Sync (recovery and transparency)
        new("node-export", Seeds.Exports, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var export = NodeExport.Decode(b);
            if (Expect.NeverThrows(export.Verify).Ok) Expect.IsASeed(b, Seeds.Exports(), "node export");
            return true;
        }), Weight: 0.5),
        new("signed-note", Seeds.Notes, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var note = SignedNote.Parse(b);
            Expect.SameBytes(b, note.ToBytes(), "signed note");
            Expect.NeverThrows(() => note.Verify([Seeds.RelayKey()]));
            return true;
        })),
        new("relay-checkpoint", Seeds.Notes, b => Expect.Typed<LedgerFormatException>(() =>
        {
            // The note's bytes re-encode (target signed-note); its text may hold extension lines a checkpoint ignores.
            var (_, note, verdict) = RelayCheckpoint.Open(b, Seeds.RelayKey());
            // A note may carry other signatures (a witness's, or ones no one knows); what the relay signed is its text.
            if (verdict.Ok && !Seeds.Notes().Any(s => SignedNote.Parse(s).Text == note.Text)) throw new FuzzPropertyException("relay checkpoint: a text the relay never signed verifies.");
            return true;
        })),
        new("split-view", Seeds.SplitViews, b => Expect.Typed<LedgerFormatException>(() =>
        {
            var evidence = SplitViewEvidence.Decode(b);
            Expect.SameBytes(b, evidence.Encode(), "split-view evidence");
            Expect.NeverThrows(evidence.Verify);
            return true;
        })),
        new("merkle-proof", Seeds.MerkleProofs, b =>
        {
            // The verifiers take any index, size and list and answer true or false.
            if (b.Length < 1 + 16 + 64 || b[0] > 1) return false;
            var (first, size) = (BinaryPrimitives.ReadInt64BigEndian(b.AsSpan(1)), BinaryPrimitives.ReadInt64BigEndian(b.AsSpan(9)));
            var (h1, h2) = (new Hash32(b.AsSpan(17, 32)), new Hash32(b.AsSpan(49, 32)));
            var proof = b.AsSpan(81).ToArray().Chunk(32).Where(c => c.Length == 32).Select(c => new Hash32(c)).ToArray();
            var ok = b[0] == 0
                ? Expect.NeverThrows(() => MerkleProofs.VerifyInclusion(h1, first, size, proof, h2))
                : Expect.NeverThrows(() => MerkleProofs.VerifyConsistency(first, size, proof, h1, h2));
            // An inclusion proof binds the leaf, its index and the root, and the size only as far as the path's shape:
            // RFC 9162's algorithm accepts leaf 3's size-7 proof and root under size 6 too (the size and root come
            // together from a signed checkpoint). So the size of an accepted inclusion proof is not compared.
            if (ok && (b.Length - 81) % 32 == 0)
            {
                var compared = b[0] == 0 ? [.. b[..9], .. new byte[8], .. b[17..]] : b;
                Expect.IsASeed(compared, [.. Seeds.MerkleProofs().Select(s => s[0] == 0 ? [.. s[..9], .. new byte[8], .. s[17..]] : s)], "merkle proof");
            }

            return ok;
        }),
        new("identifiers", Seeds.Identifiers, b =>
        {
            // Text identifiers: the Try forms never throw, and what parses prints back as the same text.
            var text = Encoding.UTF8.GetString(b);
            var any = false;
            if (AuthorId.TryCreate(text, out var author)) { any = true; Expect.SameBytes(b, Encoding.UTF8.GetBytes(author.Value), "author id"); }
            if (BranchId.TryParse(text, out var branch)) { any = true; Expect.SameBytes(b, Encoding.UTF8.GetBytes(branch.ToString()), "branch id"); }
            if (SubjectId.TryParse(text, out var subject)) { any = true; Expect.SameBytes(b, Encoding.UTF8.GetBytes(subject.Value), "subject id"); }
            // Hex text is a display form (hashes travel as bin 32) and reads either case.
            if (Hash32.TryParse(text, out var hash)) { any = true; Expect.SameBytes(Encoding.UTF8.GetBytes(text.ToLowerInvariant()), Encoding.UTF8.GetBytes(hash.ToString()), "hash"); }
            if (NoteKey.TryParseVkey(text, out var key)) { any = true; Expect.SameBytes(b, Encoding.UTF8.GetBytes(key!.ToVkey()), "note key"); }
            return any;
        }),
    ];
}
