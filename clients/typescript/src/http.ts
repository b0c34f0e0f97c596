// The relay protocol over HTTP (docs/http-protocol.md): every request signed as RFC 9421 HTTP Message Signatures
// with the relay's one profile, the body's RFC 9530 Content-Digest, pulls read as C2SP tlog-tiles.

import { base64, utf8 } from "./bytes.js";
import { randomBytes, sha256, type Signer } from "./crypto.js";
import { RelayError } from "./errors.js";
import { decodeAuthorOps, decodePushAnswer, encodePushRequest, type PushAnswer } from "./wire.js";

export const PROTOCOL_HEADER = "Ledger-Protocol";
export const MEMBERSHIP_HEADER = "Ledger-Membership";
export const RELAY_MEDIA_TYPE = "application/vnd.ledger.relay+msgpack";
const COMPONENTS = '("@method" "@authority" "@path" "@query" "content-digest" "ledger-protocol")';

/** RFC 9530 Content-Digest of a body: sha-256=:base64:. */
export const contentDigest = (body: Uint8Array) => `sha-256=:${base64(sha256(body))}:`;

const token = /^[A-Za-z0-9._:/+=-]{1,64}$/;

/** The signature parameters of the profile (the value of @signature-params). */
export function signatureParameters(created: number, nonce: string, keyId: string): string {
  if (!token.test(nonce) || !token.test(keyId)) throw new RangeError("nonce and keyid are 1-64 characters of [A-Za-z0-9._:/+=-]");
  return `${COMPONENTS};created=${created};nonce="${nonce}";keyid="${keyId}";alg="ed25519"`;
}

export interface SignatureComponents {
  method: string;
  authority: string;
  path: string;
  query: string; // with its "?", "?" alone when there is none
  contentDigest: string;
  protocol: string;
}

/** The RFC 9421 §2.5 signature base of the profile. */
export function signatureBase(c: SignatureComponents, parameters: string): Uint8Array {
  const lines = [["@method", c.method], ["@authority", c.authority], ["@path", c.path], ["@query", c.query], ["content-digest", c.contentDigest], ["ledger-protocol", c.protocol]];
  for (const [, v] of lines) if (/[\r\n]/.test(v)) throw new RangeError("a covered component has a line break");
  return utf8(lines.map(([k, v]) => `"${k}": ${v}\n`).join("") + `"@signature-params": ${parameters}`);
}

