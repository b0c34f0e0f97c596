using System.Text;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure.Tests;

/// <summary>Pins every byte of the four erasure formats (docs/wire-format.md): with an injected generator the
/// subject, keys and nonces are fixed, and Ed25519 is deterministic, so the bytes are too.</summary>
public class WireFormatTests
{
    [Fact]
    [Trait("Risk", "E2")]
    [Trait("Risk", "C2")]
    public void Sealed_field_wrapped_key_confirmation_and_certificate_bytes_are_pinned()
    {
        var random = new SeededRandom("golden");
        using var store = new InMemorySubjectKeyStore();
        var subject = SubjectId.New(random);
        var key = SubjectKey.Generate(random);
        store.Add(subject, key);
        var till = new AuthorId("till-7");
        var op = new OpRef(till, 42);
        var field = new Sealer(store, random).Seal(subject, "Ada Lovelace", op, "name");
        using var recipient = ReplicaKeyPair.FromPrivateKey(Hash32.Sha256("replica-b/x25519"u8).ToArray());
        var wrapped = WrappedSubjectKey.Wrap(subject, key, new AuthorId("replica-b"), recipient.PublicKey.Span, random);
        using var replicaKey = SigningKey.FromSeed(Hash32.Sha256("replica-b/ed25519"u8).ToArray());
        using var issuerKey = SigningKey.FromSeed(Hash32.Sha256("controller/ed25519"u8).ToArray());
        var erase = new EraseOpRef(new OpRef(new AuthorId("controller"), 3), Hash32.Sha256("erase op"u8));
        var confirmation = ErasureConfirmation.Sign("books", subject, erase, new AuthorId("replica-b"), ConfirmationOutcome.Shredded, 1_767_225_600_000, replicaKey);
        var certificate = ErasureCertificate.Issue("books", subject, erase, 1_767_225_601_000, [new CiphertextLocation(op, "name")], [confirmation],
            [new AuthorId("replica-c")], new AuthorId("controller"), issuerKey);

        // The pinned bytes still open and verify.
        Assert.Equal("Ada Lovelace", new Unsealer(store).Open(field, op, "name").Value);
        var unwrapped = new byte[SubjectKey.Length];
        Assert.True(wrapped.TryUnwrap(new AuthorId("replica-b"), recipient, unwrapped, out _));
        Assert.Equal(key, unwrapped);
        Assert.True(ErasureCertificateVerifier.Verify(certificate.Bytes).IsValid);

        var text = new StringBuilder()
            .Append("# Ledger.Erasure wire formats v1 (docs/wire-format.md). Inputs: SeededRandom(\"golden\"), see WireFormatTests.\n")
            .Append("subject ").Append(subject.Value).Append('\n')
            .Append("subject-key ").Append(Convert.ToHexStringLower(key)).Append('\n')
            .Append("sealed-field op=till-7#42 field=name plaintext=msgpack(\"Ada Lovelace\")\n").Append(Convert.ToHexStringLower(field.Envelope.Span)).Append('\n')
            .Append("replica-b x25519-public ").Append(Convert.ToHexStringLower(recipient.PublicKey.Span)).Append('\n')
            .Append("wrapped-key for replica-b\n").Append(Convert.ToHexStringLower(wrapped.Bytes.Span)).Append('\n')
            .Append("erasure-confirmation by replica-b\n").Append(Convert.ToHexStringLower(confirmation.Bytes.Span)).Append('\n')
            .Append("erasure-certificate id=").Append(certificate.Id).Append('\n').Append(Convert.ToHexStringLower(certificate.Bytes.Span)).Append('\n')
            .ToString();
        Golden.Match("erasure-v1.txt", text);
    }
}
