using System.Security.Cryptography;

namespace Ledger.Signing.Tests.Recovery;

/// <summary>A seeded, reproducible stand-in for the cryptographic generator, injected into splits
/// and backups so that a failing case can be replayed from its seed.</summary>
internal sealed class DeterministicRandom(int seed) : RandomNumberGenerator
{
    private readonly Random _random = new(seed);

    public override void GetBytes(byte[] data) => _random.NextBytes(data);

    public override void GetBytes(Span<byte> data) => _random.NextBytes(data);

    public override void GetBytes(byte[] data, int offset, int count) => _random.NextBytes(data.AsSpan(offset, count));

    public override void GetNonZeroBytes(byte[] data) => throw new NotSupportedException("Ledger never asks for non-zero bytes.");
}
