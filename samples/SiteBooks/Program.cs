using System.Diagnostics;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Testing;
using SiteBooks;
using SiteBooks.Domain;

var seed = 1;
var ops = 3000;
var shuffles = 20;
var hashOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out seed):
            i++;
            break;
        case "--ops" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out ops) && ops >= 100:
            i++;
            break;
        case "--shuffles" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out shuffles) && shuffles >= 1:
            i++;
            break;
        case "--hash-only":
            hashOnly = true;
            break;
        default:
            Console.Error.WriteLine("usage: SiteBooks [--seed <n>] [--ops <n ≥ 100>] [--shuffles <k>] [--hash-only]");
            return 2;
    }
}

var scenario = new Scenario(seed, sites: 3, tillsPerSite: 2);
var log = scenario.Generate(ops);
// The determinism sentinel is on in the demo: every op's verb runs twice and a difference stops the fold, loudly.
KernelOptions Options() => new() { Manifests = Books.History(), CheckDeterminism = true };

// The live replica: folds ops as the relay delivers them, learning the relay prefix as it goes.
var live = new LedgerKernel(Options());
foreach (var entry in log)
{
    live.Apply(entry);
    live.AdvanceRelayFrontier(entry.Position!.Value + 1);
}

var liveHash = live.StateHash();
if (hashOnly)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"STATE ops={log.Count} hash={liveHash}"));
    // Which environment produced it, so a determinism test can show the environment really differed.
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ENV culture={CultureInfo.CurrentCulture.Name} timeZone={TimeZoneInfo.Local.Id} invariantGlobalization={CultureInfo.CurrentCulture.CompareInfo.Version.FullVersion == 0}"));
    return 0;
}

var ok = true;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SiteBooks — seed {seed}: {log.Count} ops from {scenario.Authors.Count()} tills at 3 sites"));
Console.WriteLine();
PrintSummary(live);

// ① Prove the books: a fresh kernel replays the log; its hash must equal the live one.
var proof = BooksProof.Prove(live, log);
Console.WriteLine(proof);
ok &= proof.Match;

// ② Legal reorderings: every interleaving that keeps each till's order and the relay's claim order.
var hashes = new HashSet<Hash32> { liveHash };
for (var i = 0; i < shuffles; i++)
{
    var order = LedgerGen.LegalOrder(log, seed * 1_000 + i);
    var replica = new LedgerKernel(Options());
    foreach (var entry in order) replica.Apply(entry);
    replica.AdvanceRelayFrontier(long.MaxValue);
    hashes.Add(replica.StateHash());
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SHUFFLE orders={shuffles} distinctHashes={hashes.Count}"));
ok &= hashes.Count == 1;

// ③ Bootstrap from a checkpoint taken at 90% and fold the tail, against genesis replay.
var cut = log.Count * 9 / 10;
var early = new LedgerKernel(Options());
foreach (var entry in log.Take(cut)) early.Apply(entry);
early.AdvanceRelayFrontier(cut);
var checkpointBytes = CheckpointCodec.Encode(early.CreateCheckpoint());

var clock = Stopwatch.StartNew();
var genesis = new LedgerKernel(Options());
foreach (var entry in log) genesis.Apply(entry);
genesis.AdvanceRelayFrontier(long.MaxValue);
var genesisHash = genesis.StateHash();
var genesisMs = clock.Elapsed.TotalMilliseconds;

clock.Restart();
var booted = LedgerKernel.Restore(checkpointBytes, Options());
foreach (var entry in log.Skip(cut)) booted.Apply(entry);
booted.AdvanceRelayFrontier(long.MaxValue);
var bootHash = booted.StateHash();
var bootstrapMs = clock.Elapsed.TotalMilliseconds;
var checkpointMatch = bootHash == genesisHash && genesisHash == liveHash;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"CHECKPOINT genesisMs={genesisMs:F1} bootstrapMs={bootstrapMs:F1} match={(checkpointMatch ? 'Y' : 'N')} checkpointBytes={checkpointBytes.Length} rows={early.State.RowCount}"));
ok &= checkpointMatch;

// ④ The last lamp: two tills claimed it offline; the relay order decides, the loser is backordered.
var key = Books.LastUnitKey("LAMP-1");
live.State.TryGet(Books.LastUnits, key, out var pool);
var backorders = live.State.Rows(Books.Backorders);
var loserRow = backorders.SingleOrDefault(b => b.Value.Sku == "LAMP-1");
var claimOk = pool is not null && pool.Units == 0 && loserRow.Key is not null && loserRow.Value.Till != pool.Holder;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"CLAIM winner={pool?.Holder ?? "-"} loser={loserRow.Value?.Till ?? "-"} correction=backorders/{loserRow.Key ?? "-"}"));
ok &= claimOk;

