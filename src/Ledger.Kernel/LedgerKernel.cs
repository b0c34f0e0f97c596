using System.Diagnostics.Metrics;

namespace Ledger.Kernel;

/// <summary>The deterministic fold: takes ops in a legal order and folds them into a <see cref="StateStore"/>.
/// Any replica that folds the same ops in any legal order reaches the same <see cref="StateHash"/>.</summary>
/// <remarks>
/// <para>A legal order keeps each author's Seq order and, per claim key, the relay's order of Claim ops.
/// The kernel checks the chain (Seq without gaps, Prev = previous op's chain hash) and refuses to take
/// anything else: a <see cref="LedgerOrderException"/> leaves the kernel unchanged.</para>
/// <para>Claim ops stay <see cref="ApplyStatus.Pending"/> until their relay position is known and the
/// relay prefix before it is held (<see cref="AdvanceRelayFrontier"/>); they touch only their claim row,
/// corrections and commuting Shared merges, so the author's later ops fold meanwhile.</para>
/// <para>Not thread-safe: one fold runs at a time.</para>
/// </remarks>
public sealed partial class LedgerKernel
{
    private readonly Counter<long> _opsCounter;

    private readonly IManifestResolver _manifests;
    private readonly VerbContext _context;
    private readonly Dictionary<AuthorId, (ulong Seq, Hash32 Tip)> _authors = new();
    private readonly ParkingLot _parking = new();
    private readonly Dictionary<OpRef, PendingClaim> _pending = new();
    private readonly SortedDictionary<long, PendingClaim> _sequenced = new();
    private readonly Dictionary<string, long> _claimFrontier = new(StringComparer.Ordinal);
    private readonly ProvenanceIndex? _provenance;
    private readonly ISegmentStore? _chainStore;
    private long _relayFrontier;
    private Exception? _fault;

    /// <summary>Creates an empty kernel.</summary>
    public LedgerKernel(KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _manifests = options.Manifests ?? throw Error.Argument(nameof(options), "KernelOptions.Manifests is required.");
        Options = options;
        if (options.StateMemoryBudget is { } budget)
        {
            if (budget < 0) throw Error.OutOfRange(nameof(options), "KernelOptions.StateMemoryBudget is a number of bytes, not negative.");
            _chainStore = options.SegmentStore ?? new InMemorySegmentStore();
            State = new StateStore(new SegmentResidency(_chainStore, budget, options.MeterFactory));
        }
        else
        {
            State = new StateStore();
        }

        _context = new VerbContext(State);
        _provenance = !options.TrackProvenance ? null
            : State.Residency is { } residency ? new ProvenanceIndex(residency.Provenance = new ProvenanceSpill(_chainStore!))
            : new ProvenanceIndex();
        CheckDeterminism = options.CheckDeterminism;
        _opsCounter = KernelMetrics.OpsCounter(options.MeterFactory);
    }

    /// <summary>The determinism sentinel of this kernel (see <see cref="KernelOptions.CheckDeterminism"/>), initially
    /// the option's value; test helpers turn it on for the kernels they are given.</summary>
    public bool CheckDeterminism { get; set; }

    /// <summary>Creates an empty kernel that knows the given manifests.</summary>
    public LedgerKernel(params Manifest[] manifests) : this(new KernelOptions { Manifests = new ManifestCatalog(manifests) })
    {
    }

    /// <summary>The options the kernel was built with.</summary>
    public KernelOptions Options { get; }

    /// <summary>The folded state.</summary>
    public StateStore State { get; }

    /// <summary>Which ops wrote each row; null when <see cref="KernelOptions.TrackProvenance"/> is off.</summary>
    public ProvenanceIndex? Provenance => _provenance;

    /// <summary>With <see cref="KernelOptions.TrackLastWrites"/>: the effects of the most recently folded or refused
    /// op, in order — what its verb wrote (a delta, not the merged sum), or its <c>$refused</c> row.</summary>
    public IReadOnlyList<FoldEffect> LastFoldEffects => _lastWrites;

    private readonly List<FoldEffect> _lastWrites = [];

    /// <summary>The relay frontier: every relay position below it is held.</summary>
    public long RelayFrontier => _relayFrontier;

    /// <summary>The state hash of everything folded so far.</summary>
    public Hash32 StateHash() => State.Hash();

    /// <summary>Per author: the last accepted sequence number and its chain hash (the tip).</summary>
    public IReadOnlyDictionary<AuthorId, (ulong Seq, Hash32 Tip)> Authors => _authors;

