using Ledger.Kernel;

namespace Ledger.Sync.Conformance;

/// <summary>The one-verb manifest the conformance chains are authored under (stores never fold, so what the verb
/// does matters only in that it is a legal Branch verb).</summary>
internal static class ConformanceManifest
{
    public static readonly BranchTable<long> Notes = new("notes");

    public static readonly NoteVerb Note = new();

    public static readonly Manifest Manifest = new ManifestBuilder("conformance", 1).Tables(Notes).Add(Note).Build();
}

/// <summary>Writes a value on the author's own branch.</summary>
internal sealed class NoteVerb() : Verb<NoteArgs>("conformance.note", 1, Scope.Branch)
{
    protected override void Execute(VerbContext ctx, NoteArgs args) => ctx.Put(ConformanceManifest.Notes, args.Key, args.Value);
}
