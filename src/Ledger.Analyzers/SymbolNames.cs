using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>How symbols are written in messages and chains: short, as a reader would write them in code.</summary>
internal static class SymbolNames
{
    private static readonly SymbolDisplayFormat TypeFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.ExpandNullable);

    public static string Type(ITypeSymbol type) => type.ToDisplayString(TypeFormat);

    /// <summary>An API as the end of a chain: <c>DateTime.Now</c>, <c>new Random</c>.</summary>
    public static string Subject(ISymbol symbol)
    {
        switch (symbol)
        {
            case IMethodSymbol { MethodKind: MethodKind.Constructor } ctor:
                return "new " + Type(ctor.ContainingType);
            case IMethodSymbol { MethodKind: MethodKind.Conversion or MethodKind.UserDefinedOperator } op:
                return Type(op.ContainingType) + "." + op.Name;
            case IMethodSymbol { AssociatedSymbol: IPropertySymbol property }:
                return Subject(property);
            case ITypeSymbol type:
                return Type(type);
            default:
                return symbol.ContainingType is null ? symbol.Name : Type(symbol.ContainingType) + "." + symbol.Name;
        }
    }

    /// <summary>A link of a chain: the member whose code runs.</summary>
    public static string Node(ISymbol symbol) => symbol switch
    {
        IMethodSymbol { MethodKind: MethodKind.StaticConstructor } m => Type(m.ContainingType) + " (static constructor)",
        IMethodSymbol { MethodKind: MethodKind.PropertySet, AssociatedSymbol: { } p } => Subject(p) + " (setter)",
        IFieldSymbol or IPropertySymbol => Subject(symbol) + " (initializer)",
        INamedTypeSymbol type => Type(type) + " (static initialization)",
        _ => Subject(symbol),
    };
}