    /// <summary>Claim ops waiting for the relay order, in (position, op) order.</summary>
    public IReadOnlyList<SequencedOp> PendingClaims =>
        _pending.Values.OrderBy(p => p.Position ?? long.MaxValue).ThenBy(p => p.Op.Ref).Select(p => new SequencedOp(p.Op, p.Position)).ToArray();

    /// <summary>What this replica cannot fold yet and which update it needs.</summary>
    public ParkedFrontier Parked => _parking.Frontier();

    /// <summary>The number of ops accepted into chains (folded, refused, pending or parked).</summary>
    public long AcceptedOps => _authors.Values.Sum(a => (long)a.Seq);

    /// <summary>Takes the next op of its author's chain and folds it (or parks it, or holds a Claim op pending).</summary>
    /// <param name="op">The op; its Seq must follow the author's last accepted op and Prev must name that op's chain hash.</param>
    /// <param name="position">The relay position, when known.</param>
    /// <exception cref="LedgerOrderException">A gap, a broken chain, a fork or a claim out of relay order. Nothing changed.</exception>
    public ApplyResult Apply(Op op, long? position = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        ThrowIfFaulted();
        if (position is < 0) throw Error.OutOfRange(nameof(position), "relay positions are non-negative.");

        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_authors, op.Author);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            var last = slot;
            if (op.Seq <= last.Seq)
            {
                // Held (author, seq): a duplicate only if it is the same op, at any depth; another op is a fork.
                var held = op.Seq == last.Seq ? last.Tip : HeldChainHash(op.Author, op.Seq);
                if (held is { } h && op.ChainHash != h)
                {
                    throw Error.Order(op.Ref, OrderViolation.Fork, $"another op with this author and seq (chain hash {h.ToShortString()}) was applied; this one hashes to {op.ChainHash.ToShortString()}.");
                }

                if (position is { } p) AssignPosition(op.Ref, p);
                return Count(new ApplyResult(op.Ref, ApplyStatus.Duplicate, Detail: held is null
                    ? "not compared: the op is below the checkpoint this kernel was restored from, whose chain hashes it does not hold"
                    : null));
            }

            if (op.Seq != last.Seq + 1)
            {
                throw Error.Order(op.Ref, OrderViolation.Gap, $"the author's last applied op is seq {last.Seq}; send from seq {last.Seq + 1}.");
            }

