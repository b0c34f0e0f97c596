using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.Http;
using Ledger.Tests;

namespace Ledger.Fleet;

/// <summary>The fleet: N light tills pushing pre-signed ops over HTTP at a fixed total arrival rate (open model: an op
/// due while its till's push is still in flight, or while every connection slot is taken, is a late send and counted
/// dropped — it goes with the till's next push), full nodes pulling with the live long poll, relay instances in their
/// own processes killed with SIGKILL and restarted, faults injected on a share of tills; then a drain (every due op
/// pushed until acknowledged) and the audit (<see cref="FleetAudit"/>).</summary>
public static class FleetRun
{
    private const int MaxBatch = 64;

    public static async Task<FleetReport> RunAsync(FleetOptions o, CancellationToken cancellationToken = default)
    {
        var output = TextWriter.Synchronized(o.Output ?? Console.Out);
        if (o.Store == "postgres" && string.IsNullOrEmpty(o.Postgres)) throw new ArgumentException("--store postgres needs --pg <connection string>.");
        var work = o.WorkDir ?? Path.Combine(Path.GetTempPath(), "ledger-fleet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var report = new FleetReport { Tills = o.Tills, Rate = o.Rate, WindowSeconds = o.Duration.TotalSeconds, Store = o.Store, Instances = o.Store == "postgres" ? 2 : 1 };

        // ---- before the window: keys, chains, signatures (the load generator must not compete for signing CPU) ----
        var signing = Stopwatch.StartNew();
        var faultyEvery = o.FaultShare <= 0 ? int.MaxValue : (int)Math.Max(1, Math.Round(1 / o.FaultShare));
        var tills = new Till[o.Tills];
        Parallel.For(0, o.Tills, t =>
        {
            var label = "till-" + t.ToString("D5", CultureInfo.InvariantCulture);
            var log = AuthorLog.Incept(FleetOptions.Ledger, label, Key(label, 0), Key(label, 1).Public.Digest, out var inception);
            var ops = new byte[o.OpsPerTill][];
            ops[0] = inception.Bytes.ToArray();
            for (var i = 1; i < ops.Length; i++)
            {
                ops[i] = log.Append(FleetManifest.Manifest, FleetManifest.SaleVerb, new SaleArgs("acct:" + ((t * 31 + i) % 1000).ToString("D4", CultureInfo.InvariantCulture), 100 + i)).Bytes.ToArray();
            }

            tills[t] = new Till(inception.Op.Author, ops, o.FaultShare > 0 && t % faultyEvery == 0);
        });
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"fleet: {o.Tills} tills x {o.OpsPerTill} ops signed in {signing.Elapsed.TotalSeconds:F1}s; {tills.Count(t => t.Faulty)} faulty; rate {o.Rate}/s for {o.Duration.TotalSeconds}s; store {o.Store}")).ConfigureAwait(false);
        report.RawVerifyPerSecondTwoThreads = RawVerifyRate();

        // ---- relays: one SQLite process, or two instances over a fresh PostgreSQL database sharing one checkpoint key ----
        var database = o.Store == "postgres" ? FleetDatabase.Create(o.Postgres!) : null;
        if (database is not null)
        {
            await File.WriteAllBytesAsync(Path.Combine(work, "relay.db.checkpoint-key"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"fleet: relays share the fresh database '{database.Name}'{(o.PgRestartAt is { } r ? string.Create(CultureInfo.InvariantCulture, $"; PostgreSQL restarted at t={r.TotalSeconds:F0}s by {(o.PgGate ? $"closing the gate in front of it for {o.PgGateDown.TotalSeconds:F0}s" : $"'{o.PgRestartCommand}'")}") : "")}").ConfigureAwait(false);
        }

        TcpGate? gate = null;
        var relayDatabase = database?.ConnectionString;
        if (database is not null && o.PgGate)
        {
            var target = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
            gate = new TcpGate(target.Host ?? "localhost", target.Port);
            relayDatabase = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = gate.Port }.ToString();
        }

