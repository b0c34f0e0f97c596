using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A relay store in memory, for tests and the demo. Every call completes synchronously.</summary>
public sealed partial class InMemoryRelayStore(long? capBytes = null) : IRelayStore, IBootstrapCheckpointStore
{
    private const int RowOverhead = 64;
    private readonly List<StoredOp> _log = [];
    private readonly Dictionary<(AuthorId, ulong), StoredOp> _byAuthor = new();
    private readonly Dictionary<AuthorId, (ulong Seq, Hash32 Tip)> _tips = new();
    private readonly Dictionary<AuthorId, List<StoredOp>> _keyEvents = new();
    private readonly List<(string, string, byte[])> _evidence = [];
    private readonly List<byte[]> _cosignatures = [];
    private readonly SortedDictionary<string, BeaconRecord> _beacons = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _bytes;

    /// <inheritdoc />
    public long Count
    {
        get
        {
            lock (_gate) return _log.Count;
        }
    }

    /// <inheritdoc />
    public long SizeBytes
    {
        get
        {
            lock (_gate) return _bytes;
        }
    }

    /// <inheritdoc />
    public long? CapBytes => capBytes;

    /// <inheritdoc />
    public Task<(ulong Seq, Hash32 Tip)?> GetTipAsync(AuthorId author, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<(ulong, Hash32)?>(_tips.TryGetValue(author, out var tip) ? tip : null);
    }

    /// <inheritdoc />
    public Task<StoredOp?> FindAsync(AuthorId author, ulong seq, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_byAuthor.GetValueOrDefault((author, seq)));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadKeyEventsAsync(AuthorId author, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<StoredOp>>(_keyEvents.TryGetValue(author, out var events) ? events.ToArray() : []);
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<StoredOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var wanted = ops.Sum(o => (long)o.Bytes.Length + RowOverhead);
            if (capBytes is { } cap && _bytes + wanted > cap) throw Error.StorageFull("the relay store", _bytes, cap, wanted);
            for (var i = 0; i < ops.Count; i++)
            {
                if (ops[i].Position != _log.Count + i) throw Error.InvalidOperation($"op {ops[i].Author}#{ops[i].Seq} has position {ops[i].Position}; the next position is {_log.Count + i}.");
                if (_byAuthor.ContainsKey((ops[i].Author, ops[i].Seq))) throw Error.InvalidOperation($"{ops[i].Author}#{ops[i].Seq} is already stored.");
            }

            foreach (var op in ops)
            {
                _log.Add(op);
                _byAuthor[(op.Author, op.Seq)] = op;
                _tips[op.Author] = (op.Seq, op.Hash);
                if (op.IsKeyEvent)
                {
                    if (!_keyEvents.TryGetValue(op.Author, out var events)) _keyEvents[op.Author] = events = [];
                    events.Add(op);
                }
            }

            _bytes += wanted;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (fromPosition >= _log.Count || fromPosition < 0 || max <= 0) return Task.FromResult<IReadOnlyList<StoredOp>>([]);
            return Task.FromResult<IReadOnlyList<StoredOp>>(_log.GetRange((int)fromPosition, (int)Math.Min(max, _log.Count - fromPosition)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredOp>> ReadAuthorAsync(AuthorId author, ulong fromSeq, int max, CancellationToken cancellationToken = default)
    {
        var found = new List<StoredOp>();
        lock (_gate)
        {
            for (var seq = fromSeq; found.Count < max && _byAuthor.TryGetValue((author, seq), out var op); seq++) found.Add(op);
        }

        return Task.FromResult<IReadOnlyList<StoredOp>>(found);
    }

    /// <inheritdoc />
    public Task AddCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var wanted = (long)note.Length + RowOverhead;
            if (capBytes is { } cap && _bytes + wanted > cap) throw Error.StorageFull("the relay store", _bytes, cap, wanted);
            _cosignatures.Add(note.ToArray());
            _bytes += wanted;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task TrimCosignaturesAsync(int keep, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var drop = _cosignatures.Count - Math.Max(0, keep);
            if (drop <= 0) return Task.CompletedTask;
            _bytes -= _cosignatures.Take(drop).Sum(n => (long)n.Length + RowOverhead);
            _cosignatures.RemoveRange(0, drop);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadCosignaturesAsync(int max, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<byte[]>>(_cosignatures.Skip(Math.Max(0, _cosignatures.Count - Math.Max(0, max))).ToArray());
    }

    /// <inheritdoc />
    public Task<bool> KeepBeaconAsync(BeaconRecord beacon, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        lock (_gate)
        {
            var held = _beacons.GetValueOrDefault(beacon.Author.Value);
            if (held is not null && held.SentAtUnixMs >= beacon.SentAtUnixMs) return Task.FromResult(false);
            // One row per author: a newer beacon replaces the held one, so only the difference in size counts.
            var wanted = (long)beacon.Bytes.Length + (held is null ? RowOverhead : -held.Bytes.Length);
            if (capBytes is { } cap && wanted > 0 && _bytes + wanted > cap) throw Error.StorageFull("the relay store", _bytes, cap, wanted);
            _beacons[beacon.Author.Value] = beacon with { Bytes = beacon.Bytes.ToArray() };
            _bytes += wanted;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<BeaconRecord>> ReadBeaconsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<BeaconRecord>>(_beacons.Values.ToArray());
    }

    /// <inheritdoc />
    public Task AddEvidenceAsync(string kind, string accused, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var wanted = (long)bytes.Length + RowOverhead;
            if (capBytes is { } cap && _bytes + wanted > cap) throw Error.StorageFull("the relay store", _bytes, cap, wanted);
            _evidence.Add((kind, accused, bytes.ToArray()));
            _bytes += wanted;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string Kind, string Accused, byte[] Bytes)>> ReadEvidenceAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<(string, string, byte[])>>(_evidence.ToArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
