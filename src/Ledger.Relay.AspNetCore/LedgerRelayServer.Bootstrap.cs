using Ledger.Kernel;
using Microsoft.AspNetCore.Http;

namespace Ledger.Sync.AspNetCore;

// POST/GET bootstrap (docs/http-protocol.md, "Bootstrap of a new device"): a member posts a signed checkpoint of a relay
// prefix it folded; the relay core checks it without folding and keeps the latest per member; anyone who may read the
// ledger gets them with the key events of the authors they name. The leaf hashes a device needs are the level-0 tiles.
public sealed partial class LedgerRelayServer
{
    /// <summary>The problem code of a refused bootstrap checkpoint; the detail starts with the
    /// <see cref="BootstrapRefusal"/> name, then a colon.</summary>
    public const string BootstrapRefusedCode = "bootstrap-refused";

    internal Task PostBootstrapAsync(HttpContext context) => HandleAsync(context, write: true, async (c, ledger) =>
    {
        if (!IsMediaType(c.Request.ContentType, BootstrapWire.MediaType))
        {
            await UnsupportedMediaType(c, BootstrapWire.MediaType).ConfigureAwait(false);
            return;
        }

        var body = Body(c);
        if (body.Length > BootstrapWire.MaxBytes)
        {
            await TooLarge(c, BootstrapWire.MaxBytes).ConfigureAwait(false);
            return;
        }

        BootstrapCheckpoint posted;
        try
        {
            posted = BootstrapWire.Decode(body);
        }
        catch (LedgerFormatException e)
        {
            await RefuseBootstrap(c, BootstrapRefusal.Malformed, e.Message).ConfigureAwait(false);
            return;
        }

        // Only the member itself posts its checkpoint; a revoked one posts none.
        if (c.Items[SignerKey] is AuthorId signer && signer != posted.Author)
        {
            await RefuseBootstrap(c, BootstrapRefusal.SignerNotMember, $"{signer} may not post {posted.Author}'s checkpoint.").ConfigureAwait(false);
            return;
        }

        if (ledger.IsRevoked(posted.Author))
        {
            await RefuseBootstrap(c, BootstrapRefusal.SignerNotMember, $"{posted.Author}'s membership is revoked.").ConfigureAwait(false);
            return;
        }

        try
        {
            await ledger.Relay.PostBootstrapCheckpointAsync(body, c.RequestAborted).ConfigureAwait(false);
        }
        catch (BootstrapRefusedException e)
        {
            await RefuseBootstrap(c, e.Refusal, e.Detail).ConfigureAwait(false);
            return;
        }

        c.Response.StatusCode = StatusCodes.Status204NoContent;
        c.Response.Headers.CacheControl = "no-store";
    });

    internal Task GetBootstrapAsync(HttpContext context) => HandleAsync(context, write: false, async (c, ledger) =>
    {
        var offer = await ledger.Relay.GetBootstrapOfferAsync(c.RequestAborted).ConfigureAwait(false);
        Interlocked.Increment(ref _reads);
        await WriteAsync(c, BootstrapWire.MediaType, "no-store", offer.ToBytes()).ConfigureAwait(false);
    });

    private static Task RefuseBootstrap(HttpContext c, BootstrapRefusal refusal, string detail)
    {
        var status = refusal switch
        {
            BootstrapRefusal.SignerNotMember => StatusCodes.Status403Forbidden,
            BootstrapRefusal.BadSignature => StatusCodes.Status401Unauthorized,
            _ => StatusCodes.Status400BadRequest,
        };
        return Problems.WriteAsync(c, status, BootstrapRefusedCode, $"{refusal}: {detail} The checkpoint was not kept.");
    }
}
