using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>A generated log in relay order: entry i has relay position i.</summary>
/// <param name="Entries">The ops with their positions, in relay order.</param>
/// <param name="Manifest">The manifest the ops name.</param>
public sealed record GeneratedLog(IReadOnlyList<SequencedOp> Entries, Manifest Manifest)
{
    /// <summary>Number of ops.</summary>
    public int Count => Entries.Count;

    /// <summary>A one-line summary for failure messages.</summary>
    public override string ToString()
    {
        var authors = Entries.Select(e => e.Op.Author).Distinct().Count();
        var claims = Entries.Count(e => e.Op.ClaimKey is not null);
        return $"{Count} ops by {authors} authors, {claims} with claim keys";
    }
}
