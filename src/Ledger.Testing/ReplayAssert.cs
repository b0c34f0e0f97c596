using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>The determinism assertions app teams run in CI over their own verbs.</summary>
public static class ReplayAssert
{
    /// <summary>Whether the kernels these assertions build run the determinism sentinel
    /// (<see cref="LedgerKernel.CheckDeterminism"/>: every op's verb runs twice, the second time on a fresh
    /// instance, and a difference fails the assertion naming the verb and the op). On by default; it doubles the
    /// verb executions of a check.</summary>
    public static bool CheckDeterminism { get; set; } = true;

    private static LedgerKernel Build(Func<LedgerKernel> newKernel)
    {
        var kernel = newKernel();
        if (CheckDeterminism) kernel.CheckDeterminism = true;
        return kernel;
    }

    private static T Sentinel<T>(Func<T> check)
    {
        try
        {
            return check();
        }
        catch (NondeterministicVerbException e)
        {
            throw Error.ReplayMismatch(e.Message, e);
        }
    }

    /// <summary>Folds <paramref name="log"/> live (hashing after every op, so stale cached hashes would
    /// show) and replays it into a fresh kernel hashing once; the two hashes must be equal.</summary>
    /// <returns>The state hash.</returns>
    /// <exception cref="ReplayMismatchException">Replay and live differ.</exception>
    public static Hash32 ReplayEqualsLive(Func<LedgerKernel> newKernel, GeneratedLog log) => Sentinel(() => ReplayEqualsLiveCore(newKernel, log));

    private static Hash32 ReplayEqualsLiveCore(Func<LedgerKernel> newKernel, GeneratedLog log)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(log);
        var live = Build(newKernel);
        live.AdvanceRelayFrontier(long.MaxValue);
        foreach (var entry in log.Entries)
        {
            live.Apply(entry);
            live.StateHash();
        }

        var liveHash = live.StateHash();
        var replay = FoldCore(newKernel, log.Entries, frontierAtEnd: true);
        if (replay != liveHash)
        {
            throw Error.ReplayMismatch($"replay hash {replay} differs from live hash {liveHash} for a log of {log}."
                + Differences(newKernel, log, () => live));
        }

