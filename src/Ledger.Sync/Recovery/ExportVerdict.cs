using System.Buffers;
using System.Globalization;
using Ledger.Kernel;
using Ledger.Kernel.Wire;
using Ledger.Signing;
using MessagePack;

namespace Ledger.Sync;

/// <summary>The outcome of <see cref="NodeExport.Verify"/>.</summary>
/// <param name="Ok">True when the export verifies.</param>
/// <param name="Finding">What was checked, or what failed and where.</param>
public sealed record ExportVerdict(bool Ok, string Finding)
{
    internal static ExportVerdict Valid(int records, int authors) =>
        new(true, string.Create(CultureInfo.InvariantCulture, $"{records} ops of {authors} authors verify; signed by the exporter's current key."));

    internal static ExportVerdict Rejected(string why) => new(false, why);
}