        var instances = Enumerable.Range(0, report.Instances).Select(i => new RelayProcess(i, Path.Combine(work, "relay.db"), relayDatabase, o.NoticeInterval)).ToArray();
        using var pool = new SocketsHttpHandler { MaxConnectionsPerServer = o.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var faults = new FaultHandler(pool, o.FaultRate, o.Seed);
        var clean = new List<(HttpClient Http, HttpRelayClient Relay)>();
        var reads = new ReadCounter(pool);
        // The tills' long polls hold a connection each for the whole window: their own pool, so they never take the
        // pushes' slots.
        using var pollPool = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(1, o.TillPolls), PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var polls = new ReadCounter(pollPool);
        var pollers = new List<HttpRelayClient>();
        var pollClients = new List<HttpClient>();
        var readers = new List<(HttpClient Http, HttpRelayClient Relay)>();
        var faulty = new List<(HttpClient Http, HttpRelayClient Relay)>();
        var observers = new List<DeviceNode>();
        try
        {
            foreach (var instance in instances) instance.Start();
            var trusted = NoteKey.TryParseVkey(instances[0].Vkey, out var key) ? key! : throw new InvalidOperationException($"the relay's vkey '{instances[0].Vkey}' does not parse.");
            foreach (var instance in instances)
            {
                var http = new HttpClient(pool, disposeHandler: false) { BaseAddress = new Uri(instance.Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
                clean.Add((http, new HttpRelayClient(http, new HttpRelayClientOptions { Ledger = FleetOptions.Ledger })));
                var reading = new HttpClient(reads, disposeHandler: false) { BaseAddress = new Uri(instance.Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
                readers.Add((reading, new HttpRelayClient(reading, new HttpRelayClientOptions { Ledger = FleetOptions.Ledger })));
                var polling = new HttpClient(polls, disposeHandler: false) { BaseAddress = new Uri(instance.Url + "/"), Timeout = TimeSpan.FromSeconds(60) };
                pollClients.Add(polling);
                pollers.Add(new HttpRelayClient(polling, new HttpRelayClientOptions { Ledger = FleetOptions.Ledger }));
                var bad = new HttpClient(faults, disposeHandler: false) { BaseAddress = new Uri(instance.Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
                faulty.Add((bad, new HttpRelayClient(bad, new HttpRelayClientOptions { Ledger = FleetOptions.Ledger })));
            }

            for (var i = 0; i < o.Observers; i++)
            {
                var label = "observer-" + i.ToString(CultureInfo.InvariantCulture);
                observers.Add(await DeviceNode.InceptAsync(new NodeOptions { Ledger = FleetOptions.Ledger, Manifests = new ManifestCatalog(FleetManifest.Manifest), TrustedRelay = trusted },
                    new InMemoryNodeStore(), Key(label, 0), label, Key(label, 1).Public.Digest, cancellationToken).ConfigureAwait(false));
            }

            var latencies = new ConcurrentBag<double>();
            var pushStarted = new ConcurrentDictionary<long, long>(); // position → when the push that placed it started
            // Where each position was first seen in a signed checkpoint: per watcher, (from, to, when) in the order seen.
            var sightings = clean.Select(_ => new List<(long From, long To, long At)>()).ToArray();
            long requests = 0, errors = 0, acked = 0, dropped = 0, arrivals = 0, inflight = 0;
            var pushes = new ConcurrentDictionary<Task, bool>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            HttpRelayClient ClientFor(Till till, int attempt)
            {
                var list = till.Faulty ? faulty : clean;
                return list[(int)((uint)(till.Author.GetHashCode() + attempt) % (uint)list.Count)].Relay;
            }

            async Task PushAsync(Till till, int attempt)
            {
                try
                {
                    var from = till.Acked;
                    var to = Math.Min(till.Due, from + MaxBatch);
                    if (to <= from) return;
                    var batch = new ReadOnlyMemory<byte>[to - from];
                    for (var i = from; i < to; i++) batch[i - from] = till.Ops[i];
                    Interlocked.Increment(ref requests);
                    var started = Stopwatch.GetTimestamp();
                    IngestResponse answer;
                    try
                    {
                        answer = await ClientFor(till, attempt).PushAsync(batch, stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is RelayUnavailableException or RelayProtocolException)
                    {
                        Interlocked.Increment(ref errors);
                        return;
                    }

                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    foreach (var r in answer.Results)
                    {
                        var index = from + r.Index;
                        if (!r.Held || r.Position is not { } position || index >= to) continue;
                        if (till.Positions[index] == -1)
                        {
                            till.Positions[index] = position;
                            pushStarted.TryAdd(position, started);
                        }
                        else if (till.Positions[index] != position)
                        {
                            // Told two positions for one op: the audit reports it (the first told one is kept).
                            lock (till) till.Moved++;
                        }
                    }

                    var before = till.Acked;
                    while (till.Acked < till.Ops.Length && till.Positions[till.Acked] != -1) till.Acked++;
                    Interlocked.Add(ref acked, till.Acked - before);
                }
                finally
                {
                    Interlocked.Decrement(ref inflight);
                    Volatile.Write(ref till.Busy, 0);
                }
            }

            bool TryStart(Till till, int attempt)
            {
                if (Interlocked.CompareExchange(ref till.Busy, 1, 0) != 0) return false;
                if (Interlocked.Increment(ref inflight) > o.Concurrency)
                {
                    Interlocked.Decrement(ref inflight);
                    Volatile.Write(ref till.Busy, 0);
                    return false;
                }

                var task = Task.Run(() => PushAsync(till, attempt));
                pushes[task] = true;
                _ = task.ContinueWith(t => pushes.TryRemove(t, out _), TaskScheduler.Default);
                return true;
            }

            // ---- watchers: one per instance, on the live long poll only, time when a position first appears in a signed
            // checkpoint. They never fold: the observers below fold (and fall behind on a busy machine), which measured
            // the observers' lag, not the relay's, when they timed this themselves.
            async Task WatchAsync(HttpRelayClient client, List<(long From, long To, long At)> seenBy)
            {
                long seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var size = await client.WaitForChangeAsync(seen, stop.Token).ConfigureAwait(false);
                        if (size is not { } grown || grown <= seen) continue;
                        var now = Stopwatch.GetTimestamp();
                        lock (seenBy) seenBy.Add((seen, grown, now));
                        seen = grown;
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e) when (e is RelayUnavailableException or RelayProtocolException or SyncException or HttpRequestException)
                    {
                        await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }

            var watching = readers.Select((c, i) => Task.Run(() => WatchAsync(c.Relay, sightings[i]))).ToArray();

            // ---- tills on the live long poll (--till-polls): woken by each checkpoint the relay grows to, they ask again
            // from there; they fold nothing (a till's own figures come from its own node). ----
            long tillWakes = 0;
            async Task PollAsync(HttpRelayClient client)
            {
                long seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if (await client.WaitForChangeAsync(seen, stop.Token).ConfigureAwait(false) is { } grown && grown > seen)
                        {
                            seen = grown;
                            Interlocked.Increment(ref tillWakes);
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e) when (e is RelayUnavailableException or RelayProtocolException or SyncException or HttpRequestException or OperationCanceledException)
                    {
                        await Task.Delay(250, CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }

            // --till-events: the same tills on the Server-Sent Events stream instead — one request held open, an
            // "event: size" written on it for each change.
            async Task ListenAsync(HttpClient http)
            {
                long seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"v1/ledgers/{FleetOptions.Ledger}/events?after={seen}"));
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token).ConfigureAwait(false);
                        response.EnsureSuccessStatusCode();
                        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token).ConfigureAwait(false));
                        while (await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
                        {
                            if (line.StartsWith("data: ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                            {
                                seen = size;
                                Interlocked.Increment(ref tillWakes);
                            }
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                    {
                        await Task.Delay(250, CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }

            var tillPolling = Enumerable.Range(0, o.TillPolls)
                .Select(i => o.TillEvents ? Task.Run(() => ListenAsync(pollClients[i % pollClients.Count])) : Task.Run(() => PollAsync(pollers[i % pollers.Count])))
                .ToArray();

            // ---- observers: the live long poll, then a sync (they fold the log; the audit compares their state hashes) ----
            long observed = 0;
            async Task ObserveAsync(DeviceNode node, int index)
            {
                var client = readers[index % readers.Count].Relay;
                long seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var size = await client.WaitForChangeAsync(seen, stop.Token).ConfigureAwait(false);
                        if (size is not { } grown) continue;
                        seen = Math.Max(seen, grown);
                        // A round pulls until the node is caught up, often past what the poll said: wait from where it
                        // ended, or the next poll answers at once and the round finds nothing new (~20 % of rounds at
                        // 100 ops/s were such empty rounds, each five requests).
                        var round = await node.SyncAsync(client, stop.Token).ConfigureAwait(false);
                        if (!round.Offline && round.RelaySize is { } end) seen = Math.Max(seen, end);
                        InterlockedMax(ref observed, seen);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e) when (e is RelayUnavailableException or RelayProtocolException or SyncException)
                    {
                        await Task.Delay(250, CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }

            var observing = observers.Select((n, i) => Task.Run(() => ObserveAsync(n, i))).ToArray();

            // ---- inceptions, before the window: setup, as signing the ops is. Started all at once inside the window they
            // opened it with a burst of one request per till, which the client pool's cap turned into dropped arrivals
            // for the first seconds (and their 10,000 ops counted as accepted ops of the window). ----
            for (var attempt = 0; tills.Any(t => t.Acked < 1); attempt++)
            {
                if (attempt == 1_000) throw new InvalidOperationException("the tills' inceptions were not all acknowledged after 1,000 attempts.");
                foreach (var till in tills) if (till.Acked < 1) TryStart(till, attempt);
                await Task.WhenAll(pushes.Keys.ToArray()).ConfigureAwait(false);
            }

            latencies.Clear();
            pushStarted.Clear();
            Interlocked.Exchange(ref requests, 0);
            Interlocked.Exchange(ref errors, 0);
            Interlocked.Exchange(ref acked, 0);
            reads.Reset();
            polls.Reset();
            Interlocked.Exchange(ref tillWakes, 0);

            // ---- the window ----
            var window = Stopwatch.StartNew();
            var relayCpuAtStart = instances.Aggregate(TimeSpan.Zero, (t, i) => t + i.CpuTime);
            var relayTotalsAtStart = SumTotals(instances);
            var toolCpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            var interval = 1.0 / o.Rate;
            long k = 0;
            var nextKill = o.KillEvery;
            var nextProgress = o.ProgressEvery;
            var killer = 0;
            var chaos = Task.CompletedTask;
            var restartAt = database is null ? null : o.PgRestartAt;
            var databaseChaos = Task.CompletedTask;
            while (window.Elapsed < o.Duration)
            {
                var now = window.Elapsed.TotalSeconds;
                while (k * interval <= now && k * interval < o.Duration.TotalSeconds)
                {
                    var till = tills[k % tills.Length];
                    var late = now - k * interval > 1.0;
                    if (till.Due < till.Ops.Length) till.Due++;
                    Interlocked.Increment(ref arrivals);
                    if (late || !TryStart(till, (int)(k / tills.Length))) Interlocked.Increment(ref dropped);
                    k++;
                }

                if (nextKill is { } kill && window.Elapsed >= kill)
                {
                    // Off the arrival loop: a restart takes seconds and the arrivals must keep their rate.
                    var victim = instances[killer++ % instances.Length];
                    var at = window.Elapsed.TotalSeconds;
                    await chaos.ConfigureAwait(false);
                    chaos = Task.Run(() =>
                    {
                        victim.KillAndRestart();
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"t={at:F0}s chaos: relay {victim.Instance} SIGKILLed, restarted by t={window.Elapsed.TotalSeconds:F0}s"));
                    }, CancellationToken.None);
                    nextKill = kill + o.KillEvery!.Value;
                }

                if (restartAt is { } restart && window.Elapsed >= restart)
                {
                    restartAt = null;
                    var at = window.Elapsed.TotalSeconds;
                    databaseChaos = Task.Run(() =>
                    {
                        var (ok, what) = gate is null ? FleetDatabase.Restart(o.PgRestartCommand) : FleetDatabase.Outage(gate, o.PgGateDown);
                        var line = string.Create(CultureInfo.InvariantCulture, $"t={at:F0}s chaos: PostgreSQL {(ok ? "restarted" : "NOT restarted")}: {what}, done by t={window.Elapsed.TotalSeconds:F0}s");
                        lock (report.DatabaseRestarts) report.DatabaseRestarts.Add((ok ? "ok: " : "failed: ") + line);
                        output.WriteLine(line);
                    }, CancellationToken.None);
                }

                if (window.Elapsed.TotalSeconds >= nextProgress)
                {
                    foreach (var instance in instances) instance.Sample();
                    var l = latencies.ToArray();
                    Array.Sort(l);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"t={window.Elapsed.TotalSeconds:F0}s arrivals={Interlocked.Read(ref arrivals)} acked={Interlocked.Read(ref acked)} rate={Interlocked.Read(ref acked) / window.Elapsed.TotalSeconds:F0}/s p99={Percentile(l, 0.99):F0}ms errors={Interlocked.Read(ref errors)} dropped={Interlocked.Read(ref dropped)} lag={Interlocked.Read(ref acked) + tills.Length + o.Observers - Interlocked.Read(ref observed)} inflight={Interlocked.Read(ref inflight)} relayMB={string.Join('/', instances.Select(i => i.WorkingSets.LastOrDefault() >> 20))}")).ConfigureAwait(false);
                    nextProgress += o.ProgressEvery;
                }

                await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
            }

            await chaos.ConfigureAwait(false);
            await databaseChaos.ConfigureAwait(false);
            var windowSeconds = window.Elapsed.TotalSeconds;
            report.AckedInWindow = Interlocked.Read(ref acked);
            report.AcceptedOpsPerSecond = report.AckedInWindow / windowSeconds;

            // ---- drain: every due op pushed until acknowledged (no chaos but the tills' faults) ----
            var drain = Stopwatch.StartNew();
            var attemptNo = 1_000;
            while (tills.Any(t => t.Acked < t.Due) && drain.Elapsed < TimeSpan.FromMinutes(3))
            {
                foreach (var till in tills) if (till.Acked < till.Due) TryStart(till, attemptNo);
                attemptNo++;
                await Task.WhenAll(pushes.Keys.ToArray()).ConfigureAwait(false);
            }

            await Task.WhenAll(pushes.Keys.ToArray()).ConfigureAwait(false);
            report.DrainSeconds = drain.Elapsed.TotalSeconds;
            // The capacity model's inputs (docs/scaling.md): what the relays and this tool spent over the window and the
            // drain, and the work done in it.
            report.RelayCpuSeconds = instances.Aggregate(TimeSpan.Zero, (t, i) => t + i.CpuTime).TotalSeconds - relayCpuAtStart.TotalSeconds;
            // The relays' own counts over the same span (asked of each relay process: RelayTotals).
            if (SumTotals(instances) is { } relayTotalsAtEnd && relayTotalsAtStart is { } atStart)
            {
                var counted = relayTotalsAtEnd.Minus(atStart);
                report.RelayCommits = counted.Commits;
                report.RelayLongPollAnswers = counted.LongPollAnswers;
                report.RelaySizeEvents = counted.SizeEvents;
            }
            report.ToolCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - toolCpuAtStart).TotalSeconds;
            report.AckedTotal = Interlocked.Read(ref acked);
            report.ReaderRequests = new Dictionary<string, long>(reads.Requests, StringComparer.Ordinal);
            report.ReaderAnswerBytes = reads.AnswerBytes;
            report.TillPolls = o.TillPolls;
            report.TillPollRequests = polls.Requests.Values.Sum();
            report.TillPollWakes = Interlocked.Read(ref tillWakes);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(tillPolling).ConfigureAwait(false);
            await Task.WhenAll(observing).ConfigureAwait(false);
            await Task.WhenAll(watching).ConfigureAwait(false);

            var all = latencies.ToArray();
            Array.Sort(all);
            var tc = ToCheckpoint(pushStarted, sightings);
            report.Arrivals = arrivals;
            report.Dropped = dropped;
            report.Requests = requests;
            report.RequestErrors = errors;
            report.PushP50Ms = Percentile(all, 0.5);
            report.PushP99Ms = Percentile(all, 0.99);
            report.PushP999Ms = Percentile(all, 0.999);
            report.AckToObserverP99Ms = Percentile(tc, 0.99);
            report.RatioToRawVerify = report.AcceptedOpsPerSecond / report.RawVerifyPerSecondTwoThreads;
            report.Kills = instances.Sum(i => i.Kills);
            report.RelayStartRetries = instances.Sum(i => i.Restarts);
            report.Faults = new Dictionary<string, long>
            {
                ["droppedRequests"] = faults.DroppedRequests,
                ["droppedAnswers"] = faults.DroppedAnswers,
                ["duplicated"] = faults.Duplicated,
                ["delayed"] = faults.Delayed,
                ["truncated"] = faults.Truncated,
            };
            foreach (var instance in instances) instance.Sample();
            report.RelayPeakWorkingSetBytes = instances.Select(i => i.PeakWorkingSet).ToList();
            var warm = instances.SelectMany(i => i.WorkingSets.Skip(i.WorkingSets.Count / 4)).DefaultIfEmpty().ToArray();
            report.RelayWorkingSetAfterWarmupMinMaxBytes = [warm.Min(), warm.Max()];
            report.RelayPeakOpenFiles = instances.Select(i => i.PeakOpenFiles).ToList();

            // ---- the audit ----
            await FleetAudit.RunAsync(report.Audit, report, tills, observers, clean.Select(c => c.Relay).ToArray(), trusted, cancellationToken).ConfigureAwait(false);

            if (database is not null && o.PgRestartAt is not null)
            {
                report.Audit.Add(new AuditCheck("PostgreSQL was restarted during the window as asked", report.DatabaseRestarts.Count == 1 && report.DatabaseRestarts[0].StartsWith("ok: ", StringComparison.Ordinal),
                    report.DatabaseRestarts.Count == 0 ? "the window ended before --pg-restart-at" : report.DatabaseRestarts[0]));
            }

            // The audit can fail: told one acknowledged op a wrong position, it must say so.
            var victimTill = tills.First(t => t.Positions[0] >= 0);
            victimTill.Positions[0]++;
            var tampered = new List<AuditCheck>();
            await FleetAudit.RunAsync(tampered, new FleetReport { Tills = 0, Rate = 0, WindowSeconds = 0, Store = "", Instances = 0 }, tills, observers, clean.Select(c => c.Relay).ToArray(), trusted, cancellationToken).ConfigureAwait(false);
            victimTill.Positions[0]--;
            report.AuditCatchesAWrongPosition = tampered.Any(c => !c.Ok);
        }
        finally
        {
            // Each step on its own: a step that throws (the database cannot be dropped, a node's file is locked) is
            // reported with the summary and the audit instead of replacing them — the audit is what the run is for.
            foreach (var node in observers) await CleanUpAsync(report, "observer node", () => node.DisposeAsync().AsTask()).ConfigureAwait(false);
            foreach (var (http, _) in clean.Concat(faulty).Concat(readers)) http.Dispose();
            foreach (var http in pollClients) http.Dispose();
            faults.Dispose();
            foreach (var instance in instances) await CleanUpAsync(report, "relay instance " + instance.Instance.ToString(CultureInfo.InvariantCulture), () => { instance.Dispose(); return Task.CompletedTask; }).ConfigureAwait(false);
            gate?.Dispose();
            if (database is not null && !o.PgKeep) await CleanUpAsync(report, "dropping database " + database.Name, () => { database.Drop(); return Task.CompletedTask; }).ConfigureAwait(false);
        }

        var summary = o.SummaryPath ?? Path.Combine(work, "fleet-summary.json");
        await File.WriteAllTextAsync(summary, System.Text.Json.JsonSerializer.Serialize(report, FleetJson.Default.FleetReport), cancellationToken).ConfigureAwait(false);
        foreach (var check in report.Audit) await output.WriteLineAsync($"audit {(check.Ok ? "ok  " : "FAIL")} {check.Name}: {check.Detail}").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"readers (observers, watchers) over the window and the drain: {string.Join(", ", report.ReaderRequests.Select(r => $"{r.Value} {r.Key}"))}; {report.ReaderAnswerBytes / 1_048_576.0:F1} MB of answers{(report.TillPolls > 0 ? $"; {report.TillPolls} tills on the {(o.TillEvents ? "event stream" : "long poll")}: {report.TillPollRequests} requests, {report.TillPollWakes} {(o.TillEvents ? "size events" : "woken by a new checkpoint")}" : "")}")).ConfigureAwait(false);
        foreach (var failure in report.CleanupFailures) await output.WriteLineAsync("cleanup failed (the audit above stands): " + failure).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"fleet {(report.Passed ? "PASSED" : "FAILED")} ({report.Store}, {report.Instances} relay instance(s)): accepted {report.AcceptedOpsPerSecond:F0} ops/s ({report.RatioToRawVerify:F3} of raw 2-thread verify {report.RawVerifyPerSecondTwoThreads:F0}/s), push p50/p99/p99.9 {report.PushP50Ms:F1}/{report.PushP99Ms:F1}/{report.PushP999Ms:F1} ms, to checkpoint p99 {report.AckToObserverP99Ms:F0} ms, dropped {report.Dropped}, errors {report.RequestErrors}, kills {report.Kills}, PostgreSQL restarts {report.DatabaseRestarts.Count}, lost {report.Lost}; relay CPU {report.RelayCpuSeconds:F1} s for {report.Requests} requests, {report.AckedTotal} ops and {(report.RelayCommits is { } commits ? commits.ToString(CultureInfo.InvariantCulture) : "?")} commits, {(report.RelayLongPollAnswers is { } answers ? answers.ToString(CultureInfo.InvariantCulture) : "?")} long-poll answers and {(report.RelaySizeEvents is { } events ? events.ToString(CultureInfo.InvariantCulture) : "?")} size events by the relays (tool CPU {report.ToolCpuSeconds:F1} s); summary {summary}")).ConfigureAwait(false);
        return report;
    }

    private static RelayTotals? SumTotals(RelayProcess[] instances)
    {
        var sum = RelayTotals.Zero;
        foreach (var instance in instances)
        {
            if (instance.Totals is not { } totals) return null;
            sum = sum.Plus(totals);
        }

        return sum;
    }

    private static async Task CleanUpAsync(FleetReport report, string what, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            report.CleanupFailures.Add($"{what}: {e.GetType().Name}: {e.Message}");
        }
    }

