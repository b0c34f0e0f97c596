using System.CommandLine;
using System.Globalization;
using Ledger.Sync.AspNetCore;
using Ledger.Tool.Files;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger monitor</c>: the monitor page (docs/observability.md, "The monitor page") for one device's node
/// store, on loopback, until the process is stopped. The same page and widgets as <c>app.MapLedgerMonitor()</c>, over
/// the store read into memory (the file is never written) and folded without the device's key.</summary>
internal static class MonitorCommand
{
    public static Command Create(ToolContext context)
    {
        var store = new Argument<string>("node-store") { Description = "a device's SQLite node store (read-only)" };
        var port = new Option<int>("--port") { Description = "the loopback port to listen on (default 0: a free port, printed)", DefaultValueFactory = _ => 0 };
        var app = new Option<string>("--app") { Description = "the app's assembly (.dll) that declares its manifests, so its ops fold instead of parking" };
        var manifests = new Option<string[]>("--manifest") { Description = "with --app: a static field or property holding a Manifest, as Namespace.Type.Member (repeat for each)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("monitor", """
            Serve the monitor page for one device's node store on loopback (127.0.0.1 only): prove-the-books (replay
            vs live hash), tap-to-fold (click a figure: the signed ops that made it), chain integrity, the durability
            ladder, pull-the-plug, the serverless meter, bootstrap path, the key panel, the business-time clock and
            crypto-shred, measured on the store as the device folds it when it opens. Fleet alerts need a relay: the
            page says it has no fleet. The store is read once into memory and never written. Prints the page's URL,
            then serves until the process is stopped (Ctrl+C, SIGTERM). Without --app, the app's ops park (counted).
            """ + "\n" + ExitCodes.Text)
        {
            store, port, app, manifests,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(store)!, parsed.GetValue(port), parsed.GetValue(app), parsed.GetValue(manifests) ?? []));
        return command;
    }

    private static int Run(ToolContext context, string path, int port, string? appPath, string[] members)
    {
        if (port is < 0 or > 65535) throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--port takes 0 to 65535; got {port}."));
        if (appPath is null && members.Length > 0) throw new UsageException("--manifest needs --app (the assembly that declares it).");
        if (appPath is not null && members.Length == 0) throw new UsageException("--app needs at least one --manifest.");
        var manifests = members.Select(m => CheckpointKernelCommand.LoadManifest(appPath!, m)).ToArray();
        var store = StoreFiles.ReadNodeStore(path);
        var snapshot = NodeStoreSnapshot.LoadAsync(store, manifests).GetAwaiter().GetResult();

        // Nothing watched either (LedgerRelayHost says why: a recursive watcher on the current directory).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        // Loopback only: the page shows the device's figures and key ids to whoever reaches it. No configuration is read
        // (an appsettings.json in the current folder or ASPNETCORE_URLS could add endpoints elsewhere).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        using var host = builder.Build();
        host.MapLedgerMonitor(new LedgerMonitorOptions { Store = snapshot });
        host.MapGet("/", () => Results.Redirect("/monitor"));
        host.StartAsync().GetAwaiter().GetResult();
        if (host.Urls.Count != 1 || !host.Urls.Single().StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
        {
            throw new InvalidInputException($"the monitor would listen on {string.Join(", ", host.Urls)}, not on loopback alone; it did not start.");
        }

        var root = host.Urls.Single().TrimEnd('/');
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"monitor listening on {root}/monitor author={snapshot.Author} ledger={snapshot.Ledger} ops={snapshot.Startup.OpsFolded}"));
        context.Output.Flush();

        // The command owns this thread and the process; the host stops on Ctrl+C or SIGTERM (its console lifetime).
        host.WaitForShutdownAsync().GetAwaiter().GetResult();
        return ExitCodes.Ok;
    }
}
