namespace Ledger.Signing.Recovery;

/// <summary>The result of <c>Slip39.Split</c>: every share of one split, by group.</summary>
public sealed class ShareSet
{
    internal ShareSet(int identifier, bool extendable, int iterationExponent, int groupThreshold, IReadOnlyList<ShareSetGroup> groups)
    {
        Identifier = identifier;
        Extendable = extendable;
        IterationExponent = iterationExponent;
        GroupThreshold = groupThreshold;
        Groups = groups;
    }

    /// <summary>The random 15-bit identifier printed in every share of this set.</summary>
    public int Identifier { get; }

    /// <summary>True for the extendable format.</summary>
    public bool Extendable { get; }

    /// <summary>The PBKDF2 iteration exponent (10,000 × 2^e iterations).</summary>
    public int IterationExponent { get; }

    /// <summary>How many groups rebuild the master secret.</summary>
    public int GroupThreshold { get; }

    /// <summary>The groups, in the order of the <see cref="GroupSpec"/>s given.</summary>
    public IReadOnlyList<ShareSetGroup> Groups { get; }

    /// <summary>Every mnemonic of every group, group by group.</summary>
    public IEnumerable<string> AllMnemonics => Groups.SelectMany(g => g.Mnemonics);
}