    internal static SigningKey Key(string label, uint index) => SigningKey.FromSeed(Hash32.Sha256(Encoding.UTF8.GetBytes($"fleet/{label}/{index}")).ToArray());

    // Push start → first sighting in a signed checkpoint, per acknowledged position (sorted). A position a watcher saw
    // before its till's answer arrived counts too (the answer and the checkpoint race). Each watcher's ranges are
    // contiguous and ascending (it long-polls from what it has seen), so a binary search finds a position's range.
    private static double[] ToCheckpoint(ConcurrentDictionary<long, long> pushStarted, List<(long From, long To, long At)>[] sightings)
    {
        var times = new List<double>(pushStarted.Count);
        foreach (var (position, started) in pushStarted)
        {
            long? first = null;
            foreach (var ranges in sightings)
            {
                int lo = 0, hi = ranges.Count - 1;
                while (lo <= hi)
                {
                    var mid = (lo + hi) / 2;
                    if (ranges[mid].To <= position) lo = mid + 1;
                    else if (ranges[mid].From > position) hi = mid - 1;
                    else
                    {
                        if (first is null || ranges[mid].At < first) first = ranges[mid].At;
                        break;
                    }
                }
            }

            if (first is { } at) times.Add(Math.Max(0, Stopwatch.GetElapsedTime(started, at).TotalMilliseconds));
        }

        var sorted = times.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, sorted.Length * q)];

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>Ed25519 verifications a second on two threads, measured in this run (the ceiling of a relay that
    /// checks every op's signature on this machine).</summary>
    private static double RawVerifyRate()
    {
        var key = Key("raw-verify", 0);
        var message = new byte[200];
        var signature = key.Sign(message);
        long count = 0;
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        Parallel.For(0, 2, _ =>
        {
            long local = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                if (key.Public.Verify(message, signature)) local++;
            }

            Interlocked.Add(ref count, local);
        });
        return count;
    }
}
