using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>FsCheck generators of op logs over an app's verbs and of legal reorderings of a log.</summary>
public static class LedgerGen
{
    private readonly record struct Step(int Author, int VerbCase, byte[] Args, int ClaimKey, int Misaddress, int ClockStep, Guid OpId);

    /// <summary>Logs as <paramref name="spec"/> describes, in relay order (position = index). Each author's
    /// ops form a valid chain (Seq 1, 2, 3 …; Prev = previous op's chain hash).</summary>
    public static Gen<GeneratedLog> Logs(LogSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var weighted = spec.Verbs.Select((v, i) => (v.Weight, Gen.Constant(i))).ToArray();
        var verbIndex = Gen.Frequency(weighted);
        var step =
            from author in Gen.Choose(0, spec.Authors - 1)
            from verb in verbIndex
            from args in spec.Verbs[verb].Args
            from claimKey in Gen.Choose(0, Math.Max(0, spec.ClaimKeys.Count - 1))
            from mis in Gen.Choose(0, 999)
            from clock in Gen.Choose(0, 5_000)
            from id in Gen.Choose(int.MinValue, int.MaxValue).Two()
            select new Step(author, verb, args, claimKey, mis, clock, DeriveGuid(id.Item1, id.Item2));
        return Gen.Sized(size =>
        {
            var max = Math.Max(spec.MinOps, Math.Min(spec.MaxOps, spec.MinOps + size));
            return Gen.Choose(spec.MinOps, max).SelectMany(n => step.ListOf(n)).Select(steps => Build(spec, steps));
        });
    }

    /// <summary>The keys generated strings are drawn from by default: few, so generated ops meet on the same rows.</summary>
    public static readonly IReadOnlyList<string> DefaultKeys = ["key-0", "key-1", "key-2", "key-3", "key-4", "key-5"];

    /// <summary>Values of an app's own argument type, built from its MessagePack shape: <c>[MessagePackObject]</c>
    /// records and classes (nested too) with <c>[Key]</c> members, integers (small, both signs), strings drawn from
    /// <paramref name="keys"/> (default <see cref="DefaultKeys"/>), booleans, decimals, enums, GUIDs, byte arrays,
    /// arrays and lists, nullables. For tighter domains (amounts that must be positive, references that must exist)
    /// write the generator and use <see cref="VerbCase.Of{TArgs}(Ledger.Kernel.Verb{TArgs}, Gen{TArgs}, int)"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> has a member of a type that cannot be generated
    /// (the message names it).</exception>
    public static Gen<T> ArgsFor<T>(IReadOnlyList<string>? keys = null)
    {
        keys ??= DefaultKeys;
        if (keys.Count == 0) throw Error.Argument("at least one key is needed.", nameof(keys));
        return ArgsGen.For<T>(keys);
    }

    /// <summary><paramref name="count"/> logs, reproducibly: the same seed gives the same logs on every machine.</summary>
    public static IReadOnlyList<GeneratedLog> Sample(LogSpec spec, int count, ulong seed, int size = 100) =>
        Logs(spec).Sample(count, new Rnd(seed), size);

    /// <summary>A random legal reordering of <paramref name="log"/>: each author's Seq order and, per claim
    /// key, the relay order of ops carrying that key are kept; everything else interleaves freely.</summary>
    public static Gen<IReadOnlyList<SequencedOp>> LegalOrders(GeneratedLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Gen.Choose(0, int.MaxValue).Select(seed => LegalOrder(log.Entries, seed));
    }

    /// <summary>The legal reordering chosen by <paramref name="seed"/>; the same seed gives the same order.</summary>
    public static IReadOnlyList<SequencedOp> LegalOrder(IReadOnlyList<SequencedOp> relayOrder, int seed)
    {
        ArgumentNullException.ThrowIfNull(relayOrder);
        var random = new Random(seed);
        var byAuthor = new Dictionary<AuthorId, Queue<SequencedOp>>();
        var authors = new List<AuthorId>();
        var byKey = new Dictionary<string, Queue<SequencedOp>>(StringComparer.Ordinal);
        foreach (var entry in relayOrder)
        {
            if (!byAuthor.TryGetValue(entry.Op.Author, out var queue))
            {
                byAuthor[entry.Op.Author] = queue = new Queue<SequencedOp>();
                authors.Add(entry.Op.Author);
            }

            queue.Enqueue(entry);
            if (entry.Op.ClaimKey is { } key)
            {
                if (!byKey.TryGetValue(key, out var keyed)) byKey[key] = keyed = new Queue<SequencedOp>();
                keyed.Enqueue(entry);
            }
        }

        var order = new List<SequencedOp>(relayOrder.Count);
        var eligible = new List<AuthorId>(authors.Count);
        while (order.Count < relayOrder.Count)
        {
            eligible.Clear();
            foreach (var author in authors)
            {
                var queue = byAuthor[author];
                if (queue.Count == 0) continue;
                var next = queue.Peek();
                if (next.Op.ClaimKey is { } key && byKey[key].Peek().Op.Ref != next.Op.Ref) continue;
                eligible.Add(author);
            }

            if (eligible.Count == 0)
            {
                throw Error.InvalidOperation("the log is not in a legal relay order: no author can go next.");
            }

            var chosen = byAuthor[eligible[random.Next(eligible.Count)]].Dequeue();
            if (chosen.Op.ClaimKey is { } k) byKey[k].Dequeue();
            order.Add(chosen);
        }

        return order;
    }