            if (op.Prev != last.Tip)
            {
                throw Error.Order(op.Ref, OrderViolation.PrevMismatch, $"prev is {op.Prev.ToShortString()} but the author's op {last.Seq} hashes to {last.Tip.ToShortString()}.");
            }
        }
        else if (op.Seq != 1)
        {
            throw Error.Order(op.Ref, OrderViolation.Gap, "no op of this author was applied; send from seq 1.");
        }

        if (position is { } pos) ValidateClaimPosition(op, pos);

        var known = !System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot);
        var before = known ? slot : default;
        if (known) slot = (op.Seq, op.ChainHash);
        else _authors.Add(op.Author, (op.Seq, op.ChainHash));
        ApplyResult routed;
        try
        {
            routed = Route(op, position, fromParking: false);
        }
        catch (LedgerException) when (_fault is not null)
        {
            // A fault changes nothing, counters included: the op that faulted was not accepted.
            if (known) _authors[op.Author] = before;
            else _authors.Remove(op.Author);
            if (_pending.Remove(op.Ref, out var claim) && claim.Position is { } held) _sequenced.Remove(held);
            throw;
        }

        RecordChainHash(op);
        State.EnforceBudget();
        return Count(routed);
    }

    // Chain hashes of the ops this kernel accepted, per author, so that an op at a held (author, seq) below the tip is
    // told apart: the same op (a duplicate) or another one (a fork). 32 bytes per accepted op; under a state memory
    // budget the full pages go to the segment store (ChainHistory), so what stays in memory no longer grows with the log.
    private readonly Dictionary<AuthorId, ChainHistory> _chains = new();

    private void RecordChainHash(Op op)
    {
        if (!_chains.TryGetValue(op.Author, out var history))
        {
            history = new ChainHistory(op.Author, op.Seq, Options.StateMemoryBudget is null ? null : _chainStore);
            _chains.Add(op.Author, history);
        }

        if (history.First + (ulong)history.Count == op.Seq) history.Add(op.ChainHash);
    }

    private Hash32? HeldChainHash(AuthorId author, ulong seq)
    {
        if (!_chains.TryGetValue(author, out var history) || seq < history.First) return null;
        return history.At(seq - history.First);
    }

    /// <summary>Applies a sequenced op.</summary>
    public ApplyResult Apply(SequencedOp entry) => Apply(entry.Op, entry.Position);

    /// <summary>Applies ops in order and returns their outcomes (plus outcomes of claims they released).</summary>
    public IReadOnlyList<ApplyResult> ApplyAll(IEnumerable<SequencedOp> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var results = new List<ApplyResult>();
        foreach (var entry in entries) results.Add(Apply(entry));
        return results;
    }

    /// <summary>Records the relay position of an op already applied (a Claim op that was pending without
    /// one). Folds whatever that releases.</summary>
    public IReadOnlyList<ApplyResult> AssignPosition(OpRef op, long position)
    {
        ThrowIfFaulted();
        if (position < 0) throw Error.OutOfRange(nameof(position), "relay positions are non-negative.");
        if (_pending.TryGetValue(op, out var claim))
        {
            if (claim.Position is { } known)
            {
                if (known != position) throw Error.Order(op, OrderViolation.Position, $"the op was given position {known} before; now {position}.");
                return [];
            }

            ValidateClaimPosition(claim.Op, position);
            claim.Position = position;
            _sequenced.Add(position, claim);
            var released = FoldReleasedClaims();
            State.EnforceBudget();
            return released;
        }

        if (_parking.Queue.Any(e => e.Op.Ref == op) && _parking.Queue.First(e => e.Op.Ref == op).Op is { } parked)
        {
            ValidateClaimPosition(parked, position);
        }

        _parking.AssignPosition(op, position);
        return [];
    }

    /// <summary>Declares that every relay position below <paramref name="frontier"/> is held, and folds the
    /// Claim ops that releases, in relay order.</summary>
    public IReadOnlyList<ApplyResult> AdvanceRelayFrontier(long frontier)
    {
        ThrowIfFaulted();
        if (frontier <= _relayFrontier) return [];
        _relayFrontier = frontier;
        var released = FoldReleasedClaims();
        State.EnforceBudget();
        return released;
    }

    /// <summary>Tries every parked op again (after the resolver learned new manifests), in arrival order.</summary>
    public IReadOnlyList<ApplyResult> Resume()
    {
        ThrowIfFaulted();
        var queue = _parking.TakeAll();
        var results = new List<ApplyResult>(queue.Count);
        for (var i = 0; i < queue.Count; i++)
        {
            try
            {
                results.Add(Count(Route(queue[i].Op, queue[i].Position, fromParking: true)));
            }
            catch (LedgerException ex) when (ex is LedgerOrderException || _fault is not null)
            {
                // Nothing is lost: what was not resumed goes back to the parking lot, in its order (after a
                // fault too: the op that faulted is still parked, not counted as folded).
                if (_pending.Remove(queue[i].Op.Ref, out var claim) && claim.Position is { } held) _sequenced.Remove(held);
                var rest = queue.Skip(i).ToArray();
                _parking.Restore(rest, e => (null, true));

                // Claims resumed before the failure wait again behind the keys the restored ops stop.
                foreach (var key in rest.Select(e => e.Op.ClaimKey).OfType<string>().Distinct(StringComparer.Ordinal).ToArray()) ParkPendingClaimsOn(key);
                throw;
            }
        }

        results.AddRange(FoldReleasedClaims());
        State.EnforceBudget();
        return results;
    }

    private ApplyResult Route(Op op, long? position, bool fromParking)
    {
        if (_parking.IsAuthorBlocked(op.Author))
        {
            return Park(op, position, ParkReason.AuthorParked, scope: null, blockAuthor: true);
        }

        if (!TryResolve(op.Manifest, out var manifest))
        {
            return Park(op, position, ParkReason.UnknownManifest, scope: null, blockAuthor: true);
        }

        if (!TryGetVerb(manifest, op, out var verb))
        {
            return Refuse(op, RefusalCodes.Verb, $"manifest {manifest} does not list {op.Verb}@{op.VerbVersion}.");
        }

        if ((verb.Scope == Scope.Claim) != (op.ClaimKey is not null))
        {
            return Refuse(op, RefusalCodes.ClaimKey, verb.Scope == Scope.Claim ? "a Claim op needs a claim key." : $"a {verb.Scope} op carries a claim key.");
        }

        if (verb.Scope == Scope.Branch && op.Branch.Owner != op.Author)
        {
            return Refuse(op, RefusalCodes.Owner, $"branch {op.Branch} is owned by {op.Branch.Owner}, not {op.Author}.");
        }

        if (verb.Scope == Scope.Branch && _parking.IsBranchBlocked(op.Branch))
        {
            return Park(op, position, ParkReason.BranchParked, verb.Scope, blockAuthor: true);
        }

        if (verb.Scope == Scope.Claim)
        {
            if (_parking.IsClaimKeyBlocked(op.ClaimKey!))
            {
                return Park(op, position, ParkReason.ClaimKeyParked, verb.Scope, blockAuthor: false);
            }

            var claim = new PendingClaim(op, verb, manifest) { Position = position };
            if (position is { } p)
            {
                ValidateClaimPosition(op, p);
                _sequenced.Add(p, claim);
            }

            _pending.Add(op.Ref, claim);
            if (fromParking) return new ApplyResult(op.Ref, ApplyStatus.Pending);

            var released = FoldReleasedClaims();
            foreach (var r in released)
            {
                if (r.Op == op.Ref) return r;
            }

            return new ApplyResult(op.Ref, ApplyStatus.Pending);
        }

        return Fold(op, verb, manifest);
    }

    // The last manifest and verb resolved: consecutive ops mostly share both, and the resolver may lock.
    private Manifest? _lastManifest;
    private Verb? _lastVerb;

    private bool TryResolve(ManifestId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Manifest? manifest)
    {
        if (_lastManifest is { } last && last.Id == id)
        {
            manifest = last;
            return true;
        }

        if (!_manifests.TryResolve(id, out manifest)) return false;
        _lastManifest = manifest;
        _lastVerb = null;
        return true;
    }

    private bool TryGetVerb(Manifest manifest, Op op, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Verb? verb)
    {
        if (_lastVerb is { } last && ReferenceEquals(manifest, _lastManifest) && last.Version == op.VerbVersion && string.Equals(last.Name, op.Verb, StringComparison.Ordinal))
        {
            verb = last;
            return true;
        }

        if (!manifest.TryGetVerb(op.Verb, op.VerbVersion, out verb)) return false;
        if (ReferenceEquals(manifest, _lastManifest)) _lastVerb = verb;
        return true;
    }

    private List<ApplyResult> FoldReleasedClaims()
    {
        var results = new List<ApplyResult>();
        while (true)
        {
            PendingClaim? next = null;
            foreach (var (position, claim) in _sequenced)
            {
                if (position >= _relayFrontier) break;
                if (_parking.IsClaimKeyBlocked(claim.Op.ClaimKey!)) continue;
                next = claim;
                break;
            }

            if (next is null) return results;

            // Fold first: a fault inside the verb leaves the claim pending, as if it had not been tried.
            var folded = Fold(next.Op, next.Verb, next.Manifest);
            _sequenced.Remove(next.Position!.Value);
            _pending.Remove(next.Op.Ref);
            _claimFrontier[next.Op.ClaimKey!] = next.Position.Value;
            results.Add(Count(folded));
        }
    }

    private void ValidateClaimPosition(Op op, long position)
    {
        if (op.ClaimKey is null) return;
        if (_sequenced.TryGetValue(position, out var holder) && holder.Op.Ref != op.Ref)
        {
            throw Error.Order(op.Ref, OrderViolation.Position, $"position {position} is already held by {holder.Op.Ref}.");
        }

        if (_parking.HoldsPosition(position, op.Ref))
        {
            throw Error.Order(op.Ref, OrderViolation.Position, $"position {position} is already held by a parked op.");
        }

        if (_claimFrontier.TryGetValue(op.ClaimKey, out var folded) && position <= folded)
        {
            throw Error.Order(op.Ref, OrderViolation.ClaimOrder, $"a claim on '{op.ClaimKey}' at relay position {folded} was already folded; this claim is at {position}, before it.");
        }
    }

    private ApplyResult Park(Op op, long? position, ParkReason reason, Scope? scope, bool blockAuthor)
    {
        _parking.Park(op, position, reason, scope, blockAuthor);
        if (op.ClaimKey is { } key) ParkPendingClaimsOn(key);
        return new ApplyResult(op.Ref, ApplyStatus.Parked, Detail: reason == ParkReason.UnknownManifest ? $"update needed: manifest {op.Manifest}" : reason.ToString());
    }

    // A parked op stops its claim key, and that holds back every claim on the key that is still pending, whatever
    // its relay position: the parked op's own position may be unknown or earlier. Those claims are parked too
    // (ClaimKeyParked), so that Parked names everything the state leaves out and the state outside the parked
    // frontier is that of the log without the parked ops. Resume routes them again; they fold in relay order.
    private void ParkPendingClaimsOn(string key)
    {
        if (_pending.Count == 0) return;
        var held = _pending.Values.Where(c => string.Equals(c.Op.ClaimKey, key, StringComparison.Ordinal))
            .OrderBy(c => c.Position ?? long.MaxValue).ThenBy(c => c.Op.Ref).ToArray();
        foreach (var claim in held)
        {
            _pending.Remove(claim.Op.Ref);
            if (claim.Position is { } p) _sequenced.Remove(p);
            _parking.Park(claim.Op, claim.Position, ParkReason.ClaimKeyParked, Scope.Claim, blockAuthor: false);
        }
    }

    private ApplyResult Fold(Op op, Verb verb, Manifest manifest)
    {
        try
        {
            var ctx = _context;
            var (code, detail) = Run(op, verb, manifest);
            if (CheckDeterminism) CheckSecondRun(op, verb, manifest, code);

            // A verb that read an evicted segment the store could not give back saw an exception it may have caught:
            // whatever it decided is not a fold of the state, so the kernel faults instead of folding it.
            if (State.Residency?.TakeFailure() is { } failed) throw failed;
            if (code is not null)
            {
                return Refuse(op, code, detail);
            }

            // Load every segment the effects write before writing any, so a load that fails leaves nothing half-written.
            if (State.Residency is not null) TouchTargets(ctx);
            Commit(op, ctx);
            return new ApplyResult(op.Ref, ApplyStatus.Folded, Corrections: ctx.Corrections);
        }
        catch (SegmentDamagedException e)
        {
            State.Residency?.TakeFailure();
            _fault = e;
            throw Error.Ledger($"folding {op.Ref} needed a segment the segment store could not give back intact; the kernel is faulted: rebuild it from its log or a checkpoint. {e.Message}", e);
        }
    }

    private void TouchTargets(VerbContext ctx)
    {
        foreach (var e in ctx.Effects) State.GetOrCreate(e.Table, e.Branch).Contains(e.Key);
    }

    /// <summary>Runs the verb into the (reset) context: the refusal code and detail, or nulls when it returned.</summary>
    private (string? Code, string? Detail) Run(Op op, Verb verb, Manifest manifest)
    {
        var ctx = _context;
        ctx.Reset(op, verb, manifest);
        string? code = null;
        string? detail = null;
        try
        {
            verb.Invoke(ctx, op.Args);
        }
        catch (VerbRefusedException e)
        {
            code = e.Code;
        }
        catch (ScopeViolationException e)
        {
            code = e.Code;
            detail = e.Message;
        }
        catch (ArgsDecodeException e)
        {
            code = RefusalCodes.Args;
            detail = e.InnerException?.Message ?? e.Message;
        }
        catch (Exception e) when (e is OutOfMemoryException or InsufficientExecutionStackException)
        {
            _fault = e;
            throw Error.Ledger($"folding {op.Ref} failed in a way that is not deterministic ({e.GetType().Name}); the kernel is faulted: rebuild it from its log.", e);
        }
        catch (Exception e)
        {
            code = RefusalCodes.FaultPrefix + (e.GetType().FullName ?? e.GetType().Name);
            detail = e.Message;
        }

        if (ctx.PoisonCode is { } poison)
        {
            code = poison;
            detail = ctx.PoisonMessage ?? detail;
        }

        return (code, detail);
    }

    // The sentinel: the same op, the same state, a fresh copy of the verb; the effects must be the same. On
    // success the context holds the second run's effects, equal to the first's, and the fold goes on with them.
    private void CheckSecondRun(Op op, Verb verb, Manifest manifest, string? firstCode)
    {
        var first = _context.Effects.ToArray();
        var firstCorrections = _context.Corrections;
        var (secondCode, _) = Run(op, verb.FreshCopy(), manifest);
        var second = _context.Effects;
        var same = string.Equals(firstCode, secondCode, StringComparison.Ordinal) && firstCorrections == _context.Corrections
                   && first.Length == second.Count;
        for (var i = 0; same && i < first.Length; i++) same = SameEffect(first[i], second[i]);
        if (same) return;

        var e = Error.Nondeterministic(verb.Key, op.Ref, Describe(first, firstCode), Describe(second, secondCode));
        _fault = e;
        throw e;
    }

    private static bool SameEffect(in Effect a, in Effect b) =>
        a.Kind == b.Kind && a.Number == b.Number
        && string.Equals(a.Table.Name, b.Table.Name, StringComparison.Ordinal)
        && string.Equals(a.Branch, b.Branch, StringComparison.Ordinal)
        && string.Equals(a.Key, b.Key, StringComparison.Ordinal)
        && string.Equals(a.Element, b.Element, StringComparison.Ordinal)
        && (a.Value ?? []).AsSpan().SequenceEqual(b.Value ?? []);

    private static string Describe(IReadOnlyList<Effect> effects, string? code)
    {
        if (code is not null) return $"(refused {code})";
        var sb = new System.Text.StringBuilder("[");
        for (var i = 0; i < effects.Count && i < 8; i++)
        {
            var e = effects[i];
            if (i > 0) sb.Append(", ");
            sb.Append(e.Kind).Append(' ').Append(e.Table.Name);
            if (e.Branch.Length > 0) sb.Append('@').Append(e.Branch);
            sb.Append(" '").Append(Error.Printable(e.Key)).Append('\'');
            if (e.Value is { } v) sb.Append(" = 0x").Append(Convert.ToHexString(v.AsSpan(0, Math.Min(v.Length, 24)))).Append(v.Length > 24 ? "…" : "");
            if (e.Kind is EffectKind.CounterAdd or EffectKind.Offer) sb.Append(' ').Append(e.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (e.Element is { } el) sb.Append(" '").Append(Error.Printable(el)).Append('\'');
        }

        if (effects.Count > 8) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $", … {effects.Count - 8} more");
        return sb.Append(']').ToString();
    }

    private ApplyResult Refuse(Op op, string code, string? detail)
    {
        var refusal = new Refusal(op.Ref, code, op.Verb, op.VerbVersion);
        var id = new SegmentId(ReservedTables.Refused.Name, "");
        var key = op.Ref.ToRowKey();
        ((BytesSegment)State.GetOrCreate(id, TableKind.Reserved)).Put(key, refusal.ToRowValue());
        _provenance?.Add(id, key, op.Ref);
        if (Options.TrackLastWrites)
        {
            _lastWrites.Clear();
            _lastWrites.Add(new FoldEffect(id, key, "refuse", refusal.ToRowValue()));
        }
        return new ApplyResult(op.Ref, ApplyStatus.Refused, code, detail);
    }

    private void Commit(Op op, VerbContext ctx)
    {
        var track = Options.TrackLastWrites;
        if (track) _lastWrites.Clear();
        foreach (var e in ctx.Effects)
        {
            var segment = State.GetOrCreate(e.Table, e.Branch);
            switch (e.Kind)
            {
                case EffectKind.Put:
                    ((BytesSegment)segment).Put(e.Key, e.Value!);
                    break;
                case EffectKind.Remove:
                    ((BytesSegment)segment).Remove(e.Key);
                    break;
                case EffectKind.CounterAdd:
                    ((CounterSegment)segment).Add(e.Key, e.Number);
                    break;
                case EffectKind.Offer:
                    ((ExtremumSegment)segment).Offer(e.Key, e.Number);
                    break;
                case EffectKind.SetAdd:
                    ((SetSegment)segment).Add(e.Key, e.Element!);
                    break;
                case EffectKind.LwwPut:
                    ((LwwSegment)segment).Offer(e.Key, new LwwStamp(op.At, op.Author, op.Seq), e.Value!);
                    break;
            }

            _provenance?.Add(segment.Id, e.Key, op.Ref);
            if (track) _lastWrites.Add(FoldEffect.From(segment.Id, e));
        }
    }

    private ApplyResult Count(ApplyResult result)
    {
        if (_opsCounter.Enabled)
        {
            _opsCounter.Add(1, new KeyValuePair<string, object?>("outcome", result.Status.ToString().ToLowerInvariant()));
        }

        return result;
    }

    private void ThrowIfFaulted()
    {
        if (_fault is not null)
        {
            throw Error.Ledger("the kernel is faulted by an earlier non-deterministic failure; rebuild it from its log.", _fault);
        }
    }

    private sealed class PendingClaim(Op op, Verb verb, Manifest manifest)
    {
        public Op Op { get; } = op;

        public Verb Verb { get; } = verb;

        public Manifest Manifest { get; } = manifest;

        public long? Position { get; set; }
    }
}
