using System.Globalization;
using Ledger.Kernel;
using Microsoft.Data.Sqlite;

namespace Ledger.Sync;

/// <summary>Typed reads of one row of a Ledger SQLite file. SQLite stores any value in any column; a damaged or hand-edited
/// file can hold text where an integer belongs or nothing where bytes belong. Every read checks the type and range and
/// answers a <see cref="StoreDamagedException"/> naming table, row and column — never an InvalidCastException.</summary>
internal readonly struct SqliteRow(SqliteDataReader reader, string store, string table, long row)
{
    public long Integer(int ordinal, string column, long min = long.MinValue) =>
        reader.GetValue(ordinal) is long value && value >= min ? value : throw Damaged(ordinal, column, min == long.MinValue ? "an integer" : string.Create(CultureInfo.InvariantCulture, $"an integer of at least {min}"));

    public long? NullableInteger(int ordinal, string column, long min = long.MinValue) =>
        reader.IsDBNull(ordinal) ? null : Integer(ordinal, column, min);

    public string Text(int ordinal, string column) =>
        reader.GetValue(ordinal) is string value ? value : throw Damaged(ordinal, column, "text");

    public string? NullableText(int ordinal, string column) => reader.IsDBNull(ordinal) ? null : Text(ordinal, column);

    public byte[] Blob(int ordinal, string column, int? length = null) =>
        reader.GetValue(ordinal) is byte[] value && (length is null || value.Length == length) ? value
            : throw Damaged(ordinal, column, length is { } n ? string.Create(CultureInfo.InvariantCulture, $"{n} bytes") : "bytes");

    public AuthorId Author(int ordinal, string column) =>
        AuthorId.TryCreate(reader.GetValue(ordinal) as string, out var author) ? author : throw Damaged(ordinal, column, "an author id");

    public bool Flag(int ordinal, string column) => Integer(ordinal, column) switch
    {
        0 => false,
        1 => true,
        _ => throw Damaged(ordinal, column, "0 or 1"),
    };

    private StoreDamagedException Damaged(int ordinal, string column, string expected)
    {
        var found = reader.GetValue(ordinal) switch
        {
            DBNull => "nothing",
            long l => string.Create(CultureInfo.InvariantCulture, $"the integer {l}"),
            string s => $"the text '{(s.Length > 40 ? s[..40] + "…" : s)}'",
            byte[] b => string.Create(CultureInfo.InvariantCulture, $"{b.Length} bytes"),
            double d => string.Create(CultureInfo.InvariantCulture, $"the real {d}"),
            var other => other.GetType().Name,
        };
        return Error.StoreDamaged(store, string.Create(CultureInfo.InvariantCulture, $"table '{table}' row {row} column '{column}'"), $"it holds {found}, not {expected}");
    }
}
