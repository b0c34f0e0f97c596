using Ledger.Kernel;

namespace Ledger.Signing;

/// <summary>Self-contained proof that a party misbehaved, verifiable by anyone from its bytes alone
/// (docs/wire-format.md, "Evidence v1"). Ledger.Signing defines <see cref="ClientForkEvidence"/> and
/// <see cref="StaleKeyEvidence"/>; Ledger.Sync adds relay evidence (split views) to the same format.</summary>
public abstract class Evidence
{
    /// <summary>The label that starts every piece of evidence.</summary>
    public const string Label = "ledger/evidence/v1";

    /// <summary>Creates evidence about <paramref name="ledger"/>.</summary>
    protected Evidence(string ledger)
    {
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("not a ledger name.", nameof(ledger));
        Ledger = ledger;
    }

    /// <summary>The kind on the wire, e.g. <c>client-fork</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The ledger.</summary>
    public string Ledger { get; }

    /// <summary>Who the evidence accuses: an author id, or a relay's origin.</summary>
    public abstract string Accused { get; }

    /// <summary>Checks the evidence from its own content. Never throws on bad content.</summary>
    public abstract EvidenceVerdict Verify();

    /// <summary>The canonical bytes.</summary>
    public abstract byte[] Encode();

    /// <inheritdoc />
    public override string ToString() => $"{Kind} evidence against {Accused} ({Ledger})";
}

/// <summary>The outcome of verifying evidence.</summary>
/// <param name="Valid">True when the evidence proves what it claims.</param>
/// <param name="Finding">What it proves, or why it does not.</param>
public readonly record struct EvidenceVerdict(bool Valid, string Finding)
{
    /// <summary>Valid evidence.</summary>
    public static EvidenceVerdict Proven(string finding) => new(true, finding);

    /// <summary>Evidence that proves nothing.</summary>
    public static EvidenceVerdict Rejected(string reason) => new(false, reason);
}
