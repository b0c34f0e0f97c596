using System.Collections.Concurrent;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ledger.Sync.AspNetCore;

/// <summary>Checks RFC 9421 request signatures (the profile of <see cref="RelayRequestSignature"/>) and membership:
/// <c>created</c> within the window, the nonce never seen within it, <c>Content-Digest</c> the body's, the signature by
/// the author's current key per the key event log the relay holds (or, for an author the relay does not know yet, per
/// the key events at the start of the pushed batch), and a membership grant from the ledger's admin key.</summary>
internal sealed class RequestAuthenticator(LedgerRelayOptions options)
{
    private const int MaxNonces = 1 << 20;
    private readonly ConcurrentDictionary<string, long> _nonces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthorId> _grants = new(StringComparer.Ordinal);
    private long _inserts;

    public readonly record struct Verdict(bool Ok, int Status, string Code, string Detail, AuthorId Author)
    {
        public static Verdict Pass(AuthorId author) => new(true, 200, "", "", author);

        public static Verdict Unauthorized(string detail) => new(false, StatusCodes.Status401Unauthorized, RelayHttp.Unauthorized, detail, default);

        public static Verdict Forbidden(string detail) => new(false, StatusCodes.Status403Forbidden, RelayHttp.Forbidden, detail, default);
    }

    public async Task<Verdict> VerifyAsync(HttpContext context, RelayLedger ledger, ReadOnlyMemory<byte> body, RelayRequest? push)
    {
        var request = context.Request;
        if (!RelayRequestSignature.TryParseInput(Single(request.Headers["Signature-Input"]), out var created, out var nonce, out var keyId))
        {
            return Verdict.Unauthorized($"Signature-Input is missing or not the relay's profile: {RelayRequestSignature.Label}=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"ledger-protocol\");created=…;nonce=\"…\";keyid=\"<author>\";alg=\"ed25519\".");
        }

        if (!RelayRequestSignature.TryParseSignature(Single(request.Headers["Signature"]), out var signature))
        {
            return Verdict.Unauthorized($"Signature is missing or not {RelayRequestSignature.Label}=:<base64 of 64 bytes>:.");
        }

        var now = options.Time.GetUtcNow().ToUnixTimeSeconds();
        var window = (long)options.SignatureWindow.TotalSeconds;
        if (Math.Abs(now - created) > window)
        {
            return Verdict.Unauthorized($"the signature was created at {created}; this relay accepts {window} s either side of its clock ({now}).");
        }

        var digest = Single(request.Headers["Content-Digest"]);
        if (digest != RelayRequestSignature.ContentDigest(body.Span))
        {
            return Verdict.Unauthorized("Content-Digest is missing or is not the sha-256 of the body.");
        }

        if (!AuthorId.TryCreate(keyId, out var author)) return Verdict.Unauthorized("keyid is not an author id.");
        // Read before the checks below, which are synchronous: the store is asynchronous (it may be across a network).
        var stored = await ledger.Relay.Store.ReadKeyEventsAsync(author, context.RequestAborted).ConfigureAwait(false);
        if (!TryCurrentKey(ledger, stored, author, push, out var keys, out var why)) return Verdict.Unauthorized(why);

        // The raw request target: the path and query exactly as the client sent and signed them.
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path + request.QueryString).ToString();
        var queryAt = target.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? target : target[..queryAt];
        var query = queryAt < 0 ? "?" : target[queryAt..];
        byte[] signatureBase;
        try
        {
            signatureBase = RelayRequestSignature.Base(request.Method.ToUpperInvariant(), request.Host.Value?.ToLowerInvariant() ?? "", path, query, digest,
                Single(request.Headers[RelayHttp.ProtocolHeader]) ?? "", RelayRequestSignature.Parameters(created, nonce, keyId));
        }
        catch (ArgumentException)
        {
            return Verdict.Unauthorized("a covered component has a line break.");
        }

        if (!keys.Any(k => k.Verify(signatureBase, signature)))
        {
            return Verdict.Unauthorized($"the signature does not verify under {author}'s current key ({keys[^1].Id}) over the covered components.");
        }

        // Replays: a nonce is taken once within the window (after the signature verified, so strangers cannot fill the cache).
        if (!_nonces.TryAdd(author.Value + "\n" + nonce, created + window))
        {
            return Verdict.Unauthorized("replayed: this nonce was used already.");
        }

