using Ledger.Kernel;

namespace Ledger.TestDomain;

public sealed class PutNote() : Verb<NoteArgs>("note.put", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, NoteArgs args) => ctx.Put(Tables.Notes, args.Key, new Note(args.Text, ctx.At));
}

public sealed class RemoveNote() : Verb<NoteArgs>("note.remove", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, NoteArgs args)
    {
        if (!ctx.TryGet(Tables.Notes, args.Key, out _)) ctx.Refuse("no-such-note");
        ctx.Remove(Tables.Notes, args.Key);
    }
}

/// <summary>Moves stock in a branch; refuses to go below zero (a rule that depends on branch order).</summary>
public sealed class MoveStock() : Verb<AmountArgs>("stock.move", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, AmountArgs args)
    {
        var level = ctx.GetOrDefault(Tables.Stock, args.Key, 0L) + args.Amount;
        if (level < 0) ctx.Refuse("insufficient-stock");
        ctx.Put(Tables.Stock, args.Key, level);
        ctx.Add(Tables.Balances, "stock:" + args.Key, args.Amount);
    }
}

/// <summary>Posts a sale: an invoice row in the branch and Shared merges.</summary>
public sealed class PostSale() : Verb<SaleArgs>("sale.post", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, SaleArgs args)
    {
        if (args.Cents <= 0) ctx.Refuse("non-positive");
        var id = ctx.NewId();
        ctx.Put(Tables.Invoices, id, new Invoice(args.Account, args.Cents, args.Invoice));
        ctx.Add(Tables.Balances, args.Account, args.Cents);
        ctx.Max(Tables.Peaks, args.Account, args.Cents);
        ctx.Min(Tables.Floors, args.Account, args.Cents);
    }
}

public sealed class AddTally() : Verb<AmountArgs>("tally.add", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Add(Tables.Balances, args.Key, args.Amount);
}

public sealed class OfferPeak() : Verb<AmountArgs>("peak.offer", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, AmountArgs args)
    {
        ctx.Max(Tables.Peaks, args.Key, args.Amount);
        ctx.Min(Tables.Floors, args.Key, args.Amount);
    }
}

public sealed class AddTag() : Verb<TagArgs>("tag.add", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, TagArgs args) => ctx.AddToSet(Tables.Tags, args.Key, args.Tag);
}

public sealed class SetPrice() : Verb<AmountArgs>("price.set", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Put(Tables.Prices, args.Key, args.Amount);
}

/// <summary>Adds units to the claim pool named by the op's claim key.</summary>
public sealed class StockPool() : Verb<UnitsArgs>("pool.stock", 1, Scope.Claim)
{
    protected override void Execute(VerbContext ctx, UnitsArgs args)
    {
        if (args.Units <= 0) ctx.Refuse("non-positive");
        var pool = ctx.TryGetClaim(Tables.Pools, out var p) ? p : new Pool(0, "");
        ctx.SetClaim(Tables.Pools, pool with { Units = pool.Units + args.Units });
    }
}

/// <summary>Takes one unit from the pool; when none is left, the loser folds to a backorder correction.</summary>
public sealed class TakeUnit() : Verb<UnitsArgs>("pool.take", 1, Scope.Claim)
{
    protected override void Execute(VerbContext ctx, UnitsArgs args)
    {
        if (ctx.TryGetClaim(Tables.Pools, out var pool) && pool.Units > 0)
        {
            ctx.SetClaim(Tables.Pools, new Pool(pool.Units - 1, ctx.Author.Value));
            ctx.Add(Tables.Balances, "taken:" + ctx.ClaimKey, 1);
        }
        else
        {
            ctx.Correct(Tables.Backorders, new Backorder(ctx.ClaimKey!, args.Reference, ctx.Author.Value));
            ctx.Add(Tables.Balances, "backordered:" + ctx.ClaimKey, 1);
        }
    }
}

// ---------------- verbs that break the rules, to prove the kernel enforces them ----------------

/// <summary>A Shared verb that writes a branch row: a scope violation.</summary>
public sealed class SharedWritesBranch() : Verb<NoteArgs>("bad.shared-writes-branch", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, NoteArgs args)
    {
        ctx.Add(Tables.Balances, args.Key, 1);
        ctx.Put(Tables.Notes, args.Key, new Note(args.Text, ctx.At));
    }
}

/// <summary>Swallows its own scope violation and carries on writing: must still be refused.</summary>
public sealed class SwallowsViolation() : Verb<NoteArgs>("bad.swallow", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, NoteArgs args)
    {
        try
        {
            ctx.TryGet(Tables.Notes, args.Key, out _);
        }
        catch (ScopeViolationException)
        {
            // deliberately swallowed
        }

        ctx.Add(Tables.Balances, args.Key, 1_000_000);
    }
}

/// <summary>Writes a Counter table through a Max handle: a mixed merge.</summary>
public sealed class MixedMerge() : Verb<AmountArgs>("bad.mixed-merge", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Max(Tables.BalancesAsMax, args.Key, args.Amount);
}

/// <summary>Writes a table its manifest does not declare.</summary>
public sealed class WritesUndeclared() : Verb<AmountArgs>("bad.undeclared", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, AmountArgs args) => ctx.Add(Tables.Undeclared, args.Key, args.Amount);
}

/// <summary>A Branch verb touching a claim row.</summary>
public sealed class BranchTouchesClaim() : Verb<UnitsArgs>("bad.branch-claims", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, UnitsArgs args) => ctx.SetClaim(Tables.Pools, new Pool(args.Units, ""));
}

/// <summary>Throws when the amount is odd, after a write: the write must not survive.</summary>
public sealed class ThrowsHalfway() : Verb<AmountArgs>("bad.throws", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, AmountArgs args)
    {
        ctx.Add(Tables.Balances, args.Key, args.Amount);
        if (args.Amount % 2 != 0) throw new InvalidOperationException("odd amounts are not supported");
    }
}

/// <summary>Records that a data subject is erased (the one write an erase verb makes).</summary>
public sealed class EraseSubject() : Verb<NoteArgs>("subject.erase", 1, Scope.Shared)
{
    protected override void Execute(VerbContext ctx, NoteArgs args) => ctx.RecordErasure(args.Key);
}
