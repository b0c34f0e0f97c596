using System.Globalization;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>Rebuilds a lost relay from the edges (risk A2): the logs are the truth, the relay an optimisation.
/// Reads the stores the devices kept, verifies every chain, puts every op back at the position the old relay
/// gave it, checks the result against the largest checkpoint the devices witnessed, and lists what no device
/// held. The new relay ingests the ops itself, so every signature is checked once more on the way in.</summary>
/// <remarks>The order rule (docs/sync.md, "Rebuilding a relay"): recovered ops keep their old relative order;
/// a lost position is dropped and everything after it moves up by one; ops no relay had acknowledged follow,
/// ordered by edge time, then author, then seq. Claim outcomes can change only for claim keys decided after the
/// first lost position (<see cref="RebuildReport.ClaimsAfterLoss"/>).</remarks>
public static class RelayRebuild
{
    /// <summary>The origin the rebuilt relay should sign under: the old origin committed to the old log's last
    /// checkpoint, so a node sees a successor named after what it witnessed, never a rollback of the old log.</summary>
    public static string SuccessorOrigin(RelayCheckpoint last)
    {
        ArgumentNullException.ThrowIfNull(last);
        var root = Convert.ToHexStringLower(last.Root.ToArray().AsSpan(0, 8));
        return string.Create(CultureInfo.InvariantCulture, $"{last.Origin}/after-{last.Size}-{root}");
    }

    /// <summary>True when <paramref name="origin"/> names a successor of the log <paramref name="predecessor"/> (as
    /// <see cref="SuccessorOrigin"/> makes it), with the size and the first 8 root bytes it commits to. A successor of a
    /// successor (the relay was rebuilt again while a device was away) is one too: <paramref name="size"/> and
    /// <paramref name="rootPrefix"/> are then the first step's, what <paramref name="predecessor"/>'s log was.</summary>
    public static bool IsSuccessorOf(string origin, string predecessor, out long size, out ReadOnlyMemory<byte> rootPrefix)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(predecessor);
        size = 0;
        rootPrefix = default;
        var prefix = predecessor + "/after-";
        if (!origin.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = origin[prefix.Length..];
        var hop = rest.IndexOf('/', StringComparison.Ordinal);
        if (hop >= 0)
        {
            // <predecessor>/after-<size>-<root>/after-…: each later step must be a well-formed successor of the one before.
            if (!IsSuccessorOf(origin, prefix + rest[..hop], out _, out _)) return false;
            rest = rest[..hop];
        }

        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || rest.Length - dash - 1 != 16) return false;
        if (!long.TryParse(rest[..dash], System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out size)) return false;
        try
        {
            rootPrefix = Convert.FromHexString(rest[(dash + 1)..]);
        }
        catch (FormatException)
        {
            return false;
        }

