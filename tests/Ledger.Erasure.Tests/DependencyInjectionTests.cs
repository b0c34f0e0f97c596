using Ledger.Kernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ledger.Erasure.Tests;

public class DependencyInjectionTests
{
    [Fact]
    public void AddLedgerErasure_registers_the_store_sealer_unsealer_and_the_erase_manifest_for_the_kernel()
    {
        using var directory = new TempDirectory();
        var services = new ServiceCollection();
        services.AddLedgerKernel(o => o.Use(Crm.Manifest));
        services.AddLedgerErasure(o => o.Ledger = "books").AddLedgerErasureSqliteKeyStore(Path.Combine(directory.Path, "keys.db"));
        using var provider = services.BuildServiceProvider();
        var store = Assert.IsType<SqliteSubjectKeyStore>(provider.GetRequiredService<ISubjectKeyStore>());
        var kernel = provider.GetRequiredService<LedgerKernel>();
        Assert.True(kernel.Options.Manifests!.TryResolve(ErasureManifest.Manifest.Id, out _));

        var subject = SubjectId.New();
        store.Add(subject, SubjectKey.Generate());
        var till = new AuthorId("till");
        var field = provider.GetRequiredService<Sealer>().Seal(subject, "Ada", new OpRef(till, 1), "name");
        var unsealer = provider.GetRequiredService<Unsealer>();
        Assert.Equal("Ada", unsealer.Open(field).Value);
        kernel.Apply(ErasureManifest.Manifest.CreateOp(ErasureManifest.EraseVerb, new EraseArgs(subject.Value), till, 1, Hash32.Zero, new BranchId(till, "main"), 1, Guid.Empty));
        Assert.True(unsealer.Open(field).IsErased);
    }

    [Fact]
    public void Options_without_a_ledger_fail_validation_and_no_path_means_memory()
    {
        var services = new ServiceCollection();
        services.AddLedgerErasure(o => { });
        using var provider = services.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ISubjectKeyStore>());

        var ok = new ServiceCollection().AddLedgerErasure(o => o.Ledger = "books").BuildServiceProvider();
        using (ok)
        {
            Assert.IsType<InMemorySubjectKeyStore>(ok.GetRequiredService<ISubjectKeyStore>());
        }
    }
}
