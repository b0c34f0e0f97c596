using Ledger.Kernel;

namespace Ledger.Migration;

/// <summary>The owner of a branch adopts a new manifest version: a Branch op authored under the new
/// manifest, so it has one position in one chain. It may reshape only its own branch's rows (new versions
/// add tables; it copies and converts), then records the adoption. Shared tables are never touched: old
/// and new software keep merging them the same way.</summary>
/// <remarks>Derive one per migration and list it in the new manifest (with <see cref="Adoptions.Table"/>).</remarks>
public abstract class AdoptVerb : Verb<AdoptArgs>
{
    /// <summary>Declares the adopt verb (a Branch verb).</summary>
    protected AdoptVerb(string name, uint version) : base(name, version, Scope.Branch)
    {
    }

    /// <summary>The human version this verb adopts.</summary>
    protected abstract uint ToVersion { get; }

    /// <summary>Reshapes the branch's rows for the new version.</summary>
    protected abstract void Reshape(VerbContext context);

    /// <inheritdoc />
    protected sealed override void Execute(VerbContext context, AdoptArgs args)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(args);
        if (args.ToVersion != ToVersion) context.Refuse("adopt-version-mismatch");
        if (context.TryGet(Adoptions.Table, "manifest", out var current) && current.Version >= args.ToVersion) context.Refuse("already-adopted");
        Reshape(context);
        context.Put(Adoptions.Table, "manifest", new AdoptedRow(context.OpManifest.Hash.ToArray(), args.ToVersion, context.Seq));
    }
}
