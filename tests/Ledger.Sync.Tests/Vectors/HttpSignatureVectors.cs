using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ledger.Kernel;
using Ledger.Signing;
using Ledger.Sync;
using static Ledger.Sync.Tests.Vectors.VectorFile;

namespace Ledger.Sync.Tests.Vectors;

/// <summary>RFC 9421 request signatures of the relay protocol over HTTP (docs/http-protocol.md, "Who may do what"):
/// the one profile of <see cref="RelayRequestSignature"/>, judged by the same parsers and signature base the relay's
/// request authenticator uses.</summary>
internal static class HttpSignatureVectors
{
    /// <summary>The relay's default <c>SignatureWindow</c> (LedgerRelayOptions), in seconds.</summary>
    private const long Window = 300;

    private const long Created = 1_767_225_600;
    private const string DocNonce = "bm9uY2Utb2YtdGhlLWRvYw==";
    private const string PushPath = "/v1/ledgers/sitebooks/ops";
    private const string Authority = "127.0.0.1:5080";

    /// <summary>The key of the protocol document's example: seed SHA-256("doc-device/0").</summary>
    private static SigningKey DeviceKey() => SigningKey.FromSeed(SHA256.HashData("doc-device/0"u8));

    private static SigningKey OtherKey() => KeyEventCases.Key("http-other", 0);

    private static readonly byte[] EmptyPush = RelayWire.EncodeRequest(RelayRequest.Push([]));

    private sealed record Request(string Method, string Authority, string Path, string Query, byte[] Body, string ContentDigest, string Protocol, string SignatureInput, string Signature)
    {
        public JsonObject ToJson(byte[] publicKey, long now) => new()
        {
            ["method"] = Method,
            ["authority"] = Authority,
            ["path"] = Path,
            ["query"] = Query,
            ["body"] = Hex(Body),
            ["headers"] = new JsonObject
            {
                ["content-digest"] = ContentDigest,
                ["ledger-protocol"] = Protocol,
                ["signature-input"] = SignatureInput,
                ["signature"] = Signature,
            },
            ["publicKey"] = Hex(publicKey),
            ["now"] = now,
        };
    }

    /// <summary>A request signed as the relay client signs it (Ledger.Sync.Http's RequestSigner, with a fixed nonce and time).</summary>
    private static Request Signed(SigningKey key, string method, string path, string query, byte[] body, string keyId = "doc-device", string nonce = DocNonce, long created = Created)
    {
        var digest = RelayRequestSignature.ContentDigest(body);
        var parameters = RelayRequestSignature.Parameters(created, nonce, keyId);
        var signatureBase = RelayRequestSignature.Base(method, Authority, path, query, digest, RelayHttp.ProtocolVersion, parameters);
        return new(method, Authority, path, query, body, digest, RelayHttp.ProtocolVersion, RelayRequestSignature.Label + "=" + parameters,
            RelayRequestSignature.SignatureField(key.Sign(signatureBase)));
    }