        return liveHash;
    }

    /// <summary>Folds legal reorderings of <paramref name="log"/>, each with the relay frontier advancing at random
    /// points as a real node's would; every one must reach the same state hash as the relay order. When the log has
    /// at most <paramref name="orders"/> legal orders, all of them are folded (exhaustive); otherwise
    /// <paramref name="orders"/> random ones chosen from <paramref name="seed"/>.</summary>
    /// <returns>The number of distinct hashes seen (1 when the assertion holds).</returns>
    /// <exception cref="ReplayMismatchException">Two legal orders reached different hashes.</exception>
    public static int AllLegalOrdersAgree(Func<LedgerKernel> newKernel, GeneratedLog log, int orders, int seed) =>
        Sentinel(() => AllLegalOrdersAgreeCore(newKernel, log, orders, seed));

    private static int AllLegalOrdersAgreeCore(Func<LedgerKernel> newKernel, GeneratedLog log, int orders, int seed)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(log);
        var expected = FoldCore(newKernel, log.Entries, frontierAtEnd: true);
        var random = new Random(seed);
        var distinct = new HashSet<Hash32> { expected };

        // A log with at most `orders` legal orders is checked exhaustively: every one of them, each with a frontier schedule.
        if (LedgerGen.AllLegalOrders(log.Entries, orders) is { } every)
        {
            for (var i = 0; i < every.Count; i++)
            {
                var hash = FoldLikeANode(newKernel, every[i], new Random(seed ^ i));
                distinct.Add(hash);
                if (hash != expected)
                {
                    var order = every[i];
                    var replaySeed = seed ^ i;
                    throw Error.ReplayMismatch($"legal order #{i} of all {every.Count} reached {hash}; the relay order reached {expected}. Log: {log}."
                        + Differences(newKernel, log, () => FoldLikeANodeKernel(newKernel, order, new Random(replaySeed))));
                }
            }

            return distinct.Count;
        }

        for (var i = 0; i < orders; i++)
        {
            var orderSeed = random.Next();
            var order = LedgerGen.LegalOrder(log.Entries, orderSeed);
            var hash = FoldLikeANode(newKernel, order, new Random(orderSeed ^ 0x2545F491));
            distinct.Add(hash);
            if (hash != expected)
            {
                throw Error.ReplayMismatch($"legal order #{i} (seed {orderSeed}) reached {hash}; the relay order reached {expected}. Log: {log}."
                    + Differences(newKernel, log, () => FoldLikeANodeKernel(newKernel, order, new Random(orderSeed ^ 0x2545F491))));
            }
        }

        return distinct.Count;
    }

    /// <summary>The environment variable that replays one case of <see cref="Check"/>: set it to the seed a failure printed.</summary>
    public const string SeedVariable = "LEDGER_SEED";

    /// <summary>Checks <paramref name="cases"/> generated logs of <paramref name="spec"/>: replay equals live and
    /// <paramref name="ordersPerLog"/> legal reorderings agree. Each case is one seed (a <c>ulong</c>) that fixes its
    /// log, its size and its reorderings; a failure prints it as <c>LEDGER_SEED=&lt;seed&gt;</c>. With that
    /// environment variable set (or <see cref="CheckCase"/>), only that case runs, exactly as it failed.</summary>
    /// <param name="newKernel">Builds an empty kernel that knows the spec's manifest.</param>
    /// <param name="spec">The logs to generate.</param>
    /// <param name="cases">How many logs (for example 100 on pull requests, 10,000 nightly).</param>
    /// <param name="ordersPerLog">Legal reorderings folded per log.</param>
    /// <param name="seed">The run's seed; a random one when null (printed on failure either way).</param>
    /// <exception cref="ReplayMismatchException">A case failed; the message names its seed.</exception>
    public static void Check(Func<LedgerKernel> newKernel, LogSpec spec, int cases = 100, int ordersPerLog = 4, ulong? seed = null)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(spec);
        if (Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text)
        {
            if (!ulong.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var only))
            {
                throw Error.Argument($"{SeedVariable} must be a seed a failure printed (an unsigned integer), not '{text}'.");
            }

            CheckCase(newKernel, spec, only, ordersPerLog);
            return;
        }

        var root = seed ?? RandomRoot();
        for (var i = 0; i < cases; i++) CheckCase(newKernel, spec, CaseSeed(root, i), ordersPerLog);
    }

    /// <summary>Folds <paramref name="cases"/> generated logs of <paramref name="spec"/> here and in child processes
    /// — one under a Turkish culture in a UTC+12:45 time zone, one with invariant globalization in UTC+5:45, each with
    /// its own string-hash seed — and requires one state hash per log. It catches what no single process can: a verb
    /// that uses <see cref="string.GetHashCode()"/> (randomized per process), or formats, compares or cases text by the
    /// current culture, or reads the local time zone. Floating point that differs between CPUs cannot be shown on one
    /// machine; the analyzer (LDG0008) is the guard there. A failure names the case's seed
    /// (<c>LEDGER_SEED=&lt;seed&gt;</c>, as <see cref="Check"/>), the environments, the first rows that differ with
    /// both values and the ops whose verbs wrote them, and the log.</summary>
    /// <param name="newKernel">A static method (a method group such as <c>MyManifest.NewKernel</c>, not a lambda):
    /// the child process finds it by its type and name.</param>
    /// <param name="spec">The logs to generate.</param>
    /// <param name="cases">How many logs; each child folds all of them (one process start per environment).</param>
    /// <param name="seed">The run's seed; a random one when null (printed on failure either way).</param>
    /// <exception cref="ReplayMismatchException">A child process folded a log to another state hash, or faulted
    /// where this process did not.</exception>
    /// <exception cref="ArgumentException"><paramref name="newKernel"/> is not a static method.</exception>
    public static void CheckAcrossProcesses(Func<LedgerKernel> newKernel, LogSpec spec, int cases = 20, ulong? seed = null)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cases);
        var factory = ChildFold.FactoryMethod(newKernel);
        IReadOnlyList<ulong> seeds;
        if (Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text)
        {
            if (!ulong.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var only))
            {
                throw Error.Argument($"{SeedVariable} must be a seed a failure printed (an unsigned integer), not '{text}'.");
            }

            seeds = [only];
        }
        else
        {
            var root = seed ?? RandomRoot();
            seeds = Enumerable.Range(0, cases).Select(i => CaseSeed(root, i)).ToArray();
        }

        var logs = seeds.Select(s => (Seed: s, Log: CaseLog(spec, s))).ToArray();
        var here = logs.ToDictionary(c => c.Seed, c =>
        {
            try
            {
                var kernel = FoldKernel(newKernel, c.Log.Entries, frontierAtEnd: true);
                return new ChildFold.Answer(kernel.StateHash(), kernel.CreateCheckpoint(), null);
            }
            catch (LedgerException e)
            {
                return new ChildFold.Answer(null, null, e.GetType().Name + ": " + e.Message);
            }
        });

        var thisProcess = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"culture={System.Globalization.CultureInfo.CurrentCulture.Name} timeZone={TimeZoneInfo.Local.Id} stringHashOfLedger={"ledger".GetHashCode(StringComparison.Ordinal)}");
        foreach (var environment in ChildFold.DefaultEnvironments)
        {
            var (there, answers) = ChildFold.Run(factory, logs, environment, TimeSpan.FromMinutes(5));
            foreach (var (caseSeed, log) in logs)
            {
                var mine = here[caseSeed];
                if (!answers.TryGetValue(caseSeed, out var theirs)) throw Error.ReplayMismatch($"the child process ({there}) gave no answer for case {SeedVariable}={caseSeed}.");
                if (mine.Hash == theirs.Hash && mine.Fault == theirs.Fault) continue;
                var detail = mine.Checkpoint is { } a && theirs.Checkpoint is { } b
                    ? RowDifference.Explain(newKernel, log, a, b)
                    : $"  here: {(object?)mine.Fault ?? mine.Hash}\n  there: {(object?)theirs.Fault ?? theirs.Hash}\n";
                throw Error.ReplayMismatch(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"one log, two processes, two results: this process ({thisProcess}) folded case {caseSeed} to {(object?)mine.Hash ?? mine.Fault}; a child process ({there}) folded it to {(object?)theirs.Hash ?? theirs.Fault}. "
                    + $"A verb depends on something that differs between processes: a string hash code (randomized per process), the current culture or time zone, or invariant globalization.\n{detail}"
                    + $"The log ({log.Count} ops):\n{Describe(log)}Replay exactly this case: {SeedVariable}={caseSeed}."));
            }
        }
    }

    private static ulong RandomRoot() =>
        (ulong)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue) << 32 | (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <summary>Runs the one case <paramref name="caseSeed"/> names (the seed a failure of <see cref="Check"/> printed).</summary>
    /// <returns>The case's log.</returns>
    public static GeneratedLog CheckCase(Func<LedgerKernel> newKernel, LogSpec spec, ulong caseSeed, int ordersPerLog = 4)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(spec);
        var log = CaseLog(spec, caseSeed);
        try
        {
            ReplayEqualsLive(newKernel, log);
            AllLegalOrdersAgree(newKernel, log, ordersPerLog, (int)(caseSeed % int.MaxValue));
        }
        catch (ReplayMismatchException e)
        {
            var shrunk = Shrink(newKernel, log, ordersPerLog, caseSeed, out var last);
            throw Error.ReplayMismatch(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{e.Message}\nShrunk from {log.Count} to {shrunk.Count} ops that still fail ({last.Message}):\n{Describe(shrunk)}Replay exactly this case: {SeedVariable}={caseSeed} (or ReplayAssert.CheckCase(newKernel, spec, {caseSeed}UL))."),
                e.InnerException ?? e);
        }

        return log;
    }

    /// <summary>The smallest log found that still fails: greedily drops whole authors, then the tail of one author's
    /// chain (a chain prefix stays a valid chain), renumbering relay positions in relay order. At most 200 folds.</summary>
    /// <param name="newKernel">Builds an empty kernel.</param>
    /// <param name="log">A failing log.</param>
    /// <param name="ordersPerLog">Legal reorderings folded per attempt.</param>
    /// <param name="seed">Seed of the reorderings.</param>
    /// <param name="failure">The failure of the returned log.</param>
    /// <returns>The shrunk log (the input when nothing smaller fails).</returns>
    public static GeneratedLog Shrink(Func<LedgerKernel> newKernel, GeneratedLog log, int ordersPerLog, ulong seed, out ReplayMismatchException failure)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        ArgumentNullException.ThrowIfNull(log);
        failure = Fails(newKernel, log, ordersPerLog, seed) ?? Error.ReplayMismatch("the log did not fail again");
        var budget = 200;
        var progress = true;
        while (progress && budget > 0)
        {
            progress = false;
            foreach (var candidate in Smaller(log))
            {
                if (--budget < 0) break;
                if (Fails(newKernel, candidate, ordersPerLog, seed) is not { } e) continue;
                log = candidate;
                failure = e;
                progress = true;
                break;
            }
        }

        return log;
    }

    private static ReplayMismatchException? Fails(Func<LedgerKernel> newKernel, GeneratedLog log, int ordersPerLog, ulong seed)
    {
        try
        {
            ReplayEqualsLive(newKernel, log);
            AllLegalOrdersAgree(newKernel, log, ordersPerLog, (int)(seed % int.MaxValue));
            return null;
        }
        catch (ReplayMismatchException e)
        {
            return e;
        }
        catch (LedgerException e)
        {
            return Error.ReplayMismatch(e.Message, e);
        }
    }

    private static IEnumerable<GeneratedLog> Smaller(GeneratedLog log)
    {
        var authors = log.Entries.Select(e => e.Op.Author).Distinct().ToList();
        if (authors.Count > 1)
        {
            foreach (var author in authors) yield return Keep(log, e => e.Op.Author != author);
        }

        foreach (var author in authors)
        {
            var last = log.Entries.Where(e => e.Op.Author == author).Max(e => e.Op.Seq);
            if (last > 1)
            {
                var half = Math.Max(1, last / 2);
                yield return Keep(log, e => e.Op.Author != author || e.Op.Seq <= half);
                if (last - 1 != half) yield return Keep(log, e => e.Op.Author != author || e.Op.Seq < last);
            }
        }
    }

    private static GeneratedLog Keep(GeneratedLog log, Func<SequencedOp, bool> keep) =>
        log with { Entries = log.Entries.Where(keep).Select((e, i) => new SequencedOp(e.Op, i)).ToArray() };

    /// <summary>One line per op: position, author#seq, verb@version, claim key and args (as JSON).</summary>
    public static string Describe(GeneratedLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var sb = new System.Text.StringBuilder();
        foreach (var e in log.Entries)
        {
            string args;
            try
            {
                args = MessagePack.MessagePackSerializer.ConvertToJson(e.Op.Args);
            }
            catch (MessagePack.MessagePackSerializationException)
            {
                args = "0x" + Convert.ToHexString(e.Op.Args.Span);
            }

            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"  @{e.Position} {e.Op.Author}#{e.Op.Seq} {e.Op.Verb}@{e.Op.VerbVersion}{(e.Op.ClaimKey is { } k ? " claim " + k : "")} {args}\n");
        }

        return sb.ToString();
    }

    /// <summary>The log of case <paramref name="caseSeed"/>: its size (10 to 100) is derived from the seed too.</summary>
    public static GeneratedLog CaseLog(LogSpec spec, ulong caseSeed) => LedgerGen.Sample(spec, 1, caseSeed, size: 10 + (int)(caseSeed % 91))[0];

    // SplitMix64 of (root, index): independent, reproducible case seeds from one run seed.
    private static ulong CaseSeed(ulong root, int index)
    {
        var z = root + 0x9E3779B97F4A7C15UL * (ulong)(index + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
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
    public static Hash32 Fold(Func<LedgerKernel> newKernel, IEnumerable<SequencedOp> entries, bool frontierAtEnd) =>
        Sentinel(() => FoldCore(newKernel, entries, frontierAtEnd));

    private static Hash32 FoldCore(Func<LedgerKernel> newKernel, IEnumerable<SequencedOp> entries, bool frontierAtEnd) =>
        FoldKernel(newKernel, entries, frontierAtEnd).StateHash();

    private static LedgerKernel FoldKernel(Func<LedgerKernel> newKernel, IEnumerable<SequencedOp> entries, bool frontierAtEnd)
    {
        ArgumentNullException.ThrowIfNull(newKernel);
        var kernel = Build(newKernel);
        if (!frontierAtEnd) kernel.AdvanceRelayFrontier(long.MaxValue);
        foreach (var entry in entries) kernel.Apply(entry);
        kernel.AdvanceRelayFrontier(long.MaxValue);
        return kernel;
    }

    /// <summary>Folds a legal order the way a device does: the relay frontier advances, at random moments,
    /// to the lowest relay position it does not hold yet.</summary>
    private static Hash32 FoldLikeANode(Func<LedgerKernel> newKernel, IReadOnlyList<SequencedOp> order, Random random) =>
        FoldLikeANodeKernel(newKernel, order, random).StateHash();

    private static LedgerKernel FoldLikeANodeKernel(Func<LedgerKernel> newKernel, IReadOnlyList<SequencedOp> order, Random random)
    {
        var kernel = Build(newKernel);
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
        return kernel;
    }

    // The first rows that differ between the relay-order fold and another fold of the same log, for a failure message.
    private static string Differences(Func<LedgerKernel> newKernel, GeneratedLog log, Func<LedgerKernel> other)
    {
        try
        {
            var here = FoldKernel(newKernel, log.Entries, frontierAtEnd: true).CreateCheckpoint();
            return "\n" + RowDifference.Explain(newKernel, log, here, other().CreateCheckpoint()).TrimEnd('\n');
        }
        catch (Exception e) when (e is LedgerException or InvalidOperationException)
        {
            return "\n  (the differing rows could not be listed: " + e.Message + ")";
        }
    }
}

/// <summary>Two folds that had to agree did not, or the determinism sentinel saw one op's verb write different
/// effects on two runs (then <see cref="Exception.InnerException"/> is the kernel's
/// <see cref="NondeterministicVerbException"/>).</summary>
public sealed class ReplayMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReplayMismatchException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ReplayMismatchException(string message, Exception? inner) : base(message, inner)
    {
    }
}
