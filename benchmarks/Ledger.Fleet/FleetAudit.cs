using System.Globalization;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.Http;

namespace Ledger.Fleet;

/// <summary>The audit after a fleet run; any failed check fails the run. Every op a till saw acknowledged is in the
/// log exactly once at the position it was told; no gap (positions and every author's seqs are contiguous); every
/// instance serves the same checkpoint; its root is the root recomputed from the log; every full node that pulled to
/// the end folds to the same state hash at the same prefix; a relay rebuilt from the nodes' stores reproduces the
/// order (row A2).</summary>
internal static class FleetAudit
{
    public static async Task RunAsync(List<AuditCheck> checks, FleetReport report, Till[] tills, List<DeviceNode> observers, HttpRelayClient[] instances, NoteKey trusted, CancellationToken cancellationToken)
    {

        // The log as each instance serves it (tiles), and its checkpoint.
        var checkpoints = new List<RelayCheckpoint>();
        foreach (var instance in instances)
        {
            var note = await instance.GetCheckpointAsync(null, cancellationToken).ConfigureAwait(false);
            var (checkpoint, _, verdict) = RelayCheckpoint.Open(note, trusted);
            if (!verdict.Ok) checks.Add(new AuditCheck("checkpoint signed", false, verdict.Reason));
            checkpoints.Add(checkpoint);
        }

        var first = checkpoints[0];
        checks.Add(new AuditCheck("every instance serves the same checkpoint", checkpoints.All(c => c.Size == first.Size && c.Root == first.Root),
            string.Join("; ", checkpoints.Select(c => string.Create(CultureInfo.InvariantCulture, $"size {c.Size} root {c.Root}")))));

        var log = new List<byte[]>((int)first.Size);
        while (log.Count < first.Size)
        {
            var page = await instances[0].PullAsync(log.Count, 4096, cancellationToken).ConfigureAwait(false);
            if (page.Ops.Count == 0) break;
            foreach (var (position, bytes) in page.Ops)
            {
                if (position != log.Count) break;
                log.Add(bytes.ToArray());
            }
        }

        report.LogSize = log.Count;
        checks.Add(new AuditCheck("the log read back whole", log.Count == first.Size, string.Create(CultureInfo.InvariantCulture, $"{log.Count} of {first.Size} entries")));
        var tree = new MerkleTree();
        foreach (var entry in log) tree.Append(entry);
        checks.Add(new AuditCheck("the checkpoint's root is the root recomputed from the log", tree.Size == first.Size && tree.Root(first.Size) == first.Root,
            string.Create(CultureInfo.InvariantCulture, $"recomputed {(tree.Size == first.Size ? tree.Root(first.Size).ToString() : "(size differs)")}")));

        // Exactly once, no gap per author.
        var at = new Dictionary<(AuthorId, ulong), long>();
        var twice = 0;
        var undecodable = 0;
        var seqs = new Dictionary<AuthorId, List<ulong>>();
        for (var p = 0; p < log.Count; p++)
        {
            SignedOp op;
            try
            {
                op = SignedOpCodec.Decode(log[p]);
            }
            catch (LedgerFormatException)
            {
                undecodable++;
                continue;
            }

            if (!at.TryAdd((op.Op.Author, op.Op.Seq), p)) twice++;
            if (!seqs.TryGetValue(op.Op.Author, out var list)) seqs[op.Op.Author] = list = [];
            list.Add(op.Op.Seq);
        }

        var gaps = seqs.Count(kv => !kv.Value.Order().Select((s, i) => s == (ulong)i + 1).All(x => x));
        checks.Add(new AuditCheck("every op in the log once, every author's chain without a gap", twice == 0 && gaps == 0 && undecodable == 0,
            string.Create(CultureInfo.InvariantCulture, $"{twice} ops twice, {gaps} authors with a gap, {undecodable} undecodable entries")));

        // Every acknowledged op at its told position.
        long acknowledged = 0, lost = 0, moved = 0, unacked = 0;
        foreach (var till in tills)
        {
            moved += till.Moved;
            unacked += Math.Max(0, till.Due - till.Acked);
            for (var i = 0; i < till.Ops.Length; i++)
            {
                var told = till.Positions[i];
                if (told < 0) continue;
                acknowledged++;
                if (told >= log.Count || !log[(int)told].AsSpan().SequenceEqual(till.Ops[i])) lost++;
            }
        }

        report.Lost = lost;
        checks.Add(new AuditCheck("every acknowledged op is in the log at the position it was told", lost == 0 && moved == 0,
            string.Create(CultureInfo.InvariantCulture, $"{acknowledged} acknowledged, lost {lost}, told two positions {moved}")));
        checks.Add(new AuditCheck("every due op was acknowledged after the drain", unacked == 0, string.Create(CultureInfo.InvariantCulture, $"{unacked} due ops unacknowledged")));

        // Full nodes pulled to the end fold to one state hash at one prefix.
        foreach (var node in observers)
        {
            for (var round = 0; round < 10 && node.Store.Cursor < log.Count; round++) await node.SyncAsync(instances[0], cancellationToken).ConfigureAwait(false);
        }

        var states = observers.Select(n => (n.Store.Cursor, Hash: n.StateHash().ToString())).Distinct().ToArray();
        checks.Add(new AuditCheck("nodes pulled to the end fold to the same state hash at the same prefix", states.Length == 1 && states[0].Cursor == log.Count,
            string.Join("; ", states.Select(s => string.Create(CultureInfo.InvariantCulture, $"prefix {s.Cursor} state {s.Hash}")))));

        // A relay rebuilt from the nodes' stores reproduces the order (row A2).
        try
        {
            var rebuilt = new Relay(new RelayOptions { Ledger = FleetOptions.Ledger }, new InMemoryRelayStore());
            await RelayRebuild.RunAsync(observers.Select(n => n.Store).ToArray(), rebuilt, trusted, cancellationToken).ConfigureAwait(false);
            var same = rebuilt.Size == log.Count;
            for (long from = 0; same && from < rebuilt.Size;)
            {
                var page = await rebuilt.PullAsync(from, 4096, cancellationToken).ConfigureAwait(false);
                if (page.Ops.Count == 0) break;
                foreach (var (position, bytes) in page.Ops) same &= bytes.Span.SequenceEqual(log[(int)position]);
                from += page.Ops.Count;
            }

            checks.Add(new AuditCheck("a relay rebuilt from the nodes' stores reproduces the order", same, string.Create(CultureInfo.InvariantCulture, $"rebuilt {rebuilt.Size} of {log.Count}")));
        }
        catch (RebuildException e)
        {
            checks.Add(new AuditCheck("a relay rebuilt from the nodes' stores reproduces the order", false, e.Message));
        }
    }
}
