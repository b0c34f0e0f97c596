using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>The RFC 9162 verification algorithms for inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs,
/// exactly as specified: a proof of the wrong length, a zero or shrinking size, or an index outside the tree
/// fails. They return false on any bad input and never throw.</summary>
public static class MerkleProofs
{
    /// <summary>True when <paramref name="proof"/> proves leaf <paramref name="leafHash"/> at <paramref name="index"/>
    /// in the tree of <paramref name="size"/> leaves with root <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(Hash32 leafHash, long index, long size, IReadOnlyList<Hash32> proof, Hash32 root)
    {
        if (proof is null || index < 0 || size < 1 || index >= size) return false;
        var fn = index;
        var sn = size - 1;
        var r = leafHash;
        foreach (var p in proof)
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleTree.NodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleTree.NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r == root;
    }

    /// <summary>True when <paramref name="proof"/> proves the tree of <paramref name="size1"/> leaves with root
    /// <paramref name="root1"/> is a prefix of the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/>.</summary>
    public static bool VerifyConsistency(long size1, long size2, IReadOnlyList<Hash32> proof, Hash32 root1, Hash32 root2)
    {
        if (proof is null || size1 < 1 || size2 < size1) return false;
        if (size1 == size2) return proof.Count == 0 && root1 == root2;
        if (proof.Count == 0) return false;
        var path = new List<Hash32>(proof.Count + 1);
        if ((size1 & (size1 - 1)) == 0) path.Add(root1);
        path.AddRange(proof);
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleTree.NodeHash(c, fr);
                sr = MerkleTree.NodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleTree.NodeHash(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return fr == root1 && sr == root2 && sn == 0;
    }
}
