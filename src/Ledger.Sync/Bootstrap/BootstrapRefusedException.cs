using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>A relay refused a posted bootstrap checkpoint (<see cref="IRelayBootstrap.PostBootstrapCheckpointAsync"/>);
/// nothing was kept.</summary>
public sealed class BootstrapRefusedException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public BootstrapRefusedException(BootstrapRefusal refusal, string detail)
        : base($"the bootstrap checkpoint was refused ({refusal}): {detail}")
    {
        Refusal = refusal;
        Detail = detail;
    }

    /// <summary>Why, as a stable code.</summary>
    public BootstrapRefusal Refusal { get; }

    /// <summary>What exactly, for people.</summary>
    public string Detail { get; }
}
