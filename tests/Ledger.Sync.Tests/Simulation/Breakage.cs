namespace Ledger.Sync.Tests.Simulation;

/// <summary>What a schedule injects on purpose: nothing (an honest run), a forking relay the devices must catch, or a
/// deliberately broken component that the simulator must report — each new fault kind's witness that the simulator can
/// fail (FaultSimulatorTests). <c>LEDGER_SIM_BREAK=&lt;name&gt;</c> replays one with <c>LEDGER_SIM_SEED</c>.</summary>
internal enum Breakage
{
    /// <summary>Honest devices and relay.</summary>
    None,

    /// <summary>An adversary, not a bug: the relay shows sim-0 one order and the others another (same key, same origin).
    /// Equivocation evidence must appear, name that relay and verify on its own.</summary>
    ForkingRelay,

    /// <summary>The heal forgets partitions still in force: the cut-off devices' ops stay Local.</summary>
    UnhealedPartition,

    /// <summary>The rebuild reads the devices' stores through a filter that hides one acknowledged op from every one.</summary>
    RebuildDropsAnOp,

    /// <summary>sim-0 rotates to a key it never committed to (the one after its next key).</summary>
    RotationToUncommittedKey,

    /// <summary>sim-2's post-commit hook never runs its erasure replica: it folds erase ops but keeps the keys.</summary>
    ErasureHookSkipped,

    /// <summary>sim-2's software never gets the v2 manifest that the others adopt: it parks their v2 ops.</summary>
    NodeWithoutNewManifest,

    /// <summary>A forking relay with gossip switched off (and only the relay's own channel left, which it filters):
    /// nobody can catch it, so the "evidence must appear" check must fail.</summary>
    ForkingRelayUnwatched,

    /// <summary>A forking relay in a schedule declared honest: the evidence it earns must be reported as an accusation
    /// in an honest run (the "no false equivocation evidence" check).</summary>
    ForkingRelayDeclaredHonest,

    /// <summary>A forking relay, unwatched, in a schedule declared honest: two devices each believe they won the last
    /// unit of one claim key (the "no split claim" check).</summary>
    SplitClaimDeclaredHonest,
}
