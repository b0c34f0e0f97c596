using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure;

/// <summary>One erasure request, from intake to certificate. Not thread-safe: one controller drives it.</summary>
public sealed class ErasureCase
{
    private readonly ErasureWorkflow _workflow;
    private readonly SortedDictionary<string, KeyLocation> _located = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ErasureConfirmation> _confirmed = new(StringComparer.Ordinal);

    internal ErasureCase(ErasureWorkflow workflow, SubjectId subject, IReadOnlyList<CiphertextLocation> remains)
    {
        _workflow = workflow;
        Subject = subject;
        Remains = remains;
    }

    /// <summary>The subject.</summary>
    public SubjectId Subject { get; }

    /// <summary>The subject's sealed fields in the log: after the shred, ciphertext only.</summary>
    public IReadOnlyList<CiphertextLocation> Remains { get; }

    /// <summary>The replicas located so far and what each reported, by replica id.</summary>
    public IReadOnlyList<KeyLocation> Located => _located.Values.ToArray();

    /// <summary>The erase op, once there is one.</summary>
    public EraseOpRef? EraseOp { get; private set; }

    /// <summary>The confirmations accepted, by replica id.</summary>
    public IReadOnlyList<ErasureConfirmation> Confirmations => _confirmed.Values.ToArray();

    /// <summary>Replicas that reported holding the key and have not confirmed.</summary>
    public IReadOnlyList<AuthorId> Pending => _located.Values
        .Where(l => l.Status == SubjectKeyStatus.Held && !_confirmed.ContainsKey(l.Replica.Value))
        .Select(l => l.Replica).ToArray();

    /// <summary>Records where the subject's key is (a report per replica; a later report of a replica replaces its earlier one).</summary>
    public void Locate(IEnumerable<KeyLocation> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        foreach (var report in reports)
        {
            if (report.Subject != Subject) throw Error.Argument($"a location report of {report.Replica} is for another subject.", nameof(reports));
            _located[report.Replica.Value] = report;
        }
    }

    /// <summary>Asks each replica where the key is.</summary>
    public void Locate(IEnumerable<ErasureReplica> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        Locate(replicas.Select(r => r.Locate(Subject)).ToArray());
    }

    /// <summary>Authors and signs the erase op in <paramref name="author"/>'s chain (on its branch <paramref name="branch"/>).
    /// Ship it to every replica like any other op.</summary>
    /// <exception cref="InvalidOperationException">The case already has an erase op.</exception>
    public SignedOp Erase(AuthorLog author, string branch = "main")
    {
        ArgumentNullException.ThrowIfNull(author);
        if (EraseOp is not null) throw Error.InvalidOperation($"{Subject} is already being erased by {EraseOp}.");
        using var activity = ErasureActivities.Source.StartActivity("ledger.erase");
        activity?.SetTag("ledger.name", author.Ledger);
        if (author.Ledger != _workflow.Ledger) throw Error.Argument($"the author signs for ledger '{author.Ledger}', not '{_workflow.Ledger}'.", nameof(author));
        var op = author.Append(ErasureManifest.Manifest, ErasureManifest.EraseVerb, new EraseArgs(Subject.Value), branch);
        EraseOp = EraseOpRef.Of(op.Op);
        return op;
    }

    /// <summary>Uses an erase op authored elsewhere (by another device of the controller).</summary>
    /// <exception cref="ArgumentException">The op is not an erase op of this subject.</exception>
    /// <exception cref="InvalidOperationException">The case already has another erase op.</exception>
    public void UseEraseOp(Op op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (!ErasureManifest.TryReadErase(op, out var subject) || subject != Subject) throw Error.Argument($"{op.Ref} is not an erase op of {Subject}.", nameof(op));
        var reference = EraseOpRef.Of(op);
        if (EraseOp is { } existing && existing != reference) throw Error.InvalidOperation($"{Subject} is already being erased by {existing}.");
        EraseOp = reference;
    }

    /// <summary>Takes a replica's confirmation. Never throws on bad content.</summary>
    public ConfirmationAcceptance Accept(ErasureConfirmation confirmation)
    {
        ArgumentNullException.ThrowIfNull(confirmation);
        if (EraseOp is not { } erase || confirmation.Ledger != _workflow.Ledger || confirmation.Subject != Subject || confirmation.EraseOp != erase)
        {
            return ConfirmationAcceptance.Mismatch;
        }

        if (!confirmation.VerifySignature()) return ConfirmationAcceptance.BadSignature;
        return _confirmed.TryAdd(confirmation.Replica.Value, confirmation) ? ConfirmationAcceptance.Accepted : ConfirmationAcceptance.AlreadyConfirmed;
    }

    /// <summary>Signs a certificate of erasure over what the case holds now: the replicas that confirmed, those still
    /// pending, and what remains. Issue another when more confirmations arrive.</summary>
    /// <exception cref="InvalidOperationException">There is no erase op yet.</exception>
    public ErasureCertificate Certify()
    {
        if (EraseOp is not { } erase) throw Error.InvalidOperation("certify after the erase op: call Erase or UseEraseOp first.");
        return _workflow.Sign(this, erase);
    }
}
