using System.Globalization;
using Ledger.Erasure;
using Ledger.Kernel;
using Ledger.Migration;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests.Simulation;

/// <summary>A deterministic fault simulator (FoundationDB-style, in one process): three devices and a checkpoint-signing
/// relay on a seeded schedule of appends, claims, syncs and faults — lost requests, lost answers, duplicated and delayed
/// (reordered) pushes, offline spells, partitions, a full store, commits torn by a crash, crashes and restarts of devices
/// and of the relay, the relay's store lost and rebuilt from the devices' stores, key rotations, erasures and manifest
/// adoptions. After every step it checks that no acknowledged op was lost, that the ladder never lies, that devices at
/// one relay prefix have one state hash, that no two devices both hold one exclusive claim, that nobody honest is accused
/// and that an erased subject's key is gone wherever the erase op was folded; at the end, healed, that everything became
/// durable, every chain verifies under the key its device rotated to, and every replica has one state hash. In a schedule
/// with a forking relay, evidence naming that relay must appear instead.</summary>
/// <remarks>A seed fixes the whole schedule (random numbers, the clock, op ids, subject keys): a failure names its seed, and
/// <c>LEDGER_SIM_SEED=&lt;seed&gt;</c> replays it. docs/reliability.md, "Fault simulator".</remarks>
internal sealed class FaultSimulator
{
    private const int Devices = 3;
    private const int ClaimKeys = 3;
    private const string FirstOrigin = "relay.example/sim";
    private static readonly SigningKey RelayKey = World.Key("sim-relay", 0);

    private readonly int _seed;
    private readonly Breakage _broken;
    private readonly bool _forking;
    private readonly bool _expectEvidence;
    private readonly bool _gossipOn;
    private readonly Random _random;
    private readonly List<string> _trace = [];
    private readonly DeviceNode[] _nodes = new DeviceNode[Devices];
    private readonly SimulatedNodeStore[] _stores = new SimulatedNodeStore[Devices];
    private readonly SimulatedLink[] _links = new SimulatedLink[Devices];
    private readonly SteppingClock[] _clocks = new SteppingClock[Devices];
    private readonly uint[] _keyIndex = new uint[Devices];
    private readonly bool[] _hasV2 = new bool[Devices];
    private readonly bool[] _adopted = new bool[Devices];
    private readonly InMemorySubjectKeyStore[] _subjectKeys = new InMemorySubjectKeyStore[Devices];
    private readonly ErasureReplica[] _erasure = new ErasureReplica[Devices];
    private readonly List<(SubjectId Id, int Owner)> _subjects = [];
    private readonly HashSet<SubjectId> _eraseSent = [];
    // Every op whose append returned: its device's store must hold it, with these bytes, forever after.
    private readonly List<(int Node, OpRef Op, Hash32 ChainHash)> _acknowledged = [];
    // Take ops (one unit of a claim key whose pool holds one unit): at most one may ever be Won.
    private readonly Dictionary<OpRef, string> _takes = [];
    private InMemoryRelayStore _relayData = new();
    private string _origin = FirstOrigin;
    private Relay _relay;
    private ForkingRelay? _fork;
    private PeerGossip _gossip = new();
    private int _step;
    private string? _stoppedBecause;

    private FaultSimulator(int seed, Breakage broken)
    {
        _seed = seed;
        _broken = broken;
        _forking = broken is Breakage.ForkingRelay or Breakage.ForkingRelayUnwatched or Breakage.ForkingRelayDeclaredHonest or Breakage.SplitClaimDeclaredHonest;
        _expectEvidence = broken is Breakage.ForkingRelay or Breakage.ForkingRelayUnwatched;
        _gossipOn = broken is not (Breakage.ForkingRelayUnwatched or Breakage.SplitClaimDeclaredHonest);
        _random = new Random(seed);
        _relay = NewRelay();
    }

    /// <summary>What CI runs for <paramref name="seed"/>: every tenth schedule has a forking relay, the others are honest.</summary>
    public static Breakage ScheduleKind(int seed) => seed % 10 == 0 ? Breakage.ForkingRelay : Breakage.None;

    public static string Replay(int seed, Breakage? broken = null)
    {
        var extra = broken is { } b && b != ScheduleKind(seed) ? $"LEDGER_SIM_BREAK={b} " : "";
        return $"replay: LEDGER_SIM_SEED={seed.ToString(CultureInfo.InvariantCulture)} {extra}dotnet test tests/Ledger.Sync.Tests --filter FullyQualifiedName~FaultSimulatorTests";
    }

