using Ledger.Kernel;
using MessagePack;

namespace Ledger.Erasure.Tests;

/// <summary>A customer on a till's branch: the name is sealed, the account and credit limit are not.</summary>
[MessagePackObject]
public sealed record CustomerRow([property: Key(0), PersonalData] Sealed<string> Name, [property: Key(1)] string Account, [property: Key(2)] long CreditCents);

/// <summary>Registers a customer: personal data sealed, accounting data clear.</summary>
[MessagePackObject]
public sealed record RegisterArgs(
    [property: Key(0)] string Subject,
    [property: Key(1), PersonalData] Sealed<string> Name,
    [property: Key(2), PersonalData] Sealed<string> Email,
    [property: Key(3)] string Account,
    [property: Key(4)] long CreditCents);

/// <summary>An order: one op carrying two subjects' data (the buyer's and the recipient's address).</summary>
[MessagePackObject]
public sealed record OrderArgs(
    [property: Key(0)] string Order,
    [property: Key(1)] string Buyer,
    [property: Key(2), PersonalData] Sealed<string> BuyerAddress,
    [property: Key(3)] string Recipient,
    [property: Key(4), PersonalData] Sealed<string> RecipientAddress,
    [property: Key(5)] long Cents);

/// <summary>A small customer domain for the erasure tests.</summary>
public static class Crm
{
    public static readonly BranchTable<CustomerRow> Customers = new("customers");
    public static readonly BranchTable<OrderArgs> Orders = new("orders");
    public static readonly CounterTable Accounts = new("accounts");
    public static readonly Register RegisterVerb = new();
    public static readonly PostOrder OrderVerb = new();

    public static readonly Manifest Manifest = new ManifestBuilder("crm", 1)
        .Tables(Customers, Orders, Accounts)
        .Add(RegisterVerb, OrderVerb)
        .Build();

    /// <summary>customer.register v1: the row keeps the sealed name as it came (opaque) and the clear account.</summary>
    public sealed class Register() : Verb<RegisterArgs>("customer.register", 1, Scope.Branch)
    {
        protected override void Execute(VerbContext ctx, RegisterArgs args)
        {
            if (ctx.TryGet(Customers, args.Subject, out _)) ctx.Refuse("duplicate-customer");
            ctx.Put(Customers, args.Subject, new CustomerRow(args.Name, args.Account, args.CreditCents));
            ctx.Add(Accounts, "credit-granted", args.CreditCents);
        }
    }

    /// <summary>order.post v1.</summary>
    public sealed class PostOrder() : Verb<OrderArgs>("order.post", 1, Scope.Branch)
    {
        protected override void Execute(VerbContext ctx, OrderArgs args)
        {
            if (args.Cents <= 0) ctx.Refuse("non-positive-amount");
            ctx.Put(Orders, args.Order, args);
            ctx.Add(Accounts, "revenue", args.Cents);
        }
    }
}
