using Ledger.Kernel;
using Ledger.Sync;

namespace Ledger.Sync.Tests;

/// <summary>A second pair of eyes on the SQLite segment store (evicted segments and provenance records of a kernel
/// under a state memory budget, risk B1): a write the file cannot take loses nothing the store took before it.</summary>
public sealed class SqliteSegmentStoreAttackTests
{
    [Fact]
    [Trait("Risk", "B1")]
    public void A_write_refused_for_a_full_file_loses_none_of_the_writes_the_store_took_before_it()
    {
        var path = Path.Combine(World.TempDir(), "segments.db");
        var store = new SqliteSegmentStore(path, capBytes: 256 * 1024);
        var rng = new Random(81);
        var kept = new Dictionary<SegmentId, byte[]>();
        for (var i = 0; i < 40; i++)
        {
            var rows = new byte[1000];
            rng.NextBytes(rows);
            var id = new SegmentId("$prov#0#notes", "b" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            store.Write(id, Hash32.Sha256(rows), rows);
            kept[id] = rows;
        }

        // One segment larger than the cap: refused (the kernel keeps that one in memory and counts a failed write).
        var huge = new byte[1024 * 1024];
        rng.NextBytes(huge);
        var e = Assert.Throws<StorageFullException>(() => store.Write(new SegmentId("notes", "huge"), Hash32.Sha256(huge), huge));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        // Every write it took before is still there, and the store goes on.
        foreach (var (id, rows) in kept) Assert.Equal(rows, store.Read(id));
        var later = new SegmentId("notes", "later");
        store.Write(later, Hash32.Sha256([1, 2, 3]), new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, store.Read(later));
        Assert.Equal(41, store.Count);
        store.Dispose();
    }
}
