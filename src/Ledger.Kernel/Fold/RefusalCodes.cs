namespace Ledger.Kernel;

/// <summary>The stable refusal codes. A refusal row holds a code, never a localized message; codes are
/// part of the state hash, so they never change meaning.</summary>
public static class RefusalCodes
{
    /// <summary>The verb touched state its scope does not allow (the context was poisoned).</summary>
    public const string Scope = "scope";

    /// <summary>A Shared write used another merge kind than its table declares.</summary>
    public const string Merge = "merge";

    /// <summary>A Branch-scoped op whose author does not own the branch.</summary>
    public const string Owner = "owner";

    /// <summary>The op's manifest is known but does not list its verb version.</summary>
    public const string Verb = "verb";

    /// <summary>A Claim op without a claim key, or a non-Claim op with one.</summary>
    public const string ClaimKey = "claimkey";

    /// <summary>The args did not decode into the verb's argument type.</summary>
    public const string Args = "args";

    /// <summary>Prefix of the codes a verb gives with <see cref="VerbContext.Refuse"/>: <c>rule:&lt;name&gt;</c>.</summary>
    public const string RulePrefix = "rule:";

    /// <summary>Prefix of the codes for an exception a verb let escape: <c>fault:&lt;type&gt;</c>.</summary>
    public const string FaultPrefix = "fault:";
}
