using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Ledger.Analyzers;

/// <summary>Turns every operation of the compilation into facts about the member that contains it:
/// findings (what would be forbidden in a verb) and callees (members of this compilation whose code it
/// runs). Which members are verb code is decided later, from the whole call graph.</summary>
internal sealed class FactCollector
{
    public static readonly ImmutableArray<OperationKind> Kinds =
    [
        OperationKind.Invocation, OperationKind.PropertyReference, OperationKind.FieldReference, OperationKind.EventReference,
        OperationKind.MethodReference, OperationKind.ObjectCreation, OperationKind.Conversion, OperationKind.Binary,
        OperationKind.CompoundAssignment, OperationKind.Unary, OperationKind.Increment, OperationKind.Decrement,
        OperationKind.Await, OperationKind.Loop, OperationKind.Using, OperationKind.UsingDeclaration,
        OperationKind.AnonymousFunction, OperationKind.LocalFunction, OperationKind.DynamicInvocation,
        OperationKind.DynamicMemberReference, OperationKind.DynamicObjectCreation, OperationKind.DynamicIndexerAccess,
        OperationKind.InterpolatedString, OperationKind.LocalReference, OperationKind.ParameterReference,
        OperationKind.ArrayElementReference, OperationKind.TypeParameterObjectCreation,
    ];

    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<ISymbol, MemberFacts> _facts = new(SymbolEqualityComparer.Default);
    private readonly ForbiddenApis _forbidden;
    private readonly UnorderedEnumeration _unordered;
    private readonly CultureSensitivity _culture;
    private readonly HashCodes _hashCodes;
    private readonly SealedData _sealed;
    private readonly StaticMutableState _statics;
    private readonly FloatingPoint _floating;
    private readonly Waivers _waivers;
    private readonly INamedTypeSymbol? _dateTimeOffset;
    private readonly IMethodSymbol? _newGuid;

    private readonly VerbTypes _verbs;

    public FactCollector(Compilation compilation, FloatingPoint floating, Waivers waivers, VerbTypes verbs)
    {
        _verbs = verbs;
        _compilation = compilation;
        _forbidden = new ForbiddenApis(compilation);
        _unordered = new UnorderedEnumeration(compilation);
        _culture = new CultureSensitivity(compilation, _unordered.IsUnorderedSource);
        _hashCodes = new HashCodes(compilation);
        _sealed = new SealedData(compilation);
        _statics = new StaticMutableState(compilation);
        _floating = floating;
        _waivers = waivers;
        _dateTimeOffset = compilation.GetTypeByMetadataName("System.DateTimeOffset");
        _newGuid = compilation.GetTypeByMetadataName("System.Guid")?.GetMembers("NewGuid").OfType<IMethodSymbol>().FirstOrDefault();
    }

    /// <summary>The facts of a member, or null if its code does nothing of interest.</summary>
    public MemberFacts? FactsOf(ISymbol member) => _facts.TryGetValue(member, out var facts) ? facts : null;

    public void CollectAsyncMethod(SymbolAnalysisContext context)
    {
        if (context.Symbol is not IMethodSymbol { IsAsync: true } method || method.Locations.Length == 0) return;
        var finding = new Finding(Rules.Concurrency, method.Locations[0], "async " + SymbolNames.Subject(method), "runs asynchronously");
        if (_verbs.DeclaringVerb(method) is { } verb)
        {
            context.ReportDiagnostic(VerbTypes.Report(finding.Rule, finding, VerbTypes.Chain(verb, SymbolNames.Node(method), finding.Subject)));
        }
        else
        {
            Facts(method).Add(finding);
        }
    }

    public void Collect(OperationAnalysisContext context)
    {
        var owner = CallGraph.Normalize(context.ContainingSymbol);
        var operation = context.Operation;
        var findings = new List<Finding>(1);
        var callees = new List<ISymbol>(2);
        Inspect(operation, owner, findings, callees);
        if (findings.Count == 0 && callees.Count == 0) return;

        // A verb's own code is verb code whoever calls it: report now, so editors show it as it is typed.
        if (findings.Count > 0 && _verbs.DeclaringVerb(owner) is { } verb)
        {
            foreach (var finding in findings)
            {
                context.ReportDiagnostic(VerbTypes.Report(finding.Rule, finding, VerbTypes.Chain(verb, SymbolNames.Node(owner), finding.Subject)));
            }

            findings.Clear();
        }

        var facts = Facts(owner);
        foreach (var finding in findings) facts.Add(finding);
        foreach (var callee in callees) facts.AddCallee(callee);
    }

