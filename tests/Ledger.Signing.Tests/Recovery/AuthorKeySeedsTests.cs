using Ledger.Kernel;
using Ledger.Signing.Recovery;
using NSec.Cryptography;

namespace Ledger.Signing.Tests.Recovery;

public class AuthorKeySeedsTests
{
    private static readonly byte[] Master = Convert.FromHexString("c67a7c01ee99508673a363a60f70df5a");

    // Computed outside .NET (Python's hmac module, RFC 5869 by hand): pins the derivation, so a
    // change of label, encoding or byte order fails here.
    [Theory]
    [InlineData("till-7", 0u, "ca346f7c14ac8ccbc5450e466b1d09ab0f029ffefa2dfe8aeab9b9a0bf800f22")]
    [InlineData("till-7", 1u, "d1e2c5d4c40e7f64de563e3701f21651f6d23dd7b6aa593aa104da193184a351")]
    [InlineData("till-8", 0u, "6760823a1eea2edcc393d7af296e8301595c46714cade2bf612effec1782f71a")]
    [InlineData("site-a.pos_2", uint.MaxValue, "dd396e0be360d2a6446af0ca16515ebd5acc6244bcac8d716a4b124eac3575bf")]
    [Trait("Risk", "A3")]
    public void Key_seeds_are_pinned(string author, uint keyIndex, string expected)
    {
        Assert.Equal(expected, Convert.ToHexStringLower(AuthorKeySeeds.Derive(Master, new AuthorId(author), keyIndex)));
    }

    [Fact]
    public void A_256_bit_master_secret_is_pinned_too()
    {
        var master = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Span<byte> seed = stackalloc byte[AuthorKeySeeds.SeedLength];
        AuthorKeySeeds.Derive(master, new AuthorId("till-7"), 3, seed);
        Assert.Equal("b79bf82f90bff0e6c6f0c48105681b7c9111aa725056508ede058211a2cecb55", Convert.ToHexStringLower(seed));
    }

    [Fact]
    public void A_seed_is_an_ed25519_private_key_seed()
    {
        var seed = AuthorKeySeeds.Derive(Master, new AuthorId("till-7"), 0);
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var message = "ledger"u8.ToArray();
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key.PublicKey, message, SignatureAlgorithm.Ed25519.Sign(key, message)));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AuthorKeySeeds.Derive(new byte[15], new AuthorId("a"), 0));
        Assert.Throws<ArgumentException>(() => AuthorKeySeeds.Derive(Master, default, 0));
        Assert.Throws<ArgumentException>(() => AuthorKeySeeds.Derive(Master, new AuthorId("a"), 0, new byte[31]));
    }
}
