using FsCheck;
using FsCheck.Fluent;
using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

/// <summary>A generated split: a secret, a group layout, the format options, and a seed that drives
/// both the split's randomness and the choice of shares, so a failure replays from its printout.</summary>
public sealed record SplitScenario(byte[] Secret, int GroupThreshold, GroupSpec[] Groups, string Passphrase, bool Extendable, int IterationExponent, int Seed)
{
    private static readonly char[] Printable = Enumerable.Range(32, 95).Select(c => (char)c).ToArray();

    public static Arbitrary<SplitScenario> Arbitrary { get; } = Arb.From(Generator());

    public ShareSet Split() =>
        Slip39.Split(Secret, GroupThreshold, Groups, Passphrase, Extendable, IterationExponent, new DeterministicRandom(Seed));

    /// <summary>Exactly a threshold of shares: <see cref="GroupThreshold"/> random groups, each with its
    /// member threshold of random members, in random order.</summary>
    public List<string> QualifyingSubset(ShareSet set, Random choice) =>
        Shuffle(set.Groups.OrderBy(_ => choice.Next()).Take(GroupThreshold)
            .SelectMany(g => g.Mnemonics.OrderBy(_ => choice.Next()).Take(g.MemberThreshold)), choice);

    /// <summary>A set one short of qualifying: a group short of its member threshold when one has a
    /// threshold above 1, else a group short of the group threshold (empty when both are 1).</summary>
    public List<string> ShortSubset(ShareSet set, Random choice)
    {
        var chosen = set.Groups.OrderBy(_ => choice.Next()).Take(GroupThreshold).ToList();
        var shortGroup = chosen.FindIndex(g => g.MemberThreshold > 1);
        var shares = chosen.Select((g, i) => g.Mnemonics.OrderBy(_ => choice.Next()).Take(i == shortGroup ? g.MemberThreshold - 1 : g.MemberThreshold));
        return Shuffle(shortGroup >= 0 ? shares.SelectMany(s => s) : shares.Skip(1).SelectMany(s => s), choice);
    }

    public override string ToString() =>
        $"secret={Convert.ToHexStringLower(Secret)} groups={GroupThreshold} of [{string.Join(", ", Groups)}] passphrase=\"{Passphrase}\" extendable={Extendable} e={IterationExponent} seed={Seed}";

    private static List<string> Shuffle(IEnumerable<string> items, Random choice) => [.. items.OrderBy(_ => choice.Next())];

    private static Gen<SplitScenario> Generator()
    {
        var secret = Gen.Elements(16, 18, 20, 22, 24, 26, 28, 30, 32)
            .SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n));
        var group = Gen.Choose(1, 5).SelectMany(t => (t == 1 ? Gen.Constant(1) : Gen.Choose(t, 6)).Select(n => new GroupSpec(t, n)));
        var groups = Gen.Choose(1, 4).SelectMany(count => group.ArrayOf(count));
        var passphrase = Gen.OneOf(Gen.Constant(""), Gen.Constant("TREZOR"), Gen.Elements(Printable).ArrayOf().Select(c => new string(c)));
        return
            from s in secret
            from g in groups
            from gt in Gen.Choose(1, g.Length)
            from p in passphrase
            from ext in Gen.Elements(true, false)
            from e in Gen.Elements(0, 0, 0, 1)
            from seed in Gen.Choose(0, int.MaxValue)
            select new SplitScenario(s, gt, g, p, ext, e, seed);
    }
}
