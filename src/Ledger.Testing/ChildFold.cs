using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Ledger.Kernel;

namespace Ledger.Testing;

/// <summary>Folds logs in a child process (Ledger.Testing.FoldHost, started with <c>dotnet exec</c> and the test
/// assembly's own deps and runtimeconfig files, so it loads the app's verbs exactly as the test does) and reads back
/// each log's state hash and kernel checkpoint. A child is another process: another string-hash seed, and the
/// culture, time zone and globalization mode its environment sets.</summary>
internal static class ChildFold
{
    private const string Magic = "ledger-fold-v1";
    private const string HostAssembly = "Ledger.Testing.FoldHost.dll";

    /// <summary>What one child answered for one log: its hash and checkpoint, or the fault its fold raised.</summary>
    internal sealed record Answer(Hash32? Hash, Checkpoint? Checkpoint, string? Fault);

    /// <summary>The environments the cross-process check folds in by default: a culture with its own casing rules and
    /// decimal comma in a time zone with a 45-minute offset, and invariant globalization in another odd time zone.</summary>
    internal static readonly IReadOnlyList<IReadOnlyDictionary<string, string>> DefaultEnvironments =
    [
        new Dictionary<string, string> { ["LANG"] = "tr_TR.UTF-8", ["LC_ALL"] = "tr_TR.UTF-8", ["TZ"] = "Pacific/Chatham", ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "0" },
        new Dictionary<string, string> { ["LANG"] = "C.UTF-8", ["LC_ALL"] = "C.UTF-8", ["TZ"] = "Asia/Kathmandu", ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" },
    ];

    /// <summary>The factory must be a static method without captures: the child finds it by name.</summary>
    internal static MethodInfo FactoryMethod(Func<LedgerKernel> newKernel)
    {
        var method = newKernel.Method;
        if (newKernel.Target is not null || !method.IsStatic || method.GetParameters().Length != 0 || method.DeclaringType is null
            || method.DeclaringType.IsGenericTypeDefinition || method.Name.Contains('<', StringComparison.Ordinal))
        {
            throw Error.Argument(
                "the cross-process check needs newKernel to be a static method group (for example MyManifest.NewKernel), not a lambda: a child process finds it by its type and name.",
                nameof(newKernel));
        }

        return method;
    }

    /// <summary>Folds every case in one child process with the given environment variables.</summary>
    /// <returns>The child's own description of its environment, and one answer per case seed.</returns>
    internal static (string Environment, IReadOnlyDictionary<ulong, Answer> Answers) Run(
        MethodInfo factory, IReadOnlyList<(ulong Seed, GeneratedLog Log)> cases, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var here = Path.GetDirectoryName(typeof(ChildFold).Assembly.Location)!;
        var host = Path.Combine(here, HostAssembly);
        if (!File.Exists(host)) throw Error.InvalidOperation($"the cross-process check needs {HostAssembly} beside Ledger.Testing.dll ({here}); it ships in the Ledger.Testing package.");

        // The deps file the test host itself was started with lists the app's assemblies; the runtimeconfig beside it
        // names the frameworks. The child is started with both, so it resolves exactly what the test resolves.
        var deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        var runtimeConfig = deps is null ? null : string.Concat(deps.AsSpan(0, deps.Length - ".deps.json".Length), ".runtimeconfig.json");

        var work = Directory.CreateTempSubdirectory("ledger-fold-");
        try
        {
            var input = Path.Combine(work.FullName, "in.txt");
            var output = Path.Combine(work.FullName, "out.txt");
            File.WriteAllText(input, Request(cases), new UTF8Encoding(false));

            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("exec");
            if (runtimeConfig is not null && File.Exists(runtimeConfig) && File.Exists(deps))
            {
                start.ArgumentList.Add("--runtimeconfig");
                start.ArgumentList.Add(runtimeConfig);
                start.ArgumentList.Add("--depsfile");
                start.ArgumentList.Add(deps!);
            }

            start.ArgumentList.Add(host);
            start.ArgumentList.Add(factory.DeclaringType!.Assembly.Location);
            start.ArgumentList.Add(factory.DeclaringType.FullName!);
            start.ArgumentList.Add(factory.Name);
            start.ArgumentList.Add(input);
            start.ArgumentList.Add(output);
            foreach (var (key, value) in environment) start.Environment[key] = value;

            using var process = Process.Start(start) ?? throw Error.InvalidOperation("could not start dotnet for the cross-process check.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw Error.Timeout($"the child fold did not finish within {timeout.TotalSeconds:0} s.");
            }

            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw Error.InvalidOperation($"the child fold exited with {process.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}");
            }

            return Parse(File.ReadAllLines(output, Encoding.UTF8));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Request(IReadOnlyList<(ulong Seed, GeneratedLog Log)> cases)
    {
        var sb = new StringBuilder(Magic).Append('\n');
        foreach (var (seed, log) in cases)
        {
            sb.Append(CultureInfo.InvariantCulture, $"case {seed} {log.Count}\n");
            foreach (var entry in log.Entries)
            {
                sb.Append(entry.Position is { } p ? p.ToString(CultureInfo.InvariantCulture) : "-").Append(' ')
                    .Append(Convert.ToBase64String(OpCodec.Encode(entry.Op).Span)).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static (string, IReadOnlyDictionary<ulong, Answer>) Parse(string[] lines)
    {
        if (lines.Length == 0 || !lines[0].StartsWith(Magic + " ", StringComparison.Ordinal)) throw Error.InvalidOperation("the child fold wrote no answer.");
        var answers = new Dictionary<ulong, Answer>();
        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(' ');
            var seed = ulong.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture);
            answers[seed] = parts[1] == "fault"
                ? new Answer(null, null, Encoding.UTF8.GetString(Convert.FromBase64String(parts[2])))
                : new Answer(Hash32.Parse(parts[1]), CheckpointCodec.Decode(Convert.FromBase64String(parts[2])), null);
        }

        return (lines[0][(Magic.Length + 1)..], answers);
    }
}