    /// <summary>Every legal reordering of <paramref name="relayOrder"/> (each author's Seq order and, per claim key,
    /// the relay order of its ops kept), in a fixed order, or null when there are more than <paramref name="limit"/>.</summary>
    public static IReadOnlyList<IReadOnlyList<SequencedOp>>? AllLegalOrders(IReadOnlyList<SequencedOp> relayOrder, int limit)
    {
        ArgumentNullException.ThrowIfNull(relayOrder);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var authors = relayOrder.Select(e => e.Op.Author).Distinct().ToArray();
        var chains = authors.Select(a => relayOrder.Where(e => e.Op.Author == a).ToArray()).ToArray();
        var keyed = relayOrder.Where(e => e.Op.ClaimKey is not null).GroupBy(e => e.Op.ClaimKey!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var next = new int[authors.Length];
        var keyNext = keyed.Keys.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        var current = new List<SequencedOp>(relayOrder.Count);
        var all = new List<IReadOnlyList<SequencedOp>>();
        return Walk() ? all : null;

        bool Walk()
        {
            if (current.Count == relayOrder.Count)
            {
                if (all.Count == limit) return false;
                all.Add(current.ToArray());
                return true;
            }

            for (var a = 0; a < authors.Length; a++)
            {
                if (next[a] == chains[a].Length) continue;
                var entry = chains[a][next[a]];
                if (entry.Op.ClaimKey is { } key && keyed[key][keyNext[key]].Op.Ref != entry.Op.Ref) continue;
                next[a]++;
                if (entry.Op.ClaimKey is { } k1) keyNext[k1]++;
                current.Add(entry);
                var ok = Walk();
                current.RemoveAt(current.Count - 1);
                if (entry.Op.ClaimKey is { } k2) keyNext[k2]--;
                next[a]--;
                if (!ok) return false;
            }

            return true;
        }
    }

    private static GeneratedLog Build(LogSpec spec, IReadOnlyList<Step> steps)
    {
        var seqs = new ulong[spec.Authors];
        var tips = new Hash32[spec.Authors];
        var authors = Enumerable.Range(0, spec.Authors).Select(i => new AuthorId($"author-{i}")).ToArray();
        var entries = new List<SequencedOp>(steps.Count);
        var at = spec.StartAt;
        foreach (var s in steps)
        {
            var author = s.Author;
            var verb = spec.Verbs[s.VerbCase].Verb;
            var branchOwner = authors[author];
            string? claimKey = verb.Scope == Scope.Claim && spec.ClaimKeys.Count > 0 ? spec.ClaimKeys[s.ClaimKey] : null;
            if (s.Misaddress < spec.MisaddressedPerMille)
            {
                switch (s.Misaddress % 3)
                {
                    case 0:
                        branchOwner = authors[(author + 1) % authors.Length];
                        break;
                    case 1 when spec.ClaimKeys.Count > 0:
                        claimKey = claimKey is null ? spec.ClaimKeys[s.ClaimKey] : null;
                        break;
                }
            }

            at += s.ClockStep;
            var seq = ++seqs[author];
            var op = new Op(s.OpId, authors[author], seq, tips[author], spec.Manifest.Id, verb.Name, verb.Version,
                new BranchId(branchOwner, "main"), claimKey, at, s.Args);
            tips[author] = op.ChainHash;
            entries.Add(new SequencedOp(op, entries.Count));
        }

        return new GeneratedLog(entries, spec.Manifest);
    }

    private static Guid DeriveGuid(int a, int b)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, a);
        BitConverter.TryWriteBytes(bytes[4..], b);
        BitConverter.TryWriteBytes(bytes[8..], a ^ 0x5bd1e995);
        BitConverter.TryWriteBytes(bytes[12..], b ^ 0x1b873593);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