    private void Inspect(IOperation operation, ISymbol owner, List<Finding> findings, List<ISymbol> callees)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                Call(invocation.TargetMethod, callees);
                Add(findings, Banned(invocation, invocation.TargetMethod)
                              ?? _sealed.Check(invocation, invocation.TargetMethod)
                              ?? _hashCodes.Check(invocation, owner)
                              ?? _floating.Check(invocation)
                              ?? _culture.Check(invocation));
                break;

            case IPropertyReferenceOperation reference:
                Call(reference.Property, callees);
                if (reference.Property.GetMethod is { } getter && !IsAssignmentTarget(reference)) Call(getter, callees);
                if (reference.Property.SetMethod is { } setter && IsWritten(reference)) Call(setter, callees);
                Add(findings, Banned(reference, reference.Property)
                              ?? _sealed.Check(reference, reference.Property)
                              ?? _culture.Check(reference)
                              ?? (_waivers.IsWaived(reference.Property) ? null : _statics.Check(reference)));
                break;

            case IFieldReferenceOperation reference:
                if (reference.Field.IsStatic) Initialize(reference.Field.ContainingType, callees);
                Add(findings, Banned(reference, reference.Field)
                              ?? _culture.Check(reference)
                              ?? (_waivers.IsWaived(reference.Field) ? null : _statics.Check(reference) ?? _statics.CheckInstance(reference, _verbs.IsVerb)));
                break;

            case IAnonymousFunctionOperation closure when !closure.Symbol.IsAsync && WritesCapturedVariable(closure) is { } captured && Escapes(closure):
                Add(findings, new Finding(Rules.StaticMutableState, closure.Syntax.GetLocation(), $"closure over {captured}",
                    "changes a captured variable and outlives the call that made it, so the variable is state kept between ops"));
                break;

            case IEventReferenceOperation reference:
                Add(findings, Banned(reference, reference.Event));
                break;

            case IMethodReferenceOperation reference:
                Call(reference.Method, callees);
                Add(findings, Banned(reference, reference.Method) ?? _sealed.Check(reference, reference.Method) ?? _culture.Check(reference));
                break;

            case IObjectCreationOperation creation when creation.Constructor is { } constructor:
                Call(constructor, callees);
                Add(findings, Banned(creation, constructor) ?? _sealed.Check(creation, constructor) ?? _culture.Check(creation));
                break;

            case ITypeParameterObjectCreationOperation creation:
                Add(findings, new Finding(Rules.Reflection, creation.Syntax.GetLocation(), $"new {creation.Type?.Name}()",
                    "creates an instance of a type parameter by late binding (Activator), whose constructor the lint cannot follow"));
                break;

            case IConversionOperation { Operand.Type: IPointerTypeSymbol or IFunctionPointerTypeSymbol } pointer
                when pointer.Type is { } target && target is not (IPointerTypeSymbol or IFunctionPointerTypeSymbol):
                Add(findings, new Finding(Rules.Environment, pointer.Syntax.GetLocation(), "pointer as a number",
                    "reads a memory address, which differs between runs and devices"));
                break;

            case IConversionOperation conversion:
                if (conversion.OperatorMethod is { } conversionMethod)
                {
                    Call(conversionMethod, callees);
                    Add(findings, Banned(conversion, conversionMethod));
                }
                else if (conversion.Type?.TypeKind == TypeKind.Dynamic && conversion.Operand.Type?.TypeKind != TypeKind.Dynamic)
                {
                    Add(findings, Dynamic(conversion, "converts to dynamic"));
                }

                break;

            case IBinaryOperation binary:
                if (binary.OperatorMethod is { } binaryOperator) Call(binaryOperator, callees);
                if (binary.OperatorKind == BinaryOperatorKind.Add && binary.Type?.SpecialType == SpecialType.System_String)
                {
                    Add(findings, _culture.CheckConcatenation(binary, [binary.LeftOperand, binary.RightOperand]));
                    FormattedBy(binary.LeftOperand.FormattedValue().Type, callees);
                    FormattedBy(binary.RightOperand.FormattedValue().Type, callees);
                }

