using Ledger.Kernel;
using Ledger.TestDomain;

namespace Ledger.Kernel.Tests;

public class ErasureRecordTests
{
    [Fact]
    [Trait("Risk", "E2")]
    public void Recording_an_erasure_changes_only_the_erased_table_and_survives_a_checkpoint()
    {
        var kernel = TestManifest.NewKernel();
        var chain = new Chain("till-1");
        kernel.Apply(chain.Next(TestManifest.PostSale, new SaleArgs("i1", "cash", 100)));
        var books = kernel.State.BooksHash();
        var state = kernel.StateHash();
        kernel.Apply(chain.Next(TestManifest.EraseSubject, new NoteArgs("subj-7f3a", "")));
        kernel.Apply(chain.Next(TestManifest.EraseSubject, new NoteArgs("subj-7f3a", "")));
        Assert.Equal(books, kernel.State.BooksHash());
        Assert.NotEqual(state, kernel.StateHash());
        Assert.Equal(["subj-7f3a"], kernel.State.ErasedSubjects());
        var restored = LedgerKernel.Restore(CheckpointCodec.Encode(kernel.CreateCheckpoint()), new KernelOptions().Use(TestManifest.V1));
        Assert.Equal(kernel.StateHash(), restored.StateHash());
    }
}
