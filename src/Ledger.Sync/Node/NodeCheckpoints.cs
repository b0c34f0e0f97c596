using System.Buffers.Binary;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>A node's checkpoints of its own state (risk B2): captured every <see cref="NodeOptions.CheckpointEvery"/>
/// accepted ops (under the fold lock), signed with the node's key and saved to <see cref="NodeOptions.Checkpoints"/>
/// outside it; on open, the latest is verified and restored, and only the ops after it are folded.</summary>
/// <remarks>What a checkpoint must pass before the node opens from it: the node's signature over its digest (a checkpoint
/// the node did not write, or one changed after, is refused), the kernel's own checks (sections reproduce the digest,
/// rows reproduce the state hash, the cut is closed), and then, as the log is read, each author tip it names must be the
/// chain hash of the op at that seq in the node's verified log. Anything else: the node replays from genesis and says
/// why in <see cref="NodeStartup.CheckpointRefused"/>.</remarks>
internal sealed class NodeCheckpoints
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("ledger/node-checkpoint/v1");
    private static readonly byte[] DomainWithExtras = Encoding.ASCII.GetBytes("ledger/node-checkpoint/v2");
    private readonly INodeCheckpointStore _store;
    private readonly int _every;
    private readonly string _ledger;
    private readonly AuthorId _author;
    private readonly SigningKey _key;
    private long _lastOps;
    private NodeCheckpointRecord? _pending;

    private NodeCheckpoints(INodeCheckpointStore store, int every, string ledger, AuthorId author, SigningKey key, long lastOps)
    {
        _store = store;
        _every = every;
        _ledger = ledger;
        _author = author;
        _key = key;
        _lastOps = lastOps;
    }

    /// <summary>The last save that failed (the node goes on; it opens from an older checkpoint or replays).</summary>
    public Exception? LastFailure { get; private set; }

    /// <summary>Checkpoints saved by this instance.</summary>
    public int Saved { get; private set; }

    /// <summary>Under the fold lock: the key the node signs with now. A checkpoint signed with the key the node opened
    /// with was refused at the next open after a rotation (the node opens with its current key).</summary>
    public Func<SigningKey?>? CurrentKey { get; set; }

    /// <summary>Takes the node's open state with each checkpoint (under the fold lock), when its store reads a tail.</summary>
    public NodeOpenCapture? Open { get; set; }

    public static NodeCheckpoints? For(NodeOptions options, AuthorId author, SigningKey key, long restoredOps) =>
        options.Checkpoints is { } store ? new NodeCheckpoints(store, options.CheckpointEvery, options.Ledger, author, key, restoredOps) : null;

    /// <summary>Under the fold lock: takes a checkpoint when enough ops were accepted since the last one.</summary>
    public void Capture(LedgerKernel kernel)
    {
        var ops = kernel.AcceptedOps;
        if (ops - _lastOps < _every) return;
        _lastOps = ops;
        try
        {
            var checkpoint = kernel.CreateCheckpoint();
            var bytes = CheckpointCodec.Encode(checkpoint);
            var extras = Open?.Capture(kernel)?.Encode() ?? [];
            var signature = (CurrentKey?.Invoke() ?? _key).Sign(Message(_ledger, _author, ops, checkpoint.Digest, extras));
            _pending = new NodeCheckpointRecord(ops, bytes, signature) { Extras = extras };
        }
        catch (LedgerException e)
        {
            // A faulted kernel (or a segment that cannot be loaded) has no checkpoint to give; the fold's caller hears it.
            LastFailure = e;
        }
    }

    /// <summary>Outside the fold lock: saves what <see cref="Capture"/> took. A failure is kept, never thrown: a node
    /// without a fresh checkpoint only opens slower.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var pending = Interlocked.Exchange(ref _pending, null);
        if (pending is null) return;
        try
        {
            await _store.SaveAsync(pending, cancellationToken).ConfigureAwait(false);
            Saved++;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LastFailure = e;
        }
    }

    internal static byte[] Message(string ledger, AuthorId author, long ops, Hash32 digest, ReadOnlySpan<byte> extras)
    {
        // Without extras, the v1 message (checkpoints written before them still verify); with, v2 binds their SHA-256.
        var domain = extras.IsEmpty ? Domain : DomainWithExtras;
        var ledgerBytes = Encoding.UTF8.GetBytes(ledger);
        var authorBytes = Encoding.UTF8.GetBytes(author.Value);
        var message = new byte[domain.Length + 4 + ledgerBytes.Length + 4 + authorBytes.Length + 8 + Hash32.Length + (extras.IsEmpty ? 0 : Hash32.Length)];
        var at = 0;
        domain.CopyTo(message, at);
        at += domain.Length;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(at), (uint)ledgerBytes.Length);
        ledgerBytes.CopyTo(message, at += 4);
        at += ledgerBytes.Length;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(at), (uint)authorBytes.Length);
        authorBytes.CopyTo(message, at += 4);
        at += authorBytes.Length;
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(at), ops);
        digest.CopyTo(message.AsSpan(at + 8));
        if (!extras.IsEmpty) Hash32.Sha256(extras).CopyTo(message.AsSpan(at + 8 + Hash32.Length));
        return message;
    }

    /// <summary>The latest checkpoint, verified and restored; or why it was refused; or nothing when there is none.</summary>
    public static async Task<Restored> TryRestoreAsync(NodeOptions options, KernelOptions kernelOptions, SigningKey key, CancellationToken cancellationToken)
    {
        if (options.Checkpoints is not { } store) return Restored.None;
        NodeCheckpointRecord? latest;
        try
        {
            latest = await store.LatestAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LedgerException or IOException)
        {
            return Restored.Refuse($"the checkpoint store could not be read ({e.Message})");
        }

        if (latest is null) return Restored.None;
        try
        {
            var checkpoint = CheckpointCodec.Decode(latest.Checkpoint);
            var digest = checkpoint.Digest;
            AuthorId? signer = null;
            foreach (var author in checkpoint.Authors)
            {
                // The node's own author is among the tips; its key signed the checkpoint (and its extras, when any).
                if (key.Public.Verify(Message(options.Ledger, author.Author, latest.Ops, digest, latest.Extras.Span), latest.Signature.Span))
                {
                    signer = author.Author;
                    break;
                }
            }

            if (signer is not { } me) return Restored.Refuse("its signature does not verify with this node's key (not written by this node, or changed since)");
            var kernel = LedgerKernel.Restore(latest.Checkpoint, kernelOptions, digest);
            if (kernel.AcceptedOps != latest.Ops) return Restored.Refuse($"it says {latest.Ops} ops but holds {kernel.AcceptedOps}");
            // Signed, so written by this node: extras that do not decode are a writer's bug; open the slow way.
            NodeOpenState? open = null;
            string? openRefused = null;
            if (!latest.Extras.IsEmpty)
            {
                try
                {
                    open = NodeOpenState.Decode(latest.Extras);
                }
                catch (LedgerFormatException e)
                {
                    openRefused = "its open state does not decode: " + e.Message;
                }
            }

            return new Restored(kernel, latest.Ops, null, checkpoint.Authors.ToDictionary(a => a.Author, a => (a.Seq, a.Tip))) { Open = open, OpenRefused = openRefused, Signer = me };
        }
        catch (LedgerException e)
        {
            return Restored.Refuse(e.Message);
        }
    }

    /// <summary>The outcome of <see cref="TryRestoreAsync"/>; <see cref="Observe"/> checks the tips against the log.</summary>
    internal sealed class Restored(LedgerKernel? kernel, long ops, string? refused, Dictionary<AuthorId, (ulong Seq, Hash32 Tip)>? tips)
    {
        private readonly Dictionary<AuthorId, (ulong Seq, Hash32 Tip)> _unseen = tips ?? [];

        public static Restored None { get; } = new(null, 0, null, null);

        public static Restored Refuse(string why) => new(null, 0, why, null);

        public LedgerKernel? Kernel { get; } = kernel;

        public long Ops { get; } = ops;

        public string? Refused { get; } = refused;

        public string? Mismatch { get; private set; }

        /// <summary>The open state the checkpoint carries (risk B2), signed with it; null when none.</summary>
        public NodeOpenState? Open { get; init; }

        /// <summary>Why the open state cannot be used (the node then reads its whole log from the checkpoint).</summary>
        public string? OpenRefused { get; init; }

        /// <summary>The author whose key signed the checkpoint: the node's own.</summary>
        public AuthorId? Signer { get; init; }

        /// <summary>The author tips of the kernel checkpoint.</summary>
        public IReadOnlyDictionary<AuthorId, (ulong Seq, Hash32 Tip)> Tips { get; } = new Dictionary<AuthorId, (ulong Seq, Hash32 Tip)>(tips ?? []);

        /// <summary>Each op of the verified log: the checkpoint's tip at its (author, seq) must be its chain hash.</summary>
        public void Observe(Op op)
        {
            if (Kernel is null || !_unseen.TryGetValue(op.Author, out var tip) || tip.Seq != op.Seq) return;
            _unseen.Remove(op.Author);
            if (op.ChainHash != tip.Tip) Mismatch ??= $"its tip of {op.Author} at seq {op.Seq} is {tip.Tip.ToShortString()}, the log's op there hashes to {op.ChainHash.ToShortString()}";
        }

        /// <summary>After the whole log: why the checkpoint does not describe it, or null.</summary>
        public string? Verdict()
        {
            if (Mismatch is not null) return Mismatch;
            if (_unseen.Count > 0)
            {
                var (author, (seq, _)) = _unseen.OrderBy(u => u.Key.Value, StringComparer.Ordinal).First();
                return $"it names {author} at seq {seq}, which the node's log does not hold";
            }

            return null;
        }
    }
}
