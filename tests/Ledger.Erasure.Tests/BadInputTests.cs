using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure.Tests;

/// <summary>Damaged, misplaced and truncated sealed fields, wrapped keys and certificates: typed errors naming what
/// and where, never an unhandled exception, never a plaintext in a message.</summary>
public class BadInputTests
{
    private const string Secret = "Zelda Fitzgerald, 7 Jazz Age Avenue";
    private static readonly AuthorId Till = new("till-1");
    private static readonly OpRef SealedFor = new(Till, 42);

    private static (InMemorySubjectKeyStore Store, SubjectId Subject, Sealed<string> Field) Seal()
    {
        var random = new SeededRandom("bad-input");
        var store = new InMemorySubjectKeyStore();
        var subject = SubjectId.New(random);
        store.Add(subject, SubjectKey.Generate(random));
        return (store, subject, new Sealer(store, random).Seal(subject, Secret, SealedFor, "address"));
    }

    private static void NamesOpAndFieldWithoutPlaintext(Unsealed<string> result, OpRef op, string field, params SealedFieldProblem[] problems)
    {
        Assert.Equal(UnsealStatus.Invalid, result.Status);
        var error = Assert.IsType<SealedFieldException>(result.Error);
        Assert.Equal(op, error.Op);
        Assert.Equal(field, error.Field);
        Assert.Contains(error.Problem, problems);
        Assert.Contains(op.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Zelda", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Jazz", error.ToString(), StringComparison.Ordinal);
        Assert.Same(error, Assert.Throws<SealedFieldException>(() => result.ValueOrThrow()));
    }

    [Fact]
    [Trait("Risk", "E2")]
    [Trait("Category", "BadInput")]
    public void Every_tampered_ciphertext_or_tag_byte_fails_as_tampered_naming_op_and_field()
    {
        var (store, _, field) = Seal();
        var unsealer = new Unsealer(store);
        Assert.Equal(Secret, unsealer.Open(field, SealedFor, "address").Value);
        Assert.True(field.TryReadEnvelope(out var envelope, out _));
        for (var i = envelope.HeaderLength; i < field.Envelope.Length; i++)
        {
            var bytes = field.Envelope.ToArray();
            bytes[i] ^= 0x20;
            NamesOpAndFieldWithoutPlaintext(unsealer.Open(Sealed<string>.FromEnvelope(bytes), SealedFor, "address"), SealedFor, "address", SealedFieldProblem.Tampered);
        }
    }

    [Fact]
    [Trait("Risk", "E2")]
    [Trait("Category", "BadInput")]
    public void Every_changed_header_byte_is_refused_and_never_opens()
    {
        var (store, _, field) = Seal();
        var unsealer = new Unsealer(store);
        Assert.True(field.TryReadEnvelope(out var envelope, out _));
        for (var i = 0; i < envelope.HeaderLength; i++)
        {
            foreach (var flip in new byte[] { 0x01, 0x20, 0x80 })
            {
                var bytes = field.Envelope.ToArray();
                bytes[i] ^= flip;
                var result = unsealer.Open(Sealed<string>.FromEnvelope(bytes), SealedFor, "address");
                Assert.NotEqual(UnsealStatus.Open, result.Status);
                // A flip inside the subject can name another valid pseudonym, whose key this replica lacks.
                if (result.Status == UnsealStatus.KeyNotHeld) continue;
                NamesOpAndFieldWithoutPlaintext(result, SealedFor, "address", Enum.GetValues<SealedFieldProblem>());
            }
        }
    }

    [Fact]
    [Trait("Risk", "E2")]
    [Trait("Category", "BadInput")]
    public void Wrong_associated_data_another_op_another_field_or_a_rewritten_header_is_refused()
    {
        var (store, _, field) = Seal();
        var unsealer = new Unsealer(store);
        var otherOp = new OpRef(Till, 43);

        // The ciphertext copied into another op, or read as another field: the clear header says so.
        NamesOpAndFieldWithoutPlaintext(unsealer.Open(field, otherOp, "address"), otherOp, "address", SealedFieldProblem.WrongOp);
        NamesOpAndFieldWithoutPlaintext(unsealer.Open(field, SealedFor, "name"), SealedFor, "name", SealedFieldProblem.WrongField);

        // The header rewritten to claim the other op: the associated data no longer authenticates.
        Assert.True(field.TryReadEnvelope(out var envelope, out _));
        var bytes = field.Envelope.ToArray();
        var seqAt = 16 + 1 + SubjectId.Length + 1 + Till.Value.Length;
        Assert.Equal(42, bytes[seqAt + 7]);
        bytes[seqAt + 7] = 43;
        NamesOpAndFieldWithoutPlaintext(unsealer.Open(Sealed<string>.FromEnvelope(bytes), otherOp, "address"), otherOp, "address", SealedFieldProblem.Tampered);
        Assert.Equal(envelope.Op, SealedFor);
    }

