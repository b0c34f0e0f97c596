using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure;

/// <summary>Verifies a certificate of erasure from its bytes alone, for anyone (an auditor, the data subject's
/// advocate, another replica). Returns a typed verdict; never throws on bad content.</summary>
public static class ErasureCertificateVerifier
{
    /// <summary>Verifies <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The certificate.</param>
    /// <param name="trustedKeys">The Ed25519 keys the caller trusts for the issuer and the replicas (e.g. from their
    /// key states). When given, the issuer and every confirming replica must be in it with the key that signed.</param>
    public static CertificateVerdict Verify(ReadOnlyMemory<byte> bytes, IReadOnlyDictionary<AuthorId, VerificationKey>? trustedKeys = null)
    {
        if (!ErasureCertificate.TryDecode(bytes, out var certificate, out var error))
        {
            return new CertificateVerdict(CertificateProblem.Malformed, error.Message, null);
        }

        if (!certificate.VerifySignature())
        {
            return new CertificateVerdict(CertificateProblem.BadIssuerSignature, $"the signature of issuer {certificate.Issuer} does not verify.", certificate);
        }

        for (var i = 1; i < certificate.Remains.Count; i++)
        {
            if (certificate.Remains[i - 1].CompareTo(certificate.Remains[i]) >= 0)
            {
                return new CertificateVerdict(CertificateProblem.NotCanonical, $"remains[{i}] ({certificate.Remains[i]}) is out of order or repeated.", certificate);
            }
        }

        for (var i = 1; i < certificate.Pending.Count; i++)
        {
            if (string.CompareOrdinal(certificate.Pending[i - 1].Value, certificate.Pending[i].Value) >= 0)
            {
                return new CertificateVerdict(CertificateProblem.NotCanonical, $"pending[{i}] ({certificate.Pending[i]}) is out of order or repeated.", certificate);
            }
        }

        for (var i = 0; i < certificate.Confirmations.Count; i++)
        {
            var c = certificate.Confirmations[i];
            if (i > 0 && string.CompareOrdinal(certificate.Confirmations[i - 1].Replica.Value, c.Replica.Value) >= 0)
            {
                return new CertificateVerdict(CertificateProblem.NotCanonical, $"confirmations[{i}] ({c.Replica}) is out of order or repeated.", certificate);
            }

            if (c.Ledger != certificate.Ledger || c.Subject != certificate.Subject || c.EraseOp != certificate.EraseOp)
            {
                return new CertificateVerdict(CertificateProblem.ConfirmationMismatch, $"the confirmation of {c.Replica} is for another ledger, subject or erase op.", certificate);
            }

            if (!c.VerifySignature())
            {
                return new CertificateVerdict(CertificateProblem.BadConfirmationSignature, $"the confirmation of {c.Replica} does not verify.", certificate);
            }

            if (certificate.Pending.Contains(c.Replica))
            {
                return new CertificateVerdict(CertificateProblem.ConfirmedAndPending, $"{c.Replica} is listed as confirmed and as pending.", certificate);
            }
        }

        if (trustedKeys is not null)
        {
            if (!Trusts(trustedKeys, certificate.Issuer, certificate.IssuerKey.Span))
            {
                return new CertificateVerdict(CertificateProblem.UntrustedIssuer, $"issuer {certificate.Issuer} signed with a key that is not trusted for it.", certificate);
            }

            foreach (var c in certificate.Confirmations)
            {
                if (!Trusts(trustedKeys, c.Replica, c.ReplicaKey.Span))
                {
                    return new CertificateVerdict(CertificateProblem.UntrustedReplica, $"replica {c.Replica} confirmed with a key that is not trusted for it.", certificate);
                }
            }
        }

        return new CertificateVerdict(null,
            $"{certificate.Subject} erased by {certificate.EraseOp}; {certificate.Confirmations.Count} replica(s) confirmed, {certificate.Pending.Count} pending; {certificate.Remains.Count} field(s) remain as ciphertext only.",
            certificate)
        { KeysAnchored = trustedKeys is not null };
    }

    private static bool Trusts(IReadOnlyDictionary<AuthorId, VerificationKey> trusted, AuthorId who, ReadOnlySpan<byte> key) =>
        trusted.TryGetValue(who, out var expected) && expected.RawBytes.SequenceEqual(key);
}
