namespace Ledger.Sync.Tests;

/// <summary>The golden vectors, produced again under hostile current cultures: not one byte may change.</summary>
public sealed class CultureInvarianceTests
{
    [Theory]
    [MemberData(nameof(InCulture.Hostile), MemberType = typeof(InCulture))]
    [Trait("Risk", "C1")]
    public async Task Merkle_proofs_checkpoint_notes_cosignatures_evidence_and_node_exports_are_byte_identical_under_culture(string culture)
    {
        if (Golden.Regenerating) return; // golden files are written under the host's culture only
        await InCulture.RunAsync(culture, async () =>
        {
            var transparency = new TransparencyGoldenVectorTests();
            transparency.Merkle_root_inclusion_and_consistency_proofs_of_a_seven_leaf_tree_are_pinned_and_verify_under_the_rfc_9162_rules();
            await transparency.A_relay_checkpoint_note_signed_with_a_seed_derived_key_is_pinned_and_verifies_as_documented();
            transparency.A_timestamped_cosignature_on_the_checkpoint_is_pinned_and_verifies_as_documented();
            transparency.Split_view_evidence_in_both_forms_is_pinned_and_verifies_standalone();
            await new NodeExportGoldenTests().A_node_export_with_own_foreign_acknowledged_and_unacknowledged_records_is_pinned_and_verifies_as_documented();
        });
    }
}
