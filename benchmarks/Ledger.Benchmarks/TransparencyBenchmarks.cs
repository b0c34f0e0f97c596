using BenchmarkDotNet.Attributes;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Benchmarks;

/// <summary>What a node pays to check a relay at 1M leaves: verifying an inclusion proof (20 hashes) and a
/// consistency proof (about 2·log n hashes), each against the bare SHA-256 work the proof needs.</summary>
[ShortRunJob]
public class ProofVerification
{
    private const long Size = 1 << 20;
    private readonly List<(Hash32 Leaf, long Index, IReadOnlyList<Hash32> Proof)> _inclusions = [];
    private readonly List<(long Size1, IReadOnlyList<Hash32> Proof, Hash32 Root1)> _consistencies = [];
    private MerkleTree _tree = new();
    private Hash32 _root;

    /// <summary>Proofs checked per benchmark invocation.</summary>
    public const int Batch = 1000;

    [GlobalSetup]
    public void Setup()
    {
        _tree = new MerkleTree();
        Span<byte> leaf = stackalloc byte[8];
        for (long i = 0; i < Size; i++)
        {
            BitConverter.TryWriteBytes(leaf, i);
            _tree.Append(leaf);
        }

        _root = _tree.Root();
        var random = new Random(42);
        for (var i = 0; i < Batch; i++)
        {
            var index = random.NextInt64(Size);
            _inclusions.Add((_tree.Leaf(index), index, _tree.InclusionProof(index, Size)));
            var size1 = random.NextInt64(1, Size);
            _consistencies.Add((size1, _tree.ConsistencyProof(size1, Size), _tree.Root(size1)));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "bare SHA-256: 20 interior hashes per proof")]
    public Hash32 BareHashes()
    {
        var acc = _root;
        for (var i = 0; i < Batch; i++)
        {
            foreach (var sibling in _inclusions[i].Proof) acc = MerkleTree.NodeHash(acc, sibling);
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "inclusion proof at 1M leaves")]
    public int Inclusion()
    {
        var ok = 0;
        foreach (var (leaf, index, proof) in _inclusions)
        {
            if (MerkleProofs.VerifyInclusion(leaf, index, Size, proof, _root)) ok++;
        }

        return ok == Batch ? ok : throw new InvalidOperationException("a proof failed");
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "consistency proof to 1M leaves")]
    public int Consistency()
    {
        var ok = 0;
        foreach (var (size1, proof, root1) in _consistencies)
        {
            if (MerkleProofs.VerifyConsistency(size1, Size, proof, root1, _root)) ok++;
        }

        return ok == Batch ? ok : throw new InvalidOperationException("a proof failed");
    }
}

/// <summary>The relay's tree update per appended op: amortised two hashes (the leaf and, on average, one
/// interior node), measured against hashing the same leaves alone.</summary>
[ShortRunJob]
public class TreeAppend
{
    private const int Ops = 1 << 20;
    private readonly byte[][] _ops = new byte[Ops][];

    [GlobalSetup]
    public void Setup()
    {
        // Signed ops are about 150 bytes; the exact content does not change the hashing cost.
        var random = new Random(1);
        for (var i = 0; i < Ops; i++)
        {
            _ops[i] = new byte[150];
            random.NextBytes(_ops[i]);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "leaf hashes only")]
    public Hash32 LeafHashesOnly()
    {
        var last = default(Hash32);
        foreach (var op in _ops) last = MerkleTree.LeafHash(op);
        return last;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "append 1M ops to the tree")]
    public Hash32 Append()
    {
        var tree = new MerkleTree();
        foreach (var op in _ops) tree.Append(op);
        return tree.Root();
    }
}