        Prune(now);
        if (ledger.AdminKey is { } admin && !IsMember(context, ledger, admin, author, out var refusal)) return Verdict.Forbidden(refusal);
        return Verdict.Pass(author);
    }

    private bool IsMember(HttpContext context, RelayLedger ledger, VerificationKey admin, AuthorId author, out string refusal)
    {
        refusal = "";
        if (ledger.IsRevoked(author))
        {
            refusal = $"{author}'s membership of '{ledger.Name}' is revoked.";
            return false;
        }

        var header = Single(context.Request.Headers[RelayHttp.MembershipHeader]);
        if (header is null)
        {
            refusal = $"{author} shows no membership grant ({RelayHttp.MembershipHeader}) for '{ledger.Name}'.";
            return false;
        }

        if (_grants.TryGetValue(header, out var member))
        {
            if (member == author) return true;
            refusal = $"the membership grant admits {member}, not {author}.";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(header);
        }
        catch (FormatException)
        {
            refusal = "the membership grant is not base64.";
            return false;
        }

        Grant grant;
        try
        {
            grant = Grant.Decode(bytes);
        }
        catch (LedgerFormatException e)
        {
            refusal = "the membership grant is not a grant: " + e.Message;
            return false;
        }

        if (grant.Ledger != ledger.Name || !grant.IssuerKey.Span.SequenceEqual(admin.RawBytes) || !grant.VerifySignature())
        {
            refusal = $"the membership grant is not signed by the admin key of '{ledger.Name}'.";
            return false;
        }

        if (!grant.Id.StartsWith(RelayLedger.MemberGrantPrefix, StringComparison.Ordinal) || !AuthorId.TryCreate(grant.Id[RelayLedger.MemberGrantPrefix.Length..], out member))
        {
            refusal = $"the grant '{grant.Id}' is not a membership grant ({RelayLedger.MemberGrantPrefix}<author>).";
            return false;
        }

        if (_grants.Count < MaxNonces) _grants[header] = member;
        if (member == author) return true;
        refusal = $"the membership grant admits {member}, not {author}.";
        return false;
    }

    /// <summary>The keys a request of <paramref name="author"/> may be signed with: its current key per the key events the
    /// relay holds and, for a push, the key after each key event of the author the batch carries (its inception for an
    /// author the relay does not hold yet; a rotation a device pushes is signed with its new key). Every event is
    /// verified as a key event log (pre-rotation commitments and signatures) before its key counts.</summary>
    internal static bool TryCurrentKey(RelayLedger ledger, IReadOnlyList<StoredOp> stored, AuthorId author, RelayRequest? push, out IReadOnlyList<VerificationKey> keys, out string problem)
    {
        keys = [];
        List<SignedOp> events;
        try
        {
            events = stored.Select(k => SignedOpCodec.Decode(k.Bytes)).ToList();
        }
        catch (LedgerFormatException e)
        {
            problem = $"the relay cannot read {author}'s key events: {e.Message}";
            return false;
        }

        var held = events.Count;
        if (push is not null)
        {
            var last = held == 0 ? 0UL : events[^1].Op.Seq;
            foreach (var bytes in push.Batch)
            {
                if (!SignedOpCodec.TryDecode(bytes, out var op, out _) || op!.Op.Author != author || op.Op.Seq <= last) continue;
                if (held == 0 && events.Count == 0 && op.Op.Seq != 1) break; // a new author's chain starts with its inception
                if (!KeyEvents.IsKeyEvent(op.Op)) continue;
                events.Add(op);
                last = op.Op.Seq;
            }
        }

        if (events.Count == 0)
        {
            problem = $"{author} is unknown to this relay: its first push must carry its inception.";
            return false;
        }

        if (!KeyEventLog.TryVerify(ledger.Name, author, events, out var timeline, out var why))
        {
            if (events.Count == held)
            {
                problem = $"{author}'s key events do not verify: {why}";
                return false;
            }

            // The batch's events do not continue the held log: only the held key counts (the relay refuses them anyway).
            events.RemoveRange(held, events.Count - held);
            if (held == 0 || !KeyEventLog.TryVerify(ledger.Name, author, events, out timeline, out why))
            {
                problem = $"{author}'s key events do not verify: {why}";
                return false;
            }
        }

        var states = timeline.Skip(Math.Max(0, held - 1)).Select(t => t.State).ToArray();
        if (states[^1].RevokedAtSeq is not null)
        {
            problem = $"{author}'s key is revoked (at seq {states[^1].RevokedAtSeq}).";
            return false;
        }

        keys = states.Select(s => s.Current).Distinct().ToArray();
        problem = "";
        return true;
    }

    private void Prune(long now)
    {
        if (Interlocked.Increment(ref _inserts) % 4096 != 0 && _nonces.Count < MaxNonces) return;
        foreach (var (nonce, expires) in _nonces)
        {
            if (expires < now) _nonces.TryRemove(nonce, out _);
        }
    }

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;
}
