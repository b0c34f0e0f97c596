using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Kernel;
using Ledger.Signing;
using Microsoft.AspNetCore.Http;

namespace Ledger.Sync.AspNetCore;

/// <summary>Renders the monitor page: one section per widget, each value in a <c>dd</c> with a stable
/// <c>data-value</c> name (tests and scripts read them). Nothing is cached: every load measures again.</summary>
internal sealed class MonitorPage(LedgerMonitorOptions options, string pattern)
{
    // The node the widgets read: a running node, or one device's store read without its key.
    private readonly IMonitoredNode? _node = options.Node is { } live ? new LiveMonitoredNode(live) : options.Store;

    private sealed record Widget(string Id, string Title, List<(string Name, string Value)> Values, string? Html = null);

    public async Task RenderAsync(HttpContext context)
    {
        var widgets = new List<Widget>();
        if (_node is { } node) widgets.AddRange(await NodeWidgetsAsync(node, context.RequestAborted).ConfigureAwait(false));
        if (options.Server is { } server) widgets.Add(await FleetWidgetAsync(server, context.RequestAborted).ConfigureAwait(false));
        else widgets.Add(NoFleetWidget());
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ledger monitor</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:1rem;background:#f6f7f9}main{display:grid;grid-template-columns:repeat(auto-fill,minmax(22rem,1fr));gap:1rem}")
            .Append("section{background:#fff;border:1px solid #ccd;border-radius:6px;padding:.6rem 1rem}h2{font-size:1rem;margin:.2rem 0 .5rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.15rem .8rem;margin:0}")
            .Append("dt{color:#556}dd{margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}.alert{color:#a00;font-weight:600}.ok{color:#070}a.figure{cursor:pointer;color:#035;text-decoration:underline}")
            .Append("table{border-collapse:collapse;font-size:.85rem}td,th{padding:.1rem .4rem;text-align:left;border-bottom:1px solid #eee}</style></head><body>")
            .Append("<h1>Ledger monitor</h1><p>Measured now, at ").Append(Encode(DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture))).Append(". No personal data: row keys are shown as hashes.</p><main>");
        foreach (var w in widgets)
        {
            html.Append("<section data-widget=\"").Append(w.Id).Append("\"><h2>").Append(Encode(w.Title)).Append("</h2><dl>");
            foreach (var (name, value) in w.Values)
            {
                html.Append("<dt>").Append(Encode(name)).Append("</dt><dd data-value=\"").Append(Encode(name)).Append("\">").Append(Encode(value)).Append("</dd>");
            }

            html.Append("</dl>");
            if (w.Html is not null) html.Append(w.Html);
            html.Append("</section>");
        }

