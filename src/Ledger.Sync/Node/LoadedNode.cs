using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Sync;

/// <summary>What <see cref="NodeLoader"/> read from a store: the folded kernel and chains, the own ladder, the author
/// log to sign with, the witness's tree, the fold results and ops the post-commit handler has still to hear of, the node's
/// own checkpoint writer (risk B2), and — when the store holds fewer own ops than it once committed — the high-water mark
/// it was rolled back from.</summary>
internal sealed record LoadedNode(LedgerKernel Kernel, Dictionary<AuthorId, AuthorChainVerifier> Verifiers, OwnLadder Own, AuthorLog Log, MerkleTree Tree,
    List<ApplyResult> Results, List<Op> Applied, NodeStartup Startup, NodeCheckpoints? Checkpoints, OwnHighWater? RolledBackFrom);
