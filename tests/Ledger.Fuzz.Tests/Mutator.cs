using System.Text;

namespace Ledger.Fuzz.Tests;

/// <summary>Turns valid inputs into hostile ones, deterministically from a <see cref="Random"/>: bit flips, interesting
/// bytes, truncation, insertion, deletion, duplication, huge MessagePack lengths, deep nesting, non-canonical (longer)
/// MessagePack forms of the same value, splices of two inputs, text tokens, and stacks of these.</summary>
internal static class Mutator
{
    /// <summary>The kinds of mutation, for the per-kind counts in the report.</summary>
    public static readonly string[] Kinds =
        ["flip", "byte", "truncate", "insert", "delete", "duplicate", "huge-length", "deep-nesting", "non-canonical", "splice", "token", "replace-value", "stack"];

    private static readonly byte[] Interesting = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x90, 0x9f, 0xa0, 0xbf, 0xe0, 0x0a, 0x20, 0x2b, 0x2f];

    /// <summary>Headers that claim far more than any input holds: array, map, bin and str with 16- and 32-bit lengths.</summary>
    private static readonly byte[][] HugeHeaders =
    [
        [0xdc, 0xff, 0xff], [0xdd, 0x7f, 0xff, 0xff, 0xff], [0xdd, 0xff, 0xff, 0xff, 0xff],
        [0xde, 0xff, 0xff], [0xdf, 0x7f, 0xff, 0xff, 0xff],
        [0xc5, 0xff, 0xff], [0xc6, 0x7f, 0xff, 0xff, 0xff], [0xc6, 0xff, 0xff, 0xff, 0xff],
        [0xda, 0xff, 0xff], [0xdb, 0x7f, 0xff, 0xff, 0xff],
        [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
    ];

    private static readonly string[] Tokens =
    [
        "null", "-1", "0", "4294967296", "1e999", "\"\"", "[]", "{}", "[", "{", "\"", ",", ":", "true", "\\u0000", "\n", "\n\n", "\u2014 ", " ",
        "+", "=", "==", "AAAA", "\u00e9", "\ud83d\ude00",
    ];

    /// <summary>One mutation of <paramref name="input"/>; <paramref name="kind"/> names it.</summary>
    public static byte[] Mutate(byte[] input, IReadOnlyList<byte[]> others, Random random, out string kind)
    {
        var k = random.Next(Kinds.Length);
        kind = Kinds[k];
        return Apply(k, input, others, random);
    }

    private static byte[] Apply(int kind, byte[] input, IReadOnlyList<byte[]> others, Random random)
    {
        var b = new List<byte>(input);
        int At(bool end = false) => random.Next(b.Count + (end ? 1 : 0));
        switch (kind)
        {
            case 0 when b.Count > 0:
                for (var i = random.Next(1, 4); i > 0; i--) b[At()] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when b.Count > 0:
                b[At()] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2:
                return input[..random.Next(input.Length + 1)];
            case 3:
                {
                    var bytes = new byte[random.Next(1, 9)];
                    random.NextBytes(bytes);
                    b.InsertRange(At(end: true), bytes);
                    break;
                }

            case 4 when b.Count > 0:
                {
                    var at = At();
                    b.RemoveRange(at, Math.Min(b.Count - at, random.Next(1, 17)));
                    break;
                }

            case 5 when b.Count > 0:
                {
                    var at = At();
                    var range = b.GetRange(at, Math.Min(b.Count - at, random.Next(1, 65)));
                    b.InsertRange(At(end: true), range);
                    break;
                }

            case 6:
                {
                    var header = HugeHeaders[random.Next(HugeHeaders.Length)];
                    var at = At(end: true);
                    if (random.Next(2) == 0) b.InsertRange(at, header);
                    else
                    {
                        for (var i = 0; i < header.Length; i++)
                        {
                            if (at + i < b.Count) b[at + i] = header[i];
                            else b.Add(header[i]);
                        }
                    }

                    break;
                }

            case 7:
                {
                    // Arrays (or maps) of one element nested far deeper than any Ledger structure.
                    var depth = new[] { 64, 1_000, 100_000 }[random.Next(3)];
                    var open = random.Next(2) == 0 ? (byte)0x91 : (byte)0x81;
                    var nested = Enumerable.Repeat(open, depth).ToList();
                    if (open == 0x81) nested = [.. Enumerable.Range(0, depth).SelectMany(_ => new byte[] { 0xa1, 0x6b, 0x81 })];
                    b.InsertRange(At(end: true), nested);
                    break;
                }

            case 8:
                return NonCanonical(input, random);
            case 9 when others.Count > 0:
                {
                    var other = others[random.Next(others.Count)];
                    return [.. input[..random.Next(input.Length + 1)], .. other[random.Next(other.Length + 1)..]];
                }

            case 10:
                b.InsertRange(At(end: true), Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                break;
            case 11:
                return ReplaceValue(input, random);
            case 12:
                {
                    var bytes = input;
                    for (var i = random.Next(2, 4); i > 0; i--) bytes = Apply(random.Next(Kinds.Length - 1), bytes, others, random);
                    return bytes;
                }

            default:
                b.Add(Interesting[random.Next(Interesting.Length)]);
                break;
        }

        return [.. b];
    }

    private static readonly byte[][] Replacements = [[0xc0], [0x90], [0x80], [0xa0], [0xc4, 0x00], [0x00], [0xff], [0xc2], [0x91, 0xc0], [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]];

    /// <summary>Structure-aware: replaces one whole MessagePack value of the input, at any depth and inside bin values
    /// too (where Ledger nests its structures: op in signed op in chain file …, the bin's header rewritten to the new
    /// length), with nil, an empty array, map, string or bin, 0, -1, false, [nil] or the largest uint 64 — the values
    /// a decoder that trusts a shape trips over.</summary>
    public static byte[] ReplaceValue(byte[] input, Random random, int depth = 0)
    {
        var values = new List<(int Start, int End, int ContentStart)>();
        var reader = new MessagePack.MessagePackReader(input);
        try
        {
            while (!reader.End) WalkValue(ref reader, values, 0);
        }
        catch (Exception e) when (e is MessagePack.MessagePackSerializationException or EndOfStreamException or InvalidOperationException or ArgumentException)
        {
            // Not MessagePack from here on (a note, a backup, a mnemonic): the values found so far are the candidates.
        }

        if (values.Count == 0) return [.. input, 0xc0];
        var (start, end, contentStart) = values[random.Next(values.Count)];
        if (contentStart >= 0 && depth < 4 && random.Next(3) > 0)
        {
            // Into the bin: mutate its content, then write the bin again with its new length.
            var content = ReplaceValue(input[contentStart..end], random, depth + 1);
            var header = content.Length switch
            {
                <= 0xff => new byte[] { 0xc4, (byte)content.Length },
                <= 0xffff => [0xc5, (byte)(content.Length >> 8), (byte)content.Length],
                _ => [0xc6, (byte)(content.Length >> 24), (byte)(content.Length >> 16), (byte)(content.Length >> 8), (byte)content.Length],
            };
            return [.. input[..start], .. header, .. content, .. input[end..]];
        }

        return [.. input[..start], .. Replacements[random.Next(Replacements.Length)], .. input[end..]];
    }

    private static void WalkValue(ref MessagePack.MessagePackReader reader, List<(int, int, int)> values, int nesting)
    {
        // Deeper than any Ledger structure (a deep-nesting mutation before this one): stop walking, keep what was found.
        if (nesting > 32) throw new InvalidOperationException("nested too deep to walk.");
        var start = (int)reader.Consumed;
        var contentStart = -1;
        switch (reader.NextMessagePackType)
        {
            case MessagePack.MessagePackType.Array:
                for (var n = reader.ReadArrayHeader(); n > 0; n--) WalkValue(ref reader, values, nesting + 1);
                break;
            case MessagePack.MessagePackType.Map:
                for (var n = reader.ReadMapHeader() * 2; n > 0; n--) WalkValue(ref reader, values, nesting + 1);
                break;
            case MessagePack.MessagePackType.Binary:
                {
                    var length = (int)reader.ReadBytes()!.Value.Length;
                    contentStart = (int)reader.Consumed - length;
                    break;
                }

            default:
                reader.Skip();
                break;
        }

        values.Add((start, (int)reader.Consumed, contentStart));
    }

    /// <summary>Rewrites one MessagePack header or small integer at a random place where one could start as a longer
    /// encoding of the same value (every Ledger format has one encoding, so the result must be refused).</summary>
    public static byte[] NonCanonical(byte[] input, Random random)
    {
        if (input.Length == 0) return [0xcc, 0x00];
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var at = random.Next(input.Length);
            var x = input[at];
            byte[]? longer = x switch
            {
                <= 0x7f => random.Next(3) switch { 0 => [0xcc, x], 1 => [0xcd, 0, x], _ => [0xd0, x] },
                >= 0x80 and <= 0x8f => [0xde, 0, (byte)(x & 0x0f)],
                >= 0x90 and <= 0x9f => [0xdc, 0, (byte)(x & 0x0f)],
                >= 0xa0 and <= 0xbf => [0xd9, (byte)(x & 0x1f)],
                0xc4 when at + 1 < input.Length => random.Next(2) == 0 ? [0xc5, 0, input[at + 1]] : [0xc6, 0, 0, 0, input[at + 1]],
                0xcc when at + 1 < input.Length => [0xcd, 0, input[at + 1]],
                0xd9 when at + 1 < input.Length => [0xda, 0, input[at + 1]],
                >= 0xe0 => [0xd1, 0xff, x],
                _ => null,
            };
            if (longer is null) continue;
            var consumed = x is 0xc4 or 0xcc or 0xd9 ? 2 : 1;
            return [.. input[..at], .. longer, .. input[(at + consumed)..]];
        }

        return [.. input, 0x00];
    }
}
