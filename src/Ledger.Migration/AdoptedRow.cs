using Ledger.Kernel;
using MessagePack;

namespace Ledger.Migration;

/// <summary>The manifest a branch adopted, as its owner's adopt op recorded it.</summary>
/// <param name="Manifest">The adopted manifest id (32 bytes).</param>
/// <param name="Version">Its human version.</param>
/// <param name="AtSeq">The position of the adopt op in the owner's chain.</param>
[MessagePackObject]
public sealed record AdoptedRow([property: Key(0)] byte[] Manifest, [property: Key(1)] uint Version, [property: Key(2)] ulong AtSeq);

/// <summary>Args of an adopt op.</summary>
/// <param name="FromVersion">The version the branch leaves.</param>
/// <param name="ToVersion">The version it adopts (the manifest the op is authored under).</param>
[MessagePackObject]
public sealed record AdoptArgs([property: Key(0)] uint FromVersion, [property: Key(1)] uint ToVersion);

/// <summary>Adoption records in the books.</summary>
public static class Adoptions
{
    /// <summary>Per branch, row <c>manifest</c>: the adopted manifest.</summary>
    public static readonly BranchTable<AdoptedRow> Table = new("ledger.adopted");

    /// <summary>The adopted manifest of every branch that adopted one (for checkpoints).</summary>
    public static IReadOnlyList<AdoptedManifest> Read(StateStore state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var found = new List<AdoptedManifest>();
        foreach (var segment in state.Segments)
        {
            if (segment.Id.Table != Table.Name || segment.Id.Branch.Length == 0) continue;
            var branch = BranchId.Parse(segment.Id.Branch);
            if (state.TryGet(Table, branch, "manifest", out var row)) found.Add(new AdoptedManifest(branch, new ManifestId(new Hash32(row.Manifest))));
        }

        return found;
    }
}
