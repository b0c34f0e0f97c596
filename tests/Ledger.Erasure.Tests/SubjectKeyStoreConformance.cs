namespace Ledger.Erasure.Tests;

/// <summary>What every <see cref="ISubjectKeyStore"/> promises. Each store's test class derives from this one,
/// so the SQLite and in-memory stores pass exactly the same suite.</summary>
public abstract class SubjectKeyStoreConformance : IDisposable
{
    private readonly SeededRandom _random = new("conformance");

    /// <summary>A new, empty store.</summary>
    protected abstract ISubjectKeyStore CreateStore();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private (SubjectId Subject, byte[] Key) NewSubject() => (SubjectId.New(_random), SubjectKey.Generate(_random));

    [Fact]
    [Trait("Risk", "E2")]
    public void An_added_key_reads_back_and_is_listed()
    {
        using var store = CreateStore();
        var (subject, key) = NewSubject();
        Assert.Equal(SubjectKeyStatus.Unknown, store.Status(subject));
        Assert.Equal(KeyAddResult.Added, store.Add(subject, key));
        var read = new byte[SubjectKey.Length];
        Assert.Equal(SubjectKeyStatus.Held, store.TryRead(subject, read));
        Assert.Equal(key, read);
        Assert.Equal(SubjectKeyStatus.Held, store.Status(subject));
        Assert.Equal([subject], store.HeldSubjects());
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void Adding_the_same_key_again_changes_nothing_and_another_key_never_replaces_a_held_one()
    {
        using var store = CreateStore();
        var (subject, key) = NewSubject();
        store.Add(subject, key);
        Assert.Equal(KeyAddResult.AlreadyHeld, store.Add(subject, key));
        Assert.Equal(KeyAddResult.Conflict, store.Add(subject, SubjectKey.Generate(_random)));
        var read = new byte[SubjectKey.Length];
        store.TryRead(subject, read);
        Assert.Equal(key, read);
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void A_shredded_key_is_gone_the_subject_reads_as_shredded_and_never_takes_a_key_again()
    {
        using var store = CreateStore();
        var (subject, key) = NewSubject();
        var (other, otherKey) = NewSubject();
        store.Add(subject, key);
        store.Add(other, otherKey);
        Assert.Equal(ShredResult.Shredded, store.Shred(subject));
        var read = new byte[SubjectKey.Length];
        Assert.Equal(SubjectKeyStatus.Shredded, store.TryRead(subject, read));
        Assert.All(read, b => Assert.Equal(0, b));
        Assert.Equal(SubjectKeyStatus.Shredded, store.Status(subject));
        Assert.Equal(KeyAddResult.Shredded, store.Add(subject, key));
        Assert.Equal(ShredResult.AlreadyShredded, store.Shred(subject));
        Assert.Equal([other], store.HeldSubjects());
        Assert.Equal(SubjectKeyStatus.Held, store.TryRead(other, read));
        Assert.Equal(otherKey, read);
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void Shredding_a_subject_never_held_records_it_so_a_late_key_is_refused()
    {
        using var store = CreateStore();
        var (subject, key) = NewSubject();
        Assert.Equal(ShredResult.NotHeld, store.Shred(subject));
        Assert.Equal(SubjectKeyStatus.Shredded, store.Status(subject));
        Assert.Equal(KeyAddResult.Shredded, store.Add(subject, key));
        Assert.Empty(store.HeldSubjects());
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void Held_subjects_are_listed_in_ordinal_order()
    {
        using var store = CreateStore();
        var subjects = Enumerable.Range(0, 20).Select(_ => NewSubject()).ToArray();
        foreach (var (subject, key) in subjects) store.Add(subject, key);
        Assert.Equal(subjects.Select(s => s.Subject.Value).Order(StringComparer.Ordinal), store.HeldSubjects().Select(s => s.Value));
    }

    [Fact]
    public void Misuse_is_rejected_wrong_key_lengths_and_the_default_subject()
    {
        using var store = CreateStore();
        var (subject, _) = NewSubject();
        Assert.Throws<ArgumentException>(() => store.Add(subject, new byte[31]));
        Assert.Throws<ArgumentException>(() => store.TryRead(subject, new byte[33]));
        Assert.Throws<ArgumentException>(() => store.Add(default, new byte[32]));
        Assert.Throws<ArgumentException>(() => store.Shred(default));
    }

    [Fact]
    public void A_disposed_store_refuses_work()
    {
        var store = CreateStore();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Status(NewSubject().Subject));
    }

    [Fact]
    public void Concurrent_adds_reads_and_shreds_keep_every_promise()
    {
        using var store = CreateStore();
        var subjects = Enumerable.Range(0, 64).Select(_ => NewSubject()).ToArray();
        Parallel.For(0, subjects.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var (subject, key) = subjects[i];
            Assert.Equal(KeyAddResult.Added, store.Add(subject, key));
            var read = new byte[SubjectKey.Length];
            Assert.Equal(SubjectKeyStatus.Held, store.TryRead(subject, read));
            Assert.Equal(key, read);
            if (i % 2 == 0) Assert.Equal(ShredResult.Shredded, store.Shred(subject));
        });
        Assert.Equal(subjects.Where((_, i) => i % 2 == 1).Select(s => s.Subject.Value).Order(StringComparer.Ordinal), store.HeldSubjects().Select(s => s.Value));
    }
}

public sealed class InMemorySubjectKeyStoreTests : SubjectKeyStoreConformance
{
    protected override ISubjectKeyStore CreateStore() => new InMemorySubjectKeyStore();
}

public sealed class SqliteSubjectKeyStoreTests : SubjectKeyStoreConformance
{
    private readonly TempDirectory _directory = new();
    private int _stores;

    protected override ISubjectKeyStore CreateStore() => new SqliteSubjectKeyStore(Path.Combine(_directory.Path, $"keys-{++_stores}.db"));

    public override void Dispose()
    {
        _directory.Dispose();
        base.Dispose();
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void Keys_and_shreds_survive_reopening_the_file()
    {
        var path = Path.Combine(_directory.Path, "reopen.db");
        var random = new SeededRandom("reopen");
        var (kept, keptKey) = (SubjectId.New(random), SubjectKey.Generate(random));
        var (gone, goneKey) = (SubjectId.New(random), SubjectKey.Generate(random));
        using (var store = new SqliteSubjectKeyStore(path))
        {
            store.Add(kept, keptKey);
            store.Add(gone, goneKey);
            store.Shred(gone);
        }

        using var reopened = new SqliteSubjectKeyStore(path);
        var read = new byte[SubjectKey.Length];
        Assert.Equal(SubjectKeyStatus.Held, reopened.TryRead(kept, read));
        Assert.Equal(keptKey, read);
        Assert.Equal(SubjectKeyStatus.Shredded, reopened.Status(gone));
        Assert.Equal(KeyAddResult.Shredded, reopened.Add(gone, goneKey));
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void After_a_shred_neither_the_database_nor_its_wal_holds_the_key_bytes_and_the_wal_is_empty()
    {
        var path = Path.Combine(_directory.Path, "scan.db");
        var random = new SeededRandom("scan");
        var subjects = Enumerable.Range(0, 200).Select(_ => (Subject: SubjectId.New(random), Key: SubjectKey.Generate(random))).ToArray();
        using var store = new SqliteSubjectKeyStore(path);
        foreach (var (subject, key) in subjects) store.Add(subject, key);
        var victims = subjects.Where((_, i) => i % 7 == 3).ToArray();
        Assert.All(victims, v => Assert.True(FilesHolding(v.Key).Count > 0));

        foreach (var (subject, _) in victims) Assert.Equal(ShredResult.Shredded, store.Shred(subject));
        Assert.Equal(0, new FileInfo(path + "-wal").Length);
        Assert.False(File.Exists(path + "-journal"));
        Assert.All(victims, v => Assert.Empty(FilesHolding(v.Key)));
        Assert.All(subjects.Except(victims), s => Assert.NotEmpty(FilesHolding(s.Key)));
    }

    [Fact]
    [Trait("Risk", "E2")]
    public void A_second_key_store_on_an_open_file_is_refused_typed_naming_the_file_and_the_first_goes_on_adding_and_shredding()
    {
        // Before, the second store opened: its shreds truncated the WAL under the first one, and the two raced each
        // other's check-then-insert. A store owns its file while it is open (<file>-ledger-lock).
        var path = Path.GetFullPath(Path.Combine(_directory.Path, "owned.db"));
        var random = new SeededRandom("owned");
        var (kept, keptKey) = (SubjectId.New(random), SubjectKey.Generate(random));
        var (gone, goneKey) = (SubjectId.New(random), SubjectKey.Generate(random));
        using (var store = new SqliteSubjectKeyStore(path))
        {
            store.Add(kept, keptKey);
            var before = File.ReadAllBytes(path);
            var wal = File.ReadAllBytes(path + "-wal");

            var error = Assert.Throws<SubjectKeyStoreException>(() => new SqliteSubjectKeyStore(path));
            Assert.Equal(path, error.Store);
            Assert.Contains("another key store holds the file", error.Message, StringComparison.Ordinal);
            Assert.Contains(path + "-ledger-lock", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(wal, File.ReadAllBytes(path + "-wal"));

            Assert.Equal(KeyAddResult.Added, store.Add(gone, goneKey));
            Assert.Equal(ShredResult.Shredded, store.Shred(gone));
        }

        // Released on dispose: the next store opens it and holds what the first one wrote.
        using var reopened = new SqliteSubjectKeyStore(path);
        var read = new byte[SubjectKey.Length];
        Assert.Equal(SubjectKeyStatus.Held, reopened.TryRead(kept, read));
        Assert.Equal(keptKey, read);
        Assert.Equal(SubjectKeyStatus.Shredded, reopened.Status(gone));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void A_file_that_is_not_a_database_fails_typed_naming_the_file()
    {
        var path = Path.Combine(_directory.Path, "not-a-db.db");
        File.WriteAllBytes(path, new byte[4096].Select((_, i) => (byte)(i * 31)).ToArray());
        var error = Assert.Throws<SubjectKeyStoreException>(() => new SqliteSubjectKeyStore(path));
        Assert.Equal(Path.GetFullPath(path), error.Store);
    }

    [Fact]
    public void A_new_file_records_its_schema_version_and_a_file_from_before_versions_opens_and_is_stamped()
    {
        var fresh = Path.Combine(_directory.Path, "fresh.db");
        using (new SqliteSubjectKeyStore(fresh))
        {
        }

        Assert.Equal(SqliteSubjectKeyStore.SchemaVersion, UserVersion(fresh));

        // The layout Ledger.Erasure wrote before versions were recorded: the same tables, user_version 0.
        var old = Path.Combine(_directory.Path, "old.db");
        var subject = SubjectId.New(new SeededRandom("old"));
        var key = SubjectKey.Generate(new SeededRandom("old-key"));
        RawSql(old, "CREATE TABLE subject_keys (subject TEXT PRIMARY KEY NOT NULL, key BLOB NOT NULL) WITHOUT ROWID;" +
            "CREATE TABLE shredded (subject TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;");
        RawSql(old, "INSERT INTO subject_keys (subject, key) VALUES ($s, $k);", ("$s", subject.Value), ("$k", key));
        using (var store = new SqliteSubjectKeyStore(old))
        {
            var read = new byte[SubjectKey.Length];
            Assert.Equal(SubjectKeyStatus.Held, store.TryRead(subject, read));
            Assert.Equal(key, read);
        }

        Assert.Equal(SqliteSubjectKeyStore.SchemaVersion, UserVersion(old));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void A_file_written_by_a_newer_Ledger_is_refused_naming_its_schema_and_is_left_unchanged()
    {
        var path = Path.Combine(_directory.Path, "newer.db");
        using (new SqliteSubjectKeyStore(path))
        {
        }

        RawSql(path, $"PRAGMA journal_mode=DELETE; PRAGMA user_version = {SqliteSubjectKeyStore.SchemaVersion + 1};");
        var before = File.ReadAllBytes(path);
        var error = Assert.Throws<SubjectKeyStoreException>(() => new SqliteSubjectKeyStore(path));
        Assert.Contains($"newer Ledger (schema {SqliteSubjectKeyStore.SchemaVersion + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains("not changed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Another_applications_database_is_refused_and_left_unchanged()
    {
        var path = Path.Combine(_directory.Path, "other.db");
        RawSql(path, "PRAGMA journal_mode=DELETE; CREATE TABLE invoices (id INTEGER PRIMARY KEY);");
        var before = File.ReadAllBytes(path);
        var error = Assert.Throws<SubjectKeyStoreException>(() => new SqliteSubjectKeyStore(path));
        Assert.Contains("not a Ledger subject key store", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    private static long UserVersion(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    private static void RawSql(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private List<string> FilesHolding(byte[] needle) => FileScan.FilesContaining(_directory.Path, needle, SearchOption.TopDirectoryOnly);
}
