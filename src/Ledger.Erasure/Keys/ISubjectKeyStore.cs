namespace Ledger.Erasure;

/// <summary>Where a replica keeps the keys of data subjects: outside the log, outside the state, outside
/// checkpoints and exports. Destroying a key here is what erases the subject's sealed data on this replica.</summary>
/// <remarks>Every implementation passes the same conformance suite (<c>SubjectKeyStoreConformance</c> in the
/// tests). Rules: a held key is never replaced; a shredded subject never gets a key again; shredding is
/// durable when <see cref="Shred"/> returns, with no copy of the key left in the store's files. Implementations
/// are thread-safe. The kernel never references a key store, and the Ledger analyzer reports verb-reachable
/// code that does.</remarks>
public interface ISubjectKeyStore : IDisposable
{
    /// <summary>Stores a subject's 32-byte key.</summary>
    KeyAddResult Add(SubjectId subject, ReadOnlySpan<byte> key);

    /// <summary>Copies the subject's key into <paramref name="key"/> (32 bytes) when it is held. The caller
    /// clears it after use.</summary>
    SubjectKeyStatus TryRead(SubjectId subject, Span<byte> key);

    /// <summary>What the store knows about the subject, without reading the key.</summary>
    SubjectKeyStatus Status(SubjectId subject);

    /// <summary>Destroys the subject's key and remembers the pseudonym as shredded.</summary>
    ShredResult Shred(SubjectId subject);

    /// <summary>The subjects whose keys are held, in ordinal order.</summary>
    IReadOnlyList<SubjectId> HeldSubjects();
}
