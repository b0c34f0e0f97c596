using System.Diagnostics;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>One device's node store read once and folded as the device folds it when it opens — every chain checked link
/// by link and each chain's last signature verified, ops in store order at their relay positions, then the relay
/// frontier — without the device's key: what <c>ledger monitor &lt;node.db&gt;</c> shows on the monitor page
/// (<see cref="LedgerMonitorOptions.Store"/>). It never writes to the store.</summary>
/// <remarks>Only the app knows its verbs: ops under a manifest not given park (the page counts them), as on a device
/// without that manifest. The durability ladder is the store's: an op the device was sending when it stopped is
/// Local here (nothing is in flight in a store at rest).</remarks>
public sealed class NodeStoreSnapshot : IMonitoredNode
{
    private readonly LedgerKernel _kernel;
    private readonly Lock _gate = new();
    private readonly DurabilityReport _durability;

    private NodeStoreSnapshot(INodeStore store, string ledger, AuthorId author, LedgerKernel kernel, DurabilityReport durability, NodeStartup startup)
    {
        Store = store;
        Ledger = ledger;
        Author = author;
        _kernel = kernel;
        _durability = durability;
        Startup = startup;
    }

    /// <summary>The store read.</summary>
    public INodeStore Store { get; }

    /// <summary>The ledger the device's ops belong to.</summary>
    public string Ledger { get; }

    /// <summary>The device: the author of the ops the store marks as its own.</summary>
    public AuthorId Author { get; }

    /// <summary>The relay log the store's positions refer to (null: the device never synced).</summary>
    public string? RelayOrigin => Store.RelayOrigin;

    /// <summary>How the store was opened: <see cref="NodeStartPath.Reopened"/>, the ops folded and how long that took.</summary>
    public NodeStartup Startup { get; }

    /// <summary>The folded state's hash (as the device reports it in its beacon when it holds exactly the relay prefix).</summary>
    public Hash32 StateHash() => Read(k => k.StateHash());

    /// <summary>Reads the folded kernel (serialized: the kernel is not safe for concurrent reads).</summary>
    public T Read<T>(Func<LedgerKernel, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate) return read(_kernel);
    }

    /// <summary>The durability ladder of the device's own ops as the store holds them.</summary>
    public DurabilityReport Durability() => _durability;

    /// <summary>Reads and folds <paramref name="store"/> (see the class summary).</summary>
    /// <param name="store">The device's store; only read.</param>
    /// <param name="manifests">The app's manifests (null: none; key events fold, the app's ops park).</param>
    /// <param name="time">The clock the age of the oldest unacknowledged op is measured by (default: the system's).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="StoreDamagedException">An op does not decode, is filed under another ref, does not continue its
    /// chain or its chain's last signature does not verify, or the store marks ops of two authors as its own, or none.</exception>
    public static async Task<NodeStoreSnapshot> LoadAsync(INodeStore store, IEnumerable<Manifest>? manifests = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        time ??= TimeProvider.System;
        var started = Stopwatch.GetTimestamp();
        var options = new KernelOptions { Manifests = new ManifestCatalog(manifests ?? []), TrackProvenance = true };
        KeyEvents.Use(options);
        var kernel = new LedgerKernel(options);
        var verifiers = new Dictionary<AuthorId, AuthorChainVerifier>();
        var tips = new Dictionary<AuthorId, (SignedOp Op, VerificationKey Signer)>();
        var own = new List<(SignedOp Op, NodeOpRecord Record)>();
        string? ledger = null;
        var count = 0;
        var results = new Dictionary<OpRef, ApplyResult>();
        await foreach (var record in store.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            count++;
            if (!SignedOpCodec.TryDecode(record.Bytes, out var signed, out var undecodable))
            {
                throw Error.StoreDamaged($"op {count} ({record.Op})", $"its bytes are not a signed op ({undecodable!.Message})", undecodable);
            }

            if (signed!.Ref != record.Op) throw Error.StoreDamaged($"op {count}", $"it is filed as {record.Op} but its bytes are {signed.Ref}");
            if (ledger is not null && signed.Ledger != ledger) throw Error.StoreDamaged($"op {count} ({signed.Ref})", $"it is an op of ledger '{signed.Ledger}', the ops before it of '{ledger}'");
            ledger ??= signed.Ledger;
            var author = signed.Op.Author;
            if (!verifiers.TryGetValue(author, out var verifier)) verifiers[author] = verifier = new AuthorChainVerifier(signed.Ledger, author);
            var check = verifier.AppendDeferringSignatureCheck(signed, out var signer);
            if (!check.IsOk) throw Error.StoreDamaged($"op {count} ({signed.Ref})", $"it does not continue its chain ({check.Break}: {check.Detail})");
            tips[author] = (signed, signer!);
            var result = kernel.Apply(signed.Op, record.Position);
            results[signed.Ref] = result;
            if (record.Own)
            {
                if (own.Count > 0 && own[0].Op.Op.Author != author) throw Error.StoreDamaged($"op {count} ({signed.Ref})", $"it marks ops of {own[0].Op.Op.Author} and of {author} as its own");
                own.Add((signed, record));
            }
        }

        // Each op names the hash of the one before: the last op's signature vouches for every byte of its chain.
        foreach (var (author, (op, signer)) in tips)
        {
            if (!op.VerifySignature(signer)) throw Error.StoreDamaged($"the last op of {author} ({op.Ref})", "its signature does not verify: bytes of this chain were changed in the store");
        }

        if (own.Count == 0 || ledger is null) throw Error.StoreDamaged("its ops", "it holds no op of its own device: it is not a device's node store, or the device was never incepted");
        foreach (var r in kernel.AdvanceRelayFrontier(store.Cursor)) results[r.Op] = r;

        var (local, durable, won, lost, refused) = (0, 0, 0, 0, 0);
        long? oldest = null;
        foreach (var (op, record) in own)
        {
            if (record.RefusedBy is not null)
            {
                refused++;
            }
            else if (op.Op.ClaimKey is not null && results.TryGetValue(op.Ref, out var r) && r.Status == ApplyStatus.Folded)
            {
                if (r.LostClaim) lost++;
                else won++;
            }
            else if (record.Position is null)
            {
                local++;
                oldest = Math.Min(oldest ?? long.MaxValue, op.Op.At);
            }
            else
            {
                durable++;
            }
        }

        TimeSpan? age = oldest is { } at ? time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
        var durability = new DurabilityReport(local, 0, durable, won, lost, refused, age is { } a && a < TimeSpan.Zero ? TimeSpan.Zero : age, store.SizeBytes, store.CapBytes);
        var startup = new NodeStartup(NodeStartPath.Reopened, count, Stopwatch.GetElapsedTime(started));
        return new NodeStoreSnapshot(store, ledger, own[0].Op.Op.Author, kernel, durability, startup);
    }
}
