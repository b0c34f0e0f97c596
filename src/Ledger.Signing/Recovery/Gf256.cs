namespace Ledger.Signing.Recovery;

/// <summary>Arithmetic in GF(256) modulo the Rijndael polynomial x⁸ + x⁴ + x³ + x + 1, and the
/// Lagrange interpolation SLIP-0039 runs on each byte of a secret.</summary>
internal static class Gf256
{
    private const int Reduction = 0x11B;

    // Log/exp tables are indexed only by share indices, which every share prints in clear; secret
    // bytes go through MultiplyConstantTime so their values never pick a table slot (cache timing).
    private static readonly byte[] Exp = new byte[255];
    private static readonly byte[] Log = new byte[256];

    static Gf256()
    {
        var poly = 1;
        for (var i = 0; i < 255; i++)
        {
            Exp[i] = (byte)poly;
            Log[poly] = (byte)i;
            poly = (poly << 1) ^ poly; // × (x + 1), a generator of the multiplicative group
            if ((poly & 0x100) != 0)
            {
                poly ^= Reduction;
            }
        }
    }

    /// <summary>a × b without branches or table look-ups that depend on the operands.</summary>
    public static byte MultiplyConstantTime(byte a, byte b)
    {
        int x = a, y = b, product = 0;
        for (var bit = 0; bit < 8; bit++)
        {
            product ^= x & -(y & 1);
            y >>= 1;
            x = (x << 1) ^ (Reduction & -((x >> 7) & 1));
        }

        return (byte)product;
    }

    /// <summary>The value vector f(x) of the polynomials through the given points.</summary>
    /// <remarks>The caller guarantees distinct x coordinates, values of equal length, and that
    /// <paramref name="x"/> is none of the points' x (share indices are 0–15, queries 254 or 255, or a
    /// new share index above every random point).</remarks>
    public static byte[] Interpolate(IReadOnlyList<(byte X, byte[] Y)> points, byte x)
    {
        var length = points[0].Y.Length;
        var result = new byte[length];
        for (var i = 0; i < points.Count; i++)
        {
            // log of the Lagrange basis ∏_{j≠i} (x − x_j) / (x_i − x_j); subtraction is XOR here.
            var logBasis = 0;
            for (var j = 0; j < points.Count; j++)
            {
                if (j != i)
                {
                    logBasis += Log[x ^ points[j].X] - Log[points[i].X ^ points[j].X];
                }
            }

            var basis = Exp[((logBasis % 255) + 255) % 255];
            var y = points[i].Y;
            for (var k = 0; k < length; k++)
            {
                result[k] ^= MultiplyConstantTime(y[k], basis);
            }
        }

        return result;
    }
}
