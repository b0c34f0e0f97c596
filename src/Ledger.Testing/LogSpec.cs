using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>What generated logs look like: the manifest and verbs, how many authors, claim keys and ops.</summary>
public sealed class LogSpec
{
    /// <summary>Describes logs over <paramref name="manifest"/> with the given verb cases.</summary>
    public LogSpec(Manifest manifest, params IEnumerable<VerbCase> verbs)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Manifest = manifest;
        Verbs = verbs.ToArray();
        if (Verbs.Count == 0) throw Error.Argument("a log spec needs at least one verb case.", nameof(verbs));
        foreach (var v in Verbs)
        {
            if (!manifest.TryGetVerb(v.Verb.Name, v.Verb.Version, out var listed) || !ReferenceEquals(listed, v.Verb))
            {
                throw Error.Argument($"{v.Verb.Key} is not part of manifest {manifest}.", nameof(verbs));
            }
        }
    }

    /// <summary>The manifest every generated op names.</summary>
    public Manifest Manifest { get; }

    /// <summary>The verb cases.</summary>
    public IReadOnlyList<VerbCase> Verbs { get; }

    /// <summary>Number of authors (devices); each owns one branch <c>&lt;author&gt;/main</c>. Default 4.</summary>
    public int Authors { get; init; } = 4;

    /// <summary>Claim keys Claim ops compete for. Default two.</summary>
    public IReadOnlyList<string> ClaimKeys { get; init; } = ["sku:last-1", "sku:last-2"];

    /// <summary>Smallest number of ops in a log. Default 1.</summary>
    public int MinOps { get; init; } = 1;

    /// <summary>Largest number of ops in a log. Default 60.</summary>
    public int MaxOps { get; init; } = 60;

    /// <summary>Per mille of ops whose envelope is wrong on purpose (a Branch op on another author's
    /// branch, a claim key on a non-Claim op or none on a Claim op), so refusals are exercised too. Default 30.</summary>
    public int MisaddressedPerMille { get; init; } = 30;

    /// <summary>The edge clock of the first op (Unix ms); later ops advance it by generated steps.</summary>
    public long StartAt { get; init; } = 1_767_225_600_000;
}