    [Fact]
    [Trait("Risk", "E2")]
    [Trait("Category", "BadInput")]
    public void A_truncated_envelope_at_every_length_fails_as_truncated_naming_op_and_field()
    {
        var (store, _, field) = Seal();
        var unsealer = new Unsealer(store);
        for (var n = 0; n < field.Envelope.Length; n++)
        {
            var cut = Sealed<string>.FromEnvelope(field.Envelope.Span[..n]);
            NamesOpAndFieldWithoutPlaintext(unsealer.Open(cut, SealedFor, "address"), SealedFor, "address", SealedFieldProblem.Truncated);
            Assert.False(cut.TryReadEnvelope(out _, out var error));
            Assert.Equal(SealedFieldProblem.Truncated, error.Problem);
        }

        var longer = Sealed<string>.FromEnvelope([.. field.Envelope.Span, 0]);
        NamesOpAndFieldWithoutPlaintext(unsealer.Open(longer, SealedFor, "address"), SealedFor, "address", SealedFieldProblem.Malformed);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Bytes_that_are_not_a_sealed_field_or_another_version_say_so()
    {
        var (store, _, field) = Seal();
        var unsealer = new Unsealer(store);
        NamesOpAndFieldWithoutPlaintext(unsealer.Open(Sealed<string>.FromEnvelope("hello, this is not sealed at all"u8), SealedFor, "address"), SealedFor, "address", SealedFieldProblem.NotSealed);
        var v2 = field.Envelope.ToArray();
        v2[15] = (byte)'2';
        NamesOpAndFieldWithoutPlaintext(unsealer.Open(Sealed<string>.FromEnvelope(v2), SealedFor, "address"), SealedFor, "address", SealedFieldProblem.UnknownVersion);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void A_plaintext_of_another_type_fails_as_wrong_type_without_quoting_it()
    {
        var (store, _, field) = Seal();
        var asNumber = Sealed<long>.FromEnvelope(field.Envelope.Span);
        var result = new Unsealer(store).Open(asNumber, SealedFor, "address");
        Assert.Equal(UnsealStatus.Invalid, result.Status);
        Assert.Equal(SealedFieldProblem.WrongType, result.Error!.Problem);
        Assert.DoesNotContain("Zelda", result.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Risk", "E2")]
    [Trait("Category", "BadInput")]
    public void Damaged_wrapped_keys_are_refused_typed_at_every_length_and_every_byte()
    {
        var random = new SeededRandom("wrap-bad");
        using var pair = ReplicaKeyPair.Generate(random);
        var recipient = new AuthorId("replica-b");
        using var store = new InMemorySubjectKeyStore();
        var replica = new ErasureReplica("l", recipient, SigningKey.FromSeed(new byte[32]), pair, store, random: random);
        var subject = SubjectId.New(random);
        var wrapped = WrappedSubjectKey.Wrap(subject, SubjectKey.Generate(random), recipient, pair.PublicKey.Span, random).Bytes.ToArray();
        for (var n = 0; n < wrapped.Length; n++)
        {
            var result = replica.Import(wrapped.AsMemory(0, n));
            Assert.Equal(KeyImportStatus.Invalid, result.Status);
            Assert.Contains(result.Error!.Problem, new[] { KeyWrapProblem.Truncated, KeyWrapProblem.UnknownVersion });
        }

        for (var i = 0; i < wrapped.Length; i++)
        {
            var bytes = wrapped.ToArray();
            bytes[i] ^= 0x04;
            var result = replica.Import(bytes);
            Assert.Equal(KeyImportStatus.Invalid, result.Status);
            Assert.IsType<KeyWrapException>(result.Error);
        }

        Assert.Equal(SubjectKeyStatus.Unknown, store.Status(subject));
        Assert.Equal(KeyImportStatus.Imported, replica.Import(wrapped).Status);
    }

    [Fact]
    [Trait("Risk", "E2")]
    [Trait("Category", "BadInput")]
    public void Truncated_or_changed_certificates_get_a_verdict_never_an_exception_and_never_valid()
    {
        using var shop = new ShopScenario();
        var (erasure, _) = shop.Erase(shop.Bob, shop.Replicas);
        var bytes = erasure.Certify().Bytes.ToArray();
        Assert.True(ErasureCertificateVerifier.Verify(bytes).IsValid);
        for (var n = 0; n < bytes.Length; n++)
        {
            var verdict = ErasureCertificateVerifier.Verify(bytes.AsMemory(0, n));
            Assert.Equal(CertificateProblem.Malformed, verdict.Problem);
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var changed = bytes.ToArray();
            changed[i] ^= 0x01;
            Assert.False(ErasureCertificateVerifier.Verify(changed).IsValid, $"a change at byte {i} verified");
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Truncated_confirmations_fail_with_a_format_error_naming_the_field()
    {
        using var key = SigningKey.FromSeed(new byte[32]);
        var confirmation = ErasureConfirmation.Sign("l", SubjectId.New(new SeededRandom("c")), new EraseOpRef(SealedFor, Hash32.Sha256("x"u8)), Till, ConfirmationOutcome.Shredded, 1, key);
        Assert.True(ErasureConfirmation.Decode(confirmation.Bytes).VerifySignature());
        for (var n = 0; n < confirmation.Bytes.Length; n++)
        {
            Assert.False(ErasureConfirmation.TryDecode(confirmation.Bytes[..n], out _, out var error));
            Assert.Equal("erasure confirmation", error.Structure);
            Assert.False(string.IsNullOrEmpty(error.Field));
        }
    }

    /// <summary>Rewrites the signature's <c>c4 40</c> header (bin 8) as <c>c5 00 40</c> (bin 16): the same value, a
    /// second encoding.</summary>
    private static byte[] WithLongSignatureHeader(ReadOnlySpan<byte> bytes)
    {
        var at = bytes.Length - 64 - 2;
        Assert.Equal(0xc4, bytes[at]);
        Assert.Equal(0x40, bytes[at + 1]);
        return [.. bytes[..at], 0xc5, 0x00, 0x40, .. bytes[(at + 2)..]];
    }

    [Fact]
    [Trait("Risk", "D1")]
    [Trait("Category", "BadInput")]
    public void A_signature_with_a_bin16_header_is_refused_typed_as_non_canonical_by_confirmations_certificates_and_the_verifier()
    {
        using var shop = new ShopScenario();
        var (erasure, _) = shop.Erase(shop.Bob, shop.Replicas);
        var certificate = erasure.Certify();
        var confirmation = certificate.Confirmations[0];

        var longConfirmation = WithLongSignatureHeader(confirmation.Bytes.Span);
        var error = Assert.Throws<LedgerFormatException>(() => ErasureConfirmation.Decode(longConfirmation));
        Assert.Equal(("erasure confirmation", "signature", FormatProblem.NonCanonical), (error.Structure, error.Field, error.Problem));
        Assert.False(ErasureConfirmation.TryDecode(longConfirmation, out _, out _));

        var longCertificate = WithLongSignatureHeader(certificate.Bytes.Span);
        error = Assert.Throws<LedgerFormatException>(() => ErasureCertificate.Decode(longCertificate));
        Assert.Equal(("erasure certificate", "signature", FormatProblem.NonCanonical), (error.Structure, error.Field, error.Problem));
        Assert.False(ErasureCertificate.TryDecode(longCertificate, out _, out error));
        Assert.Equal(FormatProblem.NonCanonical, error.Problem);
        Assert.Equal(CertificateProblem.Malformed, ErasureCertificateVerifier.Verify(longCertificate).Problem);
        Assert.True(ErasureCertificateVerifier.Verify(certificate.Bytes).IsValid);
    }
}