    /// <summary>Runs one schedule of <paramref name="steps"/> steps; throws naming the seed, the replay line, the step and
    /// the trace. Returns what the schedule did.</summary>
    public static async Task<ScheduleSummary> RunAsync(int seed, int steps, Breakage? broken = null)
    {
        var kind = broken ?? ScheduleKind(seed);
        var simulation = new FaultSimulator(seed, kind);
        try
        {
            await simulation.RunAsync(steps);
            return simulation.Summary();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"fault schedule seed {seed} ({kind}) failed at step {simulation._step}: {e.GetType().Name}: {e.Message}\n{Replay(seed, kind)}\ntrace (last 25 steps):\n  " +
                string.Join("\n  ", simulation._trace.TakeLast(25)) + "\n" + e);
        }
        finally
        {
            foreach (var node in simulation._nodes) await DisposeQuietly(node);
        }
    }

    private readonly Dictionary<string, int> _counts = [];

    private void Count(string what) => _counts[what] = _counts.GetValueOrDefault(what) + 1;

    private ScheduleSummary Summary() => new(_broken, new Dictionary<string, int>(_counts), _stoppedBecause);

    // The relay serves the newest cosignatures only, as a busy relay would: every device re-checks each one it is served.
    private Relay NewRelay() => new(new RelayOptions { Ledger = World.Ledger, Origin = _origin, CheckpointKey = RelayKey, MaxCosignatures = 8 }, _relayData);

    private NoteKey TrustedRelay => NoteKey.Create(_origin, RelayKey.Public);

    private static SigningKey Key(int n, uint index) => World.Key(Label(n), index);

    private NodeOptions Options(int n) => new()
    {
        Ledger = World.Ledger,
        Manifests = SimulatedManifest.Catalog(_hasV2[n]),
        Time = _clocks[n],
        OpIds = World.DeterministicId,
        PushBatch = 4,
        PullBatch = 8,
        TrustedRelay = TrustedRelay,
        Folded = batch =>
        {
            // The documented post-commit hook: the erasure replica shreds when its node folds an erase op.
            if (_broken == Breakage.ErasureHookSkipped && n == 2) return;
            _erasure[n].OnFolded(batch.Select(f => (f.Op, f.Result)));
        },
    };

    private static string Label(int n) => "sim-" + n.ToString(CultureInfo.InvariantCulture);

    private IRelayProtocol Wire(int n) => _fork is { } fork ? fork.TransportFor(n == 0 ? "A" : "B") : new InMemoryRelayTransport(_relay);

    private async Task RunAsync(int steps)
    {
        if (_forking) _fork = await ForkingRelay.CreateAsync(RelayKey, _origin, new InMemoryLinks());
        for (var n = 0; n < Devices; n++)
        {
            var node = n;
            _clocks[n] = new SteppingClock(1_700_000_000_000 + n * 1_000_000_000L);
            _stores[n] = new SimulatedNodeStore(new InMemoryNodeStore());
            _links[n] = new SimulatedLink(() => Wire(node));
            _hasV2[n] = !(_broken == Breakage.NodeWithoutNewManifest && n == 2);
            _subjectKeys[n] = new InMemorySubjectKeyStore();
            var random = new SeededBytes($"sim/{_seed}/{n}");
            var id = AuthorIdentity.Derive(Label(n), Key(n, 0).Public, Key(n, 1).Public.Digest);
            _erasure[n] = new ErasureReplica(World.Ledger, id, Key(n, 0), ReplicaKeyPair.Generate(random), _subjectKeys[n], _clocks[n], random);
            _nodes[n] = await DeviceNode.InceptAsync(Options(n), _stores[n], Key(n, 0), Label(n), Key(n, 1).Public.Digest);
            Acknowledge(n, new OpRef(_nodes[n].Author, 1));
        }

        JoinGossip();

        // One unit in each claim pool: two devices that both believe they took it would be a split claim.
        for (var k = 0; k < ClaimKeys; k++) await StockAsync(0, ClaimKey(k));

        for (_step = 0; _step < steps && _stoppedBecause is null; _step++)
        {
            EndPartitions();
            var n = _random.Next(Devices);
            var roll = _random.Next(100);
            switch (roll)
            {
                case < 27:
                    await AppendAsync(n, claim: false);
                    break;
                case < 33:
                    await AppendAsync(n, claim: true);
                    break;
                case < 55:
                    await SyncAsync(n);
                    break;
                case < 62:
                    var fault = (LinkFault)(1 + _random.Next(4));
                    _links[n].NextFault = fault;
                    Trace($"{Label(n)}: next call {fault}");
                    break;
                case < 65:
                    _links[n].Online = !_links[n].Online;
                    Trace($"{Label(n)}: {(_links[n].Online ? "online" : "offline")}");
                    break;
                case < 68:
                    _stores[n].Full = !_stores[n].Full;
                    Trace($"{Label(n)}: store {(_stores[n].Full ? "full" : "has room")}");
                    break;
                case < 72:
                    _stores[n].CrashInNextAppend = _random.Next(2) == 0;
                    Trace($"{Label(n)}: the next commit is torn by a crash ({(_stores[n].CrashInNextAppend == true ? "made" : "lost")})");
                    break;
                case < 78:
                    await RestartAsync(n, "killed");
                    break;
                case < 82:
                    if (_fork is not null)
                    {
                        await SyncAsync(n);
                        break;
                    }

                    // The relay process dies and comes back on its store; whatever was in flight is lost with it.
                    _relay = NewRelay();
                    Trace("relay: killed and restarted on its store");
                    break;
                case < 86:
                    Partition();
                    break;
                case < 88:
                    if (_fork is not null)
                    {
                        await SyncAsync(n);
                        break;
                    }

                    await RelayLostAndRebuiltAsync();
                    break;
                case < 91:
                    await RotateAsync(n);
                    break;
                case < 96:
                    await RegisterOrEraseAsync(n);
                    break;
                default:
                    await AdoptAsync(n);
                    break;
            }

            for (var m = 0; m < Devices; m++)
            {
                if (_stores[m].Crashed) await RestartAsync(m, "crashed in a commit");
            }

            if (_stoppedBecause is null) await CheckAsync();
        }

        if (_stoppedBecause is not null)
        {
            Count("stopped early (documented limit)");
            return;
        }

        await HealAndConvergeAsync();
    }

    private async Task StockAsync(int n, string key)
    {
        var receipt = await _nodes[n].AppendAsync(ManifestOf(n), TestManifest.StockPool, new UnitsArgs(1, "stock"), claimKey: key);
        Acknowledge(n, receipt.Op);
        Trace($"{Label(n)}: stocked one unit of {key} at {receipt.Op}");
    }

    private static string ClaimKey(int k) => "sku:" + k.ToString(CultureInfo.InvariantCulture);

    private Manifest ManifestOf(int n) => _adopted[n] ? SimulatedManifest.V2 : TestManifest.V1;

    private async Task AppendAsync(int n, bool claim, string? claimKey = null)
    {
        try
        {
            var key = claimKey ?? ClaimKey(_random.Next(ClaimKeys));
            var receipt = claim
                ? await _nodes[n].AppendAsync(ManifestOf(n), TestManifest.TakeUnit, new UnitsArgs(1, "o"), claimKey: key)
                : await _nodes[n].AppendAsync(ManifestOf(n), TestManifest.AddTally, new AmountArgs("cash", _random.Next(1, 10)));
            Acknowledge(n, receipt.Op);
            if (claim) _takes[receipt.Op] = key;
            Trace($"{Label(n)}: appended {receipt.Op}{(claim ? " (takes " + key + ")" : "")}");
        }
        catch (Exception e) when (e is StorageFullException or IOException or InvalidOperationException)
        {
            // Not acknowledged: the caller was told; nothing is owed.
            Trace($"{Label(n)}: append failed ({e.GetType().Name})");
        }
    }

    /// <summary>One sync round of device <paramref name="n"/>; true when it moved anything (pushed, pulled, or failed).</summary>
    private async Task<bool> SyncAsync(int n)
    {
        try
        {
            var result = await _nodes[n].SyncAsync(_links[n]);
            Trace($"{Label(n)}: sync pushed {result.Pushed} acked {result.Acknowledged} pulled {result.Pulled}{(result.Offline ? " (offline)" : "")}");
            return result.Pushed + result.Pulled > 0 || result.Offline;
        }
        catch (StorageFullException)
        {
            // Typed and nothing half-written: the pulled ops wait until the store has room.
            Trace($"{Label(n)}: sync stopped, the store is full");
            return true;
        }
        catch (Exception e) when (e is IOException or SyncException && _stores[n].Crashed)
        {
            Trace($"{Label(n)}: sync died with the process");
            return true;
        }
        catch (Exception e) when (e is SyncException or RelayFrozenException && _fork is not null)
        {
            // A forking relay: the device stops trusting it (RelayFrozenException) or refuses what it served.
            Trace($"{Label(n)}: sync refused the relay ({e.GetType().Name}: {e.Message})");
            return true;
        }
    }

    private async Task RestartAsync(int n, string why)
    {
        _stores[n].Fence();
        await DisposeQuietly(_nodes[n]);
        _stores[n] = new SimulatedNodeStore(_stores[n].Data);
        try
        {
            _nodes[n] = await DeviceNode.OpenAsync(Options(n), _stores[n], Key(n, _keyIndex[n]));
        }
        catch (ArgumentException) when (_keyIndex[n] < uint.MaxValue)
        {
            // A rotation was committed as the process died, never reported: the chain's key is the next one.
            _stores[n] = new SimulatedNodeStore(_stores[n].Data);
            _nodes[n] = await DeviceNode.OpenAsync(Options(n), _stores[n], Key(n, _keyIndex[n] + 1));
            _keyIndex[n]++;
        }

        // An adoption committed as the process died counts too (later ops are authored under v2).
        var author = _nodes[n].Author;
        _adopted[n] = _nodes[n].Read(k => k.State.TryGet(Adoptions.Table, new BranchId(author, "main"), "manifest", out _));
        JoinGossip();
        Trace($"{Label(n)}: {why}; restarted on its store at seq {_nodes[n].Ladder().Count} (key {_keyIndex[n]})");
    }

    private void JoinGossip()
    {
        if (!_gossipOn) return;
        _gossip = new PeerGossip();
        foreach (var node in _nodes) _gossip.Join(node);
    }

    private static async Task DisposeQuietly(DeviceNode? node)
    {
        if (node is null) return;
        try
        {
            await node.DisposeAsync();
        }
        catch (IOException)
        {
        }
    }

    private void Acknowledge(int n, OpRef op)
    {
        var bytes = _stores[n].Data.LoadAsync([op]).GetAwaiter().GetResult()[0];
        _acknowledged.Add((n, op, Hash32.Sha256(bytes.Span)));
    }

    private void Trace(string line) => _trace.Add(_step.ToString(CultureInfo.InvariantCulture) + ". " + line);

    // ---------------------------------------------------------------- partitions

    /// <summary>A set of devices is cut off from the relay, both directions, for a stretch of steps (a device may be
    /// in several; the longest wins). Peers still reach each other (gossip is device to device).</summary>
    private void Partition()
    {
        var mask = 1 + _random.Next((1 << Devices) - 1);
        var until = _step + 2 + _random.Next(8);
        var cut = new List<string>();
        for (var n = 0; n < Devices; n++)
        {
            if ((mask & (1 << n)) == 0) continue;
            _links[n].PartitionedUntil = Math.Max(_links[n].PartitionedUntil, until);
            cut.Add(Label(n));
        }

        Count("partitions");
        Trace($"partition: {string.Join(", ", cut)} cut off from the relay until step {until}");
    }

    private void EndPartitions()
    {
        for (var n = 0; n < Devices; n++)
        {
            if (_links[n].Partitioned && _links[n].PartitionedUntil < _step)
            {
                _links[n].PartitionedUntil = -1;
                Trace($"partition: {Label(n)} healed");
            }
        }
    }

    // ---------------------------------------------------------------- relay loss and rebuild

    /// <summary>The relay's store is lost whole. A new relay is rebuilt from the devices' stores with the product's rebuild
    /// (<see cref="RelayRebuild"/>, what <c>ledger rebuild</c> runs) and signs under the successor origin; the devices are
    /// re-configured to trust it and go on. Every op a ladder called safe must be back at its position (row A2).</summary>
    private async Task RelayLostAndRebuiltAsync()
    {
        Count("relay rebuilds");
        var acknowledged = new List<(int Node, OpRef Op, long Position)>();
        for (var n = 0; n < Devices; n++)
        {
            foreach (var rung in _nodes[n].Ladder())
            {
                if (rung.IsSafe && rung.Position is { } p) acknowledged.Add((n, rung.Op, p));
            }
        }

        var old = await ReadAllAsync(_relayData);
        IReadOnlyList<INodeStore> stores = _stores.Select(s => (INodeStore)s.Data).ToArray();
        if (_broken == Breakage.RebuildDropsAnOp && acknowledged.Count > 0)
        {
            var hidden = acknowledged[_random.Next(acknowledged.Count)].Op;
            stores = stores.Select(s => (INodeStore)new HidingStore(s, hidden)).ToArray();
            Trace($"(broken) the rebuild cannot see {hidden} in any store");
        }

        var rebuiltData = new InMemoryRelayStore();
        var rebuiltRelay = new Relay(new RelayOptions { Ledger = World.Ledger }, rebuiltData);
        var report = await RelayRebuild.RunAsync(stores, rebuiltRelay, TrustedRelay);
        Trace($"relay: store lost; rebuilt from the devices: {report}");
        if (report.RejectedStores.Count > 0) throw new InvalidOperationException($"the rebuild left out honest stores: {string.Join("; ", report.RejectedStores)}");
        if (report.Stranded.Count > 0) throw new InvalidOperationException($"the rebuild stranded ops: {string.Join("; ", report.Stranded)}");

        var lost = report.LostPositions.ToHashSet();
        foreach (var (n, op, position) in acknowledged)
        {
            if (lost.Contains(position)) throw new InvalidOperationException($"{op} was acknowledged to {Label(n)} at position {position}; the rebuilt relay lost that position.");
        }

        var held = new HashSet<long>();
        foreach (var store in _stores)
        {
            await foreach (var record in store.Data.ReadAllAsync())
            {
                if (record.Position is { } p) held.Add(p);
            }
        }

        // A lost position is one no device held (the rebuild must not call held positions lost, nor miss unheld ones).
        for (long p = 0; p < report.OldSize; p++)
        {
            if (held.Contains(p) == lost.Contains(p)) throw new InvalidOperationException($"the rebuild says position {p} is {(lost.Contains(p) ? "lost" : "recovered")}, but the devices' stores {(held.Contains(p) ? "hold" : "do not hold")} it.");
        }

        if (lost.Count > 0 && held.Any(p => p > lost.Min()))
        {
            // docs/sync.md, "Limits": an op the old relay acknowledged to nobody (its answer lost, nobody pulled it yet)
            // is invisible to a rebuild; the positions after it are renumbered, and devices holding them must re-open
            // from an export rather than go on. The rebuild reported exactly that; the schedule stops here.
            _stoppedBecause = $"the rebuild lost position(s) {string.Join(", ", lost.Order())} that no device held, below positions devices hold (docs/sync.md, Limits)";
            Trace("stopped: " + _stoppedBecause);
            return;
        }

        var rebuilt = await ReadAllAsync(rebuiltData);
        foreach (var (n, op, position) in acknowledged)
        {
            var at = await rebuiltData.FindAsync(op.Author, op.Seq);
            if (at is null || at.Position != position) throw new InvalidOperationException($"{op} was acknowledged to {Label(n)} at position {position}; the rebuilt relay holds it at {at?.Position.ToString(CultureInfo.InvariantCulture) ?? "nothing"}.");
        }

        for (long p = 0; p < Math.Min(report.OldSize, old.Count); p++)
        {
            if (rebuilt[(int)p].Hash != old[(int)p].Hash) throw new InvalidOperationException($"the rebuilt relay holds another op at position {p} than the lost one did: the order was not reproduced.");
        }

        if (report.LastCheckpoint is not null && !report.RootReproduced) throw new InvalidOperationException($"the rebuilt tree does not reproduce the witnessed root at size {report.LastCheckpoint.Size}.");

        // The operator starts the new relay on the rebuilt store under the successor origin and re-configures the devices.
        // Nobody witnessed a checkpoint of the lost log (the devices never pulled from it): name the successor after what
        // was recovered of it, the rebuilt tree at the old size (complete here, so that is the old log's root).
        var last = report.LastCheckpoint ?? new RelayCheckpoint(_origin, report.OldSize, await rebuiltRelay.GetRootAsync(report.OldSize));
        var successor = RelayRebuild.SuccessorOrigin(last);
        if (!NoteKey.IsValidName(successor))
        {
            // Each rebuild names the log it continues, so the origin grows by about 30 characters a rebuild and passes the
            // 256 characters a checkpoint key name may have after about eight. A limit of the naming scheme, reported here.
            _stoppedBecause = $"the successor origin after {_origin.Split("/after-").Length} rebuilds would be {successor.Length} characters, more than a checkpoint key name may have (256)";
            Trace("stopped: " + _stoppedBecause);
            return;
        }

        _origin = successor;
        _relayData = rebuiltData;
        _relay = NewRelay();
        for (var n = 0; n < Devices; n++) await RestartAsync(n, "re-configured to trust the successor relay " + _origin);
    }

    private static async Task<List<StoredOp>> ReadAllAsync(InMemoryRelayStore store)
    {
        var all = new List<StoredOp>();
        while (true)
        {
            var page = await store.ReadAsync(all.Count, 4096);
            if (page.Count == 0) return all;
            all.AddRange(page);
        }
    }

    /// <summary>A broken view of a device's store for the rebuild witness: one op is missing from it.</summary>
    private sealed class HidingStore(INodeStore inner, OpRef hidden) : WrappedNodeStore(inner)
    {
        public override async IAsyncEnumerable<NodeOpRecord> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var record in base.ReadAllAsync(cancellationToken))
            {
                if (record.Op != hidden) yield return record;
            }
        }

        public override void Dispose()
        {
            // The device owns its store.
        }
    }

    // ---------------------------------------------------------------- key rotations, erasures, manifest adoptions

    /// <summary>A device rotates to its pre-committed next key (Ledger.Signing key events); later ops are signed by it.</summary>
    private async Task RotateAsync(int n)
    {
        var next = _keyIndex[n] + 1;
        var key = _broken == Breakage.RotationToUncommittedKey && n == 0 ? Key(n, next + 1) : Key(n, next);
        try
        {
            var receipt = await _nodes[n].RotateAsync(key, Key(n, next + 1).Public.Digest, next);
            Acknowledge(n, receipt.Op);
            _keyIndex[n] = next;
            Count("key rotations");
            Trace($"{Label(n)}: rotated to key {next} at {receipt.Op}");
        }
        catch (Exception e) when (e is StorageFullException or IOException)
        {
            Trace($"{Label(n)}: rotation failed ({e.GetType().Name})");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{Label(n)}'s rotation to key {next} was refused: {e.Message}", e);
        }
    }

    /// <summary>Registers a data subject on a device (its key wrapped to the other devices, Ledger.Erasure), or erases one:
    /// the owner appends the erase op and every device's post-commit hook shreds the key when it folds that op.</summary>
    private async Task RegisterOrEraseAsync(int n)
    {
        var live = _subjects.Where(s => !_eraseSent.Contains(s.Id)).ToList();
        if (live.Count == 0 || _random.Next(3) == 0)
        {
            var subject = _erasure[n].NewSubject();
            for (var m = 0; m < Devices; m++)
            {
                if (m == n) continue;
                var wrapped = _erasure[n].WrapFor(subject, _erasure[m].Id, _erasure[m].PublicKey.Span);
                var recipient = m;
                var imported = _nodes[m].Read(k => _erasure[recipient].Import(wrapped.Bytes, k.State));
                if (imported.Status != KeyImportStatus.Imported) throw new InvalidOperationException($"{Label(m)} could not import the key of {subject}: {imported.Status}.");
            }

            _subjects.Add((subject, n));
            Trace($"{Label(n)}: registered subject {subject}, its key wrapped to the others");
            return;
        }

        var (id, owner) = live[_random.Next(live.Count)];
        try
        {
            var receipt = await _nodes[owner].AppendAsync(ErasureManifest.Manifest, ErasureManifest.EraseVerb, new EraseArgs(id.Value));
            Acknowledge(owner, receipt.Op);
            _eraseSent.Add(id);
            Count("erasures");
            Trace($"{Label(owner)}: erased subject {id} at {receipt.Op}");
        }
        catch (Exception e) when (e is StorageFullException or IOException or InvalidOperationException)
        {
            Trace($"{Label(owner)}: erase failed ({e.GetType().Name})");
        }
    }

    /// <summary>A device's branch adopts the v2 manifest (Ledger.Migration); its later ops are authored under v2.</summary>
    private async Task AdoptAsync(int n)
    {
        if (_adopted[n] || !_hasV2[n])
        {
            await SyncAsync(n);
            return;
        }

        AppendReceipt receipt;
        try
        {
            receipt = await _nodes[n].AppendAsync(SimulatedManifest.V2, SimulatedManifest.Adopt, new AdoptArgs(1, 2));
        }
        catch (Exception e) when (e is StorageFullException or IOException or InvalidOperationException)
        {
            Trace($"{Label(n)}: adoption failed ({e.GetType().Name})");
            return;
        }

        Acknowledge(n, receipt.Op);
        if (receipt.Fold.Status != ApplyStatus.Folded) throw new InvalidOperationException($"{Label(n)}'s adoption of v2 folded as {receipt.Fold.Status}: {receipt.Fold}");
        _adopted[n] = true;
        Count("manifest adoptions");
        Trace($"{Label(n)}: adopted manifest v2 at {receipt.Op}");
    }

    // ---------------------------------------------------------------- invariants

    /// <summary>After every step: no acknowledged op lost or changed; the ladder never says safe of an op the relay does not
    /// hold at that position; devices at one relay prefix agree; no split claim; nobody honest accused; erased keys gone.</summary>
    private async Task CheckAsync()
    {
        foreach (var (n, op, hash) in _acknowledged)
        {
            var held = await _stores[n].Data.LoadAsync([op]);
            if (Hash32.Sha256(held[0].Span) != hash) throw new InvalidOperationException($"{op} was acknowledged to the app but the store now holds other bytes for it.");
        }

        for (var n = 0; n < Devices; n++)
        {
            foreach (var rung in _nodes[n].Ladder())
            {
                if (rung.Rung == DurabilityRung.Refused) throw new InvalidOperationException($"the relay refused {rung.Op}: {rung.Detail}");
                if (!rung.IsSafe || _fork is not null) continue;
                var stored = await _relayData.FindAsync(rung.Op.Author, rung.Op.Seq);
                if (stored is null || stored.Position != rung.Position)
                {
                    throw new InvalidOperationException($"the ladder says {rung.Op} is {rung.Rung} at {rung.Position}, but the relay holds {stored?.Position.ToString(CultureInfo.InvariantCulture) ?? "nothing"}.");
                }
            }
        }

        if (!_expectEvidence)
        {
            await CheckNobodyAccusedAsync();
            CheckNoSplitClaim();
        }

        if (_fork is null) CheckOneStateHashPerPrefix();
        CheckErasedKeysGone();
    }

    /// <summary>No false equivocation evidence: with only honest parties, no device and no relay holds evidence or has
    /// stopped trusting its relay.</summary>
    private async Task CheckNobodyAccusedAsync()
    {
        var relayEvidence = _fork is null ? await _relayData.ReadEvidenceAsync() : [];
        if (relayEvidence.Count > 0)
        {
            var held = relayEvidence[0];
            throw new InvalidOperationException($"false equivocation evidence: the relay holds {held.Kind} evidence against {held.Accused} in a run with only honest devices.");
        }

        for (var n = 0; n < Devices; n++)
        {
            if ((await _nodes[n].GetEvidenceAsync()).FirstOrDefault() is { } evidence)
            {
                throw new InvalidOperationException($"false equivocation evidence: {Label(n)} holds {evidence.Kind} evidence against {evidence.Accused} in a run declared honest.");
            }

            if (_nodes[n].FrozenBecause is { } why) throw new InvalidOperationException($"false equivocation evidence: {Label(n)} stopped trusting an honest relay: {why}");
        }
    }

    /// <summary>No split claim: each pool holds one unit, so at most one take of a claim key may be Won on any ladder.</summary>
    private void CheckNoSplitClaim()
    {
        var winners = new Dictionary<string, List<string>>();
        for (var n = 0; n < Devices; n++)
        {
            foreach (var rung in _nodes[n].Ladder())
            {
                if (rung.Rung != DurabilityRung.Won || !_takes.TryGetValue(rung.Op, out var key)) continue;
                if (!winners.TryGetValue(key, out var list)) winners[key] = list = [];
                list.Add($"{Label(n)} ({rung.Op} at {rung.Position})");
            }
        }

        foreach (var (key, list) in winners)
        {
            if (list.Count > 1) throw new InvalidOperationException($"split claim: {string.Join(" and ", list)} each believe they took the one unit of {key}.");
        }
    }

    /// <summary>One state hash per relay prefix: devices that folded the same relay prefix and hold no own op outside it
    /// (none unacknowledged, none acknowledged past it) have folded the same ops in the same order.</summary>
    private void CheckOneStateHashPerPrefix()
    {
        var byPrefix = new Dictionary<long, (int Node, Hash32 Hash)>();
        for (var n = 0; n < Devices; n++)
        {
            var cursor = _stores[n].Data.Cursor;
            if (!_nodes[n].Ladder().All(r => r.IsSafe && r.Position < cursor)) continue;
            var hash = _nodes[n].StateHash();
            if (byPrefix.TryGetValue(cursor, out var other) && other.Hash != hash)
            {
                throw new InvalidOperationException($"two state hashes at relay prefix {cursor}: {Label(other.Node)} has {other.Hash.ToShortString()}, {Label(n)} has {hash.ToShortString()}.");
            }

            byPrefix[cursor] = (n, hash);
        }
    }

    /// <summary>Erasure: a device that folded a subject's erase op no longer holds its key.</summary>
    private void CheckErasedKeysGone()
    {
        if (_subjects.Count == 0) return;
        for (var n = 0; n < Devices; n++)
        {
            var erased = _nodes[n].Read(k => k.State.ErasedSubjects());
            foreach (var subject in erased)
            {
                if (SubjectId.TryParse(subject, out var id) && _subjectKeys[n].Status(id) == SubjectKeyStatus.Held)
                {
                    throw new InvalidOperationException($"{Label(n)} folded the erase of {subject} but still holds its key.");
                }
            }
        }
    }

    /// <summary>Every fault lifted, a few rounds: every op durable, the relay holding exactly the devices' ops, every chain
    /// verifying under the key its device rotated to, every erase folded and shredded everywhere, and one state hash on
    /// every device. With a forking relay: evidence naming it, verifying on its own, held by a device.</summary>
    private async Task HealAndConvergeAsync()
    {
        Trace("heal: online, no faults, room in every store" + (_broken == Breakage.UnhealedPartition ? " (broken: partitions stay)" : ", partitions healed"));
        for (var n = 0; n < Devices; n++)
        {
            _links[n].Online = true;
            if (_broken != Breakage.UnhealedPartition) _links[n].PartitionedUntil = -1;
            _links[n].NextFault = LinkFault.None;
            _stores[n].Full = false;
            _stores[n].CrashInNextAppend = null;
        }

        if (_fork is not null)
        {
            // A fresh pool of one unit, known to both views; then sim-0 takes it and syncs, and sim-1 takes it and syncs:
            // the relay shows each side its own take first. Then every side appends and syncs, and the devices gossip.
            await StockAsync(0, "sku:fork");
            for (var round = 0; round < 2; round++)
            {
                for (var n = 0; n < Devices; n++) await SyncAsync(n);
            }

            await AppendAsync(0, claim: true, "sku:fork");
            await SyncAsync(0);
            await AppendAsync(1, claim: true, "sku:fork");
            await SyncAsync(1);
            for (var round = 0; round < 3; round++)
            {
                for (var n = 0; n < Devices; n++)
                {
                    if (_nodes[n].FrozenBecause is null) await AppendAsync(n, claim: false);
                    await SyncAsync(n);
                }
            }
        }
        else
        {
            // Up to three rounds; a round in which no device pushed or pulled anything ends the healing.
            for (var round = 0; round < 3; round++)
            {
                var moved = false;
                for (var n = 0; n < Devices; n++) moved |= await SyncAsync(n);
                if (!moved) break;
            }
        }

        await CheckAsync();
        if (_fork is not null)
        {
            await CheckForkCaughtAsync();
            return;
        }

        for (var n = 0; n < Devices; n++)
        {
            var d = _nodes[n].Durability();
            if (d.Local + d.Syncing > 0) throw new InvalidOperationException($"{Label(n)} still has {d.Local + d.Syncing} op(s) no relay acknowledged after healing{(_links[n].Partitioned ? " (it is still partitioned)" : "")}.");
            if (_nodes[n].HandlerFaults.Count > 0) throw new InvalidOperationException($"{Label(n)}'s post-commit hook threw: {_nodes[n].HandlerFaults.First().Message}");
        }

        var own = _nodes.Sum(x => (long)x.Ladder().Count);
        if (_relayData.Count != own) throw new InvalidOperationException($"the relay holds {_relayData.Count} ops; the devices signed {own}.");
        for (var n = 0; n < Devices; n++)
        {
            var chain = new List<SignedOp>();
            while (true)
            {
                var page = await _relay.FetchAuthorAsync(_nodes[n].Author, (ulong)chain.Count + 1);
                if (page.Count == 0) break;
                chain.AddRange(page.Select(p => SignedOpCodec.Decode(p.Bytes)));
            }

            var report = ChainVerifier.Verify(World.Ledger, chain);
            if (!report.Ok) throw new InvalidOperationException($"{Label(n)}'s chain on the relay does not verify: {report}");
            if (report.Keys!.KeyIndex != _keyIndex[n]) throw new InvalidOperationException($"{Label(n)} rotated to key {_keyIndex[n]}, but its chain ends at key {report.Keys.KeyIndex}.");
        }

        foreach (var subject in _eraseSent)
        {
            for (var n = 0; n < Devices; n++)
            {
                if (!_nodes[n].Read(k => k.State.ErasedSubjects()).Contains(subject.Value)) throw new InvalidOperationException($"{Label(n)} never folded the erase of {subject}.");
            }
        }

        var hashes = _nodes.Select(x => x.StateHash()).Distinct().ToArray();
        if (hashes.Length != 1) throw new InvalidOperationException($"the devices did not converge: {hashes.Length} state hashes.");
        Count("converged");
        foreach (var rung in _nodes.SelectMany(x => x.Ladder()).Where(r => _takes.ContainsKey(r.Op))) Count(rung.Rung == DurabilityRung.Won ? "takes won" : "takes lost");
    }

    /// <summary>A forking relay must be caught: a device holds split-view evidence naming the relay's key, which verifies
    /// from its bytes alone.</summary>
    private async Task CheckForkCaughtAsync()
    {
        if (!_expectEvidence) return;
        var relay = TrustedRelay.ToVkey();
        for (var n = 0; n < Devices; n++)
        {
            foreach (var evidence in await _nodes[n].GetEvidenceAsync())
            {
                var standalone = EvidenceCodec.Decode(evidence.Encode());
                var verdict = standalone.Verify();
                if (!verdict.Valid) throw new InvalidOperationException($"{Label(n)} holds evidence that does not verify: {verdict.Finding}");
                if (standalone.Accused != relay) throw new InvalidOperationException($"{Label(n)} holds evidence against {standalone.Accused}, not the forking relay {relay}.");
            }
        }

        var accusers = new List<string>();
        for (var n = 0; n < Devices; n++)
        {
            if ((await _nodes[n].GetEvidenceAsync()).Any(e => e.Kind == "split-view")) accusers.Add(Label(n));
        }

        if (accusers.Count == 0) throw new InvalidOperationException($"a forking relay was injected, but no device holds evidence against it (frozen: {string.Join(", ", _nodes.Select(x => x.FrozenBecause ?? "no"))}).");
        Count("forks caught");
        Trace($"fork caught by {string.Join(", ", accusers)}");
    }
}

/// <summary>What one schedule did: how many of each fault kind, and why it stopped early (a documented limit), if it did.</summary>
internal sealed record ScheduleSummary(Breakage Kind, IReadOnlyDictionary<string, int> Counts, string? StoppedBecause);
