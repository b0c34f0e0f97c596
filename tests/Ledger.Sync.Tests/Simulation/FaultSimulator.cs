using System.Globalization;
using Ledger.Kernel;
using Ledger.Sync;
using Ledger.TestDomain;

namespace Ledger.Sync.Tests.Simulation;

/// <summary>A deterministic fault simulator (FoundationDB-style, in one process): three devices and a relay on a
/// seeded schedule of appends, syncs and faults — lost requests, lost answers, duplicated and delayed (reordered)
/// pushes, offline spells, a full store, commits torn by a crash, crashes and restarts of devices and of the relay
/// from their stores. After every step it checks that the ladder never lies and that no acknowledged op was lost;
/// at the end, healed, that nothing forked, everything became durable and every replica has one state hash.</summary>
/// <remarks>A seed fixes the whole schedule (random numbers, the clock, op ids): a failure names its seed, and
/// <c>LEDGER_SIM_SEED=&lt;seed&gt;</c> replays it. docs/reliability.md, "Fault simulator".</remarks>
internal sealed class FaultSimulator
{
    private const int Devices = 3;
    private readonly int _seed;
    private readonly Random _random;
    private readonly InMemoryRelayStore _relayData = new();
    private readonly List<string> _trace = [];
    private readonly DeviceNode[] _nodes = new DeviceNode[Devices];
    private readonly SimulatedNodeStore[] _stores = new SimulatedNodeStore[Devices];
    private readonly SimulatedLink[] _links = new SimulatedLink[Devices];
    private readonly SteppingClock[] _clocks = new SteppingClock[Devices];
    // Every op whose append returned: its device's store must hold it, with these bytes, forever after.
    private readonly List<(int Node, OpRef Op, Hash32 ChainHash)> _acknowledged = [];
    private Relay _relay;

    private FaultSimulator(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        _relay = NewRelay();
    }

    public static string Replay(int seed) => $"replay: LEDGER_SIM_SEED={seed.ToString(CultureInfo.InvariantCulture)} dotnet test tests/Ledger.Sync.Tests --filter FullyQualifiedName~FaultSimulatorTests";

