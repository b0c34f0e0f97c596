using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ledger.Sync;

/// <summary>The one RFC 9421 HTTP Message Signature profile of the relay protocol (docs/http-protocol.md), shared by the
/// signing client and the verifying relay: label <c>sig1</c>, algorithm <c>ed25519</c>, covering, in this order,
/// <c>"@method" "@authority" "@path" "@query" "content-digest" "ledger-protocol"</c>, with the parameters
/// <c>created</c>, <c>nonce</c> and <c>keyid</c> (the author id; the key is the author's current key per its key
/// event log) and <c>alg="ed25519"</c>. The body's digest is an RFC 9530 <c>Content-Digest: sha-256=:…:</c> (of the
/// empty body for GET). Parsing is strict: one spelling of the profile, nothing else.</summary>
public static class RelayRequestSignature
{
    /// <summary>The signature label.</summary>
    public const string Label = "sig1";

    /// <summary>The covered components, in order.</summary>
    public static IReadOnlyList<string> Components { get; } = ["@method", "@authority", "@path", "@query", "content-digest", "ledger-protocol"];

    private const string ComponentList = "(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"ledger-protocol\")";

    /// <summary>The RFC 9530 <c>Content-Digest</c> value of <paramref name="body"/>: <c>sha-256=:base64:</c>.</summary>
    public static string ContentDigest(ReadOnlySpan<byte> body) => "sha-256=:" + Convert.ToBase64String(SHA256.HashData(body)) + ":";

    /// <summary>The signature parameters (the inner list of <c>Signature-Input</c> after <c>sig1=</c>, and the value of
    /// <c>@signature-params</c>).</summary>
    /// <exception cref="ArgumentException">The nonce or key id has characters outside [A-Za-z0-9._:/+=-].</exception>
    public static string Parameters(long created, string nonce, string keyId)
    {
        if (!IsToken(nonce)) throw Error.Argument("a nonce is 1-64 characters of [A-Za-z0-9._:/+=-].", nameof(nonce));
        if (!IsToken(keyId)) throw Error.Argument("a key id is 1-64 characters of [A-Za-z0-9._:/+=-].", nameof(keyId));
        return string.Create(CultureInfo.InvariantCulture, $"{ComponentList};created={created};nonce=\"{nonce}\";keyid=\"{keyId}\";alg=\"ed25519\"");
    }

    /// <summary>The signature base (RFC 9421 §2.5): one line per covered component, then <c>@signature-params</c>.</summary>
    /// <param name="method">The method, upper case (<c>POST</c>).</param>
    /// <param name="authority">host[:port] as the request addressed it, lower case, default port omitted.</param>
    /// <param name="path">The absolute path as sent (percent-encoded).</param>
    /// <param name="query">The query with its leading <c>?</c> (<c>?</c> alone when there is none).</param>
    /// <param name="contentDigest">The <c>Content-Digest</c> field value.</param>
    /// <param name="protocol">The <c>Ledger-Protocol</c> field value.</param>
    /// <param name="parameters">The <see cref="Parameters"/>.</param>
    public static byte[] Base(string method, string authority, string path, string query, string contentDigest, string protocol, string parameters)
    {
        var text = new StringBuilder();
        Line(text, "@method", method);
        Line(text, "@authority", authority);
        Line(text, "@path", path);
        Line(text, "@query", query);
        Line(text, "content-digest", contentDigest);
        Line(text, "ledger-protocol", protocol);
        text.Append("\"@signature-params\": ").Append(parameters);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Line(StringBuilder text, string name, string value)
    {
        // A value with a line break would forge extra lines of the base: refused by the parsers, never signed.
        if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal)) throw Error.Argument($"the {name} value has a line break.", nameof(value));
        text.Append('"').Append(name).Append("\": ").Append(value).Append('\n');
    }

    /// <summary>Reads <c>Signature-Input</c>: exactly <c>sig1=</c> and the parameters of this profile.</summary>
    public static bool TryParseInput(string? header, out long created, out string nonce, out string keyId)
    {
        created = 0;
        nonce = keyId = "";
        if (header is null || !header.StartsWith(Label + "=" + ComponentList + ";created=", StringComparison.Ordinal)) return false;
        var rest = header[(Label.Length + 1 + ComponentList.Length + ";created=".Length)..];
        var end = rest.IndexOf(';', StringComparison.Ordinal);
        if (end <= 0 || end > 12 || (rest[0] == '0' && end > 1) || !rest[..end].All(char.IsAsciiDigit)) return false;
        created = long.Parse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture);
        rest = rest[end..];
        if (!TryQuoted(ref rest, ";nonce=", out nonce) || !TryQuoted(ref rest, ";keyid=", out keyId)) return false;
        if (rest != ";alg=\"ed25519\"") return false;
        return header == Label + "=" + Parameters(created, nonce, keyId);
    }

    /// <summary>Reads <c>Signature</c>: exactly <c>sig1=:base64(64 bytes):</c>.</summary>
    public static bool TryParseSignature(string? header, out byte[] signature)
    {
        signature = [];
        if (header is null || !header.StartsWith(Label + "=:", StringComparison.Ordinal) || !header.EndsWith(':') || header.Length != Label.Length + 2 + 88 + 1) return false;
        var bytes = new byte[64];
        if (!Convert.TryFromBase64String(header[(Label.Length + 2)..^1], bytes, out var written) || written != 64) return false;
        if (header[(Label.Length + 2)..^1] != Convert.ToBase64String(bytes)) return false; // one spelling
        signature = bytes;
        return true;
    }

    /// <summary>The <c>Signature</c> field value of <paramref name="signature"/>.</summary>
    public static string SignatureField(ReadOnlySpan<byte> signature) => Label + "=:" + Convert.ToBase64String(signature) + ":";

    private static bool TryQuoted(ref string rest, string prefix, out string value)
    {
        value = "";
        if (!rest.StartsWith(prefix + "\"", StringComparison.Ordinal)) return false;
        var close = rest.IndexOf('"', prefix.Length + 1);
        if (close < 0) return false;
        value = rest[(prefix.Length + 1)..close];
        rest = rest[(close + 1)..];
        return IsToken(value);
    }

    private static bool IsToken(string? value) =>
        value is { Length: > 0 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '/' or '+' or '=' or '-');
}
