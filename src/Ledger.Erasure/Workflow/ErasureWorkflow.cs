using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure;

/// <summary>Runs erasure requests for a ledger, as the data controller: intake → locate the subject's key on every
/// replica → the erase op → collect the replicas' confirmations → a signed certificate of erasure.</summary>
/// <example>
/// <code>
/// var erasure = workflow.Intake(subject, log);          // provenance: which ops hold the subject's data
/// erasure.Locate(replicas.Select(r => r.Locate(subject)));
/// var op = erasure.Erase(authorLog);                     // a signed ledger.erase op; ship it like any op
/// // each replica: kernel.Apply(op) then replica.OnApplied(op, result) → a confirmation, sent back
/// erasure.Accept(confirmation);
/// var certificate = erasure.Certify();                   // lists who confirmed and who is pending
/// </code>
/// </example>
public sealed class ErasureWorkflow
{
    private readonly SigningKey _issuerKey;

    /// <summary>Creates the workflow.</summary>
    /// <param name="ledger">The ledger.</param>
    /// <param name="issuer">Who signs certificates (the controller's device author id).</param>
    /// <param name="issuerKey">Its key.</param>
    /// <param name="time">The clock for certificate stamps (default: the system clock).</param>
    public ErasureWorkflow(string ledger, AuthorId issuer, SigningKey issuerKey, TimeProvider? time = null)
    {
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("not a ledger name.", nameof(ledger));
        if (issuer.IsDefault) throw Error.Argument("default(AuthorId) names no issuer.", nameof(issuer));
        Ledger = ledger;
        Issuer = issuer;
        _issuerKey = issuerKey ?? throw Error.ArgumentNull(nameof(issuerKey));
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The ledger.</summary>
    public string Ledger { get; }

    /// <summary>Who signs certificates.</summary>
    public AuthorId Issuer { get; }

    internal TimeProvider Time { get; }

    /// <summary>Takes a request to erase <paramref name="subject"/>: finds, without any key, the sealed fields of the
    /// subject in <paramref name="log"/> (what will remain as ciphertext only).</summary>
    public ErasureCase Intake(SubjectId subject, IEnumerable<Op> log)
    {
        if (subject.IsDefault) throw Error.Argument("default(SubjectId) names no subject.", nameof(subject));
        return new ErasureCase(this, subject, SubjectProvenance.Find(log, subject));
    }

    internal ErasureCertificate Sign(ErasureCase erasure, EraseOpRef eraseOp) => ErasureCertificate.Issue(Ledger, erasure.Subject, eraseOp,
        Time.GetUtcNow().ToUnixTimeMilliseconds(), erasure.Remains, erasure.Confirmations, erasure.Pending, Issuer, _issuerKey);
}
