using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>The determinism assertions app teams run in CI over their own verbs.</summary>
public static class ReplayAssert
{
    /// <summary>Folds <paramref name="log"/> live (hashing after every op, so stale cached hashes would
    /// show) and replays it into a fresh kernel hashing once; the two hashes must be equal.</summary>
    /// <returns>The state hash.</returns>
    /// <exception cref="ReplayMismatchException">Replay and live differ.</exception>
    public static Hash32 ReplayEqualsLive(Func<LedgerKernel> newKernel, GeneratedLog log)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(log);
        var live = newKernel();
        live.AdvanceRelayFrontier(long.MaxValue);
        foreach (var entry in log.Entries)
        {
            live.Apply(entry);
            live.StateHash();
        }

        var liveHash = live.StateHash();
        var replay = Fold(newKernel, log.Entries, frontierAtEnd: true);
        if (replay != liveHash)
        {
            throw new ReplayMismatchException($"replay hash {replay} differs from live hash {liveHash} for a log of {log}.");
        }

        return liveHash;
    }

    /// <summary>Folds <paramref name="orders"/> legal reorderings of <paramref name="log"/> (chosen from
    /// <paramref name="seed"/>), each with the relay frontier advancing at random points as a real node's
    /// would; every one must reach the same state hash as the relay order.</summary>
    /// <returns>The number of distinct hashes seen (1 when the assertion holds).</returns>
    /// <exception cref="ReplayMismatchException">Two legal orders reached different hashes.</exception>
    public static int AllLegalOrdersAgree(Func<LedgerKernel> newKernel, GeneratedLog log, int orders, int seed)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(log);
        var expected = Fold(newKernel, log.Entries, frontierAtEnd: true);
        var random = new Random(seed);
        var distinct = new HashSet<Hash32> { expected };
        for (var i = 0; i < orders; i++)
        {
            var orderSeed = random.Next();
            var order = LedgerGen.LegalOrder(log.Entries, orderSeed);
            var hash = FoldLikeANode(newKernel, order, new Random(orderSeed ^ 0x2545F491));
            distinct.Add(hash);
            if (hash != expected)
            {
                throw new ReplayMismatchException($"legal order #{i} (seed {orderSeed}) reached {hash}; the relay order reached {expected}. Log: {log}.");
            }
        }

        return distinct.Count;
    }

    /// <summary>An FsCheck property: for generated logs of <paramref name="spec"/>, replay equals live and
    /// <paramref name="ordersPerLog"/> legal reorderings all agree.</summary>
    public static Property EveryLegalOrderGivesOneStateHash(Func<LedgerKernel> newKernel, LogSpec spec, int ordersPerLog = 3)
    {
        var arb = Arb.From(LedgerGen.Logs(spec).SelectMany(log => Gen.Choose(0, int.MaxValue).Select(seed => (log, seed))));
        return Prop.ForAll(arb, pair =>
        {
            ReplayEqualsLive(newKernel, pair.log);
            AllLegalOrdersAgree(newKernel, pair.log, ordersPerLog, pair.seed);
        });
    }

    /// <summary>Folds entries into a fresh kernel and returns the state hash.</summary>
    public static Hash32 Fold(Func<LedgerKernel> newKernel, IEnumerable<SequencedOp> entries, bool frontierAtEnd)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        var kernel = newKernel();
        if (!frontierAtEnd) kernel.AdvanceRelayFrontier(long.MaxValue);
        foreach (var entry in entries) kernel.Apply(entry);
        kernel.AdvanceRelayFrontier(long.MaxValue);
        return kernel.StateHash();
    }

    /// <summary>Folds a legal order the way a device does: the relay frontier advances, at random moments,
    /// to the lowest relay position it does not hold yet.</summary>
    private static Hash32 FoldLikeANode(Func<LedgerKernel> newKernel, IReadOnlyList<SequencedOp> order, Random random)
    {
        var kernel = newKernel();
        var held = new SortedSet<long>();
        long prefix = 0;
        foreach (var entry in order)
        {
            kernel.Apply(entry);
            if (entry.Position is { } p) held.Add(p);
            while (held.Remove(prefix)) prefix++;
            if (random.Next(4) == 0) kernel.AdvanceRelayFrontier(prefix);
            if (random.Next(8) == 0) kernel.StateHash();
        }

        kernel.AdvanceRelayFrontier(long.MaxValue);
        return kernel.StateHash();
    }
}

/// <summary>Two folds that had to agree did not.</summary>
public sealed class ReplayMismatchException(string message) : Exception(message);
