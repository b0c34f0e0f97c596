using System.Security.Cryptography;
using Ledger.Kernel;
using Ledger.Signing;

namespace Ledger.Erasure;

/// <summary>One replica's side of erasure: it creates subjects and seals for them, hands wrapped keys to other
/// replicas and takes theirs, locates keys when asked, and — after an erase op commits in its kernel — destroys
/// the subject's key and signs a confirmation (<see cref="OnApplied"/>, the post-commit handler).</summary>
/// <remarks>The replica id is its device's author id, and confirmations are signed with that device's key, so a
/// verifier can anchor them in the author's key state. Time (confirmation stamps) comes from the
/// <see cref="TimeProvider"/> given; randomness (subject ids, keys, nonces) from the generator given.</remarks>
public sealed class ErasureReplica
{
    private readonly SigningKey _signer;
    private readonly ReplicaKeyPair _keyPair;
    private readonly TimeProvider _time;
    private readonly RandomNumberGenerator? _random;

    /// <summary>Creates the replica's erasure side.</summary>
    /// <param name="ledger">The ledger.</param>
    /// <param name="id">The replica id (the device's author id).</param>
    /// <param name="signer">The device key that signs confirmations.</param>
    /// <param name="keyPair">The X25519 key pair other replicas wrap subject keys to.</param>
    /// <param name="keys">The replica's key store.</param>
    /// <param name="time">The clock for confirmation stamps (default: the system clock).</param>
    /// <param name="random">Randomness for subject ids, keys and nonces (default: the system generator).</param>
    public ErasureReplica(string ledger, AuthorId id, SigningKey signer, ReplicaKeyPair keyPair, ISubjectKeyStore keys, TimeProvider? time = null, RandomNumberGenerator? random = null)
    {
        if (!LedgerName.IsValid(ledger)) throw Error.Argument("not a ledger name.", nameof(ledger));
        if (id.IsDefault) throw Error.Argument("default(AuthorId) names no replica.", nameof(id));
        Ledger = ledger;
        Id = id;
        _signer = signer ?? throw Error.ArgumentNull(nameof(signer));
        _keyPair = keyPair ?? throw Error.ArgumentNull(nameof(keyPair));
        Keys = keys ?? throw Error.ArgumentNull(nameof(keys));
        _time = time ?? TimeProvider.System;
        _random = random;
        Sealer = new Sealer(keys, random);
    }

    /// <summary>The ledger.</summary>
    public string Ledger { get; }

    /// <summary>The replica id.</summary>
    public AuthorId Id { get; }

    /// <summary>The key that signs this replica's confirmations.</summary>
    public VerificationKey SigningKey => _signer.Public;

    /// <summary>The X25519 public key to wrap subject keys to.</summary>
    public ReadOnlyMemory<byte> PublicKey => _keyPair.PublicKey;

    /// <summary>The replica's key store.</summary>
    public ISubjectKeyStore Keys { get; }

    /// <summary>Seals personal data for ops this replica's author builds.</summary>
    public Sealer Sealer { get; }

