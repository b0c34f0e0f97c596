namespace Ledger.Kernel;

/// <summary>Marks a member that holds personal data (a name, an address, an e-mail …). Its type must be a sealed
/// field (<c>Ledger.Erasure.Sealed&lt;T&gt;</c>): plaintext that reaches the log can never be erased, because the log
/// is immutable. The Ledger analyzer that ships in this package reports a <c>[PersonalData]</c> member of any
/// other type as a build error.</summary>
/// <remarks>It lives in the kernel, beside the analyzer, so domain assemblies can mark personal data before they
/// take Ledger.Erasure and the lint finds the attribute by symbol without referencing it.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class PersonalDataAttribute : Attribute
{
}
