using System.Globalization;
using System.Text;
using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>Explains two folds of one log that reached different state hashes: the first rows that differ between
/// their checkpoints, each with both values and the ops whose verbs wrote it.</summary>
internal static class RowDifference
{
    /// <summary>At most this many differing rows are printed.</summary>
    private const int MaxRows = 5;

    internal static string Explain(Func<LedgerKernel> newKernel, GeneratedLog log, Checkpoint here, Checkpoint there)
    {
        var mine = Rows(here);
        var theirs = Rows(there);
        var keys = mine.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal).ToList();
        var differing = keys.Where(k => !mine.TryGetValue(k, out var a) || !theirs.TryGetValue(k, out var b) || !a.Bytes.AsSpan().SequenceEqual(b.Bytes)).ToList();
        var sb = new StringBuilder();
        if (differing.Count == 0)
        {
            sb.Append("  no row differs; the checkpoints differ outside the rows (author tips, pending or parked ops, the claim frontier).\n");
            return sb.ToString();
        }

        sb.Append(CultureInfo.InvariantCulture, $"  {differing.Count} row(s) differ; the first {Math.Min(MaxRows, differing.Count)}:\n");
        foreach (var key in differing.Take(MaxRows))
        {
            var row = mine.TryGetValue(key, out var m) ? m : theirs[key];
            sb.Append(CultureInfo.InvariantCulture,
                $"  {row.Segment.Table}/{row.Segment.Branch} \"{row.Key}\": here {Value(mine, key)}, there {Value(theirs, key)}; written by {Writers(newKernel, log, row.Segment, row.Key)}\n");
        }

        return sb.ToString();
    }

    private sealed record Row(SegmentId Segment, string Key, byte[] Bytes);

    private static Dictionary<string, Row> Rows(Checkpoint checkpoint)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var segment in checkpoint.Segments)
        {
            foreach (var (key, bytes) in segment.Rows) rows[segment.Id.Table + "/" + segment.Id.Branch + "\n" + key] = new Row(segment.Id, key, bytes);
        }

        return rows;
    }

    private static string Value(Dictionary<string, Row> rows, string key) => rows.TryGetValue(key, out var row) ? Json(row.Bytes) : "(no row)";

    private static string Json(byte[] bytes)
    {
        try
        {
            return MessagePack.MessagePackSerializer.ConvertToJson(bytes);
        }
        catch (MessagePack.MessagePackSerializationException)
        {
            return "0x" + Convert.ToHexString(bytes);
        }
    }

    // The ops after which this fold's row changed: folded op by op with a checkpoint after each (a failing log is
    // small — generated logs are at most a few hundred ops — so the cost only matters when something already failed).
    private static string Writers(Func<LedgerKernel> newKernel, GeneratedLog log, SegmentId segment, string key)
    {
        try
        {
            var kernel = newKernel();
            kernel.AdvanceRelayFrontier(long.MaxValue);
            byte[]? last = null;
            var writers = new List<string>();
            foreach (var entry in log.Entries)
            {
                kernel.Apply(entry);
                var now = kernel.CreateCheckpoint().Segments.FirstOrDefault(s => s.Id == segment)?.Rows.FirstOrDefault(r => r.Key == key).Value;
                if (!(now ?? []).AsSpan().SequenceEqual(last ?? []) || (now is null) != (last is null))
                {
                    writers.Add(string.Create(CultureInfo.InvariantCulture, $"{entry.Op.Author}#{entry.Op.Seq} {entry.Op.Verb}@{entry.Op.VerbVersion}"));
                }

                last = now;
            }

            return writers.Count == 0 ? "no op in this process's fold (only the other fold has this row)" : string.Join(", ", writers);
        }
        catch (LedgerException e)
        {
            return "(could not fold op by op: " + e.Message + ")";
        }
    }
}