    /// <summary>A new data subject: a random pseudonym and a fresh key, held here.</summary>
    public SubjectId NewSubject()
    {
        var subject = SubjectId.New(_random);
        var key = SubjectKey.Generate(_random);
        try
        {
            if (Keys.Add(subject, key) != KeyAddResult.Added) throw Error.InvalidOperation($"the key store already knows the fresh pseudonym {subject}; the random generator repeats itself.");
            return subject;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>An unsealer for this replica's read models; with <paramref name="state"/>, subjects in its <c>$erased</c>
    /// rows read as erased even before their key is shredded here.</summary>
    public Unsealer Unsealer(StateStore? state = null) => state is null ? new Unsealer(Keys) : Erasure.Unsealer.For(Keys, state);

    /// <summary>Wraps the subject's key for another replica.</summary>
    /// <exception cref="SubjectKeyUnavailableException">This replica does not hold the key.</exception>
    public WrappedSubjectKey WrapFor(SubjectId subject, AuthorId recipient, ReadOnlySpan<byte> recipientPublicKey)
    {
        Span<byte> key = stackalloc byte[SubjectKey.Length];
        try
        {
            var status = Keys.TryRead(subject, key);
            if (status != SubjectKeyStatus.Held) throw Error.SubjectKeyUnavailable(subject, status);
            return WrappedSubjectKey.Wrap(subject, key, recipient, recipientPublicKey, _random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Takes a wrapped key sent to this replica. A key for a subject that is erased here — shredded, or
    /// named in <paramref name="state"/>'s <c>$erased</c> rows — is discarded. Never throws on bad bytes.</summary>
    public KeyImportResult Import(ReadOnlyMemory<byte> wrapped, StateStore? state = null)
    {
        if (!WrappedSubjectKey.TryRead(wrapped, out var envelope, out var error)) return new KeyImportResult(KeyImportStatus.Invalid, error.Subject, error);
        var subject = envelope.Subject;
        if (state is not null && state.ErasedSubjects().Contains(subject.Value, StringComparer.Ordinal))
        {
            Keys.Shred(subject);
            return new KeyImportResult(KeyImportStatus.Erased, subject);
        }

        Span<byte> key = stackalloc byte[SubjectKey.Length];
        try
        {
            if (!envelope.TryUnwrap(Id, _keyPair, key, out var unwrapError)) return new KeyImportResult(KeyImportStatus.Invalid, subject, unwrapError);
            return Keys.Add(subject, key) switch
            {
                KeyAddResult.Added => new KeyImportResult(KeyImportStatus.Imported, subject),
                KeyAddResult.AlreadyHeld => new KeyImportResult(KeyImportStatus.AlreadyHeld, subject),
                KeyAddResult.Conflict => new KeyImportResult(KeyImportStatus.Conflict, subject),
                _ => new KeyImportResult(KeyImportStatus.Erased, subject),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Reports whether this replica holds the subject's key.</summary>
    public KeyLocation Locate(SubjectId subject) => new(Id, subject, Keys.Status(subject));

    /// <summary>The post-commit handler: call it with each op the replica's kernel applied and its result. For an
    /// erase op that folded, destroys the subject's key and returns the signed confirmation to send to whoever
    /// runs the erasure; for anything else returns null.</summary>
    /// <exception cref="SubjectKeyStoreException">The store could not make the shred durable.</exception>
    public ErasureConfirmation? OnApplied(Op op, ApplyResult result)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (result.Status != ApplyStatus.Folded || result.Op != op.Ref) return null;
        if (!ErasureManifest.TryReadErase(op, out var subject)) return null;
        var outcome = Keys.Shred(subject.Value) == ShredResult.Shredded ? ConfirmationOutcome.Shredded : ConfirmationOutcome.Absent;
        return ErasureConfirmation.Sign(Ledger, subject.Value, EraseOpRef.Of(op), Id, outcome, _time.GetUtcNow().ToUnixTimeMilliseconds(), _signer);
    }

    /// <summary>The post-commit handler for a batch: <see cref="OnApplied"/> for each op and its final result, in the
    /// order given; returns the confirmations signed, in that order (none when the batch holds no folded erase op).
    /// This is what a sync node's post-commit hook calls — with Ledger.Sync:
    /// <c>options.Folded = batch => outbox.AddRange(replica.OnFolded(batch.Select(f => (f.Op, f.Result))));</c>
    /// (docs/erasure.md, "Erasure over sync").</summary>
    /// <remarks>Run again over the same erase op (a node that reopens folds its log again), it signs a fresh
    /// confirmation with <see cref="ConfirmationOutcome.Absent"/>: the key is already gone. An <see cref="ErasureCase"/>
    /// answers <see cref="ConfirmationAcceptance.AlreadyConfirmed"/> and keeps the first one.</remarks>
    /// <exception cref="SubjectKeyStoreException">The store could not make a shred durable; confirmations of earlier
    /// ops in the batch are not returned (their keys are shredded; reopening the node runs the handler again).</exception>
    public IReadOnlyList<ErasureConfirmation> OnFolded(IEnumerable<(Op Op, ApplyResult Result)> folded)
    {
        ArgumentNullException.ThrowIfNull(folded);
        var confirmations = new List<ErasureConfirmation>();
        foreach (var (op, result) in folded)
        {
            if (OnApplied(op, result) is { } confirmation) confirmations.Add(confirmation);
        }

        return confirmations;
    }

    /// <summary>Shreds every key still held for a subject that <paramref name="state"/> records as erased — after a
    /// restore from a checkpoint, or a crash between a fold and its handler. Returns the subjects shredded now.</summary>
    public IReadOnlyList<SubjectId> Reconcile(StateStore state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var shredded = new List<SubjectId>();
        foreach (var text in state.ErasedSubjects())
        {
            if (SubjectId.TryParse(text, out var subject) && Keys.Shred(subject) == ShredResult.Shredded) shredded.Add(subject);
        }

        return shredded;
    }
}
