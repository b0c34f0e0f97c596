using System.Globalization;

namespace Ledger.Sync;

/// <summary>What a node finds wrong with itself (risk G2: a device has no server to read its logs, so it must say
/// when it is in trouble): asks each collaborator for its state and turns it into findings, worst first.</summary>
/// <remarks>Takes no lock of its own; each collaborator takes its own gate (never two at once).</remarks>
internal sealed class NodeHealthReporter(NodeOptions options, INodeStore store, LocalReplica replica, AppendPipeline pipeline, AtRiskExporter exporter, RelayWitness witness)
{
    private readonly NodeOptions _options = options;
    private readonly INodeStore _store = store;
    private readonly LocalReplica _replica = replica;
    private readonly AppendPipeline _pipeline = pipeline;
    private readonly AtRiskExporter _exporter = exporter;
    private readonly RelayWitness _witness = witness;

    /// <summary>The findings with the durability ladder. Thresholds: <see cref="NodeOptions.Health"/>.</summary>
    public NodeHealth Report()
    {
        var durability = _replica.Durability();
        var limits = _options.Health;
        var findings = new List<HealthFinding>();
        void Add(HealthSeverity severity, string code, string message) => findings.Add(new HealthFinding(severity, code, message));

        var storeCheck = StoreIntegrityGate.Status(_store);
        if (StoreIntegrityGate.Damage(_store) is { } damage)
        {
            Add(HealthSeverity.Critical, HealthCodes.StoreDamaged, $"the store's integrity check after open found damage ({damage}); the node refuses to sync, export or write: restore it from its latest export or by recovery.");
        }

        if (_pipeline.Fault is { } fault)
        {
            Add(HealthSeverity.Critical, HealthCodes.WriterFault, $"the node failed while folding its own op ({fault.Message}) and refuses appends: reopen it from its store.");
        }

        if (_exporter.LastFailure is { } exportFailure)
        {
            Add(HealthSeverity.Critical, HealthCodes.ExportFailed,
                $"the at-risk export could not be written to {_options.AtRiskExport?.Path} ({exportFailure.Message}): unacknowledged ops are not protected against a wipe until it can.");
        }

        if (_witness.FrozenBecause is { } why)
        {
            Add(HealthSeverity.Critical, HealthCodes.RelayFrozen, $"this node stopped trusting its relay ({why}): keep the evidence and move to another relay.");
        }

        var evidence = _witness.EvidenceKinds();
        if (evidence.Length > 0)
        {
            var kinds = string.Join(", ", evidence.OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Value} {g.Key}")));
            Add(HealthSeverity.Critical, HealthCodes.Evidence, $"this node holds evidence of misbehaviour ({kinds}); it is kept until someone acts on it.");
        }

        if (durability.StorePercent is { } percent && percent >= limits.StoreWarningPercent)
        {
            Add(percent >= limits.StoreCriticalPercent ? HealthSeverity.Critical : HealthSeverity.Warning, HealthCodes.StoreNearCap,
                string.Create(CultureInfo.InvariantCulture,
                    $"the store holds {durability.StoreBytes} of its {durability.StoreCapBytes} bytes ({percent:F0} %); appends fail at the cap: export and start a new store, or raise the cap."));
        }

        if (durability.OldestUnacknowledged is { } age && age >= limits.UnacknowledgedWarningAge)
        {
            Add(age >= limits.UnacknowledgedCriticalAge ? HealthSeverity.Critical : HealthSeverity.Warning, HealthCodes.UnacknowledgedTooLong,
                string.Create(CultureInfo.InvariantCulture,
                    $"{durability.Local + durability.Syncing} own op(s) exist only on this device, the oldest for {age.TotalHours:F0} h: sync with the relay or export them; losing this device's storage loses them."));
        }

        var parked = _replica.Parked();
        if (!parked.IsEmpty)
        {
            Add(HealthSeverity.Warning, HealthCodes.Parked, parked.MissingManifests.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $"update needed: {parked.Ops.Count} op(s) are parked because this software lacks manifest(s) {string.Join(", ", parked.MissingManifests)}.")
                : string.Create(CultureInfo.InvariantCulture, $"{parked.Ops.Count} op(s) are parked behind ops this software cannot fold yet."));
        }

        if (durability.Refused > 0)
        {
            Add(HealthSeverity.Warning, HealthCodes.Refused,
                string.Create(CultureInfo.InvariantCulture, $"the relay refused {durability.Refused} own op(s) for good; they will never be durable (Ladder() gives each reason)."));
        }

        if (_replica.HandlerFaults.Count > 0)
        {
            var last = _replica.HandlerFaults.Last();
            Add(HealthSeverity.Warning, HealthCodes.HandlerFaults,
                string.Create(CultureInfo.InvariantCulture, $"the post-commit handler threw {_replica.HandlerFaults.Count} time(s), last: {last.GetType().Name}: {last.Message}"));
        }

        Kernel.StateMemoryReport memory;
        memory = _replica.Read(k => k.State.Memory());
        StateMemoryFindings.Add(memory, findings);
        return new NodeHealth(durability, findings.OrderByDescending(f => f.Severity).ToArray()) { Memory = memory, StoreCheck = storeCheck };
    }
}
