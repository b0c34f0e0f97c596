using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ledger.Kernel;

namespace Ledger.Sync.Http;

/// <summary>A relay reached over HTTP (docs/http-protocol.md): the <see cref="IRelayProtocol"/> of a device node.
/// Pushes are <c>POST ops</c> with a <see cref="RelayWire"/> body; pulls read the relay's order as C2SP tlog-tiles (the
/// signed checkpoint, then entry bundles up to its size) and hand the node the relay-signed checkpoint of exactly the
/// prefix it holds after the pulled ops. Every failure to reach the relay or to understand it is a
/// <see cref="RelayUnavailableException"/>; a refusal of the request itself is a <see cref="RelayProtocolException"/>.</summary>
/// <remarks>Timeouts, retries with jittered backoff and the circuit breaker belong to the <see cref="HttpClient"/>'s
/// handlers (Microsoft.Extensions.Http.Resilience; <c>AddLedgerRelayClient</c> sets them up): every call of the protocol
/// is safe to repeat, pushes included.</remarks>
public sealed partial class HttpRelayClient : IRelayProtocol, IRelayBootstrap
{
    private readonly Func<HttpClient> _client;
    private readonly Func<HttpClient> _live;
    private readonly HttpRelayClientOptions _options;
    private readonly string _prefix;
    private long _requests;
    // The relay's cosigned notes as of the last answer (GetCosignaturesAsync asks only for newer ones).
    private readonly Lock _cosignaturesLock = new();
    private byte[][] _cosignatures = [];
    // The entry bundle at the head of the log as last read (where each entry starts): a pull starting inside it asks
    // for the bytes from its first entry on only (a Range request), not the whole bundle again.
    private readonly Lock _bundleLock = new();
    private KnownBundle? _bundle;
    // The newest checkpoint note a long poll returned, kept for the pull that follows it (which reads up to it instead
    // of asking GET checkpoint for what is usually the same note), and the origin of the log the pulls read.
    private readonly Lock _noteLock = new();
    private KeptNote? _kept;
    private string? _origin;

    /// <summary>A client over <paramref name="http"/>, whose <see cref="HttpClient.BaseAddress"/> is the relay's root
    /// (e.g. <c>http://127.0.0.1:5080/</c>); <paramref name="longPoll"/> (default: the same) carries the long poll,
    /// which needs a longer timeout than other calls.</summary>
    public HttpRelayClient(HttpClient http, HttpRelayClientOptions options, HttpClient? longPoll = null)
        : this(Fixed(http), options, longPoll is null ? null : Fixed(longPoll))
    {
    }

    /// <summary>A client that takes a fresh <see cref="HttpClient"/> from <paramref name="client"/> for every call (an
    /// <c>IHttpClientFactory</c>'s named client, so handlers rotate).</summary>
    public HttpRelayClient(Func<HttpClient> client, HttpRelayClientOptions options, Func<HttpClient>? longPoll = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (!global::Ledger.Signing.LedgerName.IsValid(options.Ledger)) throw Errors.Argument("HttpRelayClientOptions.Ledger must name the ledger.", nameof(options));
        if (options.MaxPullOps < 1) throw Errors.Argument("HttpRelayClientOptions.MaxPullOps is at least 1.", nameof(options));
        _client = client;
        _live = longPoll ?? client;
        _options = options;
        _prefix = "v1/ledgers/" + Uri.EscapeDataString(options.Ledger) + "/";
    }

    /// <summary>The ledger.</summary>
    public string Ledger => _options.Ledger;

