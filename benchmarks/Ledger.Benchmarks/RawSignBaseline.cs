using Ledger.Kernel;
using Ledger.Signing;
using NSec.Cryptography;

namespace Ledger.Benchmarks;

/// <summary>The baseline the signing targets are measured against: raw NSec Ed25519 signing, on one thread, of
/// a message the size of a real signed op (a posting op's signed message).</summary>
internal sealed class RawSignBaseline
{
    private readonly Key _key;
    private readonly byte[] _message;

    public RawSignBaseline()
    {
        var seed = new byte[32];
        seed[0] = 9;
        _key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        using var key = SigningKey.FromSeed(seed);
        var log = AuthorLog.Incept("bench", "till", key, NextKeyDigest.Of(new byte[32]), out _);
        _message = log.Append(PostingDataset.Manifest, PostingDataset.PostVerb, new PostArgs("acct:00042", 1999), at: 1, opId: Guid.Empty).SignedMessage.ToArray();
    }

    /// <summary>Signs <paramref name="ops"/> distinct messages (the last byte varies).</summary>
    public int Sign(int ops)
    {
        var signature = new byte[64];
        var sum = 0;
        for (var i = 0; i < ops; i++)
        {
            _message[^1] = (byte)i;
            SignatureAlgorithm.Ed25519.Sign(_key, _message, signature);
            sum += signature[0];
        }

        return sum;
    }
}
