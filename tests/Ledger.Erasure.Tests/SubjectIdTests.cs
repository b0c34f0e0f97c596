namespace Ledger.Erasure.Tests;

public class SubjectIdTests
{
    [Fact]
    public void Fresh_pseudonyms_parse_and_are_reproducible_from_an_injected_generator()
    {
        var a = SubjectId.New(new SeededRandom("s"));
        var b = SubjectId.New(new SeededRandom("s"));
        Assert.Equal(a, b);
        Assert.Equal(SubjectId.Length, a.Value.Length);
        Assert.StartsWith("sub-", a.Value, StringComparison.Ordinal);
        Assert.Equal(a, SubjectId.Parse(a.Value));
        Assert.NotEqual(a, SubjectId.New());
    }

    [Theory]
    [InlineData("alice@example.org")]
    [InlineData("Alice Liddell")]
    [InlineData("sub-alice")]
    [InlineData("sub-AAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sub-aaaaaaaaaaaaaaaaaaaaaaaaab")]
    [InlineData("")]
    public void Names_addresses_and_near_misses_are_not_subject_ids_and_the_error_does_not_echo_them(string text)
    {
        Assert.False(SubjectId.TryParse(text, out _));
        var error = Assert.Throws<ArgumentException>(() => SubjectId.Parse(text));
        if (text.Length > 0) Assert.DoesNotContain(text, error.Message, StringComparison.Ordinal);
    }
}
