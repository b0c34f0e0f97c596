namespace Ledger.Signing.Tests;

public sealed class OpIdSourceTests
{
    [Fact]
    public void Pooled_op_ids_are_rfc_9562_version_7_carry_their_time_and_never_repeat_across_refills()
    {
        var source = new OpIdSource();
        var seen = new HashSet<Guid>();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);
        for (var i = 0; i < 1000; i++)
        {
            var id = source.Next(at.AddMilliseconds(i));
            var bytes = id.ToByteArray(bigEndian: true);
            Assert.Equal(7, bytes[6] >> 4);
            Assert.Equal(0b10, bytes[8] >> 6);
            var ms = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
            Assert.Equal(at.ToUnixTimeMilliseconds() + i, ms);
            Assert.True(seen.Add(id), $"id {i} repeated");
        }

        // The same layout as the runtime's own UUIDv7: the time prefix of the text form matches.
        var runtime = Guid.CreateVersion7(at).ToString();
        Assert.Equal(runtime[..15], source.Next(at).ToString()[..15]);
    }

    [Fact]
    public void A_time_before_1970_is_refused_rather_than_wrapped()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpIdSource().Next(DateTimeOffset.FromUnixTimeMilliseconds(-1)));
    }
}
