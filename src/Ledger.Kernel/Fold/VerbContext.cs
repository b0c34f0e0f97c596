using System.Globalization;

namespace Ledger.Kernel;

/// <summary>The only door a verb has to state and inputs. It enforces the verb's scope at run time:
/// a violation throws <see cref="ScopeViolationException"/> and poisons the context, so the op is
/// refused even if the verb catches the exception. Writes are buffered and applied only if the verb
/// returns normally.</summary>
public sealed class VerbContext
{
    private readonly StateStore _state;
    private readonly List<Effect> _effects = new(8);
    private Op _op = null!;
    private Verb _verb = null!;
    private Manifest _manifest = null!;
    private string _branchText = "";
    private int _corrections;

    internal VerbContext(StateStore state)
    {
        _state = state;
    }

    /// <summary>The op being folded: (Author, Seq).</summary>
    public OpRef Op => _op.Ref;

    /// <summary>The op's author.</summary>
    public AuthorId Author => _op.Author;

    /// <summary>The op's sequence number in its author's chain.</summary>
    public ulong Seq => _op.Seq;

    /// <summary>The edge wall-clock time of the op (Unix milliseconds): the only clock a verb may read.</summary>
    public long At => _op.At;

    /// <summary><see cref="At"/> as a UTC <see cref="DateTimeOffset"/>.</summary>
    public DateTimeOffset AtTime => DateTimeOffset.FromUnixTimeMilliseconds(_op.At);

    /// <summary>The manifest the op was authored under.</summary>
    public ManifestId OpManifest => _op.Manifest;

    /// <summary>The op's branch.</summary>
    public BranchId Branch => _op.Branch;

    /// <summary>The claim key of a Claim op; null otherwise.</summary>
    public string? ClaimKey => _op.ClaimKey;

    /// <summary>The verb's declared scope.</summary>
    public Scope Scope => _verb.Scope;

    internal bool Poisoned => PoisonCode is not null;

    internal string? PoisonCode { get; private set; }

    internal string? PoisonMessage { get; private set; }

    internal List<Effect> Effects => _effects;

    internal int Corrections => _corrections;

    internal void Reset(Op op, Verb verb, Manifest manifest)
    {
        _op = op;
        _verb = verb;
        _manifest = manifest;
        _branchText = op.Branch.ToString();
        _effects.Clear();
        _corrections = 0;
        PoisonCode = null;
        PoisonMessage = null;
    }

    /// <summary>An id derived from the op, unique across the whole ledger: <c>author.seq.index</c>.
    /// Use it wherever a verb needs a new identifier; never mint random ids in a verb.</summary>
    public string NewId(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return string.Create(CultureInfo.InvariantCulture, $"{_op.Author.Value}.{_op.Seq}.{index}");
    }

    /// <summary>Refuses the op with the code <c>rule:&lt;rule&gt;</c>. Never returns.</summary>
    /// <param name="rule">1-64 characters of [a-z0-9._-], e.g. <c>insufficient-stock</c>.</param>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Refuse(string rule)
    {
        if (!Kernel.Op.IsValidVerbName(rule))
        {
            throw Error.Argument(nameof(rule), "a rule name is 1-64 characters of [a-z0-9._-].");
        }

        var code = RefusalCodes.RulePrefix + rule;
        PoisonCode ??= code;
        throw Error.VerbRefused(code);
    }

    // ---------------- Branch rows ----------------

    /// <summary>Reads a row of the op's own branch (Branch scope only).</summary>
    public bool TryGet<T>(BranchTable<T> table, string key, out T value)
    {
        CheckBranch(table, key);
        for (var i = _effects.Count - 1; i >= 0; i--)
        {
            var e = _effects[i];
            if (SameTable(e.Table, table) && e.Key == key)
            {
                if (e.Kind == EffectKind.Remove) break;
                value = Values.Decode<T>(e.Value!);
                return true;
            }
        }

        var bytes = (_state.Find(table, _branchText) as BytesSegment)?.Get(key);
        if (bytes is null)
        {
            value = default!;
            return false;
        }

        value = Values.Decode<T>(bytes);
        return true;
    }