                break;

            case ICompoundAssignmentOperation compound:
                if (compound.OperatorMethod is { } compoundOperator) Call(compoundOperator, callees);
                if (compound.OperatorKind == BinaryOperatorKind.Add && compound.Target.Type?.SpecialType == SpecialType.System_String)
                {
                    Add(findings, _culture.CheckConcatenation(compound, [compound.Value]));
                }

                break;

            case IUnaryOperation { OperatorMethod: { } unaryOperator }:
                Call(unaryOperator, callees);
                break;

            case IIncrementOrDecrementOperation { OperatorMethod: { } stepOperator }:
                Call(stepOperator, callees);
                break;

            case IAwaitOperation await:
                Add(findings, new Finding(Rules.Concurrency, await.Syntax.GetLocation(), "await", "suspends the verb and resumes it later"));
                break;

            case IForEachLoopOperation { IsAsynchronous: true } loop:
                Add(findings, new Finding(Rules.Concurrency, loop.Syntax.GetLocation(), "await foreach", "suspends the verb and resumes it later"));
                break;

            case IUsingOperation { IsAsynchronous: true } or IUsingDeclarationOperation { IsAsynchronous: true }:
                Add(findings, new Finding(Rules.Concurrency, operation.Syntax.GetLocation(), "await using", "suspends the verb and resumes it later"));
                break;

            case IAnonymousFunctionOperation { Symbol.IsAsync: true } lambda:
                Add(findings, new Finding(Rules.Concurrency, lambda.Syntax.GetLocation(), "async lambda", "runs asynchronously"));
                break;

            case ILocalFunctionOperation { Symbol.IsAsync: true } local:
                Add(findings, new Finding(Rules.Concurrency, local.Syntax.GetLocation(), "async " + local.Symbol.Name, "runs asynchronously"));
                break;

            case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicObjectCreationOperation or IDynamicIndexerAccessOperation:
                Add(findings, Dynamic(operation, "binds late, at run time"));
                break;

            case IInterpolatedStringOperation interpolation:
                Add(findings, _culture.Check(interpolation));
                foreach (var part in interpolation.Parts)
                {
                    if (part is IInterpolationOperation hole) FormattedBy(hole.Expression.FormattedValue().Type, callees);
                }

