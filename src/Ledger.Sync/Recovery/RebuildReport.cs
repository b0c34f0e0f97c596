using System.Globalization;
using System.Text;
using Ledger.Kernel;

namespace Ledger.Sync;

/// <summary>What a relay rebuild recovered, verified and lost (<see cref="RelayRebuild"/>).</summary>
public sealed record RebuildReport
{
    /// <summary>Node stores read.</summary>
    public required int Stores { get; init; }

    /// <summary>Node stores left out because they do not verify, each with the reason.</summary>
    public required IReadOnlyList<string> RejectedStores { get; init; }

    /// <summary>Authors whose chains were verified.</summary>
    public required int Authors { get; init; }

    /// <summary>The old order's size: one past the highest position any store or witnessed checkpoint names.</summary>
    public required long OldSize { get; init; }

    /// <summary>Old positions some store held, written to the new relay in their old order.</summary>
    public required long Recovered { get; init; }

    /// <summary>Old positions no store held: those ops are gone with the relay.</summary>
    public required IReadOnlyList<long> LostPositions { get; init; }

    /// <summary>Recovered ops that got a new position because a lost position came before them.</summary>
    public required long Resequenced { get; init; }

    /// <summary>Ops no relay had acknowledged, found in the stores and appended after the recovered order.</summary>
    public required long Unsequenced { get; init; }

    /// <summary>Held ops the new relay could not take (their author's earlier op is lost), each with the reason.</summary>
    public required IReadOnlyList<string> Stranded { get; init; }

    /// <summary>The largest checkpoint the nodes witnessed (null: the relay signed none, or none was kept).</summary>
    public required RelayCheckpoint? LastCheckpoint { get; init; }

    /// <summary>The rebuilt tree's root at <see cref="LastCheckpoint"/>'s size (null when positions below it are lost).</summary>
    public required Hash32? RebuiltRoot { get; init; }

    /// <summary>Claim keys decided by recovered ops ordered after the first lost position: a lost op may have
    /// claimed them first, so their outcome can differ from the old order's. Nothing else can change.</summary>
    public required IReadOnlyList<string> ClaimsAfterLoss { get; init; }

    /// <summary>The new relay's size after the rebuild.</summary>
    public required long NewSize { get; init; }

    /// <summary>True when the rebuilt tree reproduces the last witnessed checkpoint's root.</summary>
    public bool RootReproduced => LastCheckpoint is { } last && RebuiltRoot == last.Root;

    /// <summary>True when every old position was recovered and nothing was stranded.</summary>
    public bool Complete => LostPositions.Count == 0 && Stranded.Count == 0;

    /// <inheritdoc />
    public override string ToString()
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"stores={Stores} rejected={RejectedStores.Count} authors={Authors} oldSize={OldSize} recovered={Recovered} lost={LostPositions.Count} ");
        b.Append(CultureInfo.InvariantCulture, $"resequenced={Resequenced} unsequenced={Unsequenced} stranded={Stranded.Count} newSize={NewSize} ");
        b.Append(LastCheckpoint is null ? "checkpoint=none" : string.Create(CultureInfo.InvariantCulture, $"checkpoint={LastCheckpoint.Size} rootReproduced={(RootReproduced ? 'Y' : 'N')}"));
        return b.ToString();
    }
}
