using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>One append on its way through the <see cref="AppendPipeline"/>: signed by the signer, persisted and
/// folded by the writer.</summary>
internal sealed class PendingAppend(Func<AuthorLog, SignedOp> sign, bool critical, CancellationToken cancellation)
{
    /// <summary>Honoured until the op is signed.</summary>
    public CancellationToken Cancellation => cancellation;

    private SignedOp? _signed;

    /// <summary>The signed op (once <see cref="Sign"/> ran).</summary>
    public SignedOp Signed => _signed ?? throw Error.InvalidOperation("not signed yet.");

    /// <summary>Signs the op with the author's log (on the signer's thread, under the sign gate).</summary>
    public void Sign(AuthorLog log) => _signed = sign(log);

    public TaskCompletionSource<ApplyResult> Persisted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource? Done { get; } = critical ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
}
