namespace Ledger.Kernel;

public sealed partial class LedgerKernel
{
    /// <summary>A checkpoint of everything this kernel holds.</summary>
    public Checkpoint CreateCheckpoint(CheckpointExtras? extras = null)
    {
        ThrowIfFaulted();
        extras ??= new CheckpointExtras();
        var authors = _authors.OrderBy(a => a.Key.Value, Utf8Order.Instance).Select(a => new AuthorTip(a.Key, a.Value.Seq, a.Value.Tip)).ToArray();
        var claims = _claimFrontier.OrderBy(c => c.Key, Utf8Order.Instance).Select(c => new ClaimFrontier(c.Key, c.Value)).ToArray();
        var pending = _pending.Values.OrderBy(p => p.Position ?? long.MaxValue).ThenBy(p => p.Op.Ref).Select(p => new CheckpointOp(p.Op, p.Position)).ToArray();
        var parked = _parking.Queue.Select(e => new CheckpointOp(e.Op, e.Position)).ToArray();
        var segments = new List<CheckpointSegment>();
        foreach (var s in State.Segments)
        {
            segments.Add(new CheckpointSegment(s.Id, s.Kind, s.CanonicalRows())); // an evicted segment is read, verified, not loaded
            State.EnforceBudget();
        }

        var adopted = extras.Adopted.OrderBy(a => a.Branch.ToString(), Utf8Order.Instance).ToArray();
        return new Checkpoint(authors, _relayFrontier, extras.RelayCut, extras.KeyStateDigest, adopted, claims, pending, parked, segments, State.Hash());
    }

    /// <summary>Bootstraps a kernel from a checkpoint after verifying it: its sections must reproduce its digest, the
    /// rows must reproduce the state hash and the cut must be closed under the legal-order constraints. Then apply the tail.</summary>
    /// <exception cref="CheckpointException">A section that does not match the digest, tampered rows or a cut that is not
    /// closed; nothing is restored.</exception>
    public static LedgerKernel Restore(Checkpoint checkpoint, KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);

        // The digest first: it covers every section (frontiers, tips, relay cut, key digest, adoptions, pending and
        // parked ops, rows through the state hash), so nothing below is believed unless it is what was vouched for.
        // (A checkpoint built from its parts in this process carries no digest of its own to compare with.)
        if (checkpoint.ClaimedDigest is { } claimed && CheckpointCodec.SectionsDigest(checkpoint) is var computed && computed != claimed)
        {
            throw Error.Checkpoint(CheckpointProblem.DigestMismatch, $"the sections hash to {computed}, the checkpoint carries digest {claimed}.");
        }

        var kernel = new LedgerKernel(options);
        var catalog = options.Manifests as ManifestCatalog;

        // Rows first, so that the hash check runs before anything else is believed.
        SegmentId? previous = null;
        foreach (var s in checkpoint.Segments)
        {
            if (previous is { } p && p.CompareTo(s.Id) >= 0)
            {
                throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"segment {s.Id} is out of canonical order or repeated.");
            }

            previous = s.Id;
            CheckSegmentKind(s, catalog);
            var segment = kernel.State.GetOrCreate(s.Id, s.Kind);
            string? previousKey = null;
            foreach (var (key, value) in s.Rows)
            {
                if (previousKey is not null && Utf8Order.Instance.Compare(previousKey, key) >= 0)
                {
                    throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"segment {s.Id}: row '{Error.Printable(key)}' is out of canonical order or repeated.");
                }

