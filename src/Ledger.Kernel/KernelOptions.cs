namespace Ledger.Kernel;

/// <summary>Configuration of a <see cref="LedgerKernel"/>.</summary>
public sealed class KernelOptions
{
    /// <summary>Resolves the manifest each op names. Required. A <see cref="ManifestCatalog"/> holding the
    /// app's current manifest is the usual value.</summary>
    public IManifestResolver? Manifests { get; set; }

    /// <summary>Keep the provenance index (which ops wrote each row). On by default; costs memory per write, all of it in
    /// memory without a <see cref="StateMemoryBudget"/>; under a budget, what is in memory is charged to the budget and the
    /// rest goes to the <see cref="SegmentStore"/> with its segments (see <see cref="ProvenanceIndex"/>).</summary>
    public bool TrackProvenance { get; set; } = true;

    /// <summary>Record the rows each folded op wrote (<see cref="LedgerKernel.LastFoldEffects"/>). Off by default;
    /// lock-file checks (Ledger.Migration) use it to attribute effects to verb versions.</summary>
    public bool TrackLastWrites { get; set; }

    /// <summary>The determinism sentinel: run each op's verb a second time, on a fresh instance of the verb (a copy
    /// of the verb as it was when its manifest was built), against the same state, and compare the buffered effects
    /// and the outcome. A difference faults the kernel with a <see cref="NondeterministicVerbException"/> naming the
    /// verb, the op and both runs' effects. Off by default: it costs one extra execution (and args decoding) per
    /// op; Ledger.Testing's replay assertions turn it on. It catches what differs between two runs in one process
    /// (clocks, randomness, instance and static state, injected services, nondeterministic library calls), not what
    /// is stable in a process but differs between machines (culture, hash seeds, floating point across CPUs).</summary>
    public bool CheckDeterminism { get; set; }

    /// <summary>Where the kernel's meter (<c>Ledger.Kernel</c>) comes from: a host's factory (<c>AddLedgerKernel</c> and
    /// <c>AddLedgerSync</c> set it from the container). Null: one meter shared by every kernel of the process.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; set; }

    /// <summary>A state memory budget in bytes: when the rows resident in memory (an estimate: entries, keys and values)
    /// exceed it after a kernel call, the least recently touched segments are written to <see cref="SegmentStore"/> and
    /// dropped from memory, their hashes kept; a later touch loads exactly the segment touched, verified against its
    /// hash. Null (the default): every row stays in memory. Eviction changes no hash and no fold result. The unit is a
    /// segment (one table in one branch): a single segment larger than the budget stays resident while in use.</summary>
    public long? StateMemoryBudget { get; set; }

    /// <summary>Where evicted segments go (with <see cref="StateMemoryBudget"/>). Null: an <see cref="InMemorySegmentStore"/>
    /// (which bounds nothing; device nodes pass their store's).</summary>
    public ISegmentStore? SegmentStore { get; set; }

    /// <summary>Adds <paramref name="manifest"/> to <see cref="Manifests"/> (creating a catalog when there is none).</summary>
    public KernelOptions Use(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        switch (Manifests)
        {
            case null:
                Manifests = new ManifestCatalog(manifest);
                break;
            case ManifestCatalog catalog:
                catalog.Add(manifest);
                break;
            default:
                throw Error.InvalidOperation("Manifests is a custom resolver; add the manifest to it directly.");
        }

        return this;
    }
}
