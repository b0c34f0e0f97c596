using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

public class MerkleTreeTests
{
    /// <summary>The eight-leaf test tree of the Certificate Transparency reference implementations (RFC 6962),
    /// with its root at every size.</summary>
    private static readonly string[] Leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] Roots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static MerkleTree Tree(int leaves)
    {
        var tree = new MerkleTree();
        for (var i = 0; i < leaves; i++) tree.Append(Encoding.ASCII.GetBytes("leaf-" + i));
        return tree;
    }

    /// <summary>RFC 9162 §2.1.1 taken literally, as an independent reference.</summary>
    private static Hash32 Reference(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0) return Hash32.Sha256([]);
        if (leaves.Count == 1) return MerkleTree.LeafHash(leaves[0]);
        var k = 1;
        while (k * 2 < leaves.Count) k *= 2;
        return MerkleTree.NodeHash(Reference(leaves.Take(k).ToArray()), Reference(leaves.Skip(k).ToArray()));
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void The_tree_reproduces_the_certificate_transparency_test_vectors_at_every_size()
    {
        var tree = new MerkleTree();
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", tree.Root().ToString());
        for (var i = 0; i < Leaves.Length; i++)
        {
            tree.Append(Convert.FromHexString(Leaves[i]));
            Assert.Equal(Roots[i], tree.Root().ToString());
        }

        for (var size = 1; size <= 8; size++) Assert.Equal(Roots[size - 1], tree.Root(size).ToString());
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Roots_inclusion_and_consistency_proofs_agree_with_the_rfc_for_every_size_up_to_70()
    {
        var leaves = Enumerable.Range(0, 70).Select(i => Encoding.ASCII.GetBytes("leaf-" + i)).ToArray();
        var tree = Tree(70);
        for (var n = 1; n <= 70; n++)
        {
            var root = tree.Root(n);
            Assert.Equal(Reference(leaves.Take(n).ToArray()), root);
            for (var i = 0; i < n; i++)
            {
                Assert.True(MerkleProofs.VerifyInclusion(tree.Leaf(i), i, n, tree.InclusionProof(i, n), root), $"inclusion {i} in {n}");
            }

            for (var m = 1; m <= n; m++)
            {
                Assert.True(MerkleProofs.VerifyConsistency(m, n, tree.ConsistencyProof(m, n), tree.Root(m), root), $"consistency {m} → {n}");
            }
        }
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Appending_costs_amortised_constant_hashes_and_truncating_restores_earlier_roots()
    {
        var tree = Tree(1000);
        var at600 = tree.Root(600);
        tree.Truncate(600);
        Assert.Equal(600, tree.Size);
        Assert.Equal(at600, tree.Root());
        for (var i = 600; i < 1000; i++) tree.Append(Encoding.ASCII.GetBytes("leaf-" + i));
        Assert.Equal(Tree(1000).Root(), tree.Root());
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Proof_verifiers_reject_every_mutated_proof()
    {
        var tree = Tree(37);
        var rejected = 0;
        foreach (var (index, size) in new[] { (0L, 37L), (5L, 37L), (36L, 37L), (17L, 32L), (3L, 9L) })
        {
            var proof = tree.InclusionProof(index, size).ToList();
            var root = tree.Root(size);
            var leaf = tree.Leaf(index);
            Assert.True(MerkleProofs.VerifyInclusion(leaf, index, size, proof, root));
            foreach (var mutated in Mutations(proof))
            {
                Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size, mutated, root));
                rejected++;
            }

            Assert.False(MerkleProofs.VerifyInclusion(leaf, index + 1, size, proof, root));
            // (A size that yields the same path shape cannot be told apart from the proof alone; checkpoints sign
            // size and root together, which is why proofs are only ever checked against a signed checkpoint.)
            Assert.False(MerkleProofs.VerifyInclusion(leaf, size, size, proof, root));
            Assert.False(MerkleProofs.VerifyInclusion(leaf, -1, size, proof, root));
        }

        foreach (var (m, n) in new[] { (1L, 37L), (7L, 37L), (8L, 37L), (16L, 17L), (36L, 37L), (13L, 29L) })
        {
            var proof = tree.ConsistencyProof(m, n).ToList();
            var (r1, r2) = (tree.Root(m), tree.Root(n));
            Assert.True(MerkleProofs.VerifyConsistency(m, n, proof, r1, r2));
            foreach (var mutated in Mutations(proof))
            {
                Assert.False(MerkleProofs.VerifyConsistency(m, n, mutated, r1, r2));
                rejected++;
            }

            Assert.False(MerkleProofs.VerifyConsistency(0, n, proof, MerkleTree.EmptyRoot, r2));
            Assert.False(MerkleProofs.VerifyConsistency(n, m, proof, r2, r1));
            Assert.False(MerkleProofs.VerifyConsistency(m, n, proof, r2, r1));
        }

        Assert.False(MerkleProofs.VerifyConsistency(5, 5, [tree.Root(5)], tree.Root(5), tree.Root(5)));
        Assert.True(MerkleProofs.VerifyConsistency(5, 5, [], tree.Root(5), tree.Root(5)));
        Assert.True(rejected > 500);
    }

    [Fact]
    [Trait("Risk", "D4")]
    public void Random_proofs_never_verify_and_never_throw()
    {
        var tree = Tree(100);
        var hashes = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(32).Select(b => new Hash32(b));
        var arb = Arb.From(hashes.ListOf(7).SelectMany(p => Gen.Choose(-2, 120).Two().Select(ab => (Proof: p, A: ab.Item1, B: ab.Item2))));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(arb, t =>
        {
            var (proof, a, b) = (t.Proof, (long)t.A, (long)t.B);
            Assert.False(MerkleProofs.VerifyInclusion(tree.Leaf(3), a, b, proof.ToArray(), tree.Root()));
            Assert.False(MerkleProofs.VerifyConsistency(a, b, proof.ToArray(), tree.Root(10), tree.Root()));
        }));
    }

    /// <summary>Each byte flip (one bit per byte), the proof shortened and lengthened, each adjacent pair swapped.</summary>
    private static IEnumerable<List<Hash32>> Mutations(List<Hash32> proof)
    {
        for (var h = 0; h < proof.Count; h++)
        {
            for (var b = 0; b < Hash32.Length; b++)
            {
                var bytes = proof[h].ToArray();
                bytes[b] ^= 0x01;
                var copy = proof.ToList();
                copy[h] = new Hash32(bytes);
                yield return copy;
            }
        }

        if (proof.Count > 0) yield return proof.Take(proof.Count - 1).ToList();
        yield return [.. proof, proof.Count > 0 ? proof[0] : MerkleTree.EmptyRoot];
        for (var i = 0; i + 1 < proof.Count; i++)
        {
            if (proof[i] == proof[i + 1]) continue;
            var swapped = proof.ToList();
            (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
            yield return swapped;
        }
    }
}