    /// <summary>Runs one schedule of <paramref name="steps"/> steps; throws naming the seed, the step and the trace.</summary>
    public static async Task RunAsync(int seed, int steps)
    {
        var simulation = new FaultSimulator(seed);
        try
        {
            await simulation.RunAsync(steps);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"fault schedule seed {seed} failed: {e.GetType().Name}: {e.Message}\n{Replay(seed)}\ntrace (last 25 steps):\n  " +
                string.Join("\n  ", simulation._trace.TakeLast(25)) + "\n" + e);
        }
        finally
        {
            foreach (var node in simulation._nodes) await DisposeQuietly(node);
        }
    }

    private Relay NewRelay() => new(new RelayOptions { Ledger = World.Ledger }, _relayData);

    private NodeOptions Options(int n) => new()
    {
        Ledger = World.Ledger,
        Manifests = new ManifestCatalog(TestManifest.V1),
        Time = _clocks[n],
        OpIds = World.DeterministicId,
        PushBatch = 4,
        PullBatch = 8,
    };

    private static string Label(int n) => "sim-" + n.ToString(CultureInfo.InvariantCulture);

    private async Task RunAsync(int steps)
    {
        for (var n = 0; n < Devices; n++)
        {
            _clocks[n] = new SteppingClock(1_700_000_000_000 + n * 1_000_000_000L);
            _stores[n] = new SimulatedNodeStore(new InMemoryNodeStore());
            _links[n] = new SimulatedLink(() => _relay);
            _nodes[n] = await DeviceNode.InceptAsync(Options(n), _stores[n], World.Key(Label(n), 0), Label(n), World.Key(Label(n), 1).Public.Digest);
            Acknowledge(n, new OpRef(_nodes[n].Author, 1));
        }

        for (var step = 0; step < steps; step++)
        {
            var n = _random.Next(Devices);
            var roll = _random.Next(100);
            switch (roll)
            {
                case < 30:
                    await AppendAsync(n, claim: false);
                    break;
                case < 36:
                    await AppendAsync(n, claim: true);
                    break;
                case < 62:
                    await SyncAsync(n);
                    break;
                case < 70:
                    var fault = (LinkFault)(1 + _random.Next(4));
                    _links[n].NextFault = fault;
                    Trace($"{Label(n)}: next call {fault}");
                    break;
                case < 75:
                    _links[n].Online = !_links[n].Online;
                    Trace($"{Label(n)}: {(_links[n].Online ? "online" : "offline")}");
                    break;
                case < 79:
                    _stores[n].Full = !_stores[n].Full;
                    Trace($"{Label(n)}: store {(_stores[n].Full ? "full" : "has room")}");
                    break;
                case < 84:
                    _stores[n].CrashInNextAppend = _random.Next(2) == 0;
                    Trace($"{Label(n)}: the next commit is torn by a crash ({(_stores[n].CrashInNextAppend == true ? "made" : "lost")})");
                    break;
                case < 92:
                    await RestartAsync(n, "killed");
                    break;
                default:
                    // The relay process dies and comes back on its store; whatever was in flight is lost with it.
                    _relay = NewRelay();
                    Trace("relay: killed and restarted on its store");
                    break;
            }

            if (_stores[n].Crashed) await RestartAsync(n, "crashed in a commit");
            await CheckAsync();
        }

        await HealAndConvergeAsync();
    }

    private async Task AppendAsync(int n, bool claim)
    {
        try
        {
            var receipt = claim
                ? await _nodes[n].AppendAsync(TestManifest.V1, TestManifest.TakeUnit, new UnitsArgs(1, "o"), claimKey: "sku:" + _random.Next(3).ToString(CultureInfo.InvariantCulture))
                : await _nodes[n].AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", _random.Next(1, 10)));
            Acknowledge(n, receipt.Op);
            Trace($"{Label(n)}: appended {receipt.Op}{(claim ? " (claim)" : "")}");
        }
        catch (Exception e) when (e is StorageFullException or IOException or InvalidOperationException)
        {
            // Not acknowledged: the caller was told; nothing is owed.
            Trace($"{Label(n)}: append failed ({e.GetType().Name})");
        }
    }

    private async Task SyncAsync(int n)
    {
        try
        {
            var result = await _nodes[n].SyncAsync(_links[n]);
            Trace($"{Label(n)}: sync pushed {result.Pushed} acked {result.Acknowledged} pulled {result.Pulled}{(result.Offline ? " (offline)" : "")}");
        }
        catch (StorageFullException)
        {
            // Typed and nothing half-written: the pulled ops wait until the store has room.
            Trace($"{Label(n)}: sync stopped, the store is full");
        }
        catch (Exception e) when (e is IOException or SyncException && _stores[n].Crashed)
        {
            Trace($"{Label(n)}: sync died with the process");
        }
    }

    private async Task RestartAsync(int n, string why)
    {
        _stores[n].Fence();
        await DisposeQuietly(_nodes[n]);
        _stores[n] = new SimulatedNodeStore(_stores[n].Data);
        _nodes[n] = await DeviceNode.OpenAsync(Options(n), _stores[n], World.Key(Label(n), 0));
        Trace($"{Label(n)}: {why}; restarted on its store at seq {_nodes[n].Ladder().Count}");
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

    private void Trace(string line) => _trace.Add(line);

    /// <summary>After every step: no acknowledged op lost or changed; the ladder never says safe of an op the relay does
    /// not hold at that position; the relay holds no evidence (nobody forked) and refused no device's op.</summary>
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
                if (!rung.IsSafe) continue;
                var stored = await _relayData.FindAsync(rung.Op.Author, rung.Op.Seq);
                if (stored is null || stored.Position != rung.Position)
                {
                    throw new InvalidOperationException($"the ladder says {rung.Op} is {rung.Rung} at {rung.Position}, but the relay holds {stored?.Position.ToString(CultureInfo.InvariantCulture) ?? "nothing"}.");
                }
            }
        }

        if ((await _relayData.ReadEvidenceAsync()).Count > 0) throw new InvalidOperationException("the relay holds evidence: a device forked its chain.");
    }

    /// <summary>Every fault lifted, a few rounds: every op durable, the relay holding exactly the devices' ops, and one
    /// state hash on every device.</summary>
    private async Task HealAndConvergeAsync()
    {
        Trace("heal: online, no faults, room in every store");
        for (var n = 0; n < Devices; n++)
        {
            _links[n].Online = true;
            _links[n].NextFault = LinkFault.None;
            _stores[n].Full = false;
            _stores[n].CrashInNextAppend = null;
        }

        for (var round = 0; round < 3; round++)
        {
            for (var n = 0; n < Devices; n++) await SyncAsync(n);
        }

        await CheckAsync();
        for (var n = 0; n < Devices; n++)
        {
            var d = _nodes[n].Durability();
            if (d.Local + d.Syncing > 0) throw new InvalidOperationException($"{Label(n)} still has {d.Local + d.Syncing} op(s) no relay acknowledged after healing.");
        }

        var own = _nodes.Sum(x => (long)x.Ladder().Count);
        if (_relayData.Count != own) throw new InvalidOperationException($"the relay holds {_relayData.Count} ops; the devices signed {own}.");
        var hashes = _nodes.Select(x => x.StateHash()).Distinct().ToArray();
        if (hashes.Length != 1) throw new InvalidOperationException($"the devices did not converge: {hashes.Length} state hashes.");
    }
}
