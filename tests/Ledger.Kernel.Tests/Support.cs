using System.Runtime.CompilerServices;
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

/// <summary>Golden files: checked in, compared exactly, rewritten only when LEDGER_REGENERATE_GOLDEN=1.</summary>
internal static class Golden
{
    public static bool Regenerating => Environment.GetEnvironmentVariable("LEDGER_REGENERATE_GOLDEN") == "1";

    public static string Dir([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    /// <summary>Compares <paramref name="actual"/> with the checked-in file; regenerates on request.</summary>
    public static void Match(string name, string actual)
    {
        var path = Path.Combine(Dir(), name);
        if (Regenerating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests once with LEDGER_REGENERATE_GOLDEN=1 and review the diff.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual.ReplaceLineEndings("\n"));
    }
}
