using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Tool.Files;

namespace Ledger.Tool.Commands;

/// <summary><c>ledger checkpoint kernel</c>: the kernel checkpoint a device's store folds to, with the app's manifests.</summary>
/// <remarks>Only the app knows its verbs, so the tool loads them from the app's assembly: the manifests are read from
/// static members the user names, which runs the app's static initializers (point it at your own app only).</remarks>
internal static class CheckpointKernelCommand
{
    public static Command Create(ToolContext context)
    {
        var store = new Argument<string>("node-store") { Description = "a device's SQLite node store (read-only)" };
        var app = new Option<string>("--app") { Description = "the app's assembly (.dll) that declares its manifests", Required = true };
        var manifests = new Option<string[]>("--manifest") { Description = "a static field or property holding a Manifest, as Namespace.Type.Member (repeat for each)", Required = true, Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "the checkpoint file to write (must not exist)", Required = true };
        var json = new Option<bool>("--json") { Description = "print what was written as JSON" };
        var command = new Command("kernel", """
            Fold a device's node store with the app's manifests, as the device does when it opens (every chain
            verified, ops in store order at their relay positions, then the relay frontier), and write the kernel
            checkpoint (docs/wire-format.md, "Checkpoint v1"): the bytes a new replica bootstraps from. Prints the
            state hash, which equals the device's. Ops under a manifest not given park (and are counted), as on a
            device without that manifest.
            """ + "\n" + ExitCodes.Text)
        {
            store, app, manifests, output, json,
        };
        command.SetAction(parsed => Run(context, parsed.GetValue(store)!, parsed.GetValue(app)!, parsed.GetValue(manifests) ?? [], parsed.GetValue(output)!, parsed.GetValue(json)));
        return command;
    }

    private static int Run(ToolContext context, string path, string appPath, string[] members, string output, bool json)
    {
        InputFiles.MustBeNew(output, "checkpoint file");
        var manifests = members.Select(m => LoadManifest(appPath, m)).ToArray();
        var options = new KernelOptions { Manifests = new ManifestCatalog(manifests), TrackProvenance = false };
        KeyEvents.Use(options);
        var kernel = new LedgerKernel(options);
        var store = StoreFiles.ReadNodeStore(path);
        var records = Completed.All(store.ReadAllAsync());
        var verifiers = new Dictionary<AuthorId, AuthorChainVerifier>();
        using (var progress = context.Progress("folding ops"))
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (!SignedOpCodec.TryDecode(record.Bytes, out var signed, out var error)) throw new InvalidInputException($"'{path}': the op filed as {record.Op} does not decode: {error!.Message}");
                if (!verifiers.TryGetValue(signed!.Op.Author, out var verifier)) verifiers[signed.Op.Author] = verifier = new AuthorChainVerifier(signed.Ledger, signed.Op.Author);
                var check = verifier.AppendWithoutSignatureCheck(signed);
                if (!check.IsOk) throw new InvalidInputException($"'{path}' holds {signed.Ref}, which does not continue its chain ({check.Break}: {check.Detail}).");
                kernel.Apply(signed.Op, record.Position);
                progress.Report(i + 1, records.Count);
            }
        }

        kernel.AdvanceRelayFrontier(store.Cursor);
        var bytes = CheckpointCodec.Encode(kernel.CreateCheckpoint());
        InputFiles.WriteNew(output, "checkpoint file", bytes);
        var parked = kernel.Parked;
        if (json)
        {
            Json.Write(context.Output, w =>
            {
                w.WriteStartObject();
                w.WriteString("stateHash", kernel.StateHash().ToString());
                w.WriteNumber("ops", records.Count);
                w.WriteNumber("parked", parked.Ops.Count);
                Json.Strings(w, "missingManifests", parked.MissingManifests.Select(m => m.ToString()));
                w.WriteString("out", output);
                w.WriteNumber("bytes", bytes.Length);
                w.WriteEndObject();
            });
            return ExitCodes.Ok;
        }

        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"folded {records.Count} ops ({parked.Ops.Count} parked); state {kernel.StateHash()}"));
        if (!parked.IsEmpty) context.Output.WriteLine("parked under manifests not given: " + string.Join(", ", parked.MissingManifests));
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint: {output} ({bytes.Length} bytes)"));
        return ExitCodes.Ok;
    }

    internal static Manifest LoadManifest(string appPath, string member)
    {
        var dot = member.LastIndexOf('.');
        if (dot <= 0 || dot == member.Length - 1) throw new UsageException($"--manifest takes Namespace.Type.Member; got '{member}'.");
        var assembly = LoadApp(appPath);
        var type = assembly.GetType(member[..dot], throwOnError: false) ?? throw new InvalidInputException($"'{appPath}' has no type '{member[..dot]}'.");
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        object? value;
        try
        {
            value = type.GetField(member[(dot + 1)..], flags)?.GetValue(null) ?? type.GetProperty(member[(dot + 1)..], flags)?.GetValue(null);
        }
        catch (TargetInvocationException e)
        {
            throw new InvalidInputException($"reading {member} threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
        }

        return value as Manifest ?? throw new InvalidInputException($"{member} in '{appPath}' is not a static field or property holding a Manifest.");
    }

    private static Assembly LoadApp(string appPath)
    {
        var full = Path.GetFullPath(appPath);
        if (!File.Exists(full)) throw new InvalidInputException($"no app assembly at '{appPath}'.");

        // The app's own dependencies come from its folder; Ledger's assemblies are the tool's, already loaded, so the
        // app's manifests are the types this tool folds with.
        var folder = Path.GetDirectoryName(full)!;
        AssemblyLoadContext.Default.Resolving += (loadContext, name) =>
        {
            var candidate = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(candidate) ? loadContext.LoadFromAssemblyPath(candidate) : null;
        };
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException)
        {
            throw new InvalidInputException($"'{appPath}' is not a .NET assembly.");
        }
        catch (FileLoadException e)
        {
            throw new InvalidInputException($"'{appPath}' cannot be loaded: {e.Message}");
        }
    }
}
