using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>The part of a batch's ingest that needs no relay state, done before the relay's gate so one batch does it
/// while another holds the gate: decoding (a canonical re-encode and a chain hash per op), Merkle leaf hashes, and a
/// speculative signature check of each op under its author's last accepted signer. Inside the gate the chain names the
/// signer; a check made here counts only when it used that very key, otherwise the op is checked again there, so a
/// rotation between batches, a stale hint or a new author costs only the repeated check.</summary>
/// <remarks>Measured before (docs/performance.md, "PostgreSQL relay store"): relay ingest took verify time plus store
/// time, batch after batch, under the gate.</remarks>
internal sealed class PreparedBatch
{
    private readonly VerificationKey?[] _checkedWith;
    private readonly bool[] _verified;

    private PreparedBatch(int count)
    {
        Decoded = new SignedOp?[count];
        Malformed = new LedgerFormatException?[count];
        Leaves = new Hash32[count];
        _checkedWith = new VerificationKey?[count];
        _verified = new bool[count];
    }

    /// <summary>Each op decoded, or null (then <see cref="Malformed"/> says why).</summary>
    public SignedOp?[] Decoded { get; }

    /// <summary>Why an op did not decode.</summary>
    public LedgerFormatException?[] Malformed { get; }

    /// <summary>Each decoded op's Merkle leaf hash, of the decoded copy's bytes (the bytes the store keeps).</summary>
    public Hash32[] Leaves { get; }

    /// <summary>Prepares <paramref name="batch"/>, in parallel from 16 ops.</summary>
    public static PreparedBatch Of(IReadOnlyList<ReadOnlyMemory<byte>> batch, ConcurrentDictionary<AuthorId, VerificationKey> lastSigners, ParallelOptions parallel)
    {
        var prepared = new PreparedBatch(batch.Count);
        if (batch.Count >= 16 && parallel.MaxDegreeOfParallelism != 1) Parallel.For(0, batch.Count, parallel, Prepare);
        else for (var i = 0; i < batch.Count; i++) Prepare(i);
        return prepared;

        void Prepare(int i)
        {
            if (!SignedOpCodec.TryDecode(batch[i], out prepared.Decoded[i], out prepared.Malformed[i])) return;
            var op = prepared.Decoded[i]!;
            prepared.Leaves[i] = MerkleTree.LeafHash(op.Bytes.Span);
            if (!lastSigners.TryGetValue(op.Op.Author, out var key)) return;
            prepared._verified[i] = op.VerifySignature(key);
            prepared._checkedWith[i] = key;
        }
    }

    /// <summary>The result of the check made before the gate, when it used <paramref name="signer"/>.</summary>
    public bool TryGetCheck(int index, VerificationKey signer, out bool verified)
    {
        verified = _verified[index];
        return _checkedWith[index] is { } key && key.Equals(signer);
    }
}
