namespace Ledger.Kernel;

/// <summary>Thrown by <see cref="VerbContext.Refuse"/>: the verb decided the op breaks a rule.</summary>
public sealed class VerbRefusedException : LedgerException
{
    internal VerbRefusedException(string code) : base($"refused: {code}")
    {
        Code = code;
    }

    /// <summary>The refusal code, e.g. <c>rule:insufficient-stock</c>.</summary>
    public string Code { get; }
}
