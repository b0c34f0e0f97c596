using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>One ledger a <see cref="LedgerRelayServer"/> serves: its relay and who may read it.</summary>
public sealed class RelayLedger
{
    /// <summary>Serves <paramref name="relay"/>.</summary>
    /// <param name="relay">The relay; it must sign checkpoints (<see cref="RelayOptions.CheckpointKey"/>): C2SP tlog-tiles
    /// clients learn the tree size from the checkpoint.</param>
    /// <param name="isPublic">True: tiles, entry bundles and checkpoints are cacheable by shared caches
    /// (<c>Cache-Control: public</c>); false: only by the device (<c>private</c>).</param>
    /// <param name="adminKey">The ledger admin's key. When set, every request must be signed (RFC 9421) by a member:
    /// an author showing a grant from this key with id <c>member/&lt;author&gt;</c> (<see cref="MemberGrantPrefix"/>);
    /// reads of a public ledger excepted.</param>
    public RelayLedger(Ledger.Sync.Relay relay, bool isPublic = false, VerificationKey? adminKey = null)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (relay.CheckpointVerifierKey is null)
        {
            throw Error.Argument($"the relay of ledger '{relay.Ledger}' signs no checkpoints: over HTTP the tree size is learnt from the signed checkpoint (set RelayOptions.CheckpointKey).", nameof(relay));
        }

        Relay = relay;
        Changed = new Signal(() => relay.Size);
        Beacons = new BeaconBoard(relay.Store);
        IsPublic = isPublic;
        AdminKey = adminKey;
    }

    /// <summary>The id prefix of membership grants: <c>member/&lt;author&gt;</c>.</summary>
    public const string MemberGrantPrefix = "member/";

    /// <summary>The admin key whose grants admit members (null: no signatures required).</summary>
    public VerificationKey? AdminKey { get; }

    private readonly ConcurrentDictionary<AuthorId, bool> _revoked = new();

    /// <summary>Stops admitting <paramref name="author"/> (its grant no longer works from the next request).</summary>
    public void Revoke(AuthorId author) => _revoked[author] = true;

    /// <summary>True when <paramref name="author"/>'s membership was revoked.</summary>
    public bool IsRevoked(AuthorId author) => _revoked.ContainsKey(author);

    /// <summary>Issues a membership grant admitting <paramref name="author"/> to <paramref name="ledger"/>, signed by the
    /// admin (the bytes a device shows in <see cref="RelayHttp.MembershipHeader"/>).</summary>
    public static Grant IssueMembership(string ledger, AuthorId admin, SigningKey adminKey, AuthorId author) =>
        Grant.Issue(ledger, MemberGrantPrefix + author.Value, admin, adminKey, GrantKind.Bound, 0, singleUse: false);

    /// <summary>The relay.</summary>
    public Ledger.Sync.Relay Relay { get; }

    /// <summary>The ledger's name, as in the path <c>/v1/ledgers/{ledger}/</c>.</summary>
    public string Name => Relay.Ledger;

    /// <summary>True when the ledger's log may be cached by shared caches.</summary>
    public bool IsPublic { get; }

    /// <summary>The latest beacon of each device, kept in the relay's store.</summary>
    internal BeaconBoard Beacons { get; }

    /// <summary>Set by every push that stored an op; long polls wait on it.</summary>
    internal Signal Changed { get; }

    /// <summary>The entry bundles built last near the head of the log, served again from memory (a restart starts
    /// with none).</summary>
    internal EntryBundleCache Bundles { get; } = new();
}
