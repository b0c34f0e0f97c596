using System.Globalization;
using System.Reflection;
using System.Text;
using Ledger.Kernel;

namespace Ledger.Testing.FoldHost;

/// <summary>Folds the logs a parent process wrote and writes back each one's state hash and kernel checkpoint.
/// Arguments: the assembly path, the type and the static method that build an empty kernel, the input file and the
/// output file. Input and output formats are Ledger.Testing's (<c>ChildFold</c>): line-based, invariant, base64 for
/// bytes. Exit codes: 0 folded (a fold that faults is reported per case), 2 bad arguments or input.</summary>
internal static class Program
{
    internal const string Magic = "ledger-fold-v1";

    private static int Main(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine("usage: Ledger.Testing.FoldHost <assembly> <type> <method> <input> <output>");
            return 2;
        }

        Func<LedgerKernel> newKernel;
        try
        {
            // Reflection here is test tooling, not verb code: it finds the app's own kernel factory by name.
            var assembly = Assembly.LoadFrom(args[0]);
            var type = assembly.GetType(args[1], throwOnError: true)!;
            var method = type.GetMethod(args[2], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, Type.EmptyTypes)
                ?? throw new MissingMethodException(args[1], args[2]);
            newKernel = () => (LedgerKernel)method.Invoke(null, null)!;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or TypeLoadException or MissingMethodException or ArgumentException)
        {
            Console.Error.WriteLine($"cannot find the kernel factory {args[1]}.{args[2]} in {args[0]}: {e.Message}");
            return 2;
        }

        using var input = new StreamReader(args[3], Encoding.UTF8);
        if (input.ReadLine() != Magic)
        {
            Console.Error.WriteLine($"{args[3]} is not a fold request ({Magic})");
            return 2;
        }

        var output = new StringBuilder();
        output.Append(Magic).Append(' ').Append(Environment()).Append('\n');
        while (input.ReadLine() is { } header)
        {
            // case <seed> <count>
            var parts = header.Split(' ');
            var seed = parts[1];
            var count = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var entries = new List<SequencedOp>(count);
            for (var i = 0; i < count; i++)
            {
                var line = input.ReadLine()!.Split(' ');
                long? position = line[0] == "-" ? null : long.Parse(line[0], CultureInfo.InvariantCulture);
                entries.Add(new SequencedOp(OpCodec.Decode(Convert.FromBase64String(line[1])), position));
            }

            try
            {
                var kernel = newKernel();
                foreach (var entry in entries) kernel.Apply(entry);
                kernel.AdvanceRelayFrontier(long.MaxValue);
                var hash = kernel.StateHash();
                var checkpoint = CheckpointCodec.Encode(kernel.CreateCheckpoint());
                output.Append(seed).Append(' ').Append(hash.ToString()).Append(' ').Append(Convert.ToBase64String(checkpoint)).Append('\n');
            }
            catch (Exception e) when (e is LedgerException or InvalidOperationException or ArgumentException)
            {
                output.Append(seed).Append(" fault ").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(e.GetType().Name + ": " + e.Message))).Append('\n');
            }
        }

        File.WriteAllText(args[4], output.ToString(), new UTF8Encoding(false));
        return 0;
    }

    // What the parent prints when this process disagrees: the environment the fold really ran in.
    private static string Environment() => string.Create(CultureInfo.InvariantCulture,
        $"culture={CultureInfo.CurrentCulture.Name} timeZone={TimeZoneInfo.Local.Id} invariantGlobalization={System.Environment.GetEnvironmentVariable("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT") is "1" or "true"} stringHashOfLedger={"ledger".GetHashCode(StringComparison.Ordinal)}");
}
