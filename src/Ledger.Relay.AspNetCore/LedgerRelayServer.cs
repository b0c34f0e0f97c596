using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Ledger.Sync.AspNetCore;

/// <summary>The relay protocol over HTTP (docs/http-protocol.md): answers the endpoints under
/// <c>/v1/ledgers/{ledger}/</c> for the ledgers of its <see cref="LedgerRelayOptions"/>. Every input is answered:
/// a body that is not a request, a wrong media type, an oversize op, another ledger's path get an RFC 9457 problem
/// with a stable code, nothing stored, and the relay keeps serving. Map it with
/// <c>app.MapLedgerRelay(server)</c> (<see cref="Microsoft.AspNetCore.Builder.LedgerRelayEndpointRouteBuilderExtensions"/>).</summary>
public sealed partial class LedgerRelayServer
{
    private static readonly TimeSpan EventKeepAlive = TimeSpan.FromSeconds(15);
    private readonly Dictionary<string, RelayLedger> _ledgers;
    private const string BodyKey = "Ledger.Relay.Body";
    private const string SignerKey = "Ledger.Relay.Signer";
    private readonly Microsoft.Extensions.Logging.ILogger _log;
    private readonly Dictionary<string, HashSet<string>> _raised = new(StringComparer.Ordinal);
    private readonly RequestAuthenticator _authenticator;
    private long _pushes;
    private long _reads;
    private long _longPollAnswers;
    private long _sizeEvents;
    private long _authFailures;

    /// <summary>Serves the ledgers of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">No ledger, or a limit out of range.</exception>
    public LedgerRelayServer(LedgerRelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Ledgers.Count == 0) throw Error.Argument("LedgerRelayOptions: serve at least one ledger (AddLedger).", nameof(options));
        if (options.LongPollTimeout <= TimeSpan.Zero || options.LongPollTimeout > TimeSpan.FromMinutes(5))
        {
            throw Error.Argument("LedgerRelayOptions.LongPollTimeout is more than zero and at most 5 minutes.", nameof(options));
        }

        if (options.ChangeNoticeInterval < TimeSpan.Zero || options.ChangeNoticeInterval > TimeSpan.FromSeconds(10))
        {
            throw Error.Argument("LedgerRelayOptions.ChangeNoticeInterval is zero or more and at most 10 seconds.", nameof(options));
        }

