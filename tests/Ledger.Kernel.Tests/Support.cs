using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

/// <summary>Builds chains of ops for the test domain.</summary>
internal sealed class Chain(string author, string branch = "main")
{
    private ulong _seq;
    private Hash32 _tip;
    private long _at = 1_767_225_600_000;

    public AuthorId Author { get; } = new(author);

    public BranchId Branch => new(Author, branch);

    public Op Next<TArgs>(Verb<TArgs> verb, TArgs args, string? claimKey = null, BranchId? onBranch = null, Manifest? manifest = null)
    {
        _seq++;
        _at += 1000;
        var m = manifest ?? TestManifest.V1;
        var op = new Op(Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(_at)), Author, _seq, _tip, m.Id, verb.Name, verb.Version,
            onBranch ?? Branch, claimKey, _at, verb.EncodeArgs(args));
        _tip = op.ChainHash;
        return op;
    }
}
