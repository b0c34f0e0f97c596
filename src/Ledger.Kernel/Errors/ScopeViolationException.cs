namespace Ledger.Kernel;

/// <summary>A verb touched state its scope does not allow. The op is refused even if the verb
/// catches this exception: the context is poisoned when it is thrown.</summary>
public sealed class ScopeViolationException : LedgerException
{
    internal ScopeViolationException(string code, string message) : base(message)
    {
        Code = code;
    }

    /// <summary>The refusal code the op receives (<c>scope</c> or <c>merge</c>).</summary>
    public string Code { get; }
}
