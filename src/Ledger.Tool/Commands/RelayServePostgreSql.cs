using System.Text.Json;
using Ledger.Signing;
using Ledger.Sync;
using Ledger.Sync.AspNetCore;
using Npgsql;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger relay serve --store postgres</c>: one relay instance of many over PostgreSQL. The stores come
/// from a <see cref="PostgreSqlLedgerMap"/> (<c>--pg</c> as its default, <c>--pg-map</c> for more databases), every
/// ledger's checkpoints are signed with the key of <c>--checkpoint-key</c> (the one every instance shares), and one
/// <see cref="PostgreSqlRelayListener"/> per database wakes this instance's long polls when another instance stores
/// ops.</summary>
internal static class RelayServePostgreSql
{
    public static int Run(ToolContext context, RelayServeCommand.Settings settings)
    {
        if (settings.Pg is null && settings.PgMap is null) throw new UsageException("--store postgres needs --pg <connection string> or --pg-map <file>.");
        if (settings.CheckpointKey is null)
        {
            throw new UsageException("--store postgres needs --checkpoint-key <file>: every instance over one database signs with the same key.");
        }

        if (settings.Origin is not null && settings.Ledgers.Length > 1) throw new UsageException("--origin names one ledger's log; with several ledgers each gets ledger-relay/<ledger>.");
        if (settings.Pg is not null) Validate(settings.Pg, "--pg", usage: true);
        using var map = settings.PgMap is null ? new PostgreSqlLedgerMap(settings.Pg) : ReadMap(settings.PgMap, settings.Pg);
        var key = ReadKey(settings.CheckpointKey);
        var stores = new List<PostgreSqlRelayStore>();
        var relays = new List<Relay>();
        var listeners = new List<PostgreSqlRelayListener>();
        try
        {
            var options = new LedgerRelayOptions();
            foreach (var ledger in settings.Ledgers)
            {
                string connectionString;
                try
                {
                    connectionString = map.ConnectionStringFor(ledger);
                }
                catch (InvalidOperationException e)
                {
                    throw new InvalidInputException($"{settings.PgMap}: {e.Message}");
                }

                // Unreachable: StoreUnavailableException (exit 3); a newer schema: StoreSchemaException (exit 1).
                var store = map.OpenStore(ledger);
                stores.Add(store);
                var relay = new Relay(new RelayOptions { Ledger = ledger, Origin = settings.Origin, CheckpointKey = key }, store);
                relays.Add(relay);
                options.AddLedger(relay, settings.IsPublic);
            }

            foreach (var database in stores.GroupBy(s => map.ConnectionStringFor(s.Ledger), StringComparer.Ordinal))
            {
                listeners.Add(new PostgreSqlRelayListener(database.Key, database));
            }

            var urls = settings.Urls is { Length: > 0 } given ? given : ["http://127.0.0.1:5080"];
            ServeAsync(context, options, urls).GetAwaiter().GetResult();
            return ExitCodes.Ok;
        }
        finally
        {
            foreach (var listener in listeners) listener.Dispose();
            foreach (var relay in relays) relay.Dispose();
            foreach (var store in stores) store.Dispose();
            key.Dispose();
        }
    }

    private static async Task ServeAsync(ToolContext context, LedgerRelayOptions options, string[] urls)
    {
        var host = await LedgerRelayHost.StartAsync(new LedgerRelayServer(options), urls).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            foreach (var url in host.Urls)
            {
                foreach (var ledger in options.Ledgers)
                {
                    var relay = ledger.Relay;
                    await context.Output.WriteLineAsync($"relay listening on {url} ledger={relay.Ledger} origin={relay.Origin} vkey={relay.CheckpointVerifierKey!.ToVkey()}").ConfigureAwait(false);
                }
            }

            await context.Output.FlushAsync().ConfigureAwait(false);
            // Ctrl+C or SIGTERM stops the host (its console lifetime).
            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }
    }

    // The key every instance shares: it must exist (an instance that made up its own key would sign checkpoints
    // devices trusting the others refuse).
    private static SigningKey ReadKey(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputException($"the checkpoint key file '{path}' does not exist. Every relay instance over one database signs with the same key: create it once (32 random bytes, e.g. 'head -c 32 /dev/urandom > {path}') and give every instance the same file.");
        }

        var seed = File.ReadAllBytes(path);
        if (seed.Length != 32) throw new InvalidInputException($"the checkpoint key file '{path}' holds {seed.Length} bytes, not a 32-byte seed.");
        return SigningKey.FromSeed(seed);
    }

    // {"default": cs, "ledgers": {name: cs}, "prefixes": {prefix: cs}}; --pg, when given too, is the default.
    private static PostgreSqlLedgerMap ReadMap(string path, string? pg)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"'{path}' is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidInputException($"'{path}': the map is a JSON object with \"default\", \"ledgers\" and \"prefixes\".");
            string? fallback = pg;
            var exact = new List<(string, string)>();
            var prefixes = new List<(string, string)>();
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "default":
                        fallback = Text(path, property.Value, "default");
                        break;
                    case "ledgers":
                        exact.AddRange(Entries(path, property.Value, "ledgers"));
                        break;
                    case "prefixes":
                        prefixes.AddRange(Entries(path, property.Value, "prefixes"));
                        break;
                    default:
                        throw new InvalidInputException($"'{path}': unknown member \"{property.Name}\"; the map has \"default\", \"ledgers\" and \"prefixes\".");
                }
            }

            var map = new PostgreSqlLedgerMap(fallback);
            foreach (var (name, cs) in exact)
            {
                if (!LedgerName.IsValid(name)) throw new InvalidInputException($"'{path}': ledgers.\"{name}\" is not a ledger name.");
                map.Map(name, cs);
            }

            foreach (var (prefix, cs) in prefixes)
            {
                if (prefix.Length == 0) throw new InvalidInputException($"'{path}': a prefix is empty (use \"default\").");
                map.MapPrefix(prefix, cs);
            }

            return map;
        }
    }

    private static IEnumerable<(string, string)> Entries(string path, JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new InvalidInputException($"'{path}': \"{where}\" is an object of names to connection strings.");
        return element.EnumerateObject().Select(p => (p.Name, Text(path, p.Value, $"{where}.\"{p.Name}\""))).ToArray();
    }

    private static string Text(string path, JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 } text) throw new InvalidInputException($"'{path}': {where} is a connection string (a non-empty JSON string).");
        Validate(text, $"'{path}': {where}", usage: false);
        return text;
    }

    // The connection string is never echoed: it may hold a password.
    private static void Validate(string connectionString, string where, bool usage)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or KeyNotFoundException or OverflowException)
        {
            var message = $"{where} is not a PostgreSQL connection string: {e.Message.Split('\n')[0]}";
            throw usage ? new UsageException(message) : new InvalidInputException(message);
        }
    }
}
