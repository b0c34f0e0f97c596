namespace Ledger.Erasure.Tests;

/// <summary>The golden vectors, produced again under hostile current cultures: not one byte may change.</summary>
public sealed class CultureInvarianceTests
{
    [Theory]
    [MemberData(nameof(InCulture.Hostile), MemberType = typeof(InCulture))]
    [Trait("Risk", "C1")]
    public void Sealed_fields_wrapped_keys_confirmations_and_certificates_are_byte_identical_under_culture(string culture)
    {
        if (Golden.Regenerating) return; // golden files are written under the host's culture only
        InCulture.Run(culture, () => new WireFormatTests().Sealed_field_wrapped_key_confirmation_and_certificate_bytes_are_pinned());
    }
}