                previousKey = key;
                try
                {
                    segment.Load(key, value);
                }
                catch (LedgerFormatException e)
                {
                    throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"segment {s.Id}: row '{Error.Printable(key)}': {e.Message}");
                }
            }

            // Under a budget the restored rows go to the segment store as they come (the hash needs only their hashes).
            kernel.State.EnforceBudget();
        }

        var hash = kernel.State.Hash();
        if (hash != checkpoint.StateHash)
        {
            throw Error.Checkpoint(CheckpointProblem.StateHashMismatch, $"the rows hash to {hash}, the checkpoint claims {checkpoint.StateHash}.");
        }

        CheckCutClosed(checkpoint);

        foreach (var a in checkpoint.Authors) kernel._authors[a.Author] = (a.Seq, a.Tip);
        kernel._relayFrontier = checkpoint.RelayFrontier;
        foreach (var c in checkpoint.ClaimFrontier) kernel._claimFrontier[c.ClaimKey] = c.Position;

        foreach (var p in checkpoint.Pending)
        {
            var result = kernel.Route(p.Op, p.Position, fromParking: true);
            if (result.Status is not (ApplyStatus.Pending or ApplyStatus.Parked))
            {
                throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"pending op {p.Op.Ref} is not a Claim op under its manifest ({result}).");
            }
        }

        foreach (var p in checkpoint.Parked) kernel._parking.Park(p.Op, p.Position, ParkReason.AuthorParked, scope: null, blockAuthor: false);
        kernel.Resume();
        return kernel;
    }

    /// <summary>Decodes and restores a checkpoint.</summary>
    /// <exception cref="LedgerFormatException">The bytes are not a canonical checkpoint.</exception>
    /// <exception cref="CheckpointException">See <see cref="Restore(Checkpoint, KernelOptions)"/>.</exception>
    public static LedgerKernel Restore(ReadOnlyMemory<byte> checkpoint, KernelOptions options) => Restore(CheckpointCodec.Decode(checkpoint), options);

    /// <summary>Decodes and restores a checkpoint that must be the one <paramref name="trustedDigest"/> names (a digest
    /// taken from a source the caller trusts: one it signed, pinned or received over an authenticated channel).</summary>
    /// <exception cref="LedgerFormatException">The bytes are not a canonical checkpoint.</exception>
    /// <exception cref="CheckpointException">Another checkpoint (<see cref="CheckpointProblem.DigestMismatch"/>), or see
    /// <see cref="Restore(Checkpoint, KernelOptions)"/>.</exception>
    public static LedgerKernel Restore(ReadOnlyMemory<byte> checkpoint, KernelOptions options, Hash32 trustedDigest)
    {
        var decoded = CheckpointCodec.Decode(checkpoint);
        if (decoded.Digest != trustedDigest)
        {
            throw Error.Checkpoint(CheckpointProblem.DigestMismatch, $"the checkpoint carries digest {decoded.Digest}, not the trusted {trustedDigest}.");
        }

        return Restore(decoded, options);
    }

    private static void CheckSegmentKind(CheckpointSegment s, ManifestCatalog? catalog)
    {
        if (s.Id.Table.StartsWith('$'))
        {
            if (!ReservedTables.IsReserved(s.Id.Table) || s.Kind != TableKind.Reserved || s.Id.Branch.Length != 0)
            {
                throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"segment {s.Id} is not a reserved table this kernel writes.");
            }

            return;
        }

        if ((s.Kind == TableKind.Branch) != (s.Id.Branch.Length > 0))
        {
            throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"segment {s.Id}: {s.Kind.WireName()} rows live {(s.Kind == TableKind.Branch ? "in a branch" : "in the global branch")}.");
        }

        if (catalog is not null && catalog.TryGetTable(s.Id.Table, out var declared) && declared.Kind != s.Kind)
        {
            throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"segment {s.Id} is {s.Kind.WireName()}, but the table is declared {declared.Kind.WireName()}.");
        }
    }

    private static void CheckCutClosed(Checkpoint c)
    {
        var tips = new Dictionary<AuthorId, AuthorTip>();
        AuthorTip? previous = null;
        foreach (var a in c.Authors)
        {
            if (previous is { } p && Utf8Order.Instance.Compare(p.Author.Value, a.Author.Value) >= 0)
            {
                throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"author {a.Author} is out of order or repeated.");
            }

            previous = a;
            tips[a.Author] = a;
        }

        void RequireInCut(OpRef op, string what)
        {
            if (!tips.TryGetValue(op.Author, out var tip) || op.Seq > tip.Seq)
            {
                throw Error.Checkpoint(CheckpointProblem.CutNotClosed, $"{what} {op} lies beyond the author frontier ({(tips.TryGetValue(op.Author, out var t) ? $"seq {t.Seq}" : "author absent")}).");
            }
        }

        var positions = new HashSet<long>();
        var parkedKeys = new HashSet<string>(c.Parked.Where(p => p.Op.ClaimKey is not null).Select(p => p.Op.ClaimKey!), StringComparer.Ordinal);
        foreach (var (o, what) in c.Pending.Select(p => (p, "pending op")).Concat(c.Parked.Select(p => (p, "parked op"))))
        {
            RequireInCut(o.Op.Ref, what);
            var tip = tips[o.Op.Author];
            if (o.Op.Seq == tip.Seq && o.Op.ChainHash != tip.Tip)
            {
                throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"{what} {o.Op.Ref} is the author's tip but hashes to {o.Op.ChainHash.ToShortString()}, not {tip.Tip.ToShortString()}.");
            }

            if (o.Position is { } pos && !positions.Add(pos))
            {
                throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"relay position {pos} is held by two ops.");
            }
        }

        foreach (var p in c.Pending)
        {
            if (p.Op.ClaimKey is null)
            {
                throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"pending op {p.Op.Ref} has no claim key.");
            }

            if (p.Position is { } pos && pos < c.RelayFrontier && !parkedKeys.Contains(p.Op.ClaimKey))
            {
                throw Error.Checkpoint(CheckpointProblem.CutNotClosed, $"claim {p.Op.Ref} at relay position {pos} is below the relay frontier {c.RelayFrontier} but not folded.");
            }
        }

        foreach (var f in c.ClaimFrontier)
        {
            if (f.Position >= c.RelayFrontier)
            {
                throw Error.Checkpoint(CheckpointProblem.CutNotClosed, $"a claim on '{f.ClaimKey}' at relay position {f.Position} is folded, beyond the relay frontier {c.RelayFrontier}.");
            }
        }

        foreach (var s in c.Segments)
        {
            if (s.Id.Branch.Length > 0)
            {
                var owner = BranchId.Parse(s.Id.Branch).Owner;
                if (!tips.ContainsKey(owner))
                {
                    throw Error.Checkpoint(CheckpointProblem.CutNotClosed, $"segment {s.Id} has rows but its owner {owner} has no op in the cut.");
                }
            }

            if ((s.Kind == TableKind.Reserved && s.Id.Table == ReservedTables.Refused.Name) || s.Kind == TableKind.Correction)
            {
                foreach (var (key, _) in s.Rows)
                {
                    if (!TryParseOpRowKey(key, out var op))
                    {
                        throw Error.Checkpoint(CheckpointProblem.Inconsistent, $"segment {s.Id}: '{Error.Printable(key)}' is not an op row key.");
                    }

                    RequireInCut(op, $"row {s.Id}/{key} of op");
                }
            }

            if (s.Kind == TableKind.LastWriterWins)
            {
                foreach (var (key, value) in s.Rows)
                {
                    var probe = new LwwSegment(s.Id);
                    probe.Load(key, value);
                    probe.TryGet(key, out var stamp, out _);
                    RequireInCut(new OpRef(stamp.Author, stamp.Seq), $"row {s.Id}/{key} written by");
                }
            }
        }
    }

    private static bool TryParseOpRowKey(string key, out OpRef op)
    {
        op = default;
        var parts = key.Split('/');
        if (parts.Length is < 2 or > 3 || parts[1].Length != 20) return false;
        if (!AuthorId.TryCreate(parts[0], out var author)) return false;
        if (!ulong.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq) || seq == 0) return false;
        op = new OpRef(author, seq);
        return true;
    }
}
