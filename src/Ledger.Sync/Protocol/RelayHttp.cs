namespace Ledger.Sync;

/// <summary>The names of the relay protocol over HTTP (docs/http-protocol.md): the version header, the media types,
/// the entry limit and the stable problem codes (RFC 9457 <c>code</c> member; the problem <c>type</c> is
/// <see cref="ProblemTypePrefix"/> + code). Shared by the server (package Ledger.Relay.AspNetCore) and the client
/// (Ledger.Sync.Http) so the two cannot drift.</summary>
public static class RelayHttp
{
    /// <summary>The header naming the protocol version, on every request and every answer.</summary>
    public const string ProtocolHeader = "Ledger-Protocol";

    /// <summary>The protocol version this library speaks.</summary>
    public const string ProtocolVersion = "1";

    /// <summary>The header carrying a device's membership grant (base64 of a <c>Ledger.Signing.Grant</c> issued by the
    /// ledger's admin key with id <c>member/&lt;author&gt;</c>).</summary>
    public const string MembershipHeader = "Ledger-Membership";

    /// <summary>On a <c>GET cosignatures?after=&lt;hash&gt;</c> answer: the hash asked for, echoed when the answer holds only
    /// the notes after the note with that SHA-256; absent when the relay did not find it and answered its whole list.</summary>
    public const string CosignaturesAfterHeader = "Ledger-Cosignatures-After";

    /// <summary>On every <c>GET cosignatures</c> answer: how many notes the relay's whole list holds now (the notes of an
    /// answer after a known note are its last ones), so a client keeping the list drops the oldest as the relay did.</summary>
    public const string CosignaturesCountHeader = "Ledger-Cosignatures-Count";

    /// <summary>The media type of request and answer bodies encoded by <see cref="RelayWire"/>.</summary>
    public const string WireMediaType = "application/vnd.ledger.relay+msgpack";

    /// <summary>The media type of checkpoints and cosigned notes (C2SP tlog-tiles).</summary>
    public const string NoteMediaType = "text/plain; charset=utf-8";

    /// <summary>The media type of tiles, entry bundles and proofs.</summary>
    public const string BinaryMediaType = "application/octet-stream";

    /// <summary>The media type of errors (RFC 9457).</summary>
    public const string ProblemMediaType = "application/problem+json";

    /// <summary>The prefix of every problem type URI.</summary>
    public const string ProblemTypePrefix = "urn:ledger:relay:problem:";

    /// <summary>The largest signed op a push may carry over HTTP, in bytes: entry bundles prefix each entry with a
    /// big-endian uint16 length (C2SP tlog-tiles), so 65,535.</summary>
    public const int MaxEntryBytes = ushort.MaxValue;

    /// <summary>400: the body is not a request of this protocol (the detail names the field and byte offset).</summary>
    public const string BadRequest = "bad-request";

    /// <summary>400: an argument is well formed but outside the relay's log.</summary>
    public const string OutOfRange = "out-of-range";

    /// <summary>400: the <see cref="ProtocolHeader"/> is missing on a write or names another version.</summary>
    public const string UnsupportedVersion = "unsupported-protocol-version";

    /// <summary>401: the request signature is missing, malformed, stale, replayed or does not verify.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>403: the signer is not a member of the ledger (or not allowed this call).</summary>
    public const string Forbidden = "forbidden";

    /// <summary>404: the relay serves no such ledger.</summary>
    public const string UnknownLedger = "unknown-ledger";

    /// <summary>404: no such resource (a tile beyond the tree, an unknown path).</summary>
    public const string NotFound = "not-found";

    /// <summary>413: one signed op of a push is larger than <see cref="MaxEntryBytes"/>.</summary>
    public const string EntryTooLarge = "entry-too-large";

    /// <summary>413: the request body is larger than the relay accepts.</summary>
    public const string RequestTooLarge = "request-too-large";

    /// <summary>415: the body is not of the media type the call takes.</summary>
    public const string UnsupportedMediaType = "unsupported-media-type";

    /// <summary>429: too many requests from one author; retry after the Retry-After header.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>503: the relay failed while answering (its store, say); the call may be repeated.</summary>
    public const string Failed = "failed";

    /// <summary>503: the relay's store (a database server) cannot be reached just now; retry after the Retry-After
    /// header. Nothing acknowledged is lost.</summary>
    public const string Unavailable = "unavailable";
}