        html.Append("</main><script>")
            .Append("document.querySelectorAll('a.figure').forEach(function(a){a.addEventListener('click',function(e){e.preventDefault();")
            .Append("fetch('").Append(pattern).Append("/figure?segment='+encodeURIComponent(a.dataset.segment)+'&row='+a.dataset.row).then(function(r){return r.json()}).then(function(j){")
            .Append("var ul=document.getElementById('figure-ops');ul.innerHTML='';document.getElementById('figure-title').textContent=j.figure+' = '+j.value+' ('+j.ops.length+' signed op(s))';")
            .Append("j.ops.forEach(function(o){var li=document.createElement('li');li.className='op';li.textContent=o.author+' #'+o.seq+' '+o.verb+' position='+(o.position===null?'local':o.position)+' hash='+o.hash+' signature '+(o.verified?'verifies':'DOES NOT VERIFY');ul.appendChild(li);});});});});")
            .Append("</script></body></html>");
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(html.ToString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The signed ops that made one figure (tap-to-fold): from the node's provenance index, each op read from
    /// the node's store and its signature checked.</summary>
    public async Task FigureAsync(HttpContext context)
    {
        var node = _node;
        var segmentName = context.Request.Query["segment"].ToString();
        var row = context.Request.Query["row"].ToString();
        if (node is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        object? damaged = null;
        var found = node.Read(k =>
        {
            var segment = k.State.Segments.FirstOrDefault(s => s.Id.ToString() == segmentName);
            var key = segment?.SortedKeys().FirstOrDefault(x => RowId(x) == row);
            if (segment is null || key is null) return null;
            var value = segment is global::Ledger.Kernel.CounterSegment counter ? counter.Get(key)?.ToString(CultureInfo.InvariantCulture) ?? "" : $"{segment.EncodedValue(key)?.Length ?? 0} bytes";
            try
            {
                return new { Figure = segment.Id + "/" + RowId(key), Value = value, Ops = k.Provenance?.For(segment.Id, key) ?? [] };
            }
            catch (SegmentDamagedException e)
            {
                // Under a memory budget provenance is read back from the segment store, verified: damage is said, not hidden.
                damaged = e.Message;
                return null;
            }
        });
        if (damaged is not null)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"the provenance of this figure could not be read: {damaged}", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (found is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var records = new Dictionary<OpRef, NodeOpRecord>();
        var keyEvents = new Dictionary<AuthorId, List<SignedOp>>();
        var authors = found.Ops.Select(o => o.Author).ToHashSet();
        await foreach (var r in node.Store.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (found.Ops.Contains(r.Op)) records[r.Op] = r;
            if (authors.Contains(r.Op.Author) && r.RefusedBy is null && SignedOpCodec.TryDecode(r.Bytes, out var e, out _) && KeyEvents.IsKeyEvent(e!.Op))
            {
                (keyEvents.TryGetValue(r.Op.Author, out var l) ? l : keyEvents[r.Op.Author] = []).Add(e);
            }
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("figure", found.Figure);
            json.WriteString("value", found.Value);
            json.WriteStartArray("ops");
            foreach (var op in found.Ops)
            {
                json.WriteStartObject();
                json.WriteString("author", op.Author.Value);
                json.WriteNumber("seq", op.Seq);
                if (records.TryGetValue(op, out var record) && SignedOpCodec.TryDecode(record.Bytes, out var signed, out _))
                {
                    json.WriteString("verb", signed!.Op.Verb);
                    json.WriteString("hash", Hash32.Sha256(record.Bytes.Span).ToString()[..16]);
                    if (record.Position is { } p) json.WriteNumber("position", p);
                    else json.WriteNull("position");
                    json.WriteBoolean("verified", Verifies(node.Ledger, signed, keyEvents.GetValueOrDefault(op.Author) ?? []));
                }
                else
                {
                    json.WriteString("verb", "?");
                    json.WriteString("hash", "");
                    json.WriteNull("position");
                    json.WriteBoolean("verified", false);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    // How many ops wrote a row; "damaged" when a budgeted node's provenance record for it does not verify.
    private static string OpsCount(global::Ledger.Kernel.LedgerKernel k, SegmentId id, string key)
    {
        try
        {
            return (k.Provenance?.For(id, key).Count ?? 0).ToString(CultureInfo.InvariantCulture);
        }
        catch (SegmentDamagedException)
        {
            return "damaged";
        }
    }

    // The op's signature by the key its author held at that seq, per the author's verified key events.
    private static bool Verifies(string ledger, SignedOp op, List<SignedOp> events)
    {
        events.Sort((x, y) => x.Op.Seq.CompareTo(y.Op.Seq));
        if (events.Count == 0 || !KeyEventLog.TryVerify(ledger, op.Op.Author, events, out var timeline, out _)) return false;
        var state = timeline.LastOrDefault(t => t.Seq <= op.Op.Seq).State;
        return state is not null && op.VerifySignature(state.Current);
    }

    private async Task<IEnumerable<Widget>> NodeWidgetsAsync(IMonitoredNode node, CancellationToken cancellationToken)
    {
        var list = new List<Widget>();
        var records = new List<NodeOpRecord>();
        await foreach (var r in node.Store.ReadAllAsync(cancellationToken).ConfigureAwait(false)) records.Add(r);
        var decoded = records.Where(r => r.RefusedBy is null).Select(r => (Record: r, Op: SignedOpCodec.TryDecode(r.Bytes, out var s, out _) ? s : null)).Where(x => x.Op is not null).ToList();

        // Prove-the-books: replay every op held into a fresh kernel (relay order first, own local ops after) and compare.
        var log = decoded.OrderBy(x => x.Record.Position ?? long.MaxValue).ThenBy(x => x.Op!.Op.Author.Value, StringComparer.Ordinal).ThenBy(x => x.Op!.Op.Seq)
            .Select(x => new SequencedOp(x.Op!.Op, x.Record.Position)).ToList();
        var proof = node.Read(k => BooksProof.Prove(k, log));
        list.Add(new Widget("prove-the-books", "Prove the books", [
            ("ops replayed", proof.Ops.ToString(CultureInfo.InvariantCulture)),
            ("replay hash", proof.ReplayHash.ToString()),
            ("live hash", proof.LiveHash.ToString()),
            ("match", proof.Match ? "Y" : "N"),
            ("replay ms", proof.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)),
        ]));

        // Tap-to-fold: counter figures (and other rows by size), keys as hashes; a click lists the signed ops behind one.
        var figures = node.Read(k => k.State.Segments.SelectMany(s => s.SortedKeys().Select(key => (Segment: s.Id.ToString(), Row: RowId(key),
            Value: s is global::Ledger.Kernel.CounterSegment c ? c.Get(key)?.ToString(CultureInfo.InvariantCulture) ?? "" : $"{s.EncodedValue(key)?.Length ?? 0} B",
            Ops: OpsCount(k, s.Id, key)))).Take(200).ToList());
        var table = new StringBuilder("<table><tr><th>table</th><th>row</th><th>figure</th><th>ops</th></tr>");
        foreach (var f in figures)
        {
            table.Append("<tr><td>").Append(Encode(f.Segment)).Append("</td><td>").Append(f.Row).Append("</td><td><a class=\"figure\" data-segment=\"")
                .Append(Encode(f.Segment)).Append("\" data-row=\"").Append(f.Row).Append("\">").Append(Encode(f.Value)).Append("</a></td><td>")
                .Append(f.Ops).Append("</td></tr>");
        }

        table.Append("</table><h3 id=\"figure-title\"></h3><ul id=\"figure-ops\"></ul>");
        list.Add(new Widget("tap-to-fold", "Tap to fold", [("figures", figures.Count.ToString(CultureInfo.InvariantCulture))], table.ToString()));

        // Chain integrity: every author chain held, its length and tip; the node's own chain re-verified op by op.
        var authors = node.Read(k => k.Authors.ToArray());
        var own = decoded.Where(x => x.Op!.Op.Author == node.Author).Select(x => x.Op!).OrderBy(o => o.Op.Seq).ToList();
        var ownBreak = ChainBreak(own);
        list.Add(new Widget("chain-integrity", "Chain integrity", [
            ("chains", authors.Length.ToString(CultureInfo.InvariantCulture)),
            ("ops in chains", authors.Sum(a => (long)a.Value.Seq).ToString(CultureInfo.InvariantCulture)),
            ("own chain", ownBreak ?? $"chain OK · len {own.Count} · tip {(authors.FirstOrDefault(a => a.Key == node.Author).Value.Tip.ToString() is { Length: > 16 } t ? t[..16] : "-")}"),
        ]));

        var d = node.Durability();
        list.Add(new Widget("durability-ladder", "Durability ladder", [
            ("local", d.Local.ToString(CultureInfo.InvariantCulture)), ("syncing", d.Syncing.ToString(CultureInfo.InvariantCulture)),
            ("durable", d.Durable.ToString(CultureInfo.InvariantCulture)), ("won", d.Won.ToString(CultureInfo.InvariantCulture)),
            ("lost", d.Lost.ToString(CultureInfo.InvariantCulture)), ("refused", d.Refused.ToString(CultureInfo.InvariantCulture)),
            ("oldest unacknowledged s", d.OldestUnacknowledged is { } age ? age.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) : "-"),
            ("store", d.StorePercent is { } pct ? pct.ToString("F1", CultureInfo.InvariantCulture) + " %" : d.StoreBytes.ToString(CultureInfo.InvariantCulture) + " B"),
        ]));
        list.Add(new Widget("pull-the-plug", "Pull the plug", [
            ("ops only on this device", (d.Local + d.Syncing).ToString(CultureInfo.InvariantCulture)),
            ("ops safe elsewhere", d.Safe.ToString(CultureInfo.InvariantCulture)),
            ("unplugged now loses", d.Local + d.Syncing == 0 ? "nothing" : $"{d.Local + d.Syncing} op(s)"),
        ]));

        // Serverless meter: answers come from the local fold; the only round trips are syncs.
        node.Read(k => k.State.RowCount); // warm: the first call pays for JIT, not for the query
        const int reads = 200;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < reads; i++) node.Read(k => k.State.RowCount);
        var perRead = Stopwatch.GetElapsedTime(started).TotalMicroseconds / reads;
        list.Add(new Widget("serverless-meter", "Serverless meter", [
            ("local query µs", perRead.ToString("F2", CultureInfo.InvariantCulture)),
            ("round trips", options.RoundTrips is { } trips ? trips().ToString(CultureInfo.InvariantCulture) : "-"),
            ("rows answered locally", node.Read(k => k.State.RowCount).ToString(CultureInfo.InvariantCulture)),
        ]));

        var s = node.Startup;
        list.Add(new Widget("bootstrap-path", "Bootstrap path", [
            ("path", s.Path.ToString()), ("ops folded at start", s.OpsFolded.ToString(CultureInfo.InvariantCulture)),
            ("start ms", s.Took.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)),
            ("relay prefix held", node.Store.Cursor.ToString(CultureInfo.InvariantCulture)),
            ("relay origin", node.RelayOrigin ?? "-"),
        ]));

        var events = own.Where(o => KeyEvents.IsKeyEvent(o.Op)).ToList();
        var keyValues = new List<(string, string)> { ("author", node.Author.Value), ("key events", events.Count.ToString(CultureInfo.InvariantCulture)) };
        if (events.Count > 0 && KeyEventLog.TryVerify(node.Ledger, node.Author, events, out var timeline, out var why))
        {
            var state = timeline[^1].State;
            keyValues.Add(("current key id", state.Current.Id.ToString()));
            keyValues.Add(("key index", state.KeyIndex.ToString(CultureInfo.InvariantCulture)));
            keyValues.Add(("retired keys", state.Retired.Count.ToString(CultureInfo.InvariantCulture)));
            keyValues.Add(("next key committed", state.NextDigest is null ? "no" : "yes"));
            keyValues.Add(("revoked", state.RevokedAtSeq is { } at ? $"at seq {at}" : "no"));
        }
        else
        {
            keyValues.Add(("key events verify", events.Count == 0 ? "none held" : "NO"));
        }

        list.Add(new Widget("key-panel", "Your key", keyValues));

        var (pending, frontier) = node.Read(k => (k.PendingClaims.Count, k.RelayFrontier));
        list.Add(new Widget("business-time", "Business-time clock", [
            ("ops waiting for relay order", pending.ToString(CultureInfo.InvariantCulture)),
            ("relay order known up to", frontier.ToString(CultureInfo.InvariantCulture)),
            ("own ops not yet ordered", (d.Local + d.Syncing).ToString(CultureInfo.InvariantCulture)),
        ]));

        var (erased, books, state2) = node.Read(k => (k.State.ErasedSubjects().Count, k.State.BooksHash(), k.StateHash()));
        list.Add(new Widget("crypto-shred", "Crypto-shred", [
            ("subjects erased", erased.ToString(CultureInfo.InvariantCulture)),
            ("books hash (without erasure records)", books.ToString()),
            ("state hash", state2.ToString()),
        ]));
        return list;
    }

    private async Task<Widget> FleetWidgetAsync(LedgerRelayServer server, CancellationToken cancellationToken)
    {
        var ledger = options.Ledger ?? server.Options.Ledgers[0].Name;
        var relayLedger = server.Options.Ledgers.First(l => l.Name == ledger);
        var relay = relayLedger.Relay;
        await relayLedger.Beacons.EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var alerts = server.GetAlerts(ledger);
        var beacons = server.GetBeacons(ledger);
        var html = new StringBuilder("<ul class=\"alerts\">");
        foreach (var a in alerts) html.Append("<li class=\"alert\" data-code=\"").Append(a.Code).Append("\"><code>").Append(Encode(a.ToString())).Append("</code> ").Append(Encode(a.Message)).Append("</li>");
        html.Append("</ul><table><tr><th>node</th><th>prefix</th><th>state</th><th>local</th><th>durable</th><th>findings</th><th>last beacon</th></tr>");
        foreach (var b in beacons)
        {
            var x = b.Beacon;
            html.Append("<tr><td>").Append(Encode(x.Author.Value)).Append("</td><td>").Append(x.Prefix.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(x.StateHash is { } h ? h.ToString()[..12] : "-").Append("</td><td>").Append((x.Local + x.Syncing).ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(x.Durable.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Encode(string.Join(" ", x.Findings))).Append("</td><td>")
                .Append(Encode(b.ReceivedAt.ToString("u", CultureInfo.InvariantCulture))).Append("</td></tr>");
        }

        html.Append("</table>");
        return new Widget("fleet-alerts", "Fleet alerts", [
            ("alerts", alerts.Count.ToString(CultureInfo.InvariantCulture)),
            ("nodes reporting", beacons.Count.ToString(CultureInfo.InvariantCulture)),
            ("relay log size", relay.Size.ToString(CultureInfo.InvariantCulture)),
            ("pushes", server.Pushes.ToString(CultureInfo.InvariantCulture)),
            ("reads", server.Reads.ToString(CultureInfo.InvariantCulture)),
            ("refused signatures", server.AuthFailures.ToString(CultureInfo.InvariantCulture)),
        ], html.ToString());
    }

    // A page for one device (ledger monitor <node.db>, or an app's node without a relay): fleet alerts come from the
    // beacons a relay collects, so the widget says it has none rather than showing figures it cannot have.
    private static Widget NoFleetWidget() => new("fleet-alerts", "Fleet alerts", [
        ("fleet", "none: no relay here"),
        ("alerts", "- (a relay computes them from its devices' beacons)"),
        ("nodes reporting", "-"),
    ], "<p class=\"no-fleet\">This page shows one device. Fleet alerts (divergence, silence, equivocation …) are computed by the relay from every device's beacon: open the relay host's monitor page.</p>");

    // A chain breaks where an op does not name the one before it or its seq skips.
    private static string? ChainBreak(List<SignedOp> chain)
    {
        for (var i = 0; i < chain.Count; i++)
        {
            if (chain[i].Op.Seq != (ulong)i + 1) return $"breaks at op {i + 1}: seq {chain[i].Op.Seq}";
            if (i > 0 && chain[i].Op.Prev != chain[i - 1].ChainHash) return $"breaks at op {i + 1}: it does not name op {i}'s hash";
        }

        return null;
    }

    private static string RowId(string key) => Hash32.Sha256(Encoding.UTF8.GetBytes(key)).ToString()[..12];

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