    public static VectorFile File() => new()
    {
        FileName = "http-request-signature.json",
        Structure = "RFC 9421 HTTP Message Signature of a relay request (the Ledger profile), with its RFC 9530 Content-Digest",
        Documentation = "docs/http-protocol.md, \"Who may do what\" and \"A signed request you can check\"",
        Description = "Judge the request as the relay does before it looks at keys and membership: input.headers.signature-input must be exactly sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"ledger-protocol\");created=<decimal, no leading zero>;nonce=\"<1-64 of [A-Za-z0-9._:/+=-]>\";keyid=\"<same>\";alg=\"ed25519\"; input.headers.signature exactly sig1=:<canonical padded base64 of 64 bytes>:; |now - created| ≤ 300 s; content-digest exactly sha-256=:<base64 of SHA-256(body)>:; then build the signature base (RFC 9421 §2.5: one line \"<component>\": <value> per covered component, from input.method, input.authority, input.path, input.query and the two headers, then \"@signature-params\": <the parameters>; lines joined by \\n, no final newline) and verify the Ed25519 signature under input.publicKey (the author's current key; keyid is the author id). Valid: expected.signatureBase (UTF-8 text) and verifies true. Invalid: expected.refused names the first check that fails (signature-input, signature, created, content-digest), or verifies false with the base that was checked. The nonce cache (each nonce once within the window) and membership are relay state, not part of a case.",
        Notes = new JsonObject
        {
            ["keys"] = "The device key is the protocol document's: Ed25519 seed SHA-256(\"doc-device/0\"); the other key's seed is SHA-256(\"ledger-vectors/http-other/0\").",
            ["window"] = Window,
        },
        Cases = () =>
        {
            var key = DeviceKey();
            var pk = key.Public.RawBytes.ToArray();
            var otherPk = OtherKey().Public.RawBytes.ToArray();
            var push = Signed(key, "POST", PushPath, "?", EmptyPush);
            var poll = Signed(key, "GET", "/v1/ledgers/sitebooks/checkpoint", "?after=3", []);
            var encoded = Signed(key, "GET", "/v1/ledgers/site%2Fbooks/tile/entries/x001/x234/067.p/5", "?", [], keyId: "till-a.u4eg5d5wkje7uv32iknwp7yimy", nonce: "n-2");
            var sig = push.Signature[("sig1=:".Length)..^1];
            // The last character before "==" carries 2 bits of the last byte and 4 padding bits (zero when canonical).
            const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            var otherBits = Alphabet[Alphabet.IndexOf(sig[^3], StringComparison.Ordinal) + 1];
            return
            [
                new("push-of-the-protocol-document", "the empty push of docs/http-protocol.md, byte for byte", push.ToJson(pk, Created), true, "every check holds"),
                new("long-poll-get", "GET checkpoint?after=3: empty body, a query", poll.ToJson(pk, Created + 10), true, "a GET signs the digest of the empty body and its query"),
                new("percent-encoded-path-and-author-keyid", "a tile read of ledger site/books (%2F) signed as a self-certifying author id", encoded.ToJson(pk, Created - Window), true,
                    "the path is signed as sent, percent-encoding included; created may be exactly the window away"),
                new("body-changed", "the body is not the one whose digest was signed", (push with { Body = [0x93, 0x01, 0x01, 0x91, 0x91] }).ToJson(pk, Created), false,
                    "Content-Digest must be the sha-256 of the body"),
                new("path-changed", "the push sent to another path", (push with { Path = "/v1/ledgers/other/ops" }).ToJson(pk, Created), false, "@path is covered"),
                new("method-changed", "signed as POST, sent as PUT", (push with { Method = "PUT" }).ToJson(pk, Created), false, "@method is covered"),
                new("authority-changed", "sent to another relay", (push with { Authority = "127.0.0.1:5081" }).ToJson(pk, Created), false, "@authority is covered"),
                new("query-changed", "after=3 replaced by after=4", (poll with { Query = "?after=4" }).ToJson(pk, Created), false, "@query is covered"),
                new("protocol-header-changed", "Ledger-Protocol 2 on a request signed with 1", (push with { Protocol = "2" }).ToJson(pk, Created), false, "ledger-protocol is covered"),
                new("other-public-key", "the right request judged under another author's key", push.ToJson(otherPk, Created), false, "the signature is by the author's current key only"),
                new("created-outside-window", "now is 301 s after created", push.ToJson(pk, Created + Window + 1), false, "created within 300 s either side of the relay's clock"),
                new("created-in-the-future", "created 301 s after now", push.ToJson(pk, Created - Window - 1), false, "created within 300 s either side of the relay's clock"),
                new("components-reordered", "@authority before @method in Signature-Input", (push with { SignatureInput = push.SignatureInput.Replace("\"@method\" \"@authority\"", "\"@authority\" \"@method\"", StringComparison.Ordinal) }).ToJson(pk, Created), false,
                    "one spelling of the profile: the components in order"),
                new("alg-missing", "Signature-Input without alg", (push with { SignatureInput = push.SignatureInput.Replace(";alg=\"ed25519\"", "", StringComparison.Ordinal) }).ToJson(pk, Created), false,
                    "one spelling of the profile: alg=\"ed25519\" last"),
                new("other-label", "sig2 instead of sig1", (push with { SignatureInput = "sig2" + push.SignatureInput[4..], Signature = "sig2" + push.Signature[4..] }).ToJson(pk, Created), false, "the label is sig1"),
                new("created-leading-zero", "created written with a leading zero", (push with { SignatureInput = push.SignatureInput.Replace("created=", "created=0", StringComparison.Ordinal) }).ToJson(pk, Created), false,
                    "created is decimal without leading zeros"),
                new("nonce-with-space", "a nonce holding a space", (push with { SignatureInput = push.SignatureInput.Replace(DocNonce, "a b", StringComparison.Ordinal) }).ToJson(pk, Created), false,
                    "a nonce is 1-64 characters of [A-Za-z0-9._:/+=-]"),
                new("signature-base64-non-canonical", "the signature's base64 with non-zero padding bits", (push with { Signature = "sig1=:" + sig[..^3] + otherBits + "==:" }).ToJson(pk, Created), false,
                    "the signature is canonical padded base64 of 64 bytes"),
                new("signature-63-bytes", "the signature cut to 63 bytes", (push with { Signature = "sig1=:" + Convert.ToBase64String(Convert.FromBase64String(sig)[..63]) + ":" }).ToJson(pk, Created), false,
                    "the signature is 64 bytes"),
                new("signature-flipped-bit", "one bit of the signature flipped", (push with { Signature = "sig1=:" + Convert.ToBase64String(Flip(Convert.FromBase64String(sig))) + ":" }).ToJson(pk, Created), false,
                    "the Ed25519 signature must verify"),
                new("content-digest-upper-case-algorithm", "SHA-256=:…: instead of sha-256=:…:", (push with { ContentDigest = "SHA" + push.ContentDigest[3..] }).ToJson(pk, Created), false,
                    "Content-Digest is exactly sha-256=:<base64>:"),
            ];
        },
        Judge = Judge,
    };

    private static byte[] Flip(byte[] bytes)
    {
        var copy = bytes.ToArray();
        copy[10] ^= 0x01;
        return copy;
    }

    private static Verdict Judge(JsonObject input)
    {
        var headers = input["headers"]!.AsObject();
        if (!RelayRequestSignature.TryParseInput((string)headers["signature-input"]!, out var created, out var nonce, out var keyId)) return Refused("signature-input");
        if (!RelayRequestSignature.TryParseSignature((string)headers["signature"]!, out var signature)) return Refused("signature");
        if (Math.Abs((long)input["now"]! - created) > Window) return Refused("created");
        var body = Bytes(input["body"]);
        var digest = (string)headers["content-digest"]!;
        if (digest != RelayRequestSignature.ContentDigest(body)) return Refused("content-digest");
        var signatureBase = RelayRequestSignature.Base((string)input["method"]!, (string)input["authority"]!, (string)input["path"]!, (string)input["query"]!, digest,
            (string)headers["ledger-protocol"]!, RelayRequestSignature.Parameters(created, nonce, keyId));
        var verifies = VerificationKey.TryImport(Bytes(input["publicKey"]), out var key) && key!.Verify(signatureBase, signature);
        return new(verifies, new JsonObject { ["signatureBase"] = Encoding.UTF8.GetString(signatureBase), ["verifies"] = verifies });
    }

    private static Verdict Refused(string check) => new(false, new JsonObject { ["refused"] = check });
}
