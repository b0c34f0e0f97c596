using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

/// <summary>LDG0009: formatting, parsing and comparing with a culture. Formatting and parsing are
/// accepted with an explicit provider (the invariant culture is the same everywhere); comparing and
/// sorting strings only ordinally, because even invariant linguistic comparison follows the ICU or NLS
/// version of the device.</summary>
internal sealed class CultureSensitivity
{
    private readonly INamedTypeSymbol? _formatProvider;
    private readonly INamedTypeSymbol? _cultureInfo;
    private readonly INamedTypeSymbol? _convert;
    private readonly INamedTypeSymbol? _stringBuilder;
    private readonly INamedTypeSymbol? _textWriter;
    private readonly INamedTypeSymbol? _stringComparison;
    private readonly INamedTypeSymbol? _stringComparer;
    private readonly INamedTypeSymbol? _compareInfo;
    private readonly INamedTypeSymbol? _comparerOfT;
    private readonly INamedTypeSymbol? _icomparerOfT;
    private readonly INamedTypeSymbol? _icomparer;
    private readonly INamedTypeSymbol? _formattableString;
    private readonly INamedTypeSymbol? _iformattable;
    private readonly INamedTypeSymbol? _exception;
    private readonly IPropertySymbol? _invariantCulture;
    private readonly HashSet<INamedTypeSymbol> _alwaysCultural = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _culturalWithFormat = new(SymbolEqualityComparer.Default);
    private readonly Func<IOperation, bool> _isUnorderedSource;

    public CultureSensitivity(Compilation compilation, Func<IOperation, bool> isUnorderedSource)
    {
        _isUnorderedSource = isUnorderedSource;
        _formatProvider = compilation.GetTypeByMetadataName("System.IFormatProvider");
        _cultureInfo = compilation.GetTypeByMetadataName("System.Globalization.CultureInfo");
        _convert = compilation.GetTypeByMetadataName("System.Convert");
        _stringBuilder = compilation.GetTypeByMetadataName("System.Text.StringBuilder");
        _textWriter = compilation.GetTypeByMetadataName("System.IO.TextWriter");
        _stringComparison = compilation.GetTypeByMetadataName("System.StringComparison");
        _stringComparer = compilation.GetTypeByMetadataName("System.StringComparer");
        _compareInfo = compilation.GetTypeByMetadataName("System.Globalization.CompareInfo");
        _comparerOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.Comparer`1");
        _icomparerOfT = compilation.GetTypeByMetadataName("System.Collections.Generic.IComparer`1");
        _icomparer = compilation.GetTypeByMetadataName("System.Collections.IComparer");
        _formattableString = compilation.GetTypeByMetadataName("System.FormattableString");
        _iformattable = compilation.GetTypeByMetadataName("System.IFormattable");
        _exception = compilation.GetTypeByMetadataName("System.Exception");
        _invariantCulture = _cultureInfo?.GetMembers("InvariantCulture").OfType<IPropertySymbol>().FirstOrDefault();
        foreach (var name in new[]
                 {
                     "System.Half", "System.Int128", "System.Numerics.BigInteger", "System.DateTimeOffset", "System.DateOnly",
                     "System.TimeOnly", "System.Numerics.Complex",
                 })
        {
            if (compilation.GetTypeByMetadataName(name) is { } type) _alwaysCultural.Add(type);
        }

        foreach (var name in new[] { "System.UInt128", "System.TimeSpan" })
        {
            if (compilation.GetTypeByMetadataName(name) is { } type) _culturalWithFormat.Add(type);
        }
    }

