using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure.Tests;

/// <summary>Certificates of erasure: anyone can check them; a forged or inconsistent one gets a typed verdict.</summary>
public class CertificateTests
{
    private static readonly EraseOpRef Erase = new(new OpRef(new AuthorId("controller"), 9), Hash32.Sha256("erase"u8));
    private static readonly SubjectId Subject = SubjectId.New(new SeededRandom("cert"));

    private static SigningKey Key(string who) => SigningKey.FromSeed(Hash32.Sha256(System.Text.Encoding.UTF8.GetBytes(who)).ToArray());

    private static ErasureConfirmation Confirm(string replica, EraseOpRef? erase = null, SubjectId? subject = null) =>
        ErasureConfirmation.Sign("books", subject ?? Subject, erase ?? Erase, new AuthorId(replica), ConfirmationOutcome.Shredded, 5, Key(replica));

    private static ErasureCertificate Issue(IEnumerable<ErasureConfirmation> confirmations, IEnumerable<AuthorId>? pending = null) =>
        ErasureCertificate.Issue("books", Subject, Erase, 10, [new CiphertextLocation(new OpRef(new AuthorId("till"), 3), "name")], confirmations, pending ?? [], new AuthorId("controller"), Key("controller"));

    [Fact]
    [Trait("Risk", "E2")]
    public void A_certificate_decodes_to_what_was_issued_and_verifies_against_trusted_keys()
    {
        var certificate = Issue([Confirm("r2"), Confirm("r1")], [new AuthorId("r3")]);
        var decoded = ErasureCertificate.Decode(certificate.Bytes);
        Assert.Equal(certificate.Id, decoded.Id);
        Assert.Equal(16, certificate.Id.Length);
        Assert.Equal(["r1", "r2"], decoded.ConfirmedReplicas.Select(r => r.Value));
        Assert.Equal(["r3"], decoded.Pending.Select(r => r.Value));
        Assert.Equal(Erase, decoded.EraseOp);
        Assert.Equal(Subject, decoded.Subject);
        var trusted = new[] { "r1", "r2", "controller" }.ToDictionary(n => new AuthorId(n), n => Key(n).Public);
        var verdict = ErasureCertificateVerifier.Verify(certificate.Bytes, trusted);
        Assert.True(verdict.IsValid, verdict.ToString());
        Assert.True(verdict.KeysAnchored);
        Assert.False(ErasureCertificateVerifier.Verify(certificate.Bytes).KeysAnchored);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Keys_not_trusted_for_the_issuer_or_a_replica_are_reported_as_such()
    {
        var certificate = Issue([Confirm("r1")]);
        var trusted = new Dictionary<AuthorId, VerificationKey> { [new AuthorId("controller")] = Key("controller").Public, [new AuthorId("r1")] = Key("someone-else").Public };
        Assert.Equal(CertificateProblem.UntrustedReplica, ErasureCertificateVerifier.Verify(certificate.Bytes, trusted).Problem);
        trusted.Remove(new AuthorId("controller"));
        Assert.Equal(CertificateProblem.UntrustedIssuer, ErasureCertificateVerifier.Verify(certificate.Bytes, trusted).Problem);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Issuing_refuses_confirmations_for_another_erase_a_replica_twice_or_confirmed_and_pending()
    {
        Assert.Throws<ArgumentException>(() => Issue([Confirm("r1", erase: Erase with { ChainHash = Hash32.Zero })]));
        Assert.Throws<ArgumentException>(() => Issue([Confirm("r1", subject: SubjectId.New(new SeededRandom("other")))]));
        Assert.Throws<ArgumentException>(() => Issue([Confirm("r1"), Confirm("r1")]));
        Assert.Throws<ArgumentException>(() => Issue([Confirm("r1")], [new AuthorId("r1")]));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void A_certificate_signed_over_a_mismatched_confirmation_is_caught_by_the_verifier()
    {
        // Built by hand (as a forger would), bypassing Issue's checks: the issuer signature is good, the content is not.
        var honest = Issue([Confirm("r1")]);
        var forged = Issue([Confirm("r1")]).Bytes.ToArray();
        var foreign = Confirm("r1", erase: Erase with { ChainHash = Hash32.Zero }).Bytes.ToArray();
        var at = forged.AsSpan().IndexOf(honest.Confirmations[0].Bytes.Span);
        Assert.True(at > 0);
        foreign.CopyTo(forged, at);
        var resigned = Resign(forged, Key("controller"));
        Assert.Equal(CertificateProblem.ConfirmationMismatch, ErasureCertificateVerifier.Verify(resigned).Problem);
    }

    [Fact]
    public void The_workflow_rejects_confirmations_before_the_erase_op_and_certifying_without_one()
    {
        var workflow = new ErasureWorkflow("books", new AuthorId("controller"), Key("controller"));
        var erasure = workflow.Intake(Subject, []);
        Assert.Equal(ConfirmationAcceptance.Mismatch, erasure.Accept(Confirm("r1")));
        Assert.Throws<InvalidOperationException>(() => erasure.Certify());
        var op = ErasureManifest.Manifest.CreateOp(ErasureManifest.EraseVerb, new EraseArgs(Subject.Value), new AuthorId("controller"), 9, Hash32.Sha256("prev"u8), new BranchId(new AuthorId("controller"), "main"), 1, Guid.Empty);
        erasure.UseEraseOp(op);
        var confirmation = ErasureConfirmation.Sign("books", Subject, EraseOpRef.Of(op), new AuthorId("r1"), ConfirmationOutcome.Absent, 1, Key("r1"));
        Assert.Equal(ConfirmationAcceptance.Accepted, erasure.Accept(confirmation));
        Assert.Equal(ConfirmationAcceptance.AlreadyConfirmed, erasure.Accept(confirmation));
        Assert.Equal(ConfirmationAcceptance.Mismatch, erasure.Accept(Confirm("r2")));
        Assert.True(erasure.Certify().Complete);
    }

    private static byte[] Resign(byte[] certificate, SigningKey key)
    {
        var signatureAt = certificate.Length - 64;
        key.Sign(certificate.AsSpan(1, signatureAt - 2 - 1), certificate.AsSpan(signatureAt, 64));
        return certificate;
    }
}
