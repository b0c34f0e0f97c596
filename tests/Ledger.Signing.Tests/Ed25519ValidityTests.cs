using System.Text;
using Ledger.Signing;

namespace Ledger.Signing.Tests;

/// <summary>Pins which Ed25519 signatures this build accepts. Acceptance rules differ between libraries
/// (canonical S, small-order points, non-canonical encodings); a replica that accepts what another rejects
/// splits the books. A libsodium or NSec bump that changes any verdict fails this test.</summary>
public class Ed25519ValidityTests
{
    private const string Rfc8032Pk = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Rfc8032Sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    private const string Identity = "0100000000000000000000000000000000000000000000000000000000000000";
    private const string Zero32 = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>(name, public key, message, signature, expected verdict): true = accepted.</summary>
    public static readonly (string Name, string Pk, string Msg, string Sig, bool Accepted)[] Vectors =
    [
        ("rfc8032-test1", Rfc8032Pk, "", Rfc8032Sig, true),
        ("rfc8032-test1-wrong-message", Rfc8032Pk, "00", Rfc8032Sig, false),
        ("s-plus-L-non-canonical-s", Rfc8032Pk, "", Rfc8032Sig[..64] + "4c8c7872aa064e049dbb3013fbf29380d25bf5f0595bbe24655141438e7a101b", false),
        ("s-with-high-bit", Rfc8032Pk, "", Rfc8032Sig[..126] + "8b", false),
        ("identity-public-key-identity-r-zero-s", Identity, "6c6564676572", Identity + Zero32, false),
        ("identity-public-key-any-message", Identity, "", Identity + Zero32, false),
        ("small-order-r-zero-s", Rfc8032Pk, "", Identity + Zero32, false),
        ("non-canonical-public-key-y-equals-p-plus-1", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "", Identity + Zero32, false),
        ("order-2-public-key", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "", Identity + Zero32, false),
        ("signature-63-bytes", Rfc8032Pk, "", Rfc8032Sig[..126], false),
        ("signature-65-bytes", Rfc8032Pk, "", Rfc8032Sig + "00", false),
        ("public-key-31-bytes", Rfc8032Pk[..62], "", Rfc8032Sig, false),
        ("flipped-r-bit", Rfc8032Pk, "", "e4" + Rfc8032Sig[2..], false),
    ];

    [Fact]
    [Trait("Risk", "C2")]
    [Trait("Risk", "E1")]
    public void Ed25519_acceptance_of_edge_case_signatures_is_pinned()
    {
        var table = new StringBuilder();
        foreach (var v in Vectors)
        {
            var accepted = Verdict(v.Pk, v.Msg, v.Sig);
            table.Append(v.Name).Append(' ').Append(accepted ? "accept" : "reject").Append('\n');
            Assert.True(v.Accepted == accepted, $"{v.Name}: expected {(v.Accepted ? "accept" : "reject")}, this build says {(accepted ? "accept" : "reject")}");
        }

        Golden.Match("ed25519-validity.txt", table.ToString());
    }

    private static bool Verdict(string pkHex, string msgHex, string sigHex)
    {
        if (!VerificationKey.TryImport(Convert.FromHexString(pkHex), out var key)) return false;
        return key!.Verify(Convert.FromHexString(msgHex), Convert.FromHexString(sigHex));
    }
}
