using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary><c>ledger.erase</c> v1 (Shared): records that a subject is erased — the row <c>$erased(subject)</c> and
/// nothing else. Records commute, so erase ops fold the same in any order and on any branch; two erase ops of
/// one subject write the same row. Destroying the key is not the fold's business: each replica does it after
/// the op commits (<see cref="ErasureReplica.OnApplied"/>).</summary>
public sealed class EraseVerb() : Verb<EraseArgs>("ledger.erase", 1, Scope.Shared)
{
    /// <inheritdoc />
    protected override void Execute(VerbContext context, EraseArgs args)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        if (!SubjectId.IsValid(args.Subject)) context.Refuse("not-a-subject");
        context.RecordErasure(args.Subject);
    }
}
