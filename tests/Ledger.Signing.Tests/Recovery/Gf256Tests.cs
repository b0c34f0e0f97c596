using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

public class Gf256Tests
{
    [Fact]
    public void Constant_time_multiplication_agrees_with_schoolbook_multiplication_on_every_pair()
    {
        for (var a = 0; a < 256; a++)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.Equal(Schoolbook(a, b), Gf256.MultiplyConstantTime((byte)a, (byte)b));
            }
        }
    }

    [Fact]
    public void Interpolation_recovers_a_polynomial_from_any_of_its_points()
    {
        // f(x) = 7 + 3x + 5x² per byte; any three points rebuild f(255) and f(254).
        static byte F(int x) => (byte)(7 ^ Schoolbook(3, x) ^ Schoolbook(5, Schoolbook(x, x)));
        var points = new[] { 0, 4, 9, 15 }.Select(x => ((byte)x, new[] { F(x) })).ToArray();
        foreach (var subset in new[] { points[..3], points[1..], new[] { points[3], points[0], points[2] } })
        {
            Assert.Equal(F(255), Gf256.Interpolate(subset, 255)[0]);
            Assert.Equal(F(254), Gf256.Interpolate(subset, 254)[0]);
        }
    }

    private static int Schoolbook(int a, int b)
    {
        var product = 0;
        for (var bit = 0; bit < 8; bit++)
        {
            if (((b >> bit) & 1) != 0)
            {
                product ^= a << bit;
            }
        }

        for (var bit = 15; bit >= 8; bit--)
        {
            if (((product >> bit) & 1) != 0)
            {
                product ^= 0x11B << (bit - 8);
            }
        }

        return product;
    }
}
