namespace Ledger.Signing.Recovery;

/// <summary>One group of a SLIP-0039 split: <see cref="MemberThreshold"/> of its
/// <see cref="MemberCount"/> member shares rebuild the group's share.</summary>
/// <param name="MemberThreshold">How many member shares rebuild the group share, 1 to 16.</param>
/// <param name="MemberCount">How many member shares to create, 1 to 16; must be 1 when the threshold is 1.</param>
public readonly record struct GroupSpec(int MemberThreshold, int MemberCount)
{
    /// <summary>A group of one share that alone rebuilds the group share.</summary>
    public static GroupSpec Single => new(1, 1);

    /// <inheritdoc />
    public override string ToString() => $"{MemberThreshold}/{MemberCount}";
}
