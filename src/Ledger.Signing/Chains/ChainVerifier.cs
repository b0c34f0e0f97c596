using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>Verifies whole chains: the structural rules in one pass, then every signature in parallel
/// across cores (libsodium has no batch verification), skipping the prefix a watermark vouches for.
/// Reports the first broken op in chain order.</summary>
public static class ChainVerifier
{
    /// <summary>Verifies one author's chain, given in seq order from seq 1.</summary>
    /// <param name="ledger">The ledger the ops must be signed for.</param>
    /// <param name="ops">The chain.</param>
    /// <param name="watermark">A verified prefix whose signatures need not be checked again.</param>
    /// <param name="maxDegreeOfParallelism">Threads for signature checks; null for all cores.</param>
    public static ChainReport Verify(string ledger, IReadOnlyList<SignedOp> ops, VerifiedWatermark? watermark = null, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        if (ops.Count == 0) throw Error.Argument("an empty chain has no author.", nameof(ops));
        var author = ops[0].Op.Author;
        var verifier = new AuthorChainVerifier(ledger, author);
        var signers = new VerificationKey[ops.Count];
        var states = new KeyState[ops.Count];
        var structuralBreak = -1;
        ChainCheck structural = ChainCheck.Ok;
        for (var i = 0; i < ops.Count; i++)
        {
            structural = verifier.CheckStructure(ops[i], out var signer, out var next);
            if (!structural.IsOk)
            {
                structuralBreak = i;
                break;
            }

            signers[i] = signer!;
            states[i] = next!;
            verifier.Advance(ops[i], next!);
        }

        var checkedUpTo = structuralBreak < 0 ? ops.Count : structuralBreak;
        var skip = 0;
        if (watermark is { } mark && mark.Author == author && mark.Seq >= 1 && mark.Seq <= (ulong)checkedUpTo && ops[(int)mark.Seq - 1].ChainHash == mark.Tip)
        {
            skip = (int)mark.Seq;
        }

        var firstBadSignature = FirstBadSignature(ops, signers, skip, checkedUpTo, maxDegreeOfParallelism);
        var signatures = checkedUpTo - skip;
        if (firstBadSignature >= 0)
        {
            var op = ops[firstBadSignature];
            return new ChainReport(author, firstBadSignature, firstBadSignature == 0 ? Hash32.Zero : ops[firstBadSignature - 1].ChainHash, (ulong)firstBadSignature + 1,
                ChainBreak.BadSignature, $"the signature does not verify under key {signers[firstBadSignature].Id}.", firstBadSignature == 0 ? null : states[firstBadSignature - 1], signatures, op);
        }

        if (structuralBreak >= 0)
        {
            var op = ops[structuralBreak];
            return new ChainReport(author, structuralBreak, structuralBreak == 0 ? Hash32.Zero : ops[structuralBreak - 1].ChainHash, (ulong)structuralBreak + 1,
                structural.Break, structural.Detail, structuralBreak == 0 ? null : states[structuralBreak - 1], signatures, op);
        }

        return new ChainReport(author, ops.Count, ops[^1].ChainHash, null, null, "ok", states[^1], signatures);
    }

    /// <summary>Verifies and, when the chain is whole, records the new watermark.</summary>
    public static ChainReport Verify(string ledger, IReadOnlyList<SignedOp> ops, IWatermarkStore watermarks, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(watermarks);
        ArgumentNullException.ThrowIfNull(ops);
        VerifiedWatermark? mark = ops.Count > 0 && watermarks.TryGet(ops[0].Op.Author, out var m) ? m : null;
        var report = Verify(ledger, ops, mark, maxDegreeOfParallelism);
        if (report.Ok) watermarks.Set(new VerifiedWatermark(report.Author, (ulong)report.Length, report.Tip));
        return report;
    }

    private static int FirstBadSignature(IReadOnlyList<SignedOp> ops, VerificationKey[] signers, int from, int to, int? threads)
    {
        var count = to - from;
        if (count <= 0) return -1;
        var degree = Math.Max(1, threads ?? Environment.ProcessorCount);
        if (degree == 1 || count < 64)
        {
            for (var i = from; i < to; i++)
            {
                if (!ops[i].VerifySignature(signers[i])) return i;
            }

            return -1;
        }

        // Contiguous ranges, one per thread: the first failure overall is the minimum over ranges.
        var firstBad = int.MaxValue;
        var chunk = (count + degree - 1) / degree;
        Parallel.For(0, degree, new ParallelOptions { MaxDegreeOfParallelism = degree }, t =>
        {
            var start = from + (t * chunk);
            var end = Math.Min(to, start + chunk);
            for (var i = start; i < end && i < Volatile.Read(ref firstBad); i++)
            {
                if (!ops[i].VerifySignature(signers[i]))
                {
                    InterlockedMin(ref firstBad, i);
                    return;
                }
            }
        });
        return firstBad == int.MaxValue ? -1 : firstBad;
    }

    private static void InterlockedMin(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
