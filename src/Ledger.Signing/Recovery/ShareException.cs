using System.Globalization;
using Ledger.Kernel;

namespace Ledger.Signing.Recovery;

/// <summary>A SLIP-0039 share, a set of shares or the parameters of a split are not valid. Says what
/// is wrong and, when one share is to blame, which one.</summary>
/// <remarks>The message names the share by its position counted from 1 and by its first four words,
/// which carry the identifier and the group and member indices but no bits of the share value, so the
/// message can be shown or logged without leaking the secret.</remarks>
public sealed class ShareException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong.</param>
    /// <param name="detail">A human explanation.</param>
    /// <param name="shareIndex">The zero-based position of the offending share in the input, if one share is to blame.</param>
    /// <param name="sharePrefix">The first words of the offending share, if known.</param>
    public ShareException(ShareProblem problem, string detail, int? shareIndex = null, string? sharePrefix = null)
        : base(Describe(problem, detail, shareIndex, sharePrefix))
    {
        Problem = problem;
        Detail = detail;
        ShareIndex = shareIndex;
        SharePrefix = sharePrefix;
    }

    /// <summary>What is wrong.</summary>
    public ShareProblem Problem { get; }

    /// <summary>A human explanation, without the share location.</summary>
    public string Detail { get; }

    /// <summary>The zero-based position of the offending share in the mnemonics given, or null when
    /// the problem is not one share's (too few shares, bad split parameters).</summary>
    public int? ShareIndex { get; }

    /// <summary>The first words of the offending share (at most four), or null.</summary>
    public string? SharePrefix { get; }

    private static string Describe(ShareProblem problem, string detail, int? shareIndex, string? sharePrefix)
    {
        if (shareIndex is not { } index)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{problem}: {detail}");
        }

        var prefix = string.IsNullOrEmpty(sharePrefix) ? "" : $" (\"{sharePrefix} …\")";
        return string.Create(CultureInfo.InvariantCulture, $"{problem}: share {index + 1}{prefix}: {detail}");
    }
}
