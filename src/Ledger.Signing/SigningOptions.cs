namespace Ledger.Signing;

/// <summary>Configuration of Ledger.Signing.</summary>
public sealed class SigningOptions
{
    /// <summary>The ledger every signature is bound to. Required.</summary>
    public string Ledger { get; set; } = "";

    /// <summary>Also register the grant verbs with the kernel (default true).</summary>
    public bool EnableGrants { get; set; } = true;
}
