using Ledger.Sync;

namespace Ledger.Sync.AspNetCore;

/// <summary>Configuration of a <see cref="LedgerRelayServer"/>.</summary>
public sealed class LedgerRelayOptions
{
    private readonly List<RelayLedger> _ledgers = [];

    /// <summary>The ledgers served, by name.</summary>
    public IReadOnlyList<RelayLedger> Ledgers => _ledgers;

    /// <summary>How long a device or cache may keep the latest checkpoint. Default 2 seconds.</summary>
    public TimeSpan CheckpointMaxAge { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long <c>GET checkpoint?after=N</c> waits for the log to pass N before it answers 204 (no change).
    /// Default 25 seconds; at most 5 minutes.</summary>
    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>The shortest time between two wake-ups of a ledger's long polls and event streams. Default zero: every
    /// push that stored an op wakes them at once. Each wake-up costs the relay one answer for every device waiting (about
    /// 40 µs of CPU each on the 2-core test machine, docs/performance.md "Long polls at fleet size"), so on a ledger with
    /// thousands of devices on the long poll an interval bounds that to one answer a device per interval — and a device
    /// learns of a new op up to the interval later. At most 10 seconds.</summary>
    public TimeSpan ChangeNoticeInterval { get; set; }

    /// <summary>How long one Server-Sent Events stream (<c>GET events</c>) stays open before the relay closes it (the
    /// client reconnects). Default 5 minutes.</summary>
    public TimeSpan EventStreamTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most long polls (<c>GET checkpoint?after=N</c> that wait) and event streams (<c>GET events</c>) this
    /// server holds open at once, over all its ledgers; one more is answered 503 <c>unavailable</c> with
    /// <c>Retry-After</c> (<see cref="WaitingRetryAfter"/>) instead of held. Each held one costs a connection, its request's
    /// memory and a timer until its bound. Null (default): no limit of the relay's own (Kestrel's connection limits, the
    /// rate limit and each wait's bound still apply).</summary>
    public int? MaxWaiting { get; set; }

    /// <summary>What <c>Retry-After</c> tells a long poll or event stream refused for <see cref="MaxWaiting"/>. Default
    /// 5 seconds; whole seconds, from 1 second to 5 minutes.</summary>
    public TimeSpan WaitingRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest request body, in bytes. Default 16 MiB. Each signed op is also limited to
    /// <see cref="RelayHttp.MaxEntryBytes"/>.</summary>
    public long MaxRequestBytes { get; set; } = 16L << 20;

    /// <summary>How far a signature's <c>created</c> may lie from the relay's clock, either side; also how long nonces
    /// are remembered. Default 5 minutes.</summary>
    public TimeSpan SignatureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock signatures are checked against.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Requests per second each author (partitioned after the request's signature verified; unsigned, each
    /// remote address) may make, by ASP.NET Core rate limiting (a token bucket per author; the host runs
    /// <c>app.UseLedgerRelayRateLimiter()</c>); more get 429 with Retry-After. Null (default): no limit.</summary>
    public int? RequestsPerSecondPerAuthor { get; set; }

    /// <summary>The burst each author may make above <see cref="RequestsPerSecondPerAuthor"/> (the token bucket's size).
    /// Null (default): twice the rate.</summary>
    public int? RateLimitBurst { get; set; }

    private readonly List<(string Ledger, TlogWitness Witness)> _witnesses = [];

    /// <summary>The external witnesses each ledger's checkpoints are submitted to (<see cref="AddWitness"/>).</summary>
    public IReadOnlyList<(string Ledger, TlogWitness Witness)> Witnesses => _witnesses;

    /// <summary>The client witness submissions go through. Null (default): one the server makes, 10-second timeout.</summary>
    public HttpClient? WitnessClient { get; set; }

    /// <summary>Submits every checkpoint of <paramref name="ledger"/> that grew the log to <paramref name="witness"/>
    /// (C2SP tlog-witness <c>add-checkpoint</c>, with a consistency proof from the size it last cosigned) and serves its
    /// cosignatures beside the checkpoint (<c>GET cosignatures</c>).</summary>
    /// <exception cref="ArgumentException">The ledger is not served (add it first), or the key is not a cosignature key.</exception>
    public LedgerRelayOptions AddWitness(string ledger, TlogWitness witness)
    {
        ArgumentNullException.ThrowIfNull(witness);
        if (_ledgers.All(l => l.Name != ledger)) throw Error.Argument($"ledger '{ledger}' is not served: AddLedger it first.", nameof(ledger));
        if (witness.Key.Type != NoteKey.Cosignature) throw Error.Argument("a witness's key is a cosignature key (type 0x04, NoteKey.Cosignature).", nameof(witness));
        if (!witness.SubmissionPrefix.IsAbsoluteUri) throw Error.Argument("a witness's submission prefix is an absolute URL.", nameof(witness));
        _witnesses.Add((ledger, witness));
        return this;
    }

    /// <summary>A node whose last beacon is older than this is reported silent (<see cref="FleetAlertCodes.Silent"/>).
    /// Default 1 day.</summary>
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A node whose oldest unacknowledged op is older than this is alerted on
    /// (<see cref="FleetAlertCodes.Unacknowledged"/>). Default 5 days: browsers and phones evict storage after about seven.</summary>
    public TimeSpan UnacknowledgedDangerAge { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Where the relay logs refusals, failures, beacons refused and fleet alerts (null: nowhere). Set from the
    /// container by <c>AddLedgerRelay</c>.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Serves <paramref name="relay"/> (which must sign checkpoints); with <paramref name="adminKey"/>, to members only.</summary>
    /// <exception cref="ArgumentException">The relay signs no checkpoints, or its ledger is served already.</exception>
    public LedgerRelayOptions AddLedger(Ledger.Sync.Relay relay, bool isPublic = false, Ledger.Signing.VerificationKey? adminKey = null)
    {
        ArgumentNullException.ThrowIfNull(relay);
        if (_ledgers.Any(l => l.Name == relay.Ledger)) throw Error.Argument($"ledger '{relay.Ledger}' is served already.", nameof(relay));
        _ledgers.Add(new RelayLedger(relay, isPublic, adminKey));
        return this;
    }
}
