using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Tests;

/// <summary>A reproducible <see cref="RandomNumberGenerator"/>: SHA-256(seed ‖ counter) blocks. For tests only —
/// it makes subject ids, keys, nonces, salts and shares the same on every run so golden bytes can be pinned and a fuzz
/// case replays. In tests/Shared so the erasure goldens and the fuzz seeds draw from one generator.</summary>
internal sealed class SeededRandom(string seed) : RandomNumberGenerator
{
    private readonly byte[] _seed = Encoding.UTF8.GetBytes(seed);
    private readonly Lock _lock = new();
    private ulong _counter;

    public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

    public override void GetBytes(byte[] data, int offset, int count) => GetBytes(data.AsSpan(offset, count));

    public override void GetNonZeroBytes(byte[] data) => throw new NotSupportedException();

    public override void GetBytes(Span<byte> data)
    {
        lock (_lock)
        {
            Span<byte> input = stackalloc byte[_seed.Length + 8];
            _seed.CopyTo(input);
            Span<byte> block = stackalloc byte[32];
            while (data.Length > 0)
            {
                BinaryPrimitives.WriteUInt64BigEndian(input[_seed.Length..], _counter++);
                SHA256.HashData(input, block);
                var n = Math.Min(block.Length, data.Length);
                block[..n].CopyTo(data);
                data = data[n..];
            }
        }
    }
}
