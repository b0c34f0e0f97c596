namespace Ledger.Signing.Recovery;

/// <summary>The member shares of one group of a split.</summary>
public sealed class ShareSetGroup
{
    internal ShareSetGroup(int groupIndex, int memberThreshold, IReadOnlyList<string> mnemonics)
    {
        GroupIndex = groupIndex;
        MemberThreshold = memberThreshold;
        Mnemonics = mnemonics;
    }

    /// <summary>The zero-based index of the group, as the order of the <see cref="GroupSpec"/>s given.</summary>
    public int GroupIndex { get; }

    /// <summary>How many of <see cref="Mnemonics"/> rebuild the group share.</summary>
    public int MemberThreshold { get; }

    /// <summary>The member shares, in member-index order.</summary>
    public IReadOnlyList<string> Mnemonics { get; }
}
