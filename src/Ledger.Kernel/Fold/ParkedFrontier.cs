using System.Globalization;
using System.Text;

namespace Ledger.Kernel;

/// <summary>An op this replica holds but cannot fold yet, and why.</summary>
/// <param name="Op">The op.</param>
/// <param name="Manifest">The manifest it names.</param>
/// <param name="Verb">The verb version it names.</param>
/// <param name="Reason">Why it is parked.</param>
public sealed record ParkedOp(OpRef Op, ManifestId Manifest, VerbKey Verb, ParkReason Reason);

/// <summary>Why an op is parked.</summary>
public enum ParkReason
{
    /// <summary>This replica does not have the op's manifest: an update is needed.</summary>
    UnknownManifest = 1,

    /// <summary>An earlier op of the same author is parked.</summary>
    AuthorParked = 2,

    /// <summary>An earlier op of the same branch is parked.</summary>
    BranchParked = 3,

    /// <summary>Another op carrying the same claim key is parked: every claim on the key, pending before or
    /// arriving after, is held back until <see cref="LedgerKernel.Resume"/>.</summary>
    ClaimKeyParked = 4,
}

/// <summary>The parked frontier: what this replica stopped folding and what update it needs. Lives
/// outside the state; two replicas' state hashes are comparable only at equal parked frontiers.</summary>
public sealed class ParkedFrontier
{
    internal ParkedFrontier(IReadOnlyList<ParkedOp> ops, IReadOnlyDictionary<AuthorId, ulong> authors,
        IReadOnlyList<BranchId> branches, IReadOnlyList<string> claimKeys, IReadOnlyList<ManifestId> missing)
    {
        Ops = ops;
        Authors = authors;
        Branches = branches;
        ClaimKeys = claimKeys;
        MissingManifests = missing;
    }

    /// <summary>Parked ops in the order they were parked (every op the state leaves out).</summary>
    public IReadOnlyList<ParkedOp> Ops { get; }

    /// <summary>For each stopped author, the first parked sequence number.</summary>
    public IReadOnlyDictionary<AuthorId, ulong> Authors { get; }

    /// <summary>Stopped branches.</summary>
    public IReadOnlyList<BranchId> Branches { get; }

    /// <summary>Stopped claim keys.</summary>
    public IReadOnlyList<string> ClaimKeys { get; }

    /// <summary>Manifests this replica needs ("update needed").</summary>
    public IReadOnlyList<ManifestId> MissingManifests { get; }

    /// <summary>True when nothing is parked.</summary>
    public bool IsEmpty => Ops.Count == 0;

    /// <summary>One line per missing manifest: <c>update needed: manifest &lt;id&gt; (n ops parked)</c>.</summary>
    public override string ToString()
    {
        if (IsEmpty) return "nothing parked";
        var sb = new StringBuilder();
        foreach (var m in MissingManifests)
        {
            var count = Ops.Count(o => o.Manifest == m);
            sb.Append(CultureInfo.InvariantCulture, $"update needed: manifest {m} ({count} ops parked)").Append('\n');
        }

        sb.Append(CultureInfo.InvariantCulture, $"parked: {Ops.Count} ops; authors [{string.Join(", ", Authors.Keys.Order())}]; branches [{string.Join(", ", Branches)}]; claim keys [{string.Join(", ", ClaimKeys)}]");
        return sb.ToString();
    }
}
