using Ledger.Erasure;
using Ledger.Kernel;
using MessagePack;

namespace SiteBooks.Domain;

/// <summary>v3: a customer registered at a site's front desk. The name is personal data, sealed under the
/// customer's own key; the pseudonym, the account and the credit limit are business data and stay clear.</summary>
[MessagePackObject]
public sealed record CustomerArgs(
    [property: Key(0)] string Subject,
    [property: Key(1), PersonalData] Sealed<string> Name,
    [property: Key(2)] long CreditCents);

/// <summary>A customer row: the sealed name as it came (opaque to the fold), the clear credit limit.</summary>
[MessagePackObject]
public sealed record CustomerRow([property: Key(0), PersonalData] Sealed<string> Name, [property: Key(1)] long CreditCents);

/// <summary>customer.register v1 (v3): one row per customer pseudonym on the desk's branch.</summary>
public sealed class RegisterCustomer() : Verb<CustomerArgs>("customer.register", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, CustomerArgs args)
    {
        if (args.CreditCents < 0) ctx.Refuse("negative-credit");
        if (ctx.TryGet(Books.Customers, args.Subject, out _)) ctx.Refuse("duplicate-customer");
        ctx.Put(Books.Customers, args.Subject, new CustomerRow(args.Name, args.CreditCents));
    }
}