    /// <summary>Reads a row of the op's own branch, or <paramref name="fallback"/> when absent (Branch scope only).</summary>
    public T GetOrDefault<T>(BranchTable<T> table, string key, T fallback) => TryGet(table, key, out var v) ? v : fallback;

    /// <summary>Every row of <paramref name="table"/> in the op's own branch, in canonical key order, including
    /// this op's buffered writes (Branch scope only). For migrations that reshape a branch's rows.</summary>
    public IReadOnlyList<(string Key, T Value)> Rows<T>(BranchTable<T> table)
    {
        CheckBranch(table, "");
        var rows = new SortedDictionary<string, byte[]?>(Utf8Order.Instance);
        if (_state.Find(table, _branchText) is BytesSegment segment)
        {
            foreach (var key in segment.SortedKeys()) rows[key] = segment.Get(key);
        }

        foreach (var e in _effects)
        {
            if (SameTable(e.Table, table)) rows[e.Key] = e.Kind == EffectKind.Remove ? null : e.Value;
        }

        return rows.Where(r => r.Value is not null).Select(r => (r.Key, Values.Decode<T>(r.Value!))).ToArray();
    }

    /// <summary>Writes a row of the op's own branch (Branch scope only).</summary>
    public void Put<T>(BranchTable<T> table, string key, T value)
    {
        CheckBranch(table, key);
        _effects.Add(new Effect { Kind = EffectKind.Put, Table = table, Branch = _branchText, Key = key, Value = Values.Encode(value) });
    }

    /// <summary>Removes a row of the op's own branch (Branch scope only).</summary>
    public void Remove<T>(BranchTable<T> table, string key)
    {
        CheckBranch(table, key);
        _effects.Add(new Effect { Kind = EffectKind.Remove, Table = table, Branch = _branchText, Key = key });
    }

    // ---------------- Shared merges (write-only, any scope) ----------------

    /// <summary>Adds <paramref name="delta"/> to a Shared counter row.</summary>
    public void Add(CounterTable table, string key, long delta)
    {
        CheckShared(table, key);
        _effects.Add(new Effect { Kind = EffectKind.CounterAdd, Table = table, Branch = "", Key = key, Number = delta });
    }

    /// <summary>Offers <paramref name="value"/> to a Shared Max row.</summary>
    public void Max(MaxTable table, string key, long value)
    {
        CheckShared(table, key);
        _effects.Add(new Effect { Kind = EffectKind.Offer, Table = table, Branch = "", Key = key, Number = value });
    }

    /// <summary>Offers <paramref name="value"/> to a Shared Min row.</summary>
    public void Min(MinTable table, string key, long value)
    {
        CheckShared(table, key);
        _effects.Add(new Effect { Kind = EffectKind.Offer, Table = table, Branch = "", Key = key, Number = value });
    }

    /// <summary>Adds <paramref name="element"/> to a Shared grow-only set row.</summary>
    public void AddToSet(SetTable table, string key, string element)
    {
        CheckShared(table, key);
        if (!RowKey.IsValid(element)) Violate(RefusalCodes.Scope, $"set element '{Error.Printable(element)}' is not valid Unicode text of at most {RowKey.MaxBytes} bytes.");
        _effects.Add(new Effect { Kind = EffectKind.SetAdd, Table = table, Branch = "", Key = key, Element = element });
    }

    /// <summary>Writes a Shared last-writer-wins row, stamped (At, Author, Seq).</summary>
    public void Put<T>(LwwTable<T> table, string key, T value)
    {
        CheckShared(table, key);
        _effects.Add(new Effect { Kind = EffectKind.LwwPut, Table = table, Branch = "", Key = key, Value = Values.Encode(value) });
    }

    // ---------------- Claims (Claim scope only) ----------------

    /// <summary>Reads the claim row named by the op's claim key.</summary>
    public bool TryGetClaim<T>(ClaimTable<T> table, out T value)
    {
        var key = CheckClaim(table);
        for (var i = _effects.Count - 1; i >= 0; i--)
        {
            var e = _effects[i];
            if (SameTable(e.Table, table) && e.Key == key)
            {
                value = Values.Decode<T>(e.Value!);
                return true;
            }
        }

        var bytes = (_state.Find(table, "") as BytesSegment)?.Get(key);
        if (bytes is null)
        {
            value = default!;
            return false;
        }

        value = Values.Decode<T>(bytes);
        return true;
    }

