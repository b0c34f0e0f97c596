using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Kernel;

namespace Ledger.Kernel.Tests;

public class Utf8OrderTests
{
    [Fact]
    [Trait("Risk", "C1")]
    public void Utf8_order_equals_byte_order_of_the_utf8_encoding_including_supplementary_characters()
    {
        var chars = Gen.Elements("a", "z", "é", "\uE000", "\uFFFD", "𝄞", "😀", "\u0000", "~");
        var arb = Arb.From(Gen.Zip(chars.ListOf(3), chars.ListOf(3)).Select(t => (string.Concat(t.Item1), string.Concat(t.Item2))));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(arb, pair =>
        {
            var expected = Math.Sign(Encoding.UTF8.GetBytes(pair.Item1).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(pair.Item2)));
            Assert.Equal(expected, Math.Sign(Utf8Order.Instance.Compare(pair.Item1, pair.Item2)));
        }));
    }
}
