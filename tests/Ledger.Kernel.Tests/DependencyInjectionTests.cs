using System.Diagnostics.Metrics;
using Ledger.Kernel;
using Ledger.TestDomain;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Kernel.Tests;

public class DependencyInjectionTests
{
    [Fact]
    public void AddLedgerKernel_registers_a_kernel_that_knows_the_configured_manifest()
    {
        var services = new ServiceCollection().AddLedgerKernel(o => o.Use(TestManifest.V1)).BuildServiceProvider();
        var kernel = services.GetRequiredService<LedgerKernel>();
        var chain = new Chain("till-1");
        Assert.Equal(ApplyStatus.Folded, kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1))).Status);
        Assert.Same(kernel, services.GetRequiredService<LedgerKernel>());
    }

    [Fact]
    public void AddLedgerKernel_without_a_manifest_fails_with_guidance()
    {
        var services = new ServiceCollection().AddLedgerKernel().BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<LedgerKernel>());
        Assert.Contains("Manifests", e.Message);
    }

    [Fact]
    [Trait("Risk", "G2")]
    public void The_kernels_ops_are_counted_on_the_meter_the_hosts_factory_made_for_it()
    {
        using var factory = new RecordingMeterFactory();
        var services = new ServiceCollection().AddSingleton<IMeterFactory>(factory).AddLedgerKernel(o => o.Use(TestManifest.V1)).BuildServiceProvider();
        var kernel = services.GetRequiredService<LedgerKernel>();
        var seen = new List<(Meter Meter, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "ledger.kernel.ops") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (seen) seen.Add((instrument.Meter, value));
        });
        listener.Start();

        var chain = new Chain("till-1");
        kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 1)));
        kernel.Apply(chain.Next(TestManifest.AddTally, new AmountArgs("a", 2)));

        var made = Assert.Single(factory.Made);
        Assert.Equal("Ledger.Kernel", made.Name);
        lock (seen) Assert.Equal(2, seen.Count(m => ReferenceEquals(m.Meter, made)));
    }

    /// <summary>A host's meter factory that remembers the meters it made.</summary>
    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Made { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Made.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Made) meter.Dispose();
        }
    }
}