        return true;
    }

    /// <summary>Reads <paramref name="stores"/>, verifies them, and writes the recovered order into
    /// <paramref name="target"/>, which must be empty.</summary>
    /// <param name="stores">The devices' stores (their owners need not be running).</param>
    /// <param name="target">The new relay.</param>
    /// <param name="oldRelay">The old relay's checkpoint key, to verify the witnessed checkpoints (null: take
    /// them unverified; they only serve to measure what is lost and to check the rebuilt root).</param>
    /// <param name="cancellationToken">Cancels the rebuild.</param>
    /// <exception cref="RebuildException">The stores disagree about a position, or none verifies.</exception>
    public static async Task<RebuildReport> RunAsync(IReadOnlyList<INodeStore> stores, Relay target, NoteKey? oldRelay = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(target);
        if (target.Size != 0) throw Error.Argument("the new relay must be empty.", nameof(target));
        using var activity = SyncActivities.Start("ledger.rebuild");
        activity?.SetTag("ledger.name", target.Ledger);
        activity?.SetTag("ledger.stores", stores.Count);
        var ledger = target.Ledger;
        var rejected = new List<string>();
        var byPosition = new SortedDictionary<long, (SignedOp Op, int Store)>();
        var unsequenced = new Dictionary<OpRef, SignedOp>();
        var chains = new Dictionary<AuthorId, SortedDictionary<ulong, SignedOp>>();
        RelayCheckpoint? last = null;
        var usable = 0;
        var verified = new Dictionary<AuthorId, List<Hash32>>();

        for (var s = 0; s < stores.Count; s++)
        {
            var (records, problem) = await TryReadAsync(ledger, stores[s], s, verified, cancellationToken).ConfigureAwait(false);
            if (records is null)
            {
                rejected.Add(problem!);
                continue;
            }

            usable++;
            foreach (var (op, position, refused) in records!)
            {
                if (refused) continue;
                if (!chains.TryGetValue(op.Op.Author, out var chain)) chains[op.Op.Author] = chain = new SortedDictionary<ulong, SignedOp>();
                if (chain.TryGetValue(op.Op.Seq, out var known) && known.ChainHash != op.ChainHash)
                {
                    throw Error.Rebuild(string.Create(CultureInfo.InvariantCulture,
                        $"store {s} holds {op.Ref} as {op.ChainHash.ToShortString()}, another store as {known.ChainHash.ToShortString()}: the author forked; settle that before rebuilding."));
                }

                chain[op.Op.Seq] = op;
                if (position is not { } p)
                {
                    unsequenced.TryAdd(op.Ref, op);
                    continue;
                }

                if (byPosition.TryGetValue(p, out var other) && other.Op.ChainHash != op.ChainHash)
                {
                    throw Error.Rebuild(string.Create(CultureInfo.InvariantCulture,
                        $"position {p} holds {other.Op.Ref} in store {other.Store} and {op.Ref} in store {s}: the old relay showed them different orders."));
                }

                byPosition[p] = (op, s);
            }

            foreach (var note in (await stores[s].LoadWitnessesAsync(cancellationToken).ConfigureAwait(false)).Values)
            {
                if (ReadCheckpoint(note, oldRelay) is { } checkpoint && (last is null || checkpoint.Size > last.Size)) last = checkpoint;
            }
        }

        if (usable == 0) throw Error.Rebuild($"none of the {stores.Count} stores verifies: {string.Join("; ", rejected)}");

        foreach (var p in byPosition.Values) unsequenced.Remove(p.Op.Ref);
        var oldSize = Math.Max(byPosition.Count == 0 ? 0 : byPosition.Keys.Max() + 1, last?.Size ?? 0);
        var lost = new List<long>();
        for (long p = 0; p < oldSize; p++)
        {
            if (!byPosition.ContainsKey(p)) lost.Add(p);
        }

        // The order: recovered positions ascending, then what no relay acknowledged (edge time, author, seq).
        var order = byPosition.Values.Select(v => v.Op).ToList();
        order.AddRange(unsequenced.Values.OrderBy(o => o.Op.At).ThenBy(o => o.Op.Author.Value, StringComparer.Ordinal).ThenBy(o => o.Op.Seq));
        var stranded = new List<string>();
        var newPositions = new Dictionary<OpRef, long>();
        foreach (var batch in order.Chunk(256))
        {
            var response = await target.PushAsync(batch.Select(o => o.Bytes).ToArray(), cancellationToken).ConfigureAwait(false);
            foreach (var r in response.Results)
            {
                if (r is { Held: true, Position: { } np }) newPositions[batch[r.Index].Ref] = np;
                else stranded.Add($"{batch[r.Index].Ref}: {r.Refusal}: {r.Detail}");
            }
        }

        var firstLost = lost.Count > 0 ? lost[0] : long.MaxValue;
        var resequenced = byPosition.Count(kv => newPositions.TryGetValue(kv.Value.Op.Ref, out var np) && np != kv.Key);
        var claimsAfterLoss = byPosition.Where(kv => kv.Key > firstLost && kv.Value.Op.Op.ClaimKey is not null)
            .Select(kv => kv.Value.Op.Op.ClaimKey!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        Hash32? rebuiltRoot = null;
        if (last is not null && last.Size <= target.Size && (lost.Count == 0 || lost[0] >= last.Size))
        {
            rebuiltRoot = await target.GetRootAsync(last.Size, cancellationToken).ConfigureAwait(false);
        }

        return new RebuildReport
        {
            Stores = stores.Count,
            RejectedStores = rejected,
            Authors = chains.Count,
            OldSize = oldSize,
            Recovered = byPosition.Count,
            LostPositions = lost,
            Resequenced = resequenced,
            Unsequenced = unsequenced.Count,
            Stranded = stranded,
            LastCheckpoint = last,
            RebuiltRoot = rebuiltRoot,
            ClaimsAfterLoss = claimsAfterLoss,
            NewSize = target.Size,
        };
    }

    /// <summary>Decodes one store and verifies each of its chains from seq 1. Devices hold mostly the same ops: a
    /// prefix byte-identical to one already verified in another store (same chain hash at its last seq, so the
    /// same ops before it) is not signature-checked again — <paramref name="verified"/> holds those hashes.</summary>
    private static async Task<(List<(SignedOp Op, long? Position, bool Refused)>? Records, string? Problem)> TryReadAsync(string ledger, INodeStore store, int index,
        Dictionary<AuthorId, List<Hash32>> verified, CancellationToken cancellationToken)
    {
        var raw = new List<NodeOpRecord>();
        try
        {
            await foreach (var record in store.ReadAllAsync(cancellationToken).ConfigureAwait(false)) raw.Add(record);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return (null, $"store {index}: unreadable: {e.Message}");
        }

        var (records, problem) = (new List<(SignedOp Op, long? Position, bool Refused)>(), (string?)null);
        var ok = Verify(ledger, raw, index, verified, records, ref problem);
        return ok ? (records, null) : (null, problem);
    }

    private static bool Verify(string ledger, List<NodeOpRecord> raw, int index, Dictionary<AuthorId, List<Hash32>> verified,
        List<(SignedOp Op, long? Position, bool Refused)> records, ref string? problem)
    {
        var byAuthor = new Dictionary<AuthorId, List<SignedOp>>();

        for (var i = 0; i < raw.Count; i++)
        {
            if (!SignedOpCodec.TryDecode(raw[i].Bytes, out var op, out var error))
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"store {index}: op {i}: {error!.Message}");
                return false;
            }

            if (op!.Ledger != ledger)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"store {index}: op {i} ({op.Ref}) is signed for ledger '{op.Ledger}', not '{ledger}'.");
                return false;
            }

            if (op.Ref != raw[i].Op)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"store {index}: op {i} is filed as {raw[i].Op} but its bytes are {op.Ref}.");
                return false;
            }

            records.Add((op, raw[i].Position, raw[i].RefusedBy is not null));
            if (!byAuthor.TryGetValue(op.Op.Author, out var list)) byAuthor[op.Op.Author] = list = [];
            list.Add(op);
        }

        var verifiedHere = new List<(AuthorId Author, SignedOp[] Chain)>();
        foreach (var (author, chain) in byAuthor)
        {
            var ordered = chain.OrderBy(o => o.Op.Seq).ToArray();
            VerifiedWatermark? mark = null;
            if (verified.TryGetValue(author, out var hashes))
            {
                var shared = Math.Min(hashes.Count, ordered.Length);
                if (shared > 0 && ordered[shared - 1].ChainHash == hashes[shared - 1]) mark = new VerifiedWatermark(author, (ulong)shared, hashes[shared - 1]);
            }

            var report = ChainVerifier.Verify(ledger, ordered, mark);
            if (!report.Ok)
            {
                problem = $"store {index}: the chain of {author} does not verify: {report}";
                return false;
            }

            verifiedHere.Add((author, ordered));
        }

        // Only a store that verifies whole vouches for what later stores may skip.
        foreach (var (author, ordered) in verifiedHere)
        {
            if (!verified.TryGetValue(author, out var hashes)) verified[author] = hashes = [];
            if (ordered.Length > hashes.Count && (hashes.Count == 0 || ordered[hashes.Count - 1].ChainHash == hashes[^1]))
            {
                hashes.AddRange(ordered.Skip(hashes.Count).Select(o => o.ChainHash));
            }
        }

        return true;
    }

    private static RelayCheckpoint? ReadCheckpoint(byte[] note, NoteKey? oldRelay)
    {
        try
        {
            if (oldRelay is not null)
            {
                var (checkpoint, _, verdict) = RelayCheckpoint.Open(note, oldRelay);
                return verdict.Ok ? checkpoint : null;
            }

            return RelayCheckpoint.TryParse(SignedNote.Parse(note), out var parsed, out _) ? parsed : null;
        }
        catch (LedgerException)
        {
            return null;
        }
    }
}