        if (options.MaxRequestBytes < 1024) throw Error.Argument("LedgerRelayOptions.MaxRequestBytes is at least 1 KiB.", nameof(options));
        if (options.EventStreamTimeout <= TimeSpan.Zero) throw Error.Argument("LedgerRelayOptions.EventStreamTimeout is positive.", nameof(options));
        if (options.SignatureWindow <= TimeSpan.Zero) throw Error.Argument("LedgerRelayOptions.SignatureWindow is positive.", nameof(options));
        Options = options;
        _ledgers = options.Ledgers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var ledger in options.Ledgers) ledger.Changed.Interval = options.ChangeNoticeInterval;
        _authenticator = new RequestAuthenticator(options);
        _log = options.LoggerFactory?.CreateLogger("Ledger.Relay") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        if (options.Witnesses.Count > 0)
        {
            var http = options.WitnessClient ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            _witnesses = options.Witnesses.Select(w => new WitnessSubmitter(_ledgers[w.Ledger], w.Witness, http)).ToArray();
        }
        if (options.RequestsPerSecondPerAuthor < 1) throw Error.Argument("LedgerRelayOptions.RequestsPerSecondPerAuthor is at least 1.", nameof(options));
        if (options.RateLimitBurst < 1) throw Error.Argument("LedgerRelayOptions.RateLimitBurst is at least 1.", nameof(options));
        if (options.MaxWaiting < 1) throw Error.Argument("LedgerRelayOptions.MaxWaiting is at least 1.", nameof(options));
        if (options.WaitingRetryAfter < TimeSpan.FromSeconds(1) || options.WaitingRetryAfter > TimeSpan.FromMinutes(5))
        {
            throw Error.Argument("LedgerRelayOptions.WaitingRetryAfter is from 1 second to 5 minutes.", nameof(options));
        }
    }

    private int _waiting;

    /// <summary>Long polls and event streams held open now (tests).</summary>
    internal int Waiting => Volatile.Read(ref _waiting);

    // One more waiter, unless the server holds MaxWaiting already: then the caller is answered 503 with Retry-After.
    private bool TryHold()
    {
        if (Interlocked.Increment(ref _waiting) <= (Options.MaxWaiting ?? int.MaxValue)) return true;
        Interlocked.Decrement(ref _waiting);
        return false;
    }

    private void Leave() => Interlocked.Decrement(ref _waiting);

    private Task RefuseWaiting(HttpContext c)
    {
        var seconds = (int)Math.Ceiling(Options.WaitingRetryAfter.TotalSeconds);
        c.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Unavailable(c, string.Create(CultureInfo.InvariantCulture,
            $"this relay holds {Options.MaxWaiting} long polls and event streams already, the most it holds; retry after {seconds} s."));
    }

    private readonly WitnessSubmitter[] _witnesses = [];

    /// <summary>Cosignatures external witnesses returned, verified and stored.</summary>
    public long WitnessCosignatures => _witnesses.Sum(w => Interlocked.Read(ref w.Cosigned));

    /// <summary>Submissions to external witnesses that failed (unreachable, refused, or an answer that did not verify);
    /// nothing of such an answer is stored, and the next checkpoint is submitted again.</summary>
    public long WitnessFailures => _witnesses.Sum(w => Interlocked.Read(ref w.Failures));

    /// <summary>Submits the newest checkpoint of every ledger to its external witnesses now (pushes that grow a log
    /// also do this in the background). True when every witness cosigned.</summary>
    public async Task<bool> SubmitToWitnessesAsync(CancellationToken cancellationToken = default)
    {
        var all = true;
        foreach (var witness in _witnesses) all &= await witness.SubmitAsync(cancellationToken).ConfigureAwait(false);
        return all;
    }

    /// <summary>The configuration.</summary>
    public LedgerRelayOptions Options { get; }

    /// <summary>Push requests answered 200.</summary>
    public long Pushes => Interlocked.Read(ref _pushes);

    /// <summary>Read requests answered 200 (checkpoints, tiles, entry bundles, chains, proofs, cosignatures; a tile or
    /// bundle answered in part, 206, or 416 for a range past its end, counts too).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Long polls (<c>checkpoint?after=</c>) answered with a checkpoint because the log moved (counted in
    /// <see cref="Reads"/> too; the ones that timed out with 204 are not): each is an announcement of the log's growth
    /// to one waiting device, the fan-out the capacity model prices (docs/scaling.md).</summary>
    public long LongPollAnswers => Interlocked.Read(ref _longPollAnswers);

    /// <summary><c>event: size</c> events written on Server-Sent Events streams (<c>events</c>): the same announcements
    /// to listening devices (keep-alive comments not counted).</summary>
    public long SizeEvents => Interlocked.Read(ref _sizeEvents);

    /// <summary>Requests refused 401 (bad, missing, stale or replayed signatures, unknown authors).</summary>
    public long AuthFailures => Interlocked.Read(ref _authFailures);

    // ---- endpoints ----

    internal Task PushAsync(HttpContext context) => HandleAsync(context, write: true, async (c, ledger) =>
    {
        if (!IsMediaType(c.Request.ContentType, RelayHttp.WireMediaType))
        {
            await UnsupportedMediaType(c, RelayHttp.WireMediaType).ConfigureAwait(false);
            return;
        }

        if (!TryDecodePush(Body(c), out var request, out var problem))
        {
            await Problems.BadRequest(c, problem).ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < request.Batch.Count; i++)
        {
            if (request.Batch[i].Length > RelayHttp.MaxEntryBytes)
            {
                await Problems.WriteAsync(c, StatusCodes.Status413PayloadTooLarge, RelayHttp.EntryTooLarge,
                    string.Create(CultureInfo.InvariantCulture, $"op {i} of the batch is {request.Batch[i].Length} bytes; an entry is at most {RelayHttp.MaxEntryBytes} bytes. Nothing of the batch was stored.")).ConfigureAwait(false);
                return;
            }
        }

        var response = await ledger.Relay.PushAsync(request.Batch, c.RequestAborted).ConfigureAwait(false);
        if (response.Results.Any(r => r.Status == IngestStatus.Accepted))
        {
            ledger.Changed.Pulse();
            foreach (var witness in _witnesses) if (witness.Ledger == ledger) witness.Kick();
        }
        var refused = response.Results.Where(r => r.Status == IngestStatus.Refused).ToArray();
        if (refused.Length > 0)
        {
            RelayEventLog.OpsRefused(_log, ledger.Name, refused.Length,
                string.Join(", ", refused.GroupBy(r => r.Refusal?.ToString() ?? "none").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")));
        }

        Interlocked.Increment(ref _pushes);
        await WriteAsync(c, RelayHttp.WireMediaType, "no-store", RelayWire.EncodePushAnswer(response)).ConfigureAwait(false);
    });

    internal Task CheckpointAsync(HttpContext context) => HandleAsync(context, write: false, async (c, ledger) =>
    {
        if (!TryQuery(c, "size", out var size) || !TryQuery(c, "after", out var after))
        {
            await Problems.BadRequest(c, "size and after are decimal numbers without sign or leading zeros.").ConfigureAwait(false);
            return;
        }

        if (size is not null && after is not null)
        {
            await Problems.BadRequest(c, "ask for a size or wait after a size, not both.").ConfigureAwait(false);
            return;
        }

        var relay = ledger.Relay;
        string cache;
        if (after is { } seen)
        {
            // Long poll: answer as soon as the log differs from the size the caller holds (grew by a change the
            // waiters were told of, or — a relay that lost data — shrank), or 204 after the bounded wait. Pushes through
            // this server wake the waiters (at once, or once a ChangeNoticeInterval); the ledger's shared recheck
            // catches ops stored by other means.
            // Held (counted against MaxWaiting) only when it has to wait: an answer due now costs what a GET checkpoint costs.
            if (!Moved(ledger, seen))
            {
                if (!TryHold())
                {
                    await RefuseWaiting(c).ConfigureAwait(false);
                    return;
                }

                try
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, Stopping(c));
                    deadline.CancelAfter(Options.LongPollTimeout);
                    using (ledger.Changed.Watch(seen))
                    {
                        while (!Moved(ledger, seen) && !deadline.IsCancellationRequested)
                        {
                            var next = ledger.Changed.Next;
                            if (Moved(ledger, seen)) break;
                            try
                            {
                                await next.WaitAsync(deadline.Token).ConfigureAwait(false);
                            }
                            catch (OperationCanceledException) when (!c.RequestAborted.IsCancellationRequested)
                            {
                            }
                        }
                    }
                }
                finally
                {
                    Leave();
                }
            }

            c.RequestAborted.ThrowIfCancellationRequested();
            if (!Moved(ledger, seen))
            {
                c.Response.StatusCode = StatusCodes.Status204NoContent;
                c.Response.Headers.CacheControl = "no-store";
                Interlocked.Increment(ref _reads);
                return;
            }

            cache = "no-store";
        }
        else
        {
            cache = size is null ? $"{Scope(ledger)}, max-age={(int)Options.CheckpointMaxAge.TotalSeconds}" : Immutable(ledger);
        }

        byte[]? note;
        try
        {
            note = await relay.GetCheckpointAsync(size, c.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException)
        {
            await Problems.OutOfRange(c, string.Create(CultureInfo.InvariantCulture, $"size {size} is beyond the log ({relay.Size} ops).")).ConfigureAwait(false);
            return;
        }

        if (note is null)
        {
            await Problems.NotFound(c, "this relay signs no checkpoints.").ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _reads);
        if (after is not null) Interlocked.Increment(ref _longPollAnswers);
        await WriteAsync(c, RelayHttp.NoteMediaType, cache, note).ConfigureAwait(false);
    });

    // The host is stopping: a long poll answers 204 and an event stream ends now (the client comes back, to this relay
    // restarted or another). Kestrel's graceful stop waits for open requests and nothing else ended these: a stop (a
    // deploy, SIGTERM) with one event stream open took the host's whole shutdown timeout, 30 s, and a long poll held it
    // for its LongPollTimeout (found by the change-notice review; ChangeNoticeReviewTests).
    private static CancellationToken Stopping(HttpContext c) =>
        c.RequestServices?.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime)) is Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime
            ? lifetime.ApplicationStopping
            : CancellationToken.None;

    // A long poll's answer is due when the log grew past the size the caller holds by a change the waiters were told of
    // (Signal.Noticed), or shrank below it (a relay that lost data).
    private static bool Moved(RelayLedger ledger, long seen) => ledger.Changed.Noticed > seen || ledger.Relay.Size < seen;

    /// <summary>Server-Sent Events: an <c>event: size</c> with the log size (also its <c>id</c>) whenever the log differs
    /// from the last size sent (first from <c>Last-Event-ID</c> on a reconnect, else from <c>after</c>), a comment every
    /// 15 s, closed after <see cref="LedgerRelayOptions.EventStreamTimeout"/> (the client reconnects).</summary>
    internal Task EventsAsync(HttpContext context) => HandleAsync(context, write: false, async (c, ledger) =>
    {
        if (!TryQuery(c, "after", out var after))
        {
            await Problems.BadRequest(c, "after is a decimal number without sign or leading zeros.").ConfigureAwait(false);
            return;
        }

        if (!TryHold())
        {
            await RefuseWaiting(c).ConfigureAwait(false);
            return;
        }

        try
        {
            await StreamEventsAsync(c, ledger, after).ConfigureAwait(false);
        }
        finally
        {
            Leave();
        }
    });

    private async Task StreamEventsAsync(HttpContext c, RelayLedger ledger, long? after)
    {
        var lastEventId = c.Request.Headers["Last-Event-ID"];
        // Last-Event-ID wins over after: a browser's EventSource reconnects to the URL it was opened with (its after is
        // from then) and adds the id of the last event it was sent. With after first, every reconnect announced a size
        // the client had (found by the change-notice review). An id that is not one decimal number is ignored.
        if (lastEventId.Count == 1 && long.TryParse(lastEventId[0], NumberStyles.None, CultureInfo.InvariantCulture, out var resumed)) after = resumed;
        c.Response.StatusCode = StatusCodes.Status200OK;
        c.Response.ContentType = "text/event-stream";
        c.Response.Headers.CacheControl = "no-store";
        Interlocked.Increment(ref _reads);
        var relay = ledger.Relay;
        long? sent = after;
        var lastWrite = Environment.TickCount64;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, Stopping(c));
        deadline.CancelAfter(Options.EventStreamTimeout);
        using var watching = ledger.Changed.Watch();
        try
        {
            await c.Response.Body.FlushAsync(deadline.Token).ConfigureAwait(false);
            while (!deadline.IsCancellationRequested)
            {
                var next = ledger.Changed.Next;
                var size = relay.Size;
                if (size != sent)
                {
                    var text = string.Create(CultureInfo.InvariantCulture, $"event: size\nid: {size}\ndata: {size}\n\n");
                    await c.Response.Body.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), deadline.Token).ConfigureAwait(false);
                    await c.Response.Body.FlushAsync(deadline.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref _sizeEvents);
                    sent = size;
                    lastWrite = Environment.TickCount64;
                }
                else if (Environment.TickCount64 - lastWrite >= (long)EventKeepAlive.TotalMilliseconds)
                {
                    await c.Response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), deadline.Token).ConfigureAwait(false);
                    await c.Response.Body.FlushAsync(deadline.Token).ConfigureAwait(false);
                    lastWrite = Environment.TickCount64;
                }

                try
                {
                    // Woken by a change (a push here, or the ledger's shared recheck); else in time for the keep-alive.
                    await next.WaitAsync(EventKeepAlive, deadline.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (!c.RequestAborted.IsCancellationRequested)
        {
            // The bounded stream ends; the client reconnects with Last-Event-ID.
        }
    }

    internal Task TileAsync(HttpContext context) => HandleAsync(context, write: false, async (c, ledger) =>
    {
        var path = c.Request.RouteValues["path"] as string;
        if (!TilePath.TryParse(path, out var tile, out var problem))
        {
            await Problems.NotFound(c, $"'tile/{path}' is not a C2SP tlog-tiles path: {problem}").ConfigureAwait(false);
            return;
        }

        var relay = ledger.Relay;
        if (tile.IsEntries)
        {
            var start = tile.Index * TilePath.FullWidth;
            var size = relay.Size;
            if (tile.Index > long.MaxValue / TilePath.FullWidth - 1 || start + tile.Width > size)
            {
                await Problems.NotFound(c, string.Create(CultureInfo.InvariantCulture, $"entry bundle {tile} lies beyond the log ({size} ops).")).ConfigureAwait(false);
                return;
            }

            // The bundle, or a wider one of its index, built before: the bytes of this width are a prefix of it. A
            // narrower one: its bytes, and only the entries after it are read. Otherwise built whole. Either way the
            // bytes are the ones a build from nothing gives (EntryBundleCache).
            var held = ledger.Bundles.Find(tile.Index, size);
            ReadOnlyMemory<byte> entries;
            if (held is not null && held.Width >= tile.Width)
            {
                ledger.Bundles.CountHit();
                entries = held.Prefix(tile.Width);
            }
            else
            {
                var built = await BuildBundleAsync(relay, tile.Index, tile.Width, held, c.RequestAborted).ConfigureAwait(false);
                ledger.Bundles.CountBuilt(extended: held is not null);
                // Kept only once built whole and checked: a read that failed or an op too large leaves nothing behind.
                // Positions below the size are final, in every instance over a shared database too (sequenced there):
                // the bundle stays a prefix of the log whatever is stored later.
                ledger.Bundles.Keep(built, (relay.Size - 1) / TilePath.FullWidth);
                entries = built.Bytes;
            }

            Interlocked.Increment(ref _reads);
            await WriteTileAsync(c, ledger, entries).ConfigureAwait(false);
            return;
        }

        // Hash tiles are not cached like entry bundles: devices following the log do not read them (HttpRelayClient reads
        // level-0 tiles only when it bootstraps), and a store answers the head tile from the tree's right edge it reads
        // anyway (in memory over SQLite, the head query over PostgreSQL), a fixed cost a wider tile would pay again.
        // A hash at tile level L is the root of 256^L leaves: tree level 8·L.
        var treeLevel = tile.Level * 8;
        var hashes = treeLevel > 62 || tile.Index > long.MaxValue / TilePath.FullWidth - 1
            ? []
            : await relay.GetTreeHashesAsync(treeLevel, tile.Index * TilePath.FullWidth, tile.Width, c.RequestAborted).ConfigureAwait(false);
        if (hashes.Count < tile.Width)
        {
            await Problems.NotFound(c, string.Create(CultureInfo.InvariantCulture, $"tile {tile} lies beyond the log ({relay.Size} ops).")).ConfigureAwait(false);
            return;
        }

        var body = new byte[hashes.Count * Hash32.Length];
        for (var i = 0; i < hashes.Count; i++) hashes[i].CopyTo(body.AsSpan(i * Hash32.Length));
        Interlocked.Increment(ref _reads);
        await WriteTileAsync(c, ledger, body).ConfigureAwait(false);
    });

    // Entry bundle `index` at `width`: the bytes of `prefix` (a narrower bundle of the same index, or none), then the
    // entries after it read from the relay, each behind its big-endian uint16 length.
    private static async Task<EntryBundleCache.Bundle> BuildBundleAsync(Ledger.Sync.Relay relay, long index, int width, EntryBundleCache.Bundle? prefix, CancellationToken cancellationToken)
    {
        var start = index * TilePath.FullWidth;
        var from = prefix?.Width ?? 0;
        var offsets = new int[width + 1];
        var bundle = new ArrayBufferWriter<byte>((prefix?.Bytes.Length ?? 0) + (width - from) * 512);
        if (prefix is not null)
        {
            bundle.Write(prefix.Bytes.Span);
            for (var i = 0; i <= from; i++) offsets[i] = prefix.Offset(i);
        }

        for (var at = start + from; at < start + width;)
        {
            // Read, not pulled: no checkpoint to sign, no wait behind the pushes' gate.
            var page = await relay.ReadAsync(at, (int)(start + width - at), cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) throw Error.InvalidOperation($"the relay returned no op at position {at} below its size.");
            foreach (var (position, bytes) in page)
            {
                if (position != at) throw Error.InvalidOperation($"the relay returned the op at position {position} when asked for position {at}.");
                // Ops pushed in process are not limited to an entry's size: such a log cannot be served as tiles.
                if (bytes.Length > RelayHttp.MaxEntryBytes) throw Error.InvalidOperation($"the op at position {at} is {bytes.Length} bytes, more than an entry bundle can carry.");
                BinaryPrimitives.WriteUInt16BigEndian(bundle.GetSpan(2), (ushort)bytes.Length);
                bundle.Advance(2);
                bundle.Write(bytes.Span);
                at++;
                offsets[at - start] = bundle.WrittenCount;
                if (at == start + width) break;
            }
        }

        return new EntryBundleCache.Bundle(index, bundle.WrittenSpan.ToArray(), offsets);
    }

    internal Task AuthorAsync(HttpContext context) => HandleAsync(context, write: false, async (c, ledger) =>
    {
        if (!AuthorId.TryCreate(c.Request.RouteValues["author"] as string, out var author))
        {
            await Problems.BadRequest(c, "the author is 1-64 characters of [A-Za-z0-9._-].").ConfigureAwait(false);
            return;
        }

        if (!TryQuery(c, "from", out var from) || from == 0)
        {
            await Problems.BadRequest(c, "from is a seq: a decimal number from 1, without sign or leading zeros.").ConfigureAwait(false);
            return;
        }

        var ops = await ledger.Relay.FetchAuthorAsync(author, (ulong)(from ?? 1), c.RequestAborted).ConfigureAwait(false);
        Interlocked.Increment(ref _reads);
        await WriteAsync(c, RelayHttp.WireMediaType, "no-store", RelayWire.EncodeFetchAuthorAnswer(ops)).ConfigureAwait(false);
    });

    internal Task ConsistencyAsync(HttpContext context) => HandleAsync(context, write: false, (c, ledger) =>
        ProofAsync(c, ledger, "from", "to", (relay, a, b, token) => relay.GetConsistencyProofAsync(a, b, token)));

    internal Task InclusionAsync(HttpContext context) => HandleAsync(context, write: false, (c, ledger) =>
        ProofAsync(c, ledger, "index", "size", (relay, a, b, token) => relay.GetInclusionProofAsync(a, b, token)));

    internal Task PostCosignatureAsync(HttpContext context) => HandleAsync(context, write: true, async (c, ledger) =>
    {
        if (!IsMediaType(c.Request.ContentType, "text/plain"))
        {
            await UnsupportedMediaType(c, RelayHttp.NoteMediaType).ConfigureAwait(false);
            return;
        }

        var body = Body(c);
        if (body.Length > SignedNote.MaxBytes)
        {
            await TooLarge(c, SignedNote.MaxBytes).ConfigureAwait(false);
            return;
        }

        try
        {
            await ledger.Relay.PostCosignatureAsync(body, c.RequestAborted).ConfigureAwait(false);
        }
        catch (LedgerFormatException e)
        {
            await Problems.BadRequest(c, e.Message).ConfigureAwait(false);
            return;
        }

        c.Response.StatusCode = StatusCodes.Status204NoContent;
        c.Response.Headers.CacheControl = "no-store";
    });

    internal Task GetCosignaturesAsync(HttpContext context) => HandleAsync(context, write: false, async (c, ledger) =>
    {
        // ?after=<SHA-256 of a note, lower-case hex>: only the notes after the newest one with that hash, and the hash
        // echoed in a header, so a client that polls gets what is new instead of the whole list (up to MaxCosignatures,
        // ~190 KB at 1,024) on every round. A hash not in the list (evicted, or another relay's) gets the whole list
        // without the header. One spelling: lower-case, as Hash32 prints.
        Hash32? after = null;
        var asked = c.Request.Query["after"];
        if (asked.Count > 0)
        {
            if (asked.Count > 1 || !Hash32.TryParse(asked[0], out var hash) || hash.ToString() != asked[0])
            {
                await Problems.BadRequest(c, "after is the SHA-256 of a cosigned note: 64 lower-case hexadecimal characters.").ConfigureAwait(false);
                return;
            }

            after = hash;
        }

        var notes = await ledger.Relay.GetCosignaturesAsync(c.RequestAborted).ConfigureAwait(false);
        c.Response.Headers[RelayHttp.CosignaturesCountHeader] = notes.Count.ToString(CultureInfo.InvariantCulture);
        if (after is { } known)
        {
            // From the newest back: a polling client's last note is near the end, so few notes are hashed.
            for (var i = notes.Count - 1; i >= 0; i--)
            {
                if (Hash32.Sha256(notes[i]) != known) continue;
                notes = notes.Skip(i + 1).ToArray();
                c.Response.Headers[RelayHttp.CosignaturesAfterHeader] = known.ToString();
                break;
            }
        }

        Interlocked.Increment(ref _reads);
        await WriteAsync(c, RelayHttp.WireMediaType, "no-store", RelayWire.EncodeCosignaturesAnswer(notes)).ConfigureAwait(false);
    });

    /// <summary>The latest beacon of each device of <paramref name="ledger"/> (verified when received; kept in the
    /// relay's store, so they survive a restart).</summary>
    /// <remarks>The first call after the server starts reads the beacons from the store (blocking on a store that does
    /// I/O asynchronously); later calls answer from memory.</remarks>
    /// <exception cref="ArgumentException">This server serves no such ledger.</exception>
    public IReadOnlyList<StoredBeacon> GetBeacons(string ledger) => Loaded(ledger).Beacons.All();

    /// <summary>The fleet alerts of <paramref name="ledger"/> now, computed from the latest beacons
    /// (docs/observability.md, "Fleet alerts").</summary>
    /// <remarks>As <see cref="GetBeacons"/>: the first call reads the beacons from the store.</remarks>
    /// <exception cref="ArgumentException">This server serves no such ledger.</exception>
    public IReadOnlyList<FleetAlert> GetAlerts(string ledger) => Alerts(Loaded(ledger));

    private IReadOnlyList<FleetAlert> Alerts(RelayLedger ledger) =>
        FleetAlerts.Compute(ledger.Beacons.All(), Options.Time.GetUtcNow(), Options.SilentAfter, Options.UnacknowledgedDangerAge);

    // Sync callers (tests, the demo, hosts) on a thread without a synchronization context: the load is one read, once.
    private RelayLedger Loaded(string name)
    {
        var ledger = Ledger(name);
        ledger.Beacons.EnsureLoadedAsync(CancellationToken.None).GetAwaiter().GetResult();
        return ledger;
    }

    private RelayLedger Ledger(string name) => name is not null && _ledgers.TryGetValue(name, out var l) ? l : throw Error.Argument($"this server serves no ledger '{name}'.", nameof(name));

    /// <summary><c>POST beacons</c>: a device's signed beacon (docs/http-protocol.md, "Beacons"). Refused unless its
    /// author is a member (known to the relay by its key events, admitted by the admin's grant when the ledger has an
    /// admin key, and the request's signer when requests are signed) and its signature verifies with the author's
    /// current key. The latest per author is kept.</summary>
    internal Task PostBeaconAsync(HttpContext context) => HandleAsync(context, write: true, async (c, ledger) =>
    {
        if (!IsMediaType(c.Request.ContentType, BeaconWire.MediaType))
        {
            await UnsupportedMediaType(c, BeaconWire.MediaType).ConfigureAwait(false);
            return;
        }

        SignedBeacon signed;
        try
        {
            signed = BeaconWire.Decode(Body(c));
        }
        catch (LedgerFormatException e)
        {
            await RefuseBeacon(c, ledger, StatusCodes.Status400BadRequest, RelayHttp.BadRequest, e.Message).ConfigureAwait(false);
            return;
        }

        var author = signed.Beacon.Author;
        if (signed.Beacon.Ledger != ledger.Name)
        {
            await RefuseBeacon(c, ledger, StatusCodes.Status400BadRequest, RelayHttp.BadRequest, $"the beacon is of ledger '{signed.Beacon.Ledger}', posted to '{ledger.Name}'.").ConfigureAwait(false);
            return;
        }

        if (c.Items[SignerKey] is AuthorId signer && signer != author)
        {
            await RefuseBeacon(c, ledger, StatusCodes.Status403Forbidden, RelayHttp.Forbidden, $"{signer} may not post {author}'s beacon.").ConfigureAwait(false);
            return;
        }

        var events = await ledger.Relay.Store.ReadKeyEventsAsync(author, c.RequestAborted).ConfigureAwait(false);
        IReadOnlyList<Ledger.Signing.VerificationKey> keys = [];
        var why = "its membership is revoked.";
        if (ledger.IsRevoked(author) || !RequestAuthenticator.TryCurrentKey(ledger, events, author, null, out keys, out why))
        {
            await RefuseBeacon(c, ledger, StatusCodes.Status403Forbidden, RelayHttp.Forbidden, $"{author} is not a member of '{ledger.Name}': {why}").ConfigureAwait(false);
            return;
        }

        if (!keys.Any(signed.Verify))
        {
            await RefuseBeacon(c, ledger, StatusCodes.Status401Unauthorized, RelayHttp.Unauthorized, $"the beacon's signature does not verify with {author}'s current key.").ConfigureAwait(false);
            return;
        }

        await ledger.Beacons.OfferAsync(signed, Options.Time.GetUtcNow(), c.RequestAborted).ConfigureAwait(false);
        LogNewAlerts(ledger);
        c.Response.StatusCode = StatusCodes.Status204NoContent;
        c.Response.Headers.CacheControl = "no-store";
    });

    /// <summary><c>GET alerts</c>: the fleet alerts as JSON (<c>[{code, nodes, prefix, message}]</c>).</summary>
    internal Task GetAlertsAsync(HttpContext context) => HandleAsync(context, write: false, async (c, ledger) =>
    {
        await ledger.Beacons.EnsureLoadedAsync(c.RequestAborted).ConfigureAwait(false);
        var alerts = Alerts(ledger);
        Interlocked.Increment(ref _reads);
        await WriteAsync(c, "application/json", "no-store", FleetJson.Alerts(alerts)).ConfigureAwait(false);
    });

    private Task RefuseBeacon(HttpContext c, RelayLedger ledger, int status, string code, string detail)
    {
        RelayEventLog.BeaconRefused(_log, ledger.Name, status, code);
        return Problems.WriteAsync(c, status, code, detail + " The beacon was not kept.");
    }

    // Each alert is logged once when it appears (not on every beacon that still shows it).
    private void LogNewAlerts(RelayLedger relayLedger)
    {
        var ledger = relayLedger.Name;
        var alerts = Alerts(relayLedger);
        var now = alerts.Select(a => a.ToString()).ToHashSet(StringComparer.Ordinal);
        List<FleetAlert> fresh;
        lock (_raised)
        {
            var before = _raised.TryGetValue(ledger, out var seen) ? seen : [];
            fresh = alerts.Where(a => !before.Contains(a.ToString())).ToList();
            _raised[ledger] = now;
        }

        foreach (var a in fresh) RelayEventLog.Alert(_log, ledger, a.Code, string.Join(",", a.Nodes), a.Prefix, a.Message);
    }

    internal Task UnknownAsync(HttpContext context) => HandleAsync(context, write: false, (c, _) =>
        Problems.NotFound(c, $"{c.Request.Method} {c.Request.Path} is not a call of the relay protocol (docs/http-protocol.md)."));

    // ---- shared parts ----

    /// <summary>What the checks before a call found: the ledger, the body and who asks — or the refusal to answer with.
    /// Made by <see cref="PrepareAsync"/> in the middleware that runs before ASP.NET Core's rate limiter (so the limiter
    /// partitions by the author whose signature verified), or by the endpoint itself when that middleware is absent.</summary>
    internal sealed record Prepared(RelayLedger? Ledger, byte[] Body, string Who, int Status, string Code, string Detail, bool Challenge, bool Aborted)
    {
        public bool Refused => Status != 0;
    }

    private const string PreparedKey = "Ledger.Relay.Prepared";

    /// <summary>The endpoint metadata of the relay's calls: whether the call writes (carries a signed body).</summary>
    internal sealed record RelayCallMetadata(bool Write);

    /// <summary>The name of the ASP.NET Core rate limiter policy of the relay's endpoints (partitioned per author).</summary>
    public const string RateLimiterPolicy = "Ledger.Relay.PerAuthor";

    private long _rateLimited;

    /// <summary>Requests refused 429 by the per-author rate limiter.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>The middleware step before the rate limiter: checks version, ledger, body and signature of a relay call
    /// and keeps what it found for the limiter's partition and the endpoint.</summary>
    internal async Task PrepareMiddlewareAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RelayCallMetadata>() is { } call && !context.Items.ContainsKey(PreparedKey))
        {
            context.Items[PreparedKey] = await PrepareAsync(context, call.Write).ConfigureAwait(false);
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The rate limiter partition of a request: its verified author, else its remote address.</summary>
    internal System.Threading.RateLimiting.RateLimitPartition<string> Partition(HttpContext context)
    {
        var who = (context.Items[PreparedKey] as Prepared)?.Who ?? "address:" + context.Connection.RemoteIpAddress;
        if (Options.RequestsPerSecondPerAuthor is not { } rate) return System.Threading.RateLimiting.RateLimitPartition.GetNoLimiter(who);
        var burst = Options.RateLimitBurst ?? 2 * rate;
        return System.Threading.RateLimiting.RateLimitPartition.GetTokenBucketLimiter(who, _ => new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>The limiter's refusal: 429, a problem, and Retry-After from the limiter's lease (whole seconds, at least 1).</summary>
    internal Task RejectAsync(HttpContext context, System.Threading.RateLimiting.RateLimitLease lease)
    {
        var seconds = lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[RelayHttp.ProtocolHeader] = RelayHttp.ProtocolVersion;
        Interlocked.Increment(ref _rateLimited);
        var who = (context.Items[PreparedKey] as Prepared)?.Who ?? "this address";
        return Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, RelayHttp.RateLimited,
            string.Create(CultureInfo.InvariantCulture, $"more than {Options.RequestsPerSecondPerAuthor} requests a second from {who}; retry after {seconds} s. Nothing was stored."));
    }

    private async Task<Prepared> PrepareAsync(HttpContext context, bool write)
    {
        Prepared Refuse(int status, string code, string detail, RelayLedger? ledger = null, string? who = null, bool challenge = false) =>
            new(ledger, [], who ?? "address:" + context.Connection.RemoteIpAddress, status, code, detail, challenge, false);

        try
        {
            var version = context.Request.Headers[RelayHttp.ProtocolHeader];
            if (version.Count > 1 || (version.Count == 1 && version[0] != RelayHttp.ProtocolVersion) || (write && version.Count == 0))
            {
                return Refuse(StatusCodes.Status400BadRequest, RelayHttp.UnsupportedVersion,
                    $"this relay speaks {RelayHttp.ProtocolHeader}: {RelayHttp.ProtocolVersion}; the request {(version.Count == 0 ? "names no version" : $"names '{version}'")}.");
            }

            // A ledger name may hold '/', sent as %2F (which routing leaves encoded).
            var name = context.Request.RouteValues["ledger"] is string raw ? Uri.UnescapeDataString(raw) : null;
            if (name is null || !_ledgers.TryGetValue(name, out var ledger))
            {
                return Refuse(StatusCodes.Status404NotFound, RelayHttp.UnknownLedger, $"this relay serves no ledger '{name}'.");
            }

            // Writes carry a body: read whole (within the limit) before anything else, since the signature covers its digest.
            var body = Array.Empty<byte>();
            if (write)
            {
                var (read, tooLarge) = await ReadBodyAsync(context).ConfigureAwait(false);
                if (read is null) return Refuse(StatusCodes.Status413PayloadTooLarge, RelayHttp.RequestTooLarge, tooLarge, ledger);
                body = read;
            }

            string? who = null;
            if (ledger.AdminKey is not null && (write || !ledger.IsPublic))
            {
                var push = write && TryDecodePush(body, out var decoded, out _) ? decoded : null;
                var verdict = await _authenticator.VerifyAsync(context, ledger, body, push).ConfigureAwait(false);
                if (!verdict.Ok)
                {
                    return Refuse(verdict.Status, verdict.Code, verdict.Detail + " Nothing was stored.", ledger, challenge: verdict.Status == StatusCodes.Status401Unauthorized);
                }

                who = "author:" + verdict.Author.Value;
                context.Items[SignerKey] = verdict.Author;
            }

            return new Prepared(ledger, body, who ?? "address:" + context.Connection.RemoteIpAddress, 0, "", "", false, false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return new Prepared(null, [], "", 0, "", "", false, true);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own refusals while reading the body: truncated, or over its limits.
            var tooLarge = e.StatusCode == StatusCodes.Status413PayloadTooLarge;
            return Refuse(e.StatusCode, tooLarge ? RelayHttp.RequestTooLarge : RelayHttp.BadRequest, e.Message);
        }
        catch (IOException e)
        {
            return Refuse(StatusCodes.Status400BadRequest, RelayHttp.BadRequest, $"the request body could not be read: {e.Message}");
        }
        catch (Exception e)
        {
            // The relay failed (its store, say): the call may be repeated; the detail names the failure, never key material.
            return Refuse(StatusCodes.Status503ServiceUnavailable, RelayHttp.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task HandleAsync(HttpContext context, bool write, Func<HttpContext, RelayLedger, Task> handler)
    {
        context.Response.Headers[RelayHttp.ProtocolHeader] = RelayHttp.ProtocolVersion;
        var prepared = context.Items[PreparedKey] as Prepared ?? await PrepareAsync(context, write).ConfigureAwait(false);
        if (prepared.Aborted) return;
        // One server span per relay call, a child of the device's trace context (docs/observability.md).
        using var span = prepared.Ledger is { } known ? RelayActivities.StartRequest(context, known.Name) : null;
        try
        {
            if (prepared.Refused)
            {
                if (prepared.Challenge)
                {
                    Interlocked.Increment(ref _authFailures);
                    context.Response.Headers.WWWAuthenticate = "Signature";
                }

                if (prepared.Ledger is { } refusedBy) RelayEventLog.RequestRefused(_log, refusedBy.Name, prepared.Status, prepared.Code);
                await Problems.WriteAsync(context, prepared.Status, prepared.Code, prepared.Detail).ConfigureAwait(false);
                return;
            }

            context.Items[BodyKey] = prepared.Body;
            await handler(context, prepared.Ledger!).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller left (or the server stops): nobody to answer.
        }
        catch (BadHttpRequestException e)
        {
            var tooLarge = e.StatusCode == StatusCodes.Status413PayloadTooLarge;
            await Problems.WriteAsync(context, e.StatusCode, tooLarge ? RelayHttp.RequestTooLarge : RelayHttp.BadRequest, e.Message).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await Problems.BadRequest(context, $"the request body could not be read: {e.Message}").ConfigureAwait(false);
        }
        catch (Exception e) when (e is StoreUnavailableException or RelayStoreConflictException)
        {
            // The store's server is down or restarting, or other instances kept winning the race for the batch's (author,
            // seq): nothing acknowledged is lost and the call may be repeated — a device backs off and retries.
            context.Response.Headers.RetryAfter = "1";
            await Problems.Unavailable(context, e.Message).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The relay failed (its store, say): the call may be repeated; the detail names the failure, never key material.
            RelayEventLog.Failed(_log, prepared.Ledger?.Name ?? "", e.GetType().Name, e);
            await Problems.Failed(context, $"{e.GetType().Name}: {e.Message}").ConfigureAwait(false);
        }
        finally
        {
            RelayActivities.EndRequest(span, context);
        }
    }

    private static byte[] Body(HttpContext c) => c.Items[BodyKey] as byte[] ?? [];

    private static bool TryDecodePush(byte[] body, out RelayRequest request, out string problem)
    {
        request = null!;
        try
        {
            request = RelayWire.DecodeRequest(body);
        }
        catch (LedgerFormatException e)
        {
            problem = e.Message;
            return false;
        }

        if (request.Call != RelayCall.Push)
        {
            problem = $"this endpoint takes a Push request; the body is a {request.Call} request.";
            return false;
        }

        problem = "";
        return true;
    }

    private async Task ProofAsync(HttpContext c, RelayLedger ledger, string first, string second, Func<Ledger.Sync.Relay, long, long, CancellationToken, Task<IReadOnlyList<Hash32>>> prove)
    {
        if (!TryQuery(c, first, out var a) || !TryQuery(c, second, out var b) || a is null || b is null)
        {
            await Problems.BadRequest(c, $"{first} and {second} are required decimal numbers without sign or leading zeros.").ConfigureAwait(false);
            return;
        }

        IReadOnlyList<Hash32> proof;
        try
        {
            proof = await prove(ledger.Relay, a.Value, b.Value, c.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException e)
        {
            await Problems.OutOfRange(c, e.Message).ConfigureAwait(false);
            return;
        }

        var body = new byte[proof.Count * Hash32.Length];
        for (var i = 0; i < proof.Count; i++) proof[i].CopyTo(body.AsSpan(i * Hash32.Length));
        Interlocked.Increment(ref _reads);
        await WriteAsync(c, RelayHttp.BinaryMediaType, Immutable(ledger), body).ConfigureAwait(false);
    }

    /// <summary>Reads the whole body within <paramref name="limit"/> (default <see cref="LedgerRelayOptions.MaxRequestBytes"/>);
    /// null and the refusal's detail when it is larger.</summary>
    private async Task<(byte[]? Body, string TooLarge)> ReadBodyAsync(HttpContext c, long? limit = null)
    {
        var max = limit ?? Options.MaxRequestBytes;
        if (c.Request.ContentLength > max) return (null, TooLargeDetail(max));
        if (c.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = max + 1;
        var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await c.Request.Body.ReadAsync(chunk, c.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > max) return (null, TooLargeDetail(max));
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return (buffer.ToArray(), "");
    }

    private static string TooLargeDetail(long max) => string.Create(CultureInfo.InvariantCulture, $"the body is larger than {max} bytes. Nothing was stored.");

    private static Task TooLarge(HttpContext c, long max) => Problems.WriteAsync(c, StatusCodes.Status413PayloadTooLarge, RelayHttp.RequestTooLarge, TooLargeDetail(max));

    private static Task UnsupportedMediaType(HttpContext c, string expected) => Problems.WriteAsync(c, StatusCodes.Status415UnsupportedMediaType, RelayHttp.UnsupportedMediaType,
        $"this call takes Content-Type: {expected}; the request says '{c.Request.ContentType}'.");

    private static bool IsMediaType(string? contentType, string expected) =>
        MediaTypeHeaderValue.TryParse(contentType, out var actual) && MediaTypeHeaderValue.TryParse(expected, out var wanted)
        && actual.MediaType.Equals(wanted.MediaType, StringComparison.OrdinalIgnoreCase);

    // Strict decimals: one spelling per number, so one resource has one URL.
    private static bool TryQuery(HttpContext c, string name, out long? value)
    {
        value = null;
        var values = c.Request.Query[name];
        if (values.Count == 0) return true;
        if (values.Count > 1) return false;
        var text = values[0] ?? "";
        if (text.Length is 0 or > 18 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit)) return false;
        value = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    private static string Scope(RelayLedger ledger) => ledger.IsPublic ? "public" : "private";

    private static string Immutable(RelayLedger ledger) => $"{Scope(ledger)}, max-age=31536000, immutable";

    /// <summary>A hash tile or an entry bundle, immutable: the whole body (200, <c>Accept-Ranges: bytes</c>), or for one
    /// <c>Range: bytes=…</c> (RFC 9110 §14) that part of it (206, <c>Content-Range: bytes first-last/total</c>), so a
    /// device holding a partial bundle asks for the entries after it, and 416 (<c>Content-Range: bytes */total</c>) when
    /// the range starts at or past the end. ASP.NET Core's own range handling (the one static files use) decides: a
    /// malformed range or several ranges are ignored (200, the whole body), as RFC 9110 allows; so is a range in
    /// another unit than bytes (checked here).</summary>
    /// <remarks>The whole body is built either way: the bytes before a range's start are the lengths of the entries
    /// there, which only reading them tells. An entry bundle near the head usually comes from the ledger's
    /// <see cref="EntryBundleCache"/>, whole, and the range is cut out of it.</remarks>
    private static async Task WriteTileAsync(HttpContext c, RelayLedger ledger, ReadOnlyMemory<byte> body)
    {
        c.Response.StatusCode = StatusCodes.Status200OK;
        c.Response.Headers.CacheControl = Immutable(ledger);
        // ASP.NET Core does not look at the unit: it would answer "items=0-5" with bytes 0-5. RFC 9110 §14.2: a range
        // in a unit the server does not know is ignored.
        if (c.Request.Headers.Range.Count > 0 && !(c.Request.GetTypedHeaders().Range?.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            c.Request.Headers.Range = default;
        }

        await TypedResults.Bytes(body, RelayHttp.BinaryMediaType, enableRangeProcessing: true).ExecuteAsync(c).ConfigureAwait(false);
        // A 416 says nothing lasting about the URL; no cache keeps it (it has no body, so nothing was sent yet).
        if (c.Response.StatusCode == StatusCodes.Status416RangeNotSatisfiable && !c.Response.HasStarted) c.Response.Headers.CacheControl = "no-store";
    }

    private static async Task WriteAsync(HttpContext c, string contentType, string cacheControl, ReadOnlyMemory<byte> body)
    {
        c.Response.StatusCode = StatusCodes.Status200OK;
        c.Response.ContentType = contentType;
        c.Response.Headers.CacheControl = cacheControl;
        c.Response.ContentLength = body.Length;
        await c.Response.Body.WriteAsync(body, c.RequestAborted).ConfigureAwait(false);
    }
}
