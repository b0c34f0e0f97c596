using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

internal static class OperationExtensions
{
    /// <summary>The value under compiler-inserted and reference conversions (boxing, nullable, identity):
    /// what the code actually passes.</summary>
    public static IOperation WithoutConversions(this IOperation operation)
    {
        while (operation is IConversionOperation { OperatorMethod: null } conversion) operation = conversion.Operand;
        return operation;
    }

    /// <summary>The value a formatting call formats: under boxing, reference, identity and nullable conversions
    /// (the run-time value keeps its type), but not under a numeric or enum conversion, which makes a value of
    /// another type (<c>(uint)(x &amp; 0xffff)</c> formats a uint, not a long).</summary>
    public static IOperation FormattedValue(this IOperation operation)
    {
        while (operation is IConversionOperation { OperatorMethod: null } conversion && !MakesAnotherValue(conversion))
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static bool MakesAnotherValue(IConversionOperation conversion) =>
        conversion.Conversion.IsNumeric
        || conversion.Type?.TypeKind == TypeKind.Enum
        || (conversion.Operand.Type?.TypeKind == TypeKind.Enum
            && conversion.Type?.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType or SpecialType.System_Enum));

    /// <summary>The values an argument contributes: the elements of a params array, or the value itself.</summary>
    public static System.Collections.Generic.IEnumerable<IOperation> Values(this IArgumentOperation argument)
    {
        if (argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer })
        {
            foreach (var element in initializer.ElementValues) yield return element.WithoutConversions();
        }
        else
        {
            yield return argument.Value.WithoutConversions();
        }
    }

    /// <summary>True for an argument the caller left out (its default is used) or passed as null.</summary>
    public static bool IsOmittedOrNull(this IArgumentOperation argument) =>
        argument.ArgumentKind == ArgumentKind.DefaultValue
        || argument.Value.WithoutConversions() is { ConstantValue: { HasValue: true, Value: null } }
        || argument.Value.WithoutConversions() is IDefaultValueOperation;
}