    /// <summary>Writes the claim row named by the op's claim key (the compare-and-set half of a claim:
    /// the fold is serial per claim key, so what <see cref="TryGetClaim{T}"/> returned is still current).</summary>
    public void SetClaim<T>(ClaimTable<T> table, T value)
    {
        var key = CheckClaim(table);
        _effects.Add(new Effect { Kind = EffectKind.Put, Table = table, Branch = "", Key = key, Value = Values.Encode(value) });
    }

    /// <summary>Records a correction for this op (the loser of a claim folds to a correction, never an
    /// overwrite). Keyed by (op, index), so corrections are write-once.</summary>
    public void Correct<T>(CorrectionTable<T> table, T value)
    {
        if (_verb.Scope != Scope.Claim) Violate(RefusalCodes.Scope, $"{_verb.Key} ({_verb.Scope}) wrote correction table '{table.Name}'; only Claim ops record corrections.");
        CheckDeclared(table);
        var key = string.Create(CultureInfo.InvariantCulture, $"{_op.Ref.ToRowKey()}/{_corrections:D4}");
        _corrections++;
        _effects.Add(new Effect { Kind = EffectKind.Put, Table = table, Branch = "", Key = key, Value = Values.Encode(value) });
    }

    // ---------------- erasure ----------------

    /// <summary>Records that the data subject <paramref name="subject"/> is erased: the one write an erase verb
    /// makes (row <c>$erased(subject)</c>). Any scope may record it; records commute. Shredding the subject's
    /// key is not the fold's business — replicas do it after the op commits (Ledger.Erasure).</summary>
    public void RecordErasure(string subject)
    {
        CheckKey(subject);
        if (subject.Length == 0) Violate(RefusalCodes.Scope, "an erased subject needs an id.");
        _effects.Add(new Effect { Kind = EffectKind.Put, Table = ReservedTables.Erased, Branch = "", Key = subject, Value = ErasedMarker });
    }

    private static readonly byte[] ErasedMarker = [0xc3];

    // Two handles of one declared table are the same table (the declaration check accepts equal handles).
    private static bool SameTable(Table a, Table b) => ReferenceEquals(a, b) || a.Equals(b);

    // ---------------- enforcement ----------------

    private void CheckBranch(Table table, string key)
    {
        if (_verb.Scope != Scope.Branch)
        {
            Violate(RefusalCodes.Scope, $"{_verb.Key} ({_verb.Scope}) touched branch table '{table.Name}'; only Branch ops read or write branch rows.");
        }

        CheckDeclared(table);
        CheckKey(key);
    }

    private void CheckShared(Table table, string key)
    {
        CheckDeclared(table);
        CheckKey(key);
    }

    private string CheckClaim(Table table)
    {
        if (_verb.Scope != Scope.Claim)
        {
            Violate(RefusalCodes.Scope, $"{_verb.Key} ({_verb.Scope}) touched claim table '{table.Name}'; only Claim ops with its claim key may.");
        }

        CheckDeclared(table);
        return _op.ClaimKey!;
    }

    private void CheckDeclared(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (_manifest.DeclaresHandle(table)) return;
        if (!_manifest.TryGetTable(table.Name, out var declared))
        {
            Violate(RefusalCodes.Scope, $"table '{table.Name}' is not declared in manifest {_manifest}.");
        }

        if (!declared.Equals(table))
        {
            Violate(declared.IsShared && table.IsShared ? RefusalCodes.Merge : RefusalCodes.Scope,
                $"table '{table.Name}' is declared as {declared}; {_verb.Key} used it as {table}.");
        }
    }

    private void CheckKey(string key)
    {
        if (!RowKey.IsValid(key))
        {
            Violate(RefusalCodes.Scope, $"row key '{Error.Printable(key)}' is not valid Unicode text of at most {RowKey.MaxBytes} bytes.");
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Violate(string code, string message)
    {
        if (PoisonCode is null)
        {
            PoisonCode = code;
            PoisonMessage = message;
        }

        throw code == RefusalCodes.Merge ? Error.Merge(message) : Error.Scope(message);
    }
}
