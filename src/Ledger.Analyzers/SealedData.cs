using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ledger.Analyzers;

/// <summary>LDG0015: opening a <c>Sealed&lt;T&gt;</c> or reaching subject keys from verb code. Found by symbol:
/// members of <c>Ledger.Erasure.Unsealer</c> (it opens), of the key store interface and every type implementing
/// it, and of the types that hand out keys or seal with them (<c>ErasureReplica</c>, <c>Sealer</c>,
/// <c>WrappedSubjectKey</c>, <c>ReplicaKeyPair</c>). Carrying a sealed value, storing it and reading the subject
/// its clear header names (<c>Sealed&lt;T&gt;.TryReadEnvelope</c>) are deterministic and stay allowed.</summary>
internal sealed class SealedData
{
    private readonly INamedTypeSymbol? _unsealer;
    private readonly INamedTypeSymbol? _keyStore;
    private readonly INamedTypeSymbol?[] _keyHolders;

    public SealedData(Compilation compilation)
    {
        _unsealer = compilation.GetTypeByMetadataName("Ledger.Erasure.Unsealer");
        _keyStore = compilation.GetTypeByMetadataName("Ledger.Erasure.ISubjectKeyStore");
        _keyHolders =
        [
            compilation.GetTypeByMetadataName("Ledger.Erasure.ErasureReplica"),
            compilation.GetTypeByMetadataName("Ledger.Erasure.Sealer"),
            compilation.GetTypeByMetadataName("Ledger.Erasure.WrappedSubjectKey"),
            compilation.GetTypeByMetadataName("Ledger.Erasure.ReplicaKeyPair"),
        ];
    }

    /// <summary>The finding for a use of <paramref name="member"/> at <paramref name="operation"/>, or null.</summary>
    public Finding? Check(IOperation operation, ISymbol member)
    {
        if (_unsealer is null && _keyStore is null) return null;
        var type = member.ContainingType?.OriginalDefinition;
        if (type is null) return null;
        string? reason = null;
        if (SymbolEqualityComparer.Default.Equals(type, _unsealer))
        {
            reason = "opens sealed personal data, so the fold would depend on which keys this replica holds";
        }
        else if (IsKeyStore(type))
        {
            reason = "reads subject keys, which differ between replicas and are destroyed by an erasure";
        }
        else if (_keyHolders.Any(h => SymbolEqualityComparer.Default.Equals(type, h)))
        {
            reason = "uses subject keys, which differ between replicas and are destroyed by an erasure";
        }

        return reason is null ? null : new Finding(Rules.SealedData, operation.Syntax.GetLocation(), SymbolNames.Subject(member), reason);
    }

    private bool IsKeyStore(INamedTypeSymbol type) =>
        _keyStore is not null && (SymbolEqualityComparer.Default.Equals(type, _keyStore) || type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, _keyStore)));
}