// ⑤ Migration: some tills adopted v2 (VAT) mid-log while the others kept writing v1 ops.
var v1Ops = log.Where(e => e.Op.Manifest == Books.V1.Id).ToList();
var frozenV1 = new LedgerKernel(new KernelOptions { Manifests = Books.History(withV2: false), CheckDeterminism = true });
var frozenBoth = new LedgerKernel(Options());
foreach (var entry in v1Ops)
{
    frozenV1.Apply(entry);
    frozenBoth.Apply(entry);
}

frozenV1.AdvanceRelayFrontier(long.MaxValue);
frozenBoth.AdvanceRelayFrontier(long.MaxValue);
var oldOpsFrozen = frozenV1.StateHash() == frozenBoth.StateHash();

// A replica still running v1 software parks the v2 ops loudly, updates, and catches up.
var oldHistory = Books.History(withV2: false);
var oldReplica = new LedgerKernel(new KernelOptions { Manifests = oldHistory, CheckDeterminism = true });
foreach (var entry in LedgerGen.LegalOrder(log, seed + 7)) oldReplica.Apply(entry);
oldReplica.AdvanceRelayFrontier(long.MaxValue);
var parkedBefore = oldReplica.Parked;
var parkedUnknown = parkedBefore.MissingManifests.Contains(Books.V2.Id) && parkedBefore.Ops.Count > 0;
oldHistory.Add(Books.V2);
oldReplica.Resume();
var converged = oldReplica.StateHash() == liveHash && oldReplica.Parked.IsEmpty;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"MIGRATE from=1 to=2 oldOpsReplayedFrozen={(oldOpsFrozen ? 'Y' : 'N')} replicasConverged={(converged ? 'Y' : 'N')} parkedUnknown={(parkedUnknown ? 'Y' : 'N')} adopters={scenario.Adopters.Count} parkedOps={parkedBefore.Ops.Count}"));
ok &= oldOpsFrozen && converged && parkedUnknown;

// ⑥ Crypto-shred (Ledger.Erasure) ---------------------------------------------------------------------
// Customers with sealed names at three front desks; one is erased. Measured: can any site recover the name,
// do the chains verify, are the books byte-identical, does the certificate of erasure verify.
var shred = CustomerErasure.Run(seed);
Console.WriteLine(shred.Line);
ok &= shred.Ok;
// ------------------------------------------------------------------------------------------------------

// ⑥ Three signing devices and a relay on SQLite files: one goes offline, keeps working, comes back.
ok &= await DevicesAndRelay.RunAsync(seed, Console.Out);

// ⑦ A dishonest relay signs different orders for two sites; gossip catches it with standalone evidence.
ok &= await DishonestRelay.RunAsync(seed, Console.Out);

// ⑧ The tills sync through a Kestrel relay on loopback over HTTP, members only, every request signed.
ok &= await HttpRelayDemo.RunAsync(seed, Console.Out);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"STATE ops={log.Count} hash={liveHash}"));
Console.WriteLine(ok ? "all witnesses hold" : "A WITNESS FAILED");
return ok ? 0 : 1;

static void PrintSummary(LedgerKernel kernel)
{
    var state = kernel.State;
    string Money(Int128 cents) => (cents / 100).ToString(CultureInfo.InvariantCulture) + "." + ((int)(Int128.Abs(cents) % 100)).ToString("D2", CultureInfo.InvariantCulture);
    Console.WriteLine("Shared ledger (all sites):");
    foreach (var (account, cents) in state.Rows(Books.Accounts))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {account,-12} {Money(cents),14}"));
    }

    Console.WriteLine("Largest sale per site:");
    foreach (var site in new[] { "site-a", "site-b", "site-c" })
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {site,-12} {Money(state.Get(Books.LargestSale, site) ?? 0),14}"));
    }

    var refusals = state.Refusals().GroupBy(r => r.Code).OrderBy(g => g.Key, StringComparer.Ordinal);
    Console.WriteLine("Refused ops (kept in the books, never blocking): " +
        string.Join(", ", refusals.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}×{g.Count()}"))));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"State: {state.RowCount} rows in {state.Segments.Count()} segments"));
    Console.WriteLine();
}
