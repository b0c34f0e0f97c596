namespace Ledger.Kernel;

/// <summary>Collects verb versions and tables into a <see cref="Manifest"/>.</summary>
public sealed class ManifestBuilder
{
    private readonly string _name;
    private readonly uint _version;
    private readonly List<Verb> _verbs = [];
    private readonly List<Table> _tables = [];

    /// <summary>Starts a manifest named <paramref name="name"/> at human version <paramref name="version"/>.</summary>
    public ManifestBuilder(string name, uint version)
    {
        if (!Identifier.IsValid(name, 64)) throw Error.Argument(nameof(name), "a manifest name is 1-64 characters of [A-Za-z0-9._-].");
        _name = name;
        _version = version;
    }

    /// <summary>Adds a verb version.</summary>
    public ManifestBuilder Add(Verb verb)
    {
        ArgumentNullException.ThrowIfNull(verb);
        if (_verbs.Any(v => v.Key == verb.Key)) throw Error.Argument(nameof(verb), $"{verb.Key} is listed twice.");
        _verbs.Add(verb);
        return this;
    }

    /// <summary>Adds several verb versions.</summary>
    public ManifestBuilder Add(params IEnumerable<Verb> verbs)
    {
        foreach (var verb in verbs) Add(verb);
        return this;
    }

    /// <summary>Declares a table.</summary>
    public ManifestBuilder Table(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var existing = _tables.FirstOrDefault(t => t.Name == table.Name);
        if (existing is not null)
        {
            if (existing.Equals(table)) return this;
            throw Error.Argument(nameof(table), $"table '{table.Name}' is declared as {existing} and as {table}; a table has one kind forever.");
        }

        _tables.Add(table);
        return this;
    }

    /// <summary>Declares several tables.</summary>
    public ManifestBuilder Tables(params IEnumerable<Table> tables)
    {
        foreach (var table in tables) Table(table);
        return this;
    }

    /// <summary>Builds the manifest: verbs in (name, version) order, tables in name order.</summary>
    public Manifest Build()
    {
        if (_verbs.Count == 0) throw Error.InvalidOperation("a manifest lists at least one verb.");
        var verbs = _verbs.OrderBy(v => v.Key).ToArray();
        var tables = _tables.OrderBy(t => t.Name, Utf8Order.Instance).ToArray();
        return new Manifest(_name, _version, verbs, tables);
    }
}
