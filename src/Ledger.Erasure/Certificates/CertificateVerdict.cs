namespace Ledger.Erasure;

/// <summary>The verdict on a certificate of erasure.</summary>
/// <param name="Problem">Why it does not verify, or null when it does.</param>
/// <param name="Detail">What was checked or what failed, for people; never personal data.</param>
/// <param name="Certificate">The decoded certificate (null when the bytes did not decode).</param>
public sealed record CertificateVerdict(CertificateProblem? Problem, string Detail, ErasureCertificate? Certificate)
{
    /// <summary>True when every check passed.</summary>
    public bool IsValid => Problem is null;

    /// <summary>True when the replicas' and issuer's keys were checked against keys the caller trusts; without
    /// trusted keys a valid verdict proves only that the certificate is intact and self-consistent.</summary>
    public bool KeysAnchored { get; init; }

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"valid: {Detail}" : $"{Problem}: {Detail}";
}