    /// <summary>True when formatting a <paramref name="type"/> value depends on the current culture.
    /// Unsigned integers and time spans print the same everywhere in their default format, so they
    /// count only with an explicit <paramref name="withFormat"/>.</summary>
    public bool FormatsWithCulture(ITypeSymbol? type, bool withFormat)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable) type = nullable.TypeArguments[0];
        if (type is null || type.TypeKind == TypeKind.Enum) return false;
        switch (type.SpecialType)
        {
            case SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64
                or SpecialType.System_IntPtr or SpecialType.System_Decimal or SpecialType.System_Single or SpecialType.System_Double
                or SpecialType.System_DateTime:
                return true;
            case SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64
                or SpecialType.System_UIntPtr:
                return withFormat;
        }

        if (type is not INamedTypeSymbol named) return false;
        return _alwaysCultural.Contains(named.OriginalDefinition) || (withFormat && _culturalWithFormat.Contains(named.OriginalDefinition));
    }

    public Finding? Check(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        if (type is null) return null;

        if (RegexRule(invocation, method, invocation.Arguments) is { } regexFinding) return regexFinding;
        if (method is { Name: "ToString", IsImplicitlyDeclared: true, Parameters.Length: 0 } && PrintsMembersWithCulture(type))
        {
            return Found(invocation, "is a record's synthesized ToString, which prints its members with the current culture");
        }

        if (type.SpecialType == SpecialType.System_String && StringMethod(invocation) is { } stringFinding) return stringFinding;
        if (type.SpecialType == SpecialType.System_Char && CharMethod(invocation) is { } charFinding) return charFinding;
        if (Is(type, _stringBuilder) || InheritsFrom(type, _textWriter))
        {
            if (WriterMethod(invocation) is { } writerFinding) return writerFinding;
        }

        if (ProviderRule(invocation) is { } providerFinding) return providerFinding;
        if (Is(type, _compareInfo)) return Found(invocation, "compares linguistically, which follows the device's ICU or NLS version");
        return ComparerRule(invocation, invocation.Arguments);
    }

    public Finding? Check(IObjectCreationOperation creation) =>
        creation.Constructor is null ? null : ComparerRule(creation, creation.Arguments) ?? RegexRule(creation, creation.Constructor, creation.Arguments);

    /// <summary>Regex matching without case follows the current culture's casing unless it is culture-invariant:
    /// <c>RegexOptions.IgnoreCase</c> (or an inline <c>(?i)</c>) without <c>RegexOptions.CultureInvariant</c>.</summary>
    public Finding? RegexRule(IOperation operation, IMethodSymbol method, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments)
    {
        if (method.ContainingType?.ToDisplayString() != "System.Text.RegularExpressions.Regex") return null;
        const int ignoreCase = 1, cultureInvariant = 0x200;
        var options = 0;
        var inline = false;
        foreach (var argument in arguments)
        {
            var value = argument.Value.WithoutConversions();
            if (argument.Parameter?.Type.ToDisplayString() == "System.Text.RegularExpressions.RegexOptions" && value.ConstantValue is { HasValue: true, Value: { } constant })
            {
                options |= System.Convert.ToInt32(constant, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (argument.Parameter?.Name == "pattern" && value.ConstantValue is { HasValue: true, Value: string pattern })
            {
                inline = pattern.Contains("(?i", StringComparison.Ordinal);
            }
        }

        if (((options & ignoreCase) == 0 && !inline) || (options & cultureInvariant) != 0) return null;
        return Found(operation, method, "ignores case with the current culture's casing rules; add RegexOptions.CultureInvariant");
    }

    /// <summary>Hexadecimal and binary formats of an integer (<c>x8</c>, <c>X</c>, <c>b</c>) print digits only, in every culture.</summary>
    private static bool IsCultureFreeIntegerFormat(ITypeSymbol? type, Optional<object?> format)
    {
        if (format is not { HasValue: true, Value: string text } || text.Length == 0 || text[0] is not ('x' or 'X' or 'b' or 'B')) return false;
        if (text.Skip(1).Any(c => c is < '0' or > '9')) return false;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable) type = nullable.TypeArguments[0];
        return type?.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
            or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64;
    }

    /// <summary>A record's synthesized ToString prints its members with the current culture.</summary>
    public bool PrintsMembersWithCulture(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol { IsRecord: true } record) return false;
        var toString = record.GetMembers("ToString").OfType<IMethodSymbol>().FirstOrDefault(m => m.Parameters.Length == 0);
        if (toString is { IsImplicitlyDeclared: false }) return false;
        foreach (var member in record.GetMembers())
        {
            var memberType = member switch
            {
                IPropertySymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, IsIndexer: false } p => p.Type,
                IFieldSymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public } f => f.Type,
                _ => null,
            };
            if (FormatsWithCulture(memberType, withFormat: false) || (memberType is not null && !SymbolEqualityComparer.Default.Equals(memberType, record) && PrintsMembersWithCulture(memberType)))
            {
                return true;
            }
        }

        return false;
    }

    public Finding? Check(IPropertyReferenceOperation reference)
    {
        var property = reference.Property;
        if (Is(property.ContainingType, _stringComparer) && OrdinalReplacement(property.Name) is { } replacement)
        {
            return Found(reference, property, "compares linguistically, which follows the device's culture data",
                FixRenameMember(replacement));
        }

        if (Is(property.ContainingType?.OriginalDefinition, _comparerOfT) && property.IsStatic
            && property.ContainingType!.TypeArguments.Any(InvolvesString))
        {
            return Found(reference, property, "compares strings with the current culture");
        }

        if (Is(property.ContainingType, _cultureInfo) && Is(property.Type as INamedTypeSymbol, _compareInfo))
        {
            return Found(reference, property, "compares linguistically, which follows the device's ICU or NLS version");
        }

        return null;
    }

    public Finding? Check(IFieldReferenceOperation reference)
    {
        var field = reference.Field;
        if (!Is(field.ContainingType, _stringComparison) || OrdinalReplacement(field.Name) is not { } replacement) return null;
        return Found(reference, field, "compares linguistically, which follows the device's culture data", FixRenameMember(replacement));
    }

    public Finding? Check(IMethodReferenceOperation reference) =>
        Is(reference.Method.ContainingType, _stringComparer) && reference.Method.Name is "Create"
            ? Found(reference, reference.Method, "compares linguistically, which follows the device's culture data")
            : null;

    public Finding? Check(IInterpolatedStringOperation interpolation)
    {
        if (interpolation.Parent is IInterpolatedStringHandlerCreationOperation { Parent: IArgumentOperation { Parent: IInvocationOperation consumer } }
            && consumer.TargetMethod.Parameters.Any(p => IsProvider(p.Type)))
        {
            return null;
        }

        var asFormattable = interpolation.Parent is IConversionOperation conversion
                            && (Is(conversion.Type as INamedTypeSymbol, _formattableString) || Is(conversion.Type as INamedTypeSymbol, _iformattable));
        if (asFormattable && interpolation.Parent!.Parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: var invariant } }
                          && Is(invariant.ContainingType, _formattableString) && invariant.Name == "Invariant")
        {
            return null;
        }

        foreach (var part in interpolation.Parts)
        {
            ITypeSymbol? valueType = null;
            var withFormat = false;
            switch (part)
            {
                case IInterpolationOperation hole:
                    valueType = hole.Expression.FormattedValue().Type;
                    withFormat = hole.FormatString is not null;
                    if (hole.FormatString is { ConstantValue: var holeFormat } && IsCultureFreeIntegerFormat(valueType, holeFormat)) continue;
                    break;
                case IInterpolatedStringAppendOperation { AppendCall: IInvocationOperation append } when append.Arguments.Length > 0:
                    valueType = append.Arguments[0].Value.FormattedValue().Type;
                    withFormat = append.Arguments.Any(a => a.Parameter?.Type.SpecialType == SpecialType.System_String && !a.IsOmittedOrNull()
                                                           && a.Parameter.Ordinal > 0);
                    if (append.Arguments.FirstOrDefault(a => a.Parameter?.Name == "format") is { } format
                        && IsCultureFreeIntegerFormat(valueType, format.Value.WithoutConversions().ConstantValue))
                    {
                        continue;
                    }

                    break;
            }

            if (PrintsMembersWithCulture(valueType))
            {
                return new Finding(Rules.CultureSensitive, interpolation.Syntax.GetLocation(), "$\"…\"",
                    $"formats record {SymbolNames.Type(valueType!)}, whose synthesized ToString prints its members with the current culture");
            }

            if (!FormatsWithCulture(valueType, withFormat)) continue;
            var canWrap = interpolation.Parent is not IInterpolatedStringHandlerCreationOperation && !asFormattable
                          && interpolation.Type?.SpecialType == SpecialType.System_String;
            return new Finding(Rules.CultureSensitive, interpolation.Syntax.GetLocation(), "$\"…\"",
                $"formats {SymbolNames.Type(valueType!)} with the current culture",
                canWrap ? Properties(FixProperties.FixInvariantInterpolation) : null);
        }

        return null;
    }

    /// <summary>True when <paramref name="operation"/> only builds the message of an exception being
    /// created. A verb that throws is refused by exception type (<c>fault:&lt;type&gt;</c>); the message never
    /// reaches state, so formatting it with the current culture cannot split books.</summary>
    public bool BuildsExceptionMessage(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IObjectCreationOperation { Type: INamedTypeSymbol created } && InheritsFrom(created, _exception)) return true;
            if (current.Parent is null or IBlockOperation || current is IAnonymousFunctionOperation or ILocalFunctionOperation) return false;
        }

        return false;
    }

    /// <summary>String concatenation formats non-string operands with the current culture.</summary>
    public Finding? CheckConcatenation(IOperation operation, IEnumerable<IOperation> operands)
    {
        foreach (var operand in operands)
        {
            var type = operand.FormattedValue().Type;
            if (PrintsMembersWithCulture(type))
            {
                return new Finding(Rules.CultureSensitive, operand.Syntax.GetLocation(), "string concatenation",
                    $"formats record {SymbolNames.Type(type!)}, whose synthesized ToString prints its members with the current culture");
            }

            if (FormatsWithCulture(type, withFormat: false))
            {
                return new Finding(Rules.CultureSensitive, operand.Syntax.GetLocation(), "string concatenation",
                    $"formats {SymbolNames.Type(type!)} with the current culture");
            }
        }

        return null;
    }

    private Finding? StringMethod(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var parameters = method.Parameters;
        var hasComparison = parameters.Any(p => Is(p.Type as INamedTypeSymbol, _stringComparison));
        switch (method.Name)
        {
            case "Compare" when !hasComparison:
            {
                var simple = parameters.Length is 2 or 5 && parameters.All(p => p.Type.SpecialType is SpecialType.System_String or SpecialType.System_Int32);
                return Found(invocation, "compares with the current culture",
                    simple ? FixInsert(FixProperties.FixAddOrdinalComparison, parameters.Length, "comparisonType") : null);
            }
            case "CompareTo":
                return Found(invocation, "compares with the current culture", Properties(FixProperties.FixCompareOrdinal));
            case "StartsWith" or "EndsWith" or "IndexOf" or "LastIndexOf"
                when !hasComparison && parameters.Length > 0 && parameters[0].Type.SpecialType == SpecialType.System_String:
            {
                var simple = parameters.All(p => p.Type.SpecialType is SpecialType.System_String or SpecialType.System_Int32);
                return Found(invocation, "compares with the current culture",
                    simple ? FixInsert(FixProperties.FixAddOrdinalComparison, parameters.Length, "comparisonType") : null);
            }
            case "ToUpper" or "ToLower":
                return CaseMapping(invocation);
            case "Concat":
                return CheckConcatenation(invocation, invocation.Arguments.SelectMany(a => a.Values()));
            case "Join" when method.IsGenericMethod && FormatsWithCulture(method.TypeArguments[0], withFormat: false):
                return Found(invocation, $"formats {SymbolNames.Type(method.TypeArguments[0])} with the current culture");
            case "Join":
                return CheckConcatenation(invocation, invocation.Arguments.Skip(1).SelectMany(a => a.Values()));
            default:
                return null;
        }
    }

    private Finding? CharMethod(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name is "ToUpper" or "ToLower" ? CaseMapping(invocation) : null;

    private Finding? CaseMapping(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var culture = invocation.Arguments.FirstOrDefault(a => IsProvider(a.Parameter?.Type));
        if (culture is not null)
        {
            return IsInvariantCulture(culture.Value) ? null : Found(invocation, "maps case with a culture's rules");
        }

        return Found(invocation, "maps case with the current culture's rules (Turkish 'i')",
            Properties(FixProperties.FixRenameMethod, (FixProperties.ReplacementName, method.Name + "Invariant")));
    }

    private Finding? WriterMethod(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.Name is not ("Append" or "Insert" or "Write" or "WriteLine" or "AppendJoin")) return null;
        if (method.IsGenericMethod && method.Name == "AppendJoin" && FormatsWithCulture(method.TypeArguments[0], withFormat: false))
        {
            return Found(invocation, $"formats {SymbolNames.Type(method.TypeArguments[0])} with the current culture");
        }

        foreach (var argument in invocation.Arguments)
        {
            foreach (var value in argument.Values())
            {
                if (FormatsWithCulture(value.Type, withFormat: false))
                {
                    return Found(invocation, $"formats {SymbolNames.Type(value.Type!)} with the current culture");
                }
            }
        }

        return null;
    }

    /// <summary>Formatting and parsing: a call on a culture-sensitive type (or Convert, string.Format,
    /// StringBuilder.AppendFormat) that leaves out the provider, or passes null for it.</summary>
    private Finding? ProviderRule(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        var onValueType = FormatsWithCulture(type, withFormat: true);
        var relevant = onValueType
                       || (Is(type, _convert) && method.Parameters.Length > 0 && IsCulturalInput(method.Parameters[0].Type))
                       || (type.SpecialType == SpecialType.System_String && method.Name == "Format")
                       || (Is(type, _stringBuilder) && method.Name == "AppendFormat");
        if (!relevant) return null;

        if (onValueType && method.Name is "ToShortDateString" or "ToLongDateString" or "ToShortTimeString" or "ToLongTimeString" or "GetDateTimeFormats")
        {
            return Found(invocation, "formats with the current culture");
        }

        var provider = invocation.Arguments.FirstOrDefault(a => IsProvider(a.Parameter?.Type));
        if (provider is not null)
        {
            return provider.IsOmittedOrNull() ? Found(invocation, "formats with the current culture (a null provider)") : null;
        }

        // The default format of an unsigned integer or a TimeSpan is culture-free.
        if (method.Name == "ToString" && method.Parameters.Length == 0 && !FormatsWithCulture(type, withFormat: false)) return null;

        if (Overloads.WithExtraParameter(method, IsProvider) is not { } overload) return null;
        return Found(invocation, method.Name.Contains("Parse") ? "parses with the current culture" : "formats with the current culture",
            FixInsert(FixProperties.FixAddInvariantCulture, overload.Index, overload.Overload.Parameters[overload.Index].Name));
    }

    /// <summary>Sorting and ordered lookups of strings with the default comparer, which is the current culture's.</summary>
    private Finding? ComparerRule(IOperation call, ImmutableArray<IArgumentOperation> arguments)
    {
        var method = call switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IObjectCreationOperation creation => creation.Constructor!,
            _ => null,
        };
        if (method is null) return null;
        var typeArguments = method.TypeArguments.Concat(method.ContainingType.TypeArguments);
        if (!typeArguments.Any(InvolvesString)) return null;
        if (method.Parameters.Any(p => IsComparer(p.Type))) return null;
        if (Overloads.WithExtraParameter(method, t => IsComparer(t) && ComparedType(t) is { } compared && InvolvesString(compared)) is not { } overload)
        {
            return null;
        }

        // Ordering an unordered collection is LDG0006's finding; one report per mistake.
        if (arguments.Any(a => _isUnorderedSource(a.Value.WithoutConversions()))) return null;
        return new Finding(Rules.CultureSensitive, call.Syntax.GetLocation(), SymbolNames.Subject(method),
            "orders strings with the current culture's comparer",
            FixInsert(FixProperties.FixAddOrdinalComparer, overload.Index, overload.Overload.Parameters[overload.Index].Name));
    }

    private bool IsCulturalInput(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_String or SpecialType.System_Object || FormatsWithCulture(type, withFormat: false);

    private bool IsProvider(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && (Is(named, _formatProvider) || InheritsFrom(named, _cultureInfo));

    private bool IsComparer(ITypeSymbol type) =>
        type is INamedTypeSymbol named && (Is(named.OriginalDefinition, _icomparerOfT) || Is(named, _icomparer));

    private ITypeSymbol? ComparedType(ITypeSymbol comparer) =>
        comparer is INamedTypeSymbol { IsGenericType: true } named && Is(named.OriginalDefinition, _icomparerOfT) ? named.TypeArguments[0] : null;

    private bool IsInvariantCulture(IOperation value) =>
        value.WithoutConversions() is IPropertyReferenceOperation { Property: var p } && SymbolEqualityComparer.Default.Equals(p, _invariantCulture);

    /// <summary>True for string, object, and tuples or pairs that hold one: their default comparer is culture-sensitive.</summary>
    public static bool InvolvesString(ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_String or SpecialType.System_Object
        || (type is INamedTypeSymbol { IsGenericType: true } named && (named.IsTupleType || named.Name == "KeyValuePair")
                                                                    && named.TypeArguments.Any(InvolvesString));

    private static string? OrdinalReplacement(string name) => name switch
    {
        "CurrentCulture" or "InvariantCulture" => "Ordinal",
        "CurrentCultureIgnoreCase" or "InvariantCultureIgnoreCase" => "OrdinalIgnoreCase",
        _ => null,
    };

    private static bool Is(INamedTypeSymbol? type, INamedTypeSymbol? expected) =>
        type is not null && expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);

    private static bool InheritsFrom(INamedTypeSymbol? type, INamedTypeSymbol? expected)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (Is(type, expected)) return true;
        }

        return false;
    }

    private static Finding Found(IInvocationOperation invocation, string reason, ImmutableDictionary<string, string?>? properties = null) =>
        new(Rules.CultureSensitive, invocation.Syntax.GetLocation(), SymbolNames.Subject(invocation.TargetMethod), reason, properties);

    private static Finding Found(IOperation operation, ISymbol symbol, string reason, ImmutableDictionary<string, string?>? properties = null) =>
        new(Rules.CultureSensitive, operation.Syntax.GetLocation(), SymbolNames.Subject(symbol), reason, properties);

    private static ImmutableDictionary<string, string?> FixInsert(string fix, int index, string parameterName) =>
        Properties(fix, (FixProperties.ArgumentIndex, index.ToString(System.Globalization.CultureInfo.InvariantCulture)), (FixProperties.ParameterName, parameterName));

    private static ImmutableDictionary<string, string?> FixRenameMember(string replacement) =>
        Properties(FixProperties.FixRenameMember, (FixProperties.ReplacementName, replacement));

    private static ImmutableDictionary<string, string?> Properties(string fix, params (string Key, string? Value)[] more)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string?>();
        builder.Add(FixProperties.Fix, fix);
        foreach (var (key, value) in more) builder.Add(key, value);
        return builder.ToImmutable();
    }
}
