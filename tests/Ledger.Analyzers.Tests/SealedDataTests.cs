using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0015: verb code never opens a sealed field or touches subject keys; it carries sealed values.</summary>
public class SealedDataTests
{
    private const string Domain = """
        public sealed record CustomerArgs(string Subject, [property: PersonalData] Ledger.Erasure.Sealed<string> Name);

        public static class Customers
        {
            public static readonly BranchTable<Ledger.Erasure.Sealed<string>> Names = new("names");
        }

        """;

    [Fact]
    [Trait("Risk", "E2")]
    public Task Opening_a_sealed_field_or_touching_a_key_store_from_verb_code_is_reported_with_its_chain() => Analyzer(Domain + """
        public static class Display
        {
            public static string NameOf(Ledger.Erasure.Unsealer unsealer, Ledger.Erasure.Sealed<string> name) => {|#0:unsealer.Open(name)|}.ValueOr("?");
        }

        public sealed class Greet() : Verb<CustomerArgs>("greet", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, CustomerArgs args)
            {
                var keys = {|#1:new Ledger.Erasure.InMemorySubjectKeyStore()|};
                var name = Display.NameOf({|#2:new Ledger.Erasure.Unsealer(keys)|}, args.Name);
                var status = {|#3:keys.Status(Ledger.Erasure.SubjectId.Parse(args.Subject))|};
                if (name.Length > 3 && status == Ledger.Erasure.SubjectKeyStatus.Held) ctx.Refuse("long-name");
            }
        }
        """,
        Reachable(DiagnosticIds.SealedData, 0, "'Unsealer.Open' opens sealed personal data, so the fold would depend on which keys this replica holds", "Verb Greet → Greet.Execute → Display.NameOf → Unsealer.Open"),
        Reachable(DiagnosticIds.SealedData, 1, "'new InMemorySubjectKeyStore' reads subject keys, which differ between replicas and are destroyed by an erasure", "Verb Greet → Greet.Execute → new InMemorySubjectKeyStore"),
        Reachable(DiagnosticIds.SealedData, 2, "'new Unsealer' opens sealed personal data, so the fold would depend on which keys this replica holds", "Verb Greet → Greet.Execute → new Unsealer"),
        Reachable(DiagnosticIds.SealedData, 3, "'InMemorySubjectKeyStore.Status' reads subject keys, which differ between replicas and are destroyed by an erasure", "Verb Greet → Greet.Execute → InMemorySubjectKeyStore.Status"));

    [Fact]
    [Trait("Risk", "E2")]
    public Task A_key_store_reached_through_the_interface_or_a_replica_handing_out_keys_is_reported() => Analyzer(Domain + """
        public sealed class Leak() : Verb<CustomerArgs>("leak", 1, Scope.Branch)
        {
            public static bool Held(Ledger.Erasure.ISubjectKeyStore keys, Ledger.Erasure.SubjectId subject) =>
                {|#0:keys.Status(subject)|} == Ledger.Erasure.SubjectKeyStatus.Held;

            public static Ledger.Erasure.ISubjectKeyStore KeysOf(Ledger.Erasure.ErasureReplica replica) => {|#1:replica.Keys|};

            protected override void Execute(VerbContext ctx, CustomerArgs args)
            {
                if (Held(KeysOf(null!), Ledger.Erasure.SubjectId.Parse(args.Subject))) ctx.Refuse("held");
            }
        }
        """,
        Reachable(DiagnosticIds.SealedData, 0, "'ISubjectKeyStore.Status' reads subject keys, which differ between replicas and are destroyed by an erasure", "Verb Leak → Leak.Held → ISubjectKeyStore.Status"),
        Reachable(DiagnosticIds.SealedData, 1, "'ErasureReplica.Keys' uses subject keys, which differ between replicas and are destroyed by an erasure", "Verb Leak → Leak.KeysOf → ErasureReplica.Keys"));

    [Fact]
    [Trait("Risk", "E2")]
    public Task Carrying_storing_and_reading_the_clear_header_of_a_sealed_field_in_a_verb_and_opening_it_in_a_read_model_are_not_reported() => Analyzer(Domain + """
        public sealed class Register() : Verb<CustomerArgs>("register", 1, Scope.Branch)
        {
            protected override void Execute(VerbContext ctx, CustomerArgs args)
            {
                if (!args.Name.TryReadEnvelope(out var envelope, out _) || envelope.Subject.Value != args.Subject) ctx.Refuse("wrong-subject");
                ctx.Put(Customers.Names, args.Subject, args.Name);
            }
        }

        public sealed class CustomerList(Ledger.Erasure.Unsealer unsealer, Ledger.Erasure.ISubjectKeyStore keys)
        {
            public string Show(Ledger.Erasure.Sealed<string> name, Ledger.Erasure.SubjectId subject) =>
                keys.Status(subject) == Ledger.Erasure.SubjectKeyStatus.Shredded ? "(erased)" : unsealer.Open(name).ValueOr("?");
        }
        """);
}