                break;
        }

        // Exception messages never reach state: the kernel refuses a throwing verb by exception type.
        findings.RemoveAll(f => f.Rule == Rules.CultureSensitive && _culture.BuildsExceptionMessage(operation));

        if (operation.Type is not null && operation.Kind is OperationKind.Invocation or OperationKind.PropertyReference or OperationKind.FieldReference
                or OperationKind.ObjectCreation or OperationKind.Conversion or OperationKind.LocalReference or OperationKind.ParameterReference
                or OperationKind.ArrayElementReference)
        {
            Add(findings, _unordered.Check(operation));
        }
    }

    private Finding? Banned(IOperation operation, ISymbol member)
    {
        if (_forbidden.Find(member) is not { } ban) return null;
        return new Finding(ban.Rule, operation.Syntax.GetLocation(), SymbolNames.Subject(member), ban.Reason, FixFor(member, ban));
    }

    /// <summary>The rewrite the code fixes offer for the most common bans: clock reads and new ids.</summary>
    private ImmutableDictionary<string, string?>? FixFor(ISymbol member, Ban ban)
    {
        var type = member.ContainingType;
        if (ban.Rule != Rules.WallClock && ban.Rule != Rules.Randomness) return null;
        if (member is IPropertySymbol && type?.SpecialType == SpecialType.System_DateTime)
        {
            var replacement = member.Name == "Today" ? "AtTime.UtcDateTime.Date" : "AtTime.UtcDateTime";
            return Fix(FixProperties.FixUseOpTime, (FixProperties.ClockReplacement, replacement));
        }

        if (member is IPropertySymbol && SymbolEqualityComparer.Default.Equals(type, _dateTimeOffset))
        {
            return Fix(FixProperties.FixUseOpTime, (FixProperties.ClockReplacement, "AtTime"));
        }

        return SymbolEqualityComparer.Default.Equals(member, _newGuid) ? Fix(FixProperties.FixUseOpId) : null;
    }

    private static ImmutableDictionary<string, string?> Fix(string fix, params (string Key, string? Value)[] more)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string?>();
        builder.Add(FixProperties.Fix, fix);
        foreach (var (key, value) in more) builder.Add(key, value);
        return builder.ToImmutable();
    }

    private static Finding Dynamic(IOperation operation, string reason) =>
        new(Rules.Reflection, operation.Syntax.GetLocation(), "dynamic", reason);

    private void Call(ISymbol callee, List<ISymbol> callees)
    {
        var normalized = CallGraph.Normalize(callee);
        if (!SymbolEqualityComparer.Default.Equals(normalized.ContainingAssembly, _compilation.Assembly)) return;
        callees.Add(normalized);
        if (normalized.IsStatic || normalized is IMethodSymbol { MethodKind: MethodKind.Constructor }) Initialize(normalized.ContainingType, callees);
    }

    /// <summary>Using a type's static members or constructing it runs its static initialization.</summary>
    private void Initialize(INamedTypeSymbol? type, List<ISymbol> callees)
    {
        if (type is null || !SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, _compilation.Assembly)) return;
        callees.Add(type.OriginalDefinition);
    }

    /// <summary>The name of a local or parameter of an enclosing member that <paramref name="closure"/> assigns.</summary>
    private static string? WritesCapturedVariable(IAnonymousFunctionOperation closure)
    {
        foreach (var operation in closure.Body.Descendants())
        {
            var target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation step => step.Target,
                _ => null,
            };
            var symbol = target switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (symbol is not null && !IsWithin(symbol.ContainingSymbol, closure.Symbol)) return symbol.Name;
        }

        return null;
    }

    private static bool IsWithin(ISymbol? symbol, ISymbol closure)
    {
        for (var s = symbol; s is not null; s = s.ContainingSymbol)
        {
            if (SymbolEqualityComparer.Default.Equals(s, closure)) return true;
            if (s is not IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction }) return false;
        }

        return false;
    }

    /// <summary>A delegate that is returned, or stored in a field or property, outlives the call that made it.</summary>
    private static bool Escapes(IAnonymousFunctionOperation closure)
    {
        for (var parent = closure.Parent; parent is not null; parent = parent.Parent)
        {
            switch (parent)
            {
                case IDelegateCreationOperation or IConversionOperation or IParenthesizedOperation:
                    continue;
                case IReturnOperation or IFieldInitializerOperation or IPropertyInitializerOperation:
                    return true;
                case ISimpleAssignmentOperation assignment:
                    return assignment.Target is IFieldReferenceOperation or IPropertyReferenceOperation;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>Formatting a value of a type declared here runs its ToString (the framework calls back into it).</summary>
    private void FormattedBy(ITypeSymbol? type, List<ISymbol> callees)
    {
        for (var t = type as INamedTypeSymbol; t is not null; t = t.BaseType)
        {
            if (!SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, _compilation.Assembly)) return;
            foreach (var method in t.GetMembers("ToString").OfType<IMethodSymbol>())
            {
                if (!method.IsImplicitlyDeclared && !method.IsStatic) Call(method, callees);
            }
        }
    }

    /// <summary>Records a finding made outside the operation walk (a syntax check) for <paramref name="owner"/>.</summary>
    public void Record(ISymbol owner, Finding finding, System.Action<Diagnostic> report)
    {
        owner = CallGraph.Normalize(owner);
        if (_verbs.DeclaringVerb(owner) is { } verb)
        {
            report(VerbTypes.Report(finding.Rule, finding, VerbTypes.Chain(verb, SymbolNames.Node(owner), finding.Subject)));
            return;
        }

        Facts(owner).Add(finding);
    }

    private static bool IsAssignmentTarget(IOperation operation) =>
        operation.Parent is ISimpleAssignmentOperation assignment && assignment.Target == operation;

    private static bool IsWritten(IOperation operation) => operation.Parent switch
    {
        IAssignmentOperation assignment => assignment.Target == operation,
        IIncrementOrDecrementOperation => true,
        _ => false,
    };

    private static void Add(List<Finding> findings, Finding? finding)
    {
        if (finding is not null) findings.Add(finding);
    }

    private MemberFacts Facts(ISymbol owner) => _facts.GetOrAdd(owner, _ => new MemberFacts());
}
