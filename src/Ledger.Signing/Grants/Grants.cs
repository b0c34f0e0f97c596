using Ledger.Kernel;
using MessagePack;

namespace Ledger.Signing;

/// <summary>Redeeming grants (E3). A redemption is a Claim op on <c>grant:&lt;id&gt;</c>, so the relay order
/// decides, on every replica alike, which device opened a bound grant first and which redemption of a
/// single-use offer came second. The losers fold to correction rows that name both parties.</summary>
public static class Grants
{
    /// <summary>One row per grant ever redeemed.</summary>
    public static readonly ClaimTable<GrantRow> Rows = new("ledger.grants");

    /// <summary>Redemptions that failed, with who and why.</summary>
    public static readonly CorrectionTable<GrantRefusal> Refusals = new("ledger.grant-refusals");

    /// <summary>The redeem verb.</summary>
    public static readonly Redeem RedeemVerb = new();

    /// <summary>The manifest of the grant verbs; add it to the kernel's catalog to use grants.</summary>
    public static readonly Manifest Manifest = new ManifestBuilder("ledger-grants", 1).Tables(Rows, Refusals).Add(RedeemVerb).Build();

    /// <summary>Signs a redemption of <paramref name="grant"/> by <paramref name="log"/>'s author.</summary>
    public static SignedOp RedeemOn(AuthorLog log, Grant grant, string reference)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(grant);
        return log.Append(Manifest, RedeemVerb, new RedeemArgs(grant.Bytes.ToArray(), reference), claimKey: grant.ClaimKey);
    }

    /// <summary><c>ledger.grant.redeem</c> v1.</summary>
    public sealed class Redeem() : Verb<RedeemArgs>("ledger.grant.redeem", 1, Scope.Claim)
    {
        /// <inheritdoc />
        protected override void Execute(VerbContext context, RedeemArgs args)
        {
            Grant grant;
            try
            {
                grant = Grant.Decode(args.Grant);
            }
            catch (LedgerFormatException)
            {
                context.Refuse("malformed-grant");
                return;
            }

            if (context.ClaimKey != grant.ClaimKey) context.Refuse("claim-key-mismatch");
            if (!grant.VerifySignature()) context.Refuse("bad-grant-signature");
            var me = context.Author.Value;
            if (!context.TryGetClaim(Rows, out var row))
            {
                context.SetClaim(Rows, new GrantRow(grant.Kind == GrantKind.Bound ? me : "", me, 1, grant.Value));
                return;
            }

            if (grant.Kind == GrantKind.Bound && row.BoundTo != me)
            {
                context.Correct(Refusals, new GrantRefusal(grant.Id, "bound-elsewhere", me, row.BoundTo, args.Reference));
                return;
            }

            if (grant.SingleUse)
            {
                context.Correct(Refusals, new GrantRefusal(grant.Id, "double-claim", me, row.FirstClaimant, args.Reference));
                return;
            }

            context.SetClaim(Rows, row with { Uses = row.Uses + 1 });
        }
    }
}

/// <summary>Args of a redemption: the grant's signed bytes and the app's reference (an order number …).</summary>
[MessagePackObject]
public sealed record RedeemArgs([property: Key(0)] byte[] Grant, [property: Key(1)] string Reference);

/// <summary>A grant's redemption state.</summary>
/// <param name="BoundTo">The device (author) a bound grant is bound to; empty for bearer grants.</param>
/// <param name="FirstClaimant">The author whose redemption came first in relay order.</param>
/// <param name="Uses">Successful redemptions.</param>
/// <param name="Value">The grant's value.</param>
[MessagePackObject]
public sealed record GrantRow([property: Key(0)] string BoundTo, [property: Key(1)] string FirstClaimant, [property: Key(2)] int Uses, [property: Key(3)] long Value);

/// <summary>A failed redemption, attributed: who tried, who holds it, why.</summary>
/// <param name="GrantId">The grant.</param>
/// <param name="Reason"><c>bound-elsewhere</c> (a forwarded bound grant) or <c>double-claim</c> (a single-use grant redeemed twice).</param>
/// <param name="Claimant">The author whose redemption failed.</param>
/// <param name="Holder">The author it is bound to, or who redeemed it first.</param>
/// <param name="Reference">The failed redemption's reference.</param>
[MessagePackObject]
public sealed record GrantRefusal([property: Key(0)] string GrantId, [property: Key(1)] string Reason, [property: Key(2)] string Claimant, [property: Key(3)] string Holder, [property: Key(4)] string Reference);
