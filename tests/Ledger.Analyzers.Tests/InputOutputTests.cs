using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0004: files, sockets, consoles, processes and databases differ between devices.</summary>
public class InputOutputTests
{
    [Fact]
    [Trait("Risk", "D1")]
    public Task Files_console_network_processes_and_databases_are_reported() => Analyzer("""
        public static class Io
        {
            public static void Query(System.Data.IDbConnection connection) => {|#4:connection.Open()|};
        }

        public sealed class Leaky() : Verb<Args>("leaky", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                var text = {|#0:System.IO.File.ReadAllText(args.Key)|};
                {|#1:Console.WriteLine(text)|};
                using var http = {|#2:new System.Net.Http.HttpClient()|};
                var me = {|#3:System.Diagnostics.Process.GetCurrentProcess()|};
                Io.Query(null!);
            }
        }
        """,
        Reachable(DiagnosticIds.InputOutput, 0, "'File.ReadAllText' touches the file system", "Verb Leaky → Leaky.Execute → File.ReadAllText"),
        Reachable(DiagnosticIds.InputOutput, 1, "'Console.WriteLine' uses the console", "Verb Leaky → Leaky.Execute → Console.WriteLine"),
        Reachable(DiagnosticIds.InputOutput, 2, "'new HttpClient' uses the network", "Verb Leaky → Leaky.Execute → new HttpClient"),
        Reachable(DiagnosticIds.InputOutput, 3, "'Process.GetCurrentProcess' starts or inspects processes", "Verb Leaky → Leaky.Execute → Process.GetCurrentProcess"),
        Reachable(DiagnosticIds.InputOutput, 4, "'IDbConnection.Open' uses a database", "Verb Leaky → Leaky.Execute → Io.Query → IDbConnection.Open"));

    [Fact]
    [Trait("Risk", "D1")]
    public Task In_memory_streams_and_path_arithmetic_are_clean() => Analyzer("""
        public sealed class Pack() : Verb<Args>("pack", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, Args args)
            {
                using var stream = new System.IO.MemoryStream();
                using var writer = new System.IO.BinaryWriter(stream);
                writer.Write(args.Amount);
                var name = System.IO.Path.Combine("a", args.Key);
                var encoded = System.Net.WebUtility.UrlEncode(name);
            }
        }
        """);
}
