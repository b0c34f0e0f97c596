namespace Ledger.Fuzz.Tests;

/// <summary>Failures the fuzzer finds that are being fixed elsewhere: while listed, a matching exception is counted and
/// reported instead of failing the run. Remove an entry when its fix lands (the run then proves it).</summary>
internal static class KnownFailures
{
    /// <summary>Issue 14, defect 1 (fixed on another branch): an inception op whose args are not a well-formed
    /// <c>InceptArgs</c> (e.g. MessagePack nil) makes <c>AuthorChainVerifier</c> throw <see cref="NullReferenceException"/>
    /// (or another untyped exception while decoding key-event args), escaping <c>ChainVerifier.Verify</c>,
    /// <c>ChainFile.VerifyAll</c>, <c>Evidence.Verify</c> and <c>NodeExport.Verify</c>. Key-event argument decoding is not
    /// this branch's to change.</summary>
    public static bool Defect1KeyEventArgs(Exception e) =>
        e is not (FuzzPropertyException or FuzzFailureException)
        && (e.StackTrace ?? "").Contains("Ledger.Signing.AuthorChainVerifier", StringComparison.Ordinal)
        && (e is NullReferenceException || (e.StackTrace ?? "").Contains("KeyEvent", StringComparison.Ordinal));

    /// <summary>Targets whose runs tolerate <see cref="Defect1KeyEventArgs"/>.</summary>
    public static readonly IReadOnlyDictionary<string, Func<Exception, bool>> ByTarget = new Dictionary<string, Func<Exception, bool>>(StringComparer.Ordinal)
    {
        ["key-event-args"] = Defect1KeyEventArgs,
        ["resigned-op"] = Defect1KeyEventArgs,
        ["chain-file"] = Defect1KeyEventArgs,
        ["evidence"] = Defect1KeyEventArgs,
        ["node-export"] = Defect1KeyEventArgs,
    };
}
