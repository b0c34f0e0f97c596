using System.Security.Cryptography;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync.Http;

/// <summary>Signs relay requests as the device's author (RFC 9421, the profile of <see cref="RelayRequestSignature"/>):
/// <c>keyid</c> the author id, the signature by its current key, <c>created</c> from the clock, a fresh nonce per
/// request; and carries its membership grant (<see cref="RelayHttp.MembershipHeader"/>) when it has one.</summary>
public sealed class RequestSigner
{
    private readonly Func<SigningKey> _currentKey;
    private readonly TimeProvider _time;
    private readonly string? _membership;

    /// <summary>Signs as <paramref name="author"/> with the key <paramref name="currentKey"/> returns (it changes when the
    /// device rotates; the relay resolves the author's current key from its key event log).</summary>
    public RequestSigner(AuthorId author, Func<SigningKey> currentKey, ReadOnlyMemory<byte> membershipGrant = default, TimeProvider? time = null)
    {
        if (author.IsDefault) throw Errors.Argument("the author names no author.", nameof(author));
        Author = author;
        _currentKey = currentKey ?? throw Errors.ArgumentNull(nameof(currentKey));
        _time = time ?? TimeProvider.System;
        _membership = membershipGrant.IsEmpty ? null : Convert.ToBase64String(membershipGrant.Span);
    }

    /// <summary>The author requests are signed as.</summary>
    public AuthorId Author { get; }

    /// <summary>Adds <c>Content-Digest</c>, <c>Signature-Input</c>, <c>Signature</c> (and the membership grant) to
    /// <paramref name="request"/>, whose <see cref="HttpRequestMessage.RequestUri"/> is absolute.</summary>
    public async Task SignAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw Errors.Argument("the request has no address.", nameof(request));
        if (!uri.IsAbsoluteUri) throw Errors.Argument("the request address must be absolute (the signature covers its authority).", nameof(request));
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var digest = RelayRequestSignature.ContentDigest(body);
        var protocol = request.Headers.TryGetValues(RelayHttp.ProtocolHeader, out var values) ? string.Join(", ", values) : RelayHttp.ProtocolVersion;
        if (!request.Headers.Contains(RelayHttp.ProtocolHeader)) request.Headers.TryAddWithoutValidation(RelayHttp.ProtocolHeader, protocol);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)); // 24 characters, no padding
        var parameters = RelayRequestSignature.Parameters(_time.GetUtcNow().ToUnixTimeSeconds(), nonce, Author.Value);
        var signatureBase = RelayRequestSignature.Base(request.Method.Method.ToUpperInvariant(), uri.IsDefaultPort ? uri.Host.ToLowerInvariant() : uri.Authority.ToLowerInvariant(),
            uri.AbsolutePath, uri.Query.Length == 0 ? "?" : uri.Query, digest, protocol, parameters);
        var signature = _currentKey().Sign(signatureBase);
        foreach (var header in new[] { "Content-Digest", "Signature-Input", "Signature", RelayHttp.MembershipHeader }) request.Headers.Remove(header);
        request.Headers.TryAddWithoutValidation("Content-Digest", digest);
        request.Headers.TryAddWithoutValidation("Signature-Input", RelayRequestSignature.Label + "=" + parameters);
        request.Headers.TryAddWithoutValidation("Signature", RelayRequestSignature.SignatureField(signature));
        if (_membership is not null) request.Headers.TryAddWithoutValidation(RelayHttp.MembershipHeader, _membership);
    }
}
