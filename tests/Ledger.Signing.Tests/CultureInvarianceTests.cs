namespace Ledger.Signing.Tests;

/// <summary>The golden vectors, produced again under hostile current cultures: not one byte may change.</summary>
public sealed class CultureInvarianceTests
{
    [Theory]
    [MemberData(nameof(InCulture.Hostile), MemberType = typeof(InCulture))]
    [Trait("Risk", "C1")]
    public void Signed_ops_key_event_manifests_and_ed25519_verdicts_are_byte_identical_under_culture(string culture)
    {
        if (Golden.Regenerating) return; // golden files are written under the host's culture only
        InCulture.Run(culture, () =>
        {
            var codec = new SignedOpCodecTests();
            codec.Signed_op_bytes_are_pinned_by_a_golden_vector();
            new SystemManifestTests().The_key_event_and_grant_manifest_ids_are_pinned();
            new Ed25519ValidityTests().Ed25519_acceptance_of_edge_case_signatures_is_pinned();
        });
    }
}
