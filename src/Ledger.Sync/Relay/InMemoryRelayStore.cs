using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A relay store in memory, for tests and the demo.</summary>
public sealed class InMemoryRelayStore(long? capBytes = null) : IRelayStore
{
    private const int RowOverhead = 64;
    private readonly List<StoredOp> _log = [];
    private readonly Dictionary<(AuthorId, ulong), StoredOp> _byAuthor = new();
    private readonly Dictionary<AuthorId, (ulong Seq, Hash32 Tip)> _tips = new();
    private readonly List<(string, string, byte[])> _evidence = [];
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
    public bool TryGetTip(AuthorId author, out ulong seq, out Hash32 tip)
    {
        lock (_gate)
        {
            var found = _tips.TryGetValue(author, out var t);
            (seq, tip) = t;
            return found;
        }
    }

    /// <inheritdoc />
    public StoredOp? Find(AuthorId author, ulong seq)
    {
        lock (_gate) return _byAuthor.GetValueOrDefault((author, seq));
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredOp> KeyEvents(AuthorId author)
    {
        lock (_gate) return _byAuthor.Values.Where(o => o.Author == author && o.IsKeyEvent).OrderBy(o => o.Seq).ToArray();
    }

    /// <inheritdoc />
    public void Append(IReadOnlyList<StoredOp> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        lock (_gate)
        {
            var wanted = ops.Sum(o => (long)o.Bytes.Length + RowOverhead);
            if (capBytes is { } cap && _bytes + wanted > cap) throw new StorageFullException("the relay store", _bytes, cap, wanted);
            for (var i = 0; i < ops.Count; i++)
            {
                if (ops[i].Position != _log.Count + i) throw new InvalidOperationException($"op {ops[i].Author}#{ops[i].Seq} has position {ops[i].Position}; the next position is {_log.Count + i}.");
                if (_byAuthor.ContainsKey((ops[i].Author, ops[i].Seq))) throw new InvalidOperationException($"{ops[i].Author}#{ops[i].Seq} is already stored.");
            }

            foreach (var op in ops)
            {
                _log.Add(op);
                _byAuthor[(op.Author, op.Seq)] = op;
                _tips[op.Author] = (op.Seq, op.Hash);
            }

            _bytes += wanted;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredOp> Read(long fromPosition, int max)
    {
        lock (_gate)
        {
            if (fromPosition >= _log.Count || fromPosition < 0) return [];
            return _log.GetRange((int)fromPosition, (int)Math.Min(max, _log.Count - fromPosition));
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredOp> ReadAuthor(AuthorId author, ulong fromSeq, int max)
    {
        var found = new List<StoredOp>();
        lock (_gate)
        {
            for (var seq = fromSeq; found.Count < max && _byAuthor.TryGetValue((author, seq), out var op); seq++) found.Add(op);
        }

        return found;
    }

    /// <inheritdoc />
    public void AddEvidence(string kind, string accused, ReadOnlyMemory<byte> bytes)
    {
        lock (_gate)
        {
            var wanted = (long)bytes.Length + RowOverhead;
            if (capBytes is { } cap && _bytes + wanted > cap) throw new StorageFullException("the relay store", _bytes, cap, wanted);
            _evidence.Add((kind, accused, bytes.ToArray()));
            _bytes += wanted;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Kind, string Accused, byte[] Bytes)> Evidence()
    {
        lock (_gate) return _evidence.ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