/** Parses Signature-Input as the relay does: exactly sig1= and the profile's parameters; undefined otherwise. */
export function parseSignatureInput(header: string): { created: number; nonce: string; keyId: string } | undefined {
  const m = /^sig1=\("@method" "@authority" "@path" "@query" "content-digest" "ledger-protocol"\);created=(0|[1-9][0-9]{0,11});nonce="([^"]*)";keyid="([^"]*)";alg="ed25519"$/.exec(header);
  if (!m || !token.test(m[2]) || !token.test(m[3])) return undefined;
  return { created: Number(m[1]), nonce: m[2], keyId: m[3] };
}

export interface RequestIdentity {
  /** The author id: the signature's keyid. */
  author: string;
  /** The author's current key. */
  signer: Signer;
  /** The membership grant from the ledger's admin (bytes, or their base64), when the ledger admits members only. */
  membership?: Uint8Array | string;
}

/** The headers that sign one request. */
export async function signRequest(identity: RequestIdentity, method: string, url: URL, body: Uint8Array, now: number = Date.now()): Promise<Record<string, string>> {
  const digest = contentDigest(body);
  const parameters = signatureParameters(Math.floor(now / 1000), base64(randomBytes(18)), identity.author);
  const base = signatureBase({ method: method.toUpperCase(), authority: url.host.toLowerCase(), path: url.pathname, query: url.search || "?", contentDigest: digest, protocol: "1" }, parameters);
  const headers: Record<string, string> = {
    [PROTOCOL_HEADER]: "1",
    "Content-Digest": digest,
    "Signature-Input": "sig1=" + parameters,
    Signature: `sig1=:${base64(await identity.signer.sign(base))}:`,
  };
  if (identity.membership !== undefined) headers[MEMBERSHIP_HEADER] = typeof identity.membership === "string" ? identity.membership : base64(identity.membership);
  return headers;
}

/** A tlog-tiles index path element: 1234067 is x001/x234/067. */
export function tileIndex(n: number): string {
  let digits = String(n);
  while (digits.length % 3 !== 0) digits = "0" + digits;
  const groups = digits.match(/.{3}/g)!;
  return groups.map((g, i) => (i < groups.length - 1 ? "x" + g : g)).join("/");
}

export interface RelayClientOptions {
  /** The relay's address, e.g. http://127.0.0.1:5080 (a page served by the relay can use location.origin). */
  baseUrl: string;
  ledger: string;
  /** Who signs; without it requests are unsigned (reads of a public ledger). */
  identity?: RequestIdentity;
  fetch?: typeof fetch;
}

/** One relay, one ledger, one device's identity. Every call is safe to repeat (a push is idempotent by (author,
 * seq) + hash); each is signed afresh. */
export class RelayClient {
  private readonly fetchImpl: typeof fetch;

  constructor(readonly options: RelayClientOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  url(path: string): URL {
    return new URL(`${this.options.baseUrl.replace(/\/$/, "")}/v1/ledgers/${encodeURIComponent(this.options.ledger)}/${path}`);
  }

  async request(method: string, path: string, body?: Uint8Array, contentType?: string, signal?: AbortSignal, cache?: RequestCache): Promise<Response> {
    const url = this.url(path);
    const bytes = body ?? new Uint8Array(0);
    const headers: Record<string, string> = this.options.identity ? await signRequest(this.options.identity, method, url, bytes) : { [PROTOCOL_HEADER]: "1" };
    if (contentType) headers["Content-Type"] = contentType;
    const response = await this.fetchImpl(url, { method, headers, body: body ? (bytes as BodyInit) : undefined, signal, ...(cache ? { cache } : {}) });
    if (!response.ok) {
      let code = "http-" + response.status;
      let detail = response.statusText;
      try {
        const problem = (await response.json()) as { code?: string; detail?: string };
        code = problem.code ?? code;
        detail = problem.detail ?? detail;
      } catch {
        // Not a problem document: the status says enough.
      }
      throw new RelayError(response.status, code, detail);
    }
    const version = response.headers.get(PROTOCOL_HEADER);
    if (version !== null && version !== "1") throw new RelayError(response.status, "unsupported-protocol-version", `the relay answered protocol ${version}`);
    return response;
  }

  private async bytes(method: string, path: string, body?: Uint8Array, contentType?: string, cache?: RequestCache): Promise<Uint8Array> {
    return new Uint8Array(await (await this.request(method, path, body, contentType, undefined, cache)).arrayBuffer());
  }

  /** POST ops: a batch of signed ops (each ≤ 65,535 bytes). */
  async push(ops: Uint8Array[]): Promise<PushAnswer> {
    return decodePushAnswer(await this.bytes("POST", "ops", encodePushRequest(ops), RELAY_MEDIA_TYPE));
  }

  /** GET checkpoint (the latest), checkpoint?size=N (exactly N ops); the signed note's bytes. The latest is
   * fetched past the HTTP cache: the relay lets caches keep it for seconds (CheckpointMaxAge), and a browser that
   * just pushed would otherwise be served the checkpoint from before its push (seen in the end-to-end test). */
  async checkpoint(size?: number): Promise<Uint8Array> {
    return size === undefined ? this.bytes("GET", "checkpoint", undefined, undefined, "no-cache") : this.bytes("GET", `checkpoint?size=${size}`);
  }

  /** The long poll: the latest checkpoint as soon as the log size differs from `after`, or null after the relay's
   * bounded wait (204). */
  async waitForCheckpoint(after: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    const response = await this.request("GET", `checkpoint?after=${after}`, undefined, undefined, signal, "no-store");
    if (response.status === 204) return null;
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The signed ops at positions [from, to) of the tree of `treeSize`, read from entry bundles (immutable URLs). */
  async entries(from: number, to: number, treeSize: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let k = Math.floor(from / 256); k * 256 < to; k++) {
      const full = 256 * (k + 1) <= treeSize;
      const width = full ? 256 : treeSize - 256 * k;
      const bundle = await this.bytes("GET", `tile/entries/${tileIndex(k)}${full ? "" : `.p/${width}`}`);
      const entries: Uint8Array[] = [];
      for (let o = 0; o < bundle.length; ) {
        if (o + 2 > bundle.length) throw new RelayError(200, "bad-answer", "an entry bundle is cut off");
        const n = (bundle[o] << 8) | bundle[o + 1];
        if (o + 2 + n > bundle.length) throw new RelayError(200, "bad-answer", "an entry bundle is cut off");
        entries.push(bundle.slice(o + 2, o + 2 + n));
        o += 2 + n;
      }
      if (entries.length !== width) throw new RelayError(200, "bad-answer", `bundle ${k} holds ${entries.length} entries, not ${width}`);
      entries.forEach((e, i) => {
        const position = 256 * k + i;
        if (position >= from && position < to) out.push(e);
      });
    }
    return out;
  }

  /** GET authors/{author}/ops?from=S: an author's chain with positions (recovery). */
  async authorOps(author: string, fromSeq = 1): Promise<{ position: number; bytes: Uint8Array }[]> {
    return decodeAuthorOps(await this.bytes("GET", `authors/${encodeURIComponent(author)}/ops?from=${fromSeq}`));
  }

  private static hashes(bytes: Uint8Array): Uint8Array[] {
    if (bytes.length % 32 !== 0) throw new RelayError(200, "bad-answer", "a proof is not a list of 32-byte hashes");
    return Array.from({ length: bytes.length / 32 }, (_, i) => bytes.slice(i * 32, i * 32 + 32));
  }

  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    return RelayClient.hashes(await this.bytes("GET", `proof/consistency?from=${from}&to=${to}`));
  }

  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    return RelayClient.hashes(await this.bytes("GET", `proof/inclusion?index=${index}&size=${size}`));
  }

  /** POST cosignatures: a cosigned checkpoint note. */
  async postCosignature(note: Uint8Array): Promise<void> {
    await this.request("POST", "cosignatures", note, "text/plain");
  }
}
