using System.Globalization;

namespace Ledger.Sync;

public sealed partial class DeviceNode
{
    /// <summary>What this node finds wrong with itself, worst first, with its durability ladder (risk G2: a device
    /// has no server to read its logs, so it must say when it is in trouble). Thresholds: <see cref="NodeOptions.Health"/>.</summary>
    public NodeHealth Health()
    {
        var durability = Durability();
        var limits = _options.Health;
        var findings = new List<HealthFinding>();
        void Add(HealthSeverity severity, string code, string message) => findings.Add(new HealthFinding(severity, code, message));

        if (_writerFault is { } fault)
        {
            Add(HealthSeverity.Critical, HealthCodes.WriterFault, $"the node failed while folding its own op ({fault.Message}) and refuses appends: reopen it from its store.");
        }

        if (_lastExportFailure is { } exportFailure)
        {
            Add(HealthSeverity.Critical, HealthCodes.ExportFailed,
                $"the eviction policy could not write its export to {_options.AutoExport?.Path} ({exportFailure.Message}): unacknowledged ops are not protected against a wipe until it can.");
        }

        if (FrozenBecause is { } why)
        {
            Add(HealthSeverity.Critical, HealthCodes.RelayFrozen, $"this node stopped trusting its relay ({why}): keep the evidence and move to another relay.");
        }

        KeyValuePair<string, int>[] evidence;
        lock (_witnessGate) evidence = _evidenceKinds.ToArray();
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

        Kernel.ParkedFrontier parked;
        lock (_foldGate) parked = _kernel.Parked;
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

        if (_handlerFaults.Count > 0)
        {
            var last = _handlerFaults.Last();
            Add(HealthSeverity.Warning, HealthCodes.HandlerFaults,
                string.Create(CultureInfo.InvariantCulture, $"the post-commit handler threw {_handlerFaults.Count} time(s), last: {last.GetType().Name}: {last.Message}"));
        }

        Kernel.StateMemoryReport memory;
        lock (_foldGate) memory = _kernel.State.Memory();
        StateMemoryFindings.Add(memory, findings);
        return new NodeHealth(durability, findings.OrderByDescending(f => f.Severity).ToArray()) { Memory = memory };
    }
}