    /// <summary>HTTP requests sent (answered or not).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    private static Func<HttpClient> Fixed(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return () => http;
    }

    /// <inheritdoc />
    public async Task<IngestResponse> PushAsync(IReadOnlyList<ReadOnlyMemory<byte>> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var body = new ByteArrayContent(RelayWire.EncodeRequest(RelayRequest.Push(batch)));
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(RelayHttp.WireMediaType);
        var answer = await SendAsync(RelayCall.Push, HttpMethod.Post, "ops", body, cancellationToken).ConfigureAwait(false);
        return Decode(RelayCall.Push, () => RelayWire.DecodePushAnswer(answer!));
    }

    /// <inheritdoc />
    public async Task<PullResponse> PullAsync(long fromPosition, int max, CancellationToken cancellationToken = default)
    {
        var from = Math.Max(0, fromPosition);
        // The note a long poll just returned when it lies ahead of `from`, else the relay's latest.
        var (note, origin, size) = max > 0 && TakeKept(from) is { } kept ? kept : await LatestAsync(cancellationToken).ConfigureAwait(false);

        // Like Relay.Pull: at or past the end, the checkpoint of the whole log.
        if (from >= size || max <= 0) return new PullResponse([], size, note, origin);

        // Read entry bundles of the tree the checkpoint commits to (partial bundles at exactly its size), so every
        // URL is immutable and the ops read are the ones that checkpoint covers.
        var end = Math.Min(size, from + Math.Min(max, _options.MaxPullOps));
        var ops = new List<(long Position, ReadOnlyMemory<byte> Bytes)>((int)(end - from));
        for (var bundle = from / TileNames.Width; bundle * TileNames.Width < end; bundle++)
        {
            var width = (int)Math.Min(TileNames.Width, size - bundle * TileNames.Width);
            var (start, entries) = await ReadBundleAsync(bundle, width, from, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < entries.Count; i++)
            {
                var position = start + i;
                if (position >= from && position < end) ops.Add((position, entries[i]));
            }
        }

        // The node must get the signed checkpoint of exactly the prefix it holds after these ops.
        var checkpoint = end == size
            ? note
            : await SendAsync(RelayCall.Pull, HttpMethod.Get, "checkpoint?size=" + end.ToString(CultureInfo.InvariantCulture), null, cancellationToken).ConfigureAwait(false);
        if (end != size)
        {
            var (otherOrigin, otherSize) = ReadCheckpoint(RelayCall.Pull, checkpoint!);
            if (otherOrigin != origin || otherSize != end) throw Errors.Unavailable(RelayCall.Pull, $"asked for the checkpoint of size {end}, the relay answered '{otherOrigin}' size {otherSize}.");
        }

        return new PullResponse(ops, size, checkpoint, origin);
    }

    /// <summary>Waits (long poll, bounded by the relay) until the relay's log differs from <paramref name="size"/>;
    /// returns the new size, or null when the relay closed the wait with no change.</summary>
    /// <remarks>The relay-signed checkpoint note the relay answered with is kept for the next <see cref="PullAsync"/>
    /// that starts before its size: that pull reads up to it instead of asking <c>GET checkpoint</c> again (once per long
    /// poll answered; see docs/http-protocol.md, "Pulling, as a device does it").</remarks>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    public async Task<long?> WaitForChangeAsync(long size, CancellationToken cancellationToken = default)
    {
        var path = "checkpoint?after=" + Math.Max(0, size).ToString(CultureInfo.InvariantCulture);
        var note = await SendAsync(RelayCall.GetCheckpoint, HttpMethod.Get, path, null, cancellationToken, live: true).ConfigureAwait(false);
        if (note is null) return null;
        var (origin, changed) = ReadCheckpoint(RelayCall.GetCheckpoint, note);
        Keep(note, origin, changed);
        return changed;
    }

    /// <summary>The relay's latest checkpoint (<c>GET checkpoint</c>), read as a pull reads it; its origin is the log
    /// this client's pulls read from now on.</summary>
    private async Task<(byte[] Note, string Origin, long Size)> LatestAsync(CancellationToken cancellationToken)
    {
        var note = await SendAsync(RelayCall.Pull, HttpMethod.Get, "checkpoint", null, cancellationToken).ConfigureAwait(false);
        var (origin, size) = ReadCheckpoint(RelayCall.Pull, note!);
        lock (_noteLock)
        {
            _origin = origin;
            // A kept note of another log, or beyond the relay's log now, is no note of the log the pulls read.
            if (_kept is { } kept && (kept.Origin != origin || kept.Size > size)) _kept = null;
        }

        return (note!, origin, size);
    }

    /// <summary>Keeps the checkpoint note a long poll returned for the next pull. A pull that follows a long poll
    /// usually asked <c>GET checkpoint</c> for the very same note; with it kept, that pull reads up to it instead.</summary>
    /// <remarks>
    /// <para>Only a note of the log the pulls have been reading is kept (the origin of the last <c>GET checkpoint</c>
    /// a pull read; none before the first): another origin — a relay behind the same address with another log — reaches
    /// the node only through <c>GET checkpoint</c>, as before, where the node's origin pinning decides.</para>
    /// <para>Nodes may share one client (the fleet's observers do, beside a watcher on the long poll), and their long
    /// polls are answered with one note or, racing the pushes, with notes a few ops apart: the newest note is kept, with
    /// one use per long poll answered since it arrived (an answer with an older or the same note adds a use to it), so
    /// every node woken can start its pull from it. A newer note replaces it with one use: uses never pile up past the
    /// polls answered between two notes.</para>
    /// </remarks>
    private void Keep(byte[] note, string origin, long size)
    {
        lock (_noteLock)
        {
            if (origin != _origin) return;
            _kept = _kept is null || _kept.Origin != origin || size > _kept.Size ? new KeptNote(note, origin, size, 1) : _kept with { Uses = _kept.Uses + 1 };
        }
    }

    /// <summary>The kept note, for a pull from <paramref name="from"/>, using one of its uses; null when there is none
    /// left, when it names another log than the pulls read, or when it does not lie ahead of <paramref name="from"/>
    /// (the caller holds it already: a pull never goes back, and finding the node caught up is the relay's to say).</summary>
    private (byte[] Note, string Origin, long Size)? TakeKept(long from)
    {
        lock (_noteLock)
        {
            if (_kept is not { Uses: > 0 } kept || kept.Origin != _origin || from >= kept.Size) return null;
            _kept = kept.Uses == 1 ? null : kept with { Uses = kept.Uses - 1 };
            // Each pull gets its own copy: the node keeps the note it is handed.
            return ((byte[])kept.Note.Clone(), kept.Origin, kept.Size);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(long Position, ReadOnlyMemory<byte> Bytes)>> FetchAuthorAsync(AuthorId author, ulong fromSeq, CancellationToken cancellationToken = default)
    {
        var path = "authors/" + author.Value + "/ops?from=" + Math.Max(1UL, fromSeq).ToString(CultureInfo.InvariantCulture);
        var answer = await SendAsync(RelayCall.FetchAuthor, HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return Decode(RelayCall.FetchAuthor, () => RelayWire.DecodeFetchAuthorAnswer(answer!));
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetCheckpointAsync(long? size, CancellationToken cancellationToken = default)
    {
        if (size < 0) throw Errors.Protocol(RelayCall.GetCheckpoint, RelayErrorCode.BadRequest, "the size is negative.");
        var path = size is { } s ? "checkpoint?size=" + s.ToString(CultureInfo.InvariantCulture) : "checkpoint";
        var note = await SendAsync(RelayCall.GetCheckpoint, HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        ReadCheckpoint(RelayCall.GetCheckpoint, note!);
        return note;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default) =>
        ProofAsync(RelayCall.GetConsistencyProof, string.Create(CultureInfo.InvariantCulture, $"proof/consistency?from={size1}&to={size2}"), size1 < 0 || size2 < 0, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Hash32>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default) =>
        ProofAsync(RelayCall.GetInclusionProof, string.Create(CultureInfo.InvariantCulture, $"proof/inclusion?index={index}&size={size}"), index < 0 || size < 0, cancellationToken);

    /// <inheritdoc />
    public async Task PostCosignatureAsync(ReadOnlyMemory<byte> note, CancellationToken cancellationToken = default)
    {
        var body = new ReadOnlyMemoryContent(note);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(RelayHttp.NoteMediaType);
        await SendAsync(RelayCall.PostCosignature, HttpMethod.Post, "cosignatures", body, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<byte[]>> GetCosignaturesAsync(CancellationToken cancellationToken = default)
    {
        // The relay's list as of the last answer; asked for what came after its newest note, so a node gossiping every
        // round downloads the new notes, not the whole list again (docs/http-protocol.md). The list returned is the
        // whole list either way, as the relay would answer without after=.
        byte[][] known;
        lock (_cosignaturesLock) known = _cosignatures;
        var after = known.Length > 0 ? Hash32.Sha256(known[^1]).ToString() : null;
        string? echoed = null, count = null;
        var answer = await SendAsync(RelayCall.GetCosignatures, HttpMethod.Get, after is null ? "cosignatures" : "cosignatures?after=" + after, null, cancellationToken,
            inspect: r =>
            {
                echoed = r.Headers.TryGetValues(RelayHttp.CosignaturesAfterHeader, out var v) ? v.FirstOrDefault() : null;
                count = r.Headers.TryGetValues(RelayHttp.CosignaturesCountHeader, out var n) ? n.FirstOrDefault() : null;
            }).ConfigureAwait(false);
        var notes = Decode(RelayCall.GetCosignatures, () => RelayWire.DecodeCosignaturesAnswer(answer!));
        byte[][] list;
        if (after is not null && echoed is not null)
        {
            // Only the new ones: the relay keeps its newest notes, so its whole list is the last `count` of the known
            // notes followed by the new ones.
            if (echoed != after) throw Errors.Unavailable(RelayCall.GetCosignatures, $"the relay echoed {RelayHttp.CosignaturesAfterHeader} '{echoed}' for a request after '{after}'.");
            if (!int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var total) || total < notes.Count || total > known.Length + notes.Count)
            {
                // The notes this client holds cannot make up the relay's list (a relay behind the same address with
                // another store holding the same note): forget them and ask for the whole list.
                lock (_cosignaturesLock) _cosignatures = [];
                var whole = await SendAsync(RelayCall.GetCosignatures, HttpMethod.Get, "cosignatures", null, cancellationToken).ConfigureAwait(false);
                list = [.. Decode(RelayCall.GetCosignatures, () => RelayWire.DecodeCosignaturesAnswer(whole!))];
                lock (_cosignaturesLock) _cosignatures = list;
                return list;
            }

            list = [.. known[(known.Length + notes.Count - total)..], .. notes];
        }
        else
        {
            list = [.. notes];
        }

        lock (_cosignaturesLock) _cosignatures = list;
        return list;
    }

    /// <summary>Sends a signed beacon envelope (<see cref="BeaconWire.Sign"/>) to the relay's <c>POST beacons</c>.</summary>
    /// <exception cref="RelayProtocolException">The relay refused it (not a member, a signature that does not verify).</exception>
    /// <exception cref="RelayUnavailableException">The relay cannot be reached.</exception>
    public async Task SendBeaconAsync(ReadOnlyMemory<byte> beacon, CancellationToken cancellationToken = default)
    {
        var body = new ReadOnlyMemoryContent(beacon);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(BeaconWire.MediaType);
        await SendAsync(RelayCall.Push, HttpMethod.Post, "beacons", body, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Hash32>> ProofAsync(RelayCall call, string path, bool negative, CancellationToken cancellationToken)
    {
        if (negative) throw Errors.Protocol(call, RelayErrorCode.BadRequest, "sizes and indices are not negative.");
        var bytes = await SendAsync(call, HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        if (bytes!.Length % Hash32.Length != 0 || bytes.Length > 64 * Hash32.Length)
        {
            throw Errors.Unavailable(call, $"a proof is up to 64 hashes of {Hash32.Length} bytes; the answer has {bytes.Length} bytes.");
        }

        var proof = new Hash32[bytes.Length / Hash32.Length];
        for (var i = 0; i < proof.Length; i++) proof[i] = new Hash32(bytes.AsSpan(i * Hash32.Length, Hash32.Length));
        return proof;
    }

    /// <summary>Sends one request; the body of a 200 answer, null for 204, a typed exception otherwise. With
    /// <paramref name="rangeFrom"/> it asks for the bytes from there on (<c>Range: bytes=N-</c>) and takes a 206 too
    /// (<paramref name="inspect"/> tells which, and its Content-Range); a 206 to a request without a range is refused.</summary>
    private async Task<byte[]?> SendAsync(RelayCall call, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, bool live = false,
        Action<HttpResponseMessage>? inspect = null, long? rangeFrom = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var request = new HttpRequestMessage(method, _prefix + path) { Content = content };
        request.Headers.TryAddWithoutValidation(RelayHttp.ProtocolHeader, RelayHttp.ProtocolVersion);
        if (rangeFrom is { } first) request.Headers.Range = new RangeHeaderValue(first, null);
        Interlocked.Increment(ref _requests);
        try
        {
            using var response = await (live ? _live() : _client()).SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.Headers.TryGetValues(RelayHttp.ProtocolHeader, out var versions) && versions.FirstOrDefault() is { } version && version != RelayHttp.ProtocolVersion)
            {
                throw Errors.Protocol(call, RelayErrorCode.BadRequest,
                    $"the relay answered in protocol version '{version}'; this client speaks {RelayHttp.ProtocolHeader}: {RelayHttp.ProtocolVersion}.");
            }

            if (response.StatusCode == HttpStatusCode.NoContent) return null;
            if (response.StatusCode == HttpStatusCode.PartialContent && rangeFrom is null)
            {
                throw Errors.Unavailable(call, $"'{path}' was answered 206 Partial Content ({response.Content.Headers.ContentRange}) though the request asked for no range.");
            }

            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && rangeFrom is not null)
            {
                // The resource is shorter than the bytes this client holds of it: not the resource it read before.
                throw Errors.Unavailable(call, $"'{path}' from byte {rangeFrom} was answered 416 ({response.Content.Headers.ContentRange}): the relay's is shorter than what was read of it before.");
            }

            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
            {
                throw Errors.FromProblem(call, (int)response.StatusCode, System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 8192))));
            }

            inspect?.Invoke(response);
            return body;
        }
        catch (Exception e) when (e is not (RelayProtocolException or RelayUnavailableException) && !cancellationToken.IsCancellationRequested)
        {
            // Refused connections, timeouts, an open circuit, a cut answer: the relay cannot be reached now.
            throw Errors.Unavailable(call, e.Message, e);
        }
    }

    private static T Decode<T>(RelayCall call, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (LedgerFormatException e)
        {
            throw Errors.NotUnderstood(call, e);
        }
        catch (RelayProtocolException e) when (e.Code == RelayErrorCode.Failed)
        {
            throw Errors.Unavailable(call, e.Detail, e);
        }
    }

    private static (string Origin, long Size) ReadCheckpoint(RelayCall call, byte[] note)
    {
        try
        {
            var parsed = SignedNote.Parse(note);
            if (!RelayCheckpoint.TryParse(parsed, out var checkpoint, out var problem)) throw Errors.Unavailable(call, "the checkpoint is not a checkpoint: " + problem);
            return (checkpoint!.Origin, checkpoint.Size);
        }
        catch (LedgerFormatException e)
        {
            throw Errors.NotUnderstood(call, e);
        }
    }

    /// <summary>The entries of entry bundle <paramref name="index"/> at <paramref name="width"/>, from the position
    /// returned: the bundle's start, or — when the pull starts inside the part of this bundle read before — the pull's
    /// first position, read as the bytes from that entry on (<c>Range: bytes=N-</c>).</summary>
    /// <remarks>The client keeps the entry offsets of one bundle, the head of the log as it last read it, so every node
    /// pulling through it (the fleet's observers share one client) continues from its own position. A range changes
    /// nothing about trust: the node checks every pulled op against the relay-signed checkpoint's Merkle root anyway,
    /// so bytes that do not continue what it holds (another log behind the same address, a cache mixing objects) are
    /// refused there as whole bundles would be. What is refused here is an answer that is not the asked range of a
    /// bundle at all, or whose entries do not fall where the ones read before did; then the known bundle is forgotten
    /// and the next pull reads whole bundles.</remarks>
    private async Task<(long Start, List<ReadOnlyMemory<byte>> Entries)> ReadBundleAsync(long index, int width, long from, CancellationToken cancellationToken)
    {
        var start = index * TileNames.Width;
        var path = TileNames.EntryBundle(index, width);
        KnownBundle? known;
        lock (_bundleLock) known = _bundle;
        // Entries held before `from` (none at the bundle's start: the whole bundle is asked for then).
        var held = (int)Math.Max(0, from - start);
        if (known is null || known.Index != index || held == 0 || held > known.Width || held >= width) known = null;
        try
        {
            var status = HttpStatusCode.OK;
            ContentRangeHeaderValue? range = null;
            var bytes = (await SendAsync(RelayCall.Pull, HttpMethod.Get, path, null, cancellationToken, rangeFrom: known?.Offsets[held],
                inspect: r => (status, range) = (r.StatusCode, r.Content.Headers.ContentRange)).ConfigureAwait(false))!;
            List<ReadOnlyMemory<byte>> entries;
            int[] offsets;
            if (known is not null && status == HttpStatusCode.PartialContent)
            {
                // Exactly the bytes from the asked one to the end, and the entries from `from` on in them.
                var asked = known.Offsets[held];
                if (range is not { From: { } first, To: { } last, Length: { } total } || !string.Equals(range.Unit, "bytes", StringComparison.OrdinalIgnoreCase)
                    || first != asked || last != total - 1 || bytes.Length != total - first)
                {
                    throw Errors.Unavailable(RelayCall.Pull,
                        $"entry bundle {path}: asked for the bytes from {asked}, the relay answered 206 with Content-Range '{range}' and {bytes.Length} bytes.");
                }

                entries = ReadBundle(bytes, width - held, from, $"{path} from byte {asked}");
                offsets = Offsets(known.Offsets.AsSpan(0, held + 1), entries);
            }
            else
            {
                // No range asked, or the relay (or a cache on the way) ignored it: the whole bundle.
                entries = ReadBundle(bytes, width, start, path);
                offsets = Offsets([0], entries);
                held = 0;
            }

            if (known is not null && !Agree(offsets, known.Offsets))
            {
                throw Errors.Unavailable(RelayCall.Pull, $"entry bundle {path}: its entries do not lie where the ones read before from this bundle did.");
            }

            // The head of the log as read last: a later or wider bundle replaces the one kept, and so does one that
            // disagrees with it (read whole: the relay's log is not the one read before).
            lock (_bundleLock)
            {
                if (_bundle is null || index > _bundle.Index || (index == _bundle.Index && (width > _bundle.Width || !Agree(offsets, _bundle.Offsets))))
                {
                    _bundle = new KnownBundle(index, width, offsets);
                }
            }

            return (start + held, entries);
        }
        catch
        {
            lock (_bundleLock) _bundle = null;
            throw;
        }
    }

    // Two reads of one bundle put the entries both hold at the same offsets.
    private static bool Agree(int[] a, int[] b)
    {
        var both = Math.Min(a.Length, b.Length);
        return a.AsSpan(0, both).SequenceEqual(b.AsSpan(0, both));
    }

    // The byte offset of every entry of a bundle and of its end: those of the entries already known, then the entries'.
    private static int[] Offsets(ReadOnlySpan<int> known, List<ReadOnlyMemory<byte>> entries)
    {
        var offsets = new int[known.Length + entries.Count];
        known.CopyTo(offsets);
        for (var i = 0; i < entries.Count; i++) offsets[known.Length + i] = offsets[known.Length + i - 1] + 2 + entries[i].Length;
        return offsets;
    }

    // An entry bundle (or its bytes after some entries): big-endian uint16 length-prefixed entries, exactly `width` of
    // them, the first at position `start`.
    private static List<ReadOnlyMemory<byte>> ReadBundle(byte[] bytes, int width, long start, string what)
    {
        var entries = new List<ReadOnlyMemory<byte>>(width);
        var at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 2) throw Errors.Unavailable(RelayCall.Pull, $"entry bundle {what} (positions from {start}): a length prefix is cut at byte {at}.");
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));
            at += 2;
            if (length == 0 || bytes.Length - at < length) throw Errors.Unavailable(RelayCall.Pull, $"entry bundle {what} (positions from {start}): entry {entries.Count} ({length} bytes) is empty or cut at byte {at}.");
            entries.Add(bytes.AsMemory(at, length));
            at += length;
        }

        if (entries.Count != width) throw Errors.Unavailable(RelayCall.Pull, $"entry bundle {what} (positions from {start}) holds {entries.Count} entries, not {width}.");
        return entries;
    }

    // A bundle read before: its index and width, and Offsets[i] the byte offset of entry i (Offsets[Width]: its length).
    private sealed record KnownBundle(long Index, int Width, int[] Offsets);

    // A checkpoint note a long poll returned, and how many pulls may still start from it.
    private sealed record KeptNote(byte[] Note, string Origin, long Size, int Uses);
}
