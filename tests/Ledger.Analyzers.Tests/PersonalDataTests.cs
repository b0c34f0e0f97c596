using static Ledger.Analyzers.Tests.Verify;

namespace Ledger.Analyzers.Tests;

/// <summary>LDG0016: a [PersonalData] member must be a sealed field, wherever it is declared.</summary>
public class PersonalDataTests
{
    [Fact]
    [Trait("Risk", "E2")]
    public Task Personal_data_in_a_plain_property_field_or_parameter_is_reported() => Analyzer("""
        public sealed record SignupArgs([property: {|#0:PersonalData|}] string Email, long Credit);

        public sealed class Contact
        {
            [{|#1:PersonalData|}] public string Phone = "";

            public void Rename([{|#2:PersonalData|}] string name) { }
        }
        """,
        Diagnostic(DiagnosticIds.PersonalDataInClear).WithLocation(0).WithArguments("SignupArgs.Email", "string"),
        Diagnostic(DiagnosticIds.PersonalDataInClear).WithLocation(1).WithArguments("Contact.Phone", "string"),
        Diagnostic(DiagnosticIds.PersonalDataInClear).WithLocation(2).WithArguments("Contact.name", "string"));

    [Fact]
    [Trait("Risk", "E2")]
    public Task A_sealed_string_is_still_not_enough_when_it_is_wrapped_in_another_type() => Analyzer("""
        public sealed record Household([property: {|#0:PersonalData|}] Ledger.Erasure.Sealed<string>[] Members);
        """,
        Diagnostic(DiagnosticIds.PersonalDataInClear).WithLocation(0).WithArguments("Household.Members", "Sealed<string>[]"));

    [Fact]
    [Trait("Risk", "E2")]
    public Task Personal_data_in_sealed_fields_and_unmarked_business_data_are_not_reported() => Analyzer("""
        public sealed record SignupArgs([property: PersonalData] Ledger.Erasure.Sealed<string> Email, [property: PersonalData] Ledger.Erasure.Sealed<long>? BirthYear, string Account, long Credit);

        public sealed class Contact
        {
            [PersonalData] public Ledger.Erasure.Sealed<string>? Phone;

            public string Account { get; set; } = "";
        }
        """);
}
