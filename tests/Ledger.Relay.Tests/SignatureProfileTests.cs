using Ledger.Sync;

namespace Ledger.Relay.Tests;

/// <summary>The RFC 9421 profile parses strictly: one spelling of Signature-Input and Signature, nothing else.</summary>
public sealed class SignatureProfileTests
{
    private const string Components = "(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"ledger-protocol\")";

    [Fact]
    public void The_profile_round_trips_its_own_spelling()
    {
        var parameters = RelayRequestSignature.Parameters(1767225600, "abc=", "dev-1");
        Assert.True(RelayRequestSignature.TryParseInput("sig1=" + parameters, out var created, out var nonce, out var keyId));
        Assert.Equal((1767225600L, "abc=", "dev-1"), (created, nonce, keyId));
        var field = RelayRequestSignature.SignatureField(new byte[64]);
        Assert.True(RelayRequestSignature.TryParseSignature(field, out var signature));
        Assert.Equal(new byte[64], signature);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sig2=" + Components + ";created=1;nonce=\"n\";keyid=\"k\";alg=\"ed25519\"")]
    [InlineData("sig1=(\"@method\" \"@path\");created=1;nonce=\"n\";keyid=\"k\";alg=\"ed25519\"")]
    [InlineData("sig1=" + Components + ";created=01;nonce=\"n\";keyid=\"k\";alg=\"ed25519\"")]
    [InlineData("sig1=" + Components + ";created=-1;nonce=\"n\";keyid=\"k\";alg=\"ed25519\"")]
    [InlineData("sig1=" + Components + ";created=1;keyid=\"k\";nonce=\"n\";alg=\"ed25519\"")]
    [InlineData("sig1=" + Components + ";created=1;nonce=\"n\";keyid=\"k\"")]
    [InlineData("sig1=" + Components + ";created=1;nonce=\"n\";keyid=\"k\";alg=\"rsa-pss-sha512\"")]
    [InlineData("sig1=" + Components + ";created=1;nonce=\"n\";keyid=\"k\";alg=\"ed25519\";expires=2")]
    [InlineData("sig1=" + Components + ";created=1;nonce=\"\";keyid=\"k\";alg=\"ed25519\"")]
    [InlineData("sig1=" + Components + ";created=1;nonce=\"a b\";keyid=\"k\";alg=\"ed25519\"")]
    [InlineData("sig1=" + Components + ";created=1;nonce=\"n\";keyid=\"k\";alg=\"ed25519\", sig2=()")]
    public void Other_signature_inputs_are_refused(string? header) => Assert.False(RelayRequestSignature.TryParseInput(header, out _, out _, out _));

    [Theory]
    [InlineData(null)]
    [InlineData("sig1=::")]
    [InlineData("sig2=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==:")]
    [InlineData("sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB==:")]
    [InlineData("sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:")]
    public void Other_signature_fields_are_refused(string? header) => Assert.False(RelayRequestSignature.TryParseSignature(header, out _));

    [Fact]
    public void A_component_value_with_a_line_break_is_never_signed() =>
        Assert.Throws<ArgumentException>(() => RelayRequestSignature.Base("GET", "h", "/p\n\"@method\": POST", "?", "d", "1", RelayRequestSignature.Parameters(1, "n", "k")));
}
