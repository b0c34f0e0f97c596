namespace Ledger.Sync.Http;

/// <summary>Signs every request that passes through it (<see cref="RequestSigner"/>). Place it inside the resilience
/// handler (added after it with <c>AddHttpMessageHandler</c>) so every retry is signed afresh, with a new nonce and
/// <c>created</c>: a resent request is never a replay.</summary>
public sealed class RequestSigningHandler : DelegatingHandler
{
    private readonly RequestSigner _signer;

    /// <summary>Signs with <paramref name="signer"/>.</summary>
    public RequestSigningHandler(RequestSigner signer) => _signer = signer ?? throw Errors.ArgumentNull(nameof(signer));

    /// <summary>Signs with <paramref name="signer"/>, sending through <paramref name="inner"/>.</summary>
    public RequestSigningHandler(RequestSigner signer, HttpMessageHandler inner)
        : base(inner) => _signer = signer ?? throw Errors.ArgumentNull(nameof(signer));

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await _signer.SignAsync(request, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
