using System.Diagnostics.CodeAnalysis;
using Ledger.Kernel;

namespace Ledger.Erasure;

/// <summary>The manifest erase ops are authored under: <c>ledger-erasure</c> v1 with the one verb <c>ledger.erase</c> v1.
/// Every replica must know it (<see cref="Use"/>, or <c>AddLedgerErasure</c>); one that does not parks the erase op
/// loudly, like any unknown manifest, and shreds when it learns it.</summary>
public static class ErasureManifest
{
    /// <summary>The erase verb.</summary>
    public static readonly EraseVerb EraseVerb = new();

    /// <summary>The manifest.</summary>
    public static readonly Manifest Manifest = new ManifestBuilder("ledger-erasure", 1).Add(EraseVerb).Build();

    /// <summary>Adds the erasure manifest to kernel options.</summary>
    public static KernelOptions Use(KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Use(Manifest);
    }

    /// <summary>True when <paramref name="op"/> is an erase op; <paramref name="subject"/> is the subject it names
    /// (false for an erase op whose args do not name a subject: it is refused by the fold anyway).</summary>
    public static bool TryReadErase(Op op, [NotNullWhen(true)] out SubjectId? subject)
    {
        ArgumentNullException.ThrowIfNull(op);
        subject = null;
        if (op.Manifest != Manifest.Id || op.Verb != EraseVerb.Name || op.VerbVersion != EraseVerb.Version) return false;
        EraseArgs args;
        try
        {
            args = EraseVerb.DecodeArgs(op.Args);
        }
        catch (MessagePack.MessagePackSerializationException)
        {
            return false;
        }

        if (args is null || !SubjectId.TryParse(args.Subject, out var parsed)) return false;
        subject = parsed;
        return true;
    }
}
