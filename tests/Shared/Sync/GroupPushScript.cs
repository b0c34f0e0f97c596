using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.TestDomain;

namespace Ledger.Tests;

/// <summary>The random pushes the group-commit fuzzes send (Ledger.Sync.Tests over in-memory and SQLite stores,
/// Ledger.Sync.PostgreSql.Tests beside a second instance): an author's next batch, a resend, a gap, a fork, a forged op,
/// two authors in one batch, malformed bytes, an oversized batch, an empty or whole-chain batch. Linked into the test
/// projects that reference Ledger.Sync (tests/Shared/Sync).</summary>
internal sealed class GroupPushScript(Random rnd, IReadOnlyList<List<SignedOp>> chains, IReadOnlyList<List<SignedOp>> forks, int maxBatch)
{
    private readonly int[] _sent = new int[chains.Count];

    /// <summary>An author's chain; the same label and another <paramref name="tag"/> give the same inception and other
    /// ops from seq 2 on (a fork); <paramref name="rotateAt"/> makes that op a key rotation (later ops signed with key 1).</summary>
    public static List<SignedOp> Chain(string ledger, string label, int ops, string tag = "k", int rotateAt = -1)
    {
        var log = AuthorLog.Incept(ledger, label, Key(label, 0), Key(label, 1).Public.Digest, out var inception, 0, new SteppingClock(), at => DeterministicIds.At(at));
        var chain = new List<SignedOp> { inception };
        for (var i = 0; i < ops; i++)
        {
            chain.Add(i == rotateAt ? log.Rotate(Key(label, 1), Key(label, 2).Public.Digest, 1) : log.Append(TestManifest.V1, TestManifest.AddTally, new AmountArgs(tag, i)));
        }

        return chain;
    }

    private static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"{label}/{index}")).ToArray());

    public ReadOnlyMemory<byte>[] NextPush()
    {
        var sent = _sent;
        var a = rnd.Next(chains.Count);
        var chain = chains[a];
        ReadOnlyMemory<byte>[] Range(int from, int count) => chain.Skip(from).Take(count).Select(o => o.Bytes).ToArray();
        switch (rnd.Next(12))
        {
            case < 4:
            {
                // The author's next ops (a till's next batch; it may race the previous one in the same group).
                var count = rnd.Next(1, 4);
                var batch = Range(sent[a], count);
                sent[a] = Math.Min(chain.Count, sent[a] + count);
                return batch;
            }

            case 4:
                // A resend of ops already sent (maybe pending in this very group).
                return Range(rnd.Next(0, Math.Max(1, sent[a])), rnd.Next(1, 4));
            case 5:
                // A gap: one op skipped.
                return Range(sent[a] + 1, rnd.Next(1, 3));
            case 6:
                // Another op at a seq the author may hold: a fork (or, beyond its tip, a gap or a new op).
                return [forks[a][Math.Clamp(rnd.Next(1, sent[a] + 2), 1, forks[a].Count - 1)].Bytes];
            case 7:
            {
                // A forged op among the author's next ones: refused with what follows it.
                var batch = Range(sent[a], rnd.Next(1, 4));
                if (batch.Length == 0) return batch;
                var at = rnd.Next(batch.Length);
                var bad = batch[at].ToArray();
                bad[^(1 + rnd.Next(8))] ^= 0x20;
                batch[at] = bad;
                return batch;
            }

            case 8:
            {
                // Two authors in one batch.
                var other = (a + 1 + rnd.Next(chains.Count - 1)) % chains.Count;
                var batch = Range(sent[a], 1).Concat(chains[other].Skip(sent[other]).Take(1).Select(o => o.Bytes)).ToArray();
                sent[a] = Math.Min(chain.Count, sent[a] + 1);
                sent[other] = Math.Min(chains[other].Count, sent[other] + 1);
                return batch;
            }

            case 9:
            {
                // Malformed bytes beside the author's next op.
                var garbage = new byte[rnd.Next(1, 120)];
                rnd.NextBytes(garbage);
                var batch = new[] { (ReadOnlyMemory<byte>)garbage }.Concat(Range(sent[a], 1)).ToArray();
                sent[a] = Math.Min(chain.Count, sent[a] + 1);
                return batch;
            }

            case 10:
                // More ops than a batch may carry: refused whole, wherever it falls in a group.
                return Enumerable.Repeat(chain[0].Bytes, maxBatch + 1).ToArray();
            default:
                return rnd.Next(2) == 0 ? [] : Range(0, Math.Max(1, sent[a]));
        }
    }
}
