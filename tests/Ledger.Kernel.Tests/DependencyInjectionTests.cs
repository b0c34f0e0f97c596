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
}
