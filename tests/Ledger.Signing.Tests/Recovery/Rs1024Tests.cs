using Ledger.Signing.Recovery;

namespace Ledger.Signing.Tests.Recovery;

public class Rs1024Tests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_created_checksum_verifies_under_its_own_customization_string_only(bool extendable)
    {
        var random = new Random(9);
        for (var i = 0; i < 200; i++)
        {
            var words = Enumerable.Range(0, 20).Select(_ => random.Next(1024)).ToArray();
            Rs1024.Create(extendable, words.AsSpan(0, 17), words.AsSpan(17));
            Assert.True(Rs1024.Verify(extendable, words));
            Assert.False(Rs1024.Verify(!extendable, words));
        }
    }
}
