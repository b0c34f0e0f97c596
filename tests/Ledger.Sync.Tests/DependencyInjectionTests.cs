using System.Diagnostics.Metrics;
using Ledger.Kernel;
using Ledger.TestDomain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ledger.Sync.Tests;

public class DependencyInjectionTests
{
    [Fact]
    [Trait("Risk", "G2")]
    public async Task AddLedgerSync_gives_nodes_the_kernels_manifests_and_the_hosts_meter_factory_and_builds_a_relay_over_the_registered_store()
    {
        var meters = new RecordingMeterFactory();
        var services = new ServiceCollection()
            .AddSingleton<IMeterFactory>(meters)
            .AddSingleton<IRelayStore>(new InMemoryRelayStore())
            .AddLedgerKernel(k => k.Use(TestManifest.V1))
            .AddLedgerSync(n => n.Ledger = World.Ledger, r => r.Ledger = World.Ledger);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<NodeOptions>>().Value;
        Assert.Same(meters, options.MeterFactory);
        await using var node = (await DeviceNode.InceptAsync(options, new InMemoryNodeStore(), World.Key("di", 0), "di", World.Key("di", 1).Public.Digest));
        await node.AppendAsync(TestManifest.V1, TestManifest.AddTally, new AmountArgs("cash", 3)); // folds: the manifests came through
        Assert.Equal((Int128)3, node.Read(k => k.State.Get(Tables.Balances, "cash")));
        Assert.Contains(meters.Created, m => m.Name == "Ledger.Sync.Node" && m.Tags!.Any(t => Equals(t.Value, node.Author.Value)));

        var relay = provider.GetRequiredService<Relay>();
        Assert.Same(provider.GetRequiredService<IRelayStore>(), relay.Store);
        Assert.Equal(World.Ledger, relay.Ledger);
    }

    [Fact]
    public async Task AddLedgerSync_refuses_a_relay_without_a_store_and_options_without_a_ledger_with_what_to_do()
    {
        await using var noStore = new ServiceCollection().AddLedgerSync(n => n.Ledger = "l", r => r.Ledger = "l").BuildServiceProvider();
        Assert.Contains("register an IRelayStore", Assert.Throws<InvalidOperationException>(() => noStore.GetRequiredService<Relay>()).Message);
        await using var noLedger = new ServiceCollection().AddLedgerSync().BuildServiceProvider();
        Assert.Contains("NodeOptions.Ledger", Assert.Throws<OptionsValidationException>(() => noLedger.GetRequiredService<IOptions<NodeOptions>>().Value).Message);
    }

    private sealed class RecordingMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public IReadOnlyList<Meter> Created => _created;

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            lock (_created) _created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var m in _created) m.Dispose();
        }
    }
}
