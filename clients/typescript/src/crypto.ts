// Hashes and Ed25519. No primitive is written here: SHA-256 is @noble/hashes, Ed25519 verification is
// @noble/curves with strict (RFC 8032, not ZIP-215) decoding plus the two checks libsodium adds (no small-order
// public key, no small-order R), so verdicts are Ledger's (vectors/ed25519.json). Signing uses WebCrypto's Ed25519
// where the platform has it (the private key can stay non-extractable) and @noble/curves otherwise.

import { sha256 as nobleSha256 } from "@noble/hashes/sha2";
import { ed25519 } from "@noble/curves/ed25519";
import { concat, utf8 } from "./bytes.js";

export const sha256 = (...parts: Uint8Array[]): Uint8Array => nobleSha256(parts.length === 1 ? parts[0] : concat(...parts));

/** H(label ‖ parts): the domain-separated hashes of the wire format. */
export const tagged = (label: string, ...parts: Uint8Array[]): Uint8Array => sha256(utf8(label), ...parts);

function strictPoint(bytes: Uint8Array) {
  try {
    return ed25519.ExtendedPoint.fromHex(bytes, false);
  } catch {
    return undefined;
  }
}

/** Whether 32 bytes are an Ed25519 public key that can verify anything (canonical, not of small order). */
export function isUsablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  const a = strictPoint(publicKey);
  return a !== undefined && !a.isSmallOrder();
}

/** Ed25519 verification as libsodium (and so Ledger) judges it; never throws. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || !isUsablePublicKey(publicKey)) return false;
  const r = strictPoint(signature.subarray(0, 32));
  if (r === undefined || r.isSmallOrder()) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** Something that signs with one Ed25519 key. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A key held as its 32-byte RFC 8032 seed, signing with @noble/curves (deterministic keys, tests, Node). */
export class SeedSigner implements Signer {
  readonly publicKey: Uint8Array;

  constructor(private readonly seed: Uint8Array) {
    if (seed.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
    this.publicKey = ed25519.getPublicKey(seed);
  }

  static random(): SeedSigner {
    return new SeedSigner(ed25519.utils.randomPrivateKey());
  }

  sign(message: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(ed25519.sign(message, this.seed));
  }
}

/** A WebCrypto Ed25519 key pair; the private key is not extractable (store the CryptoKeyPair in IndexedDB to keep it). */
export class WebCryptoSigner implements Signer {
  private constructor(
    readonly keyPair: CryptoKeyPair,
    readonly publicKey: Uint8Array,
  ) {}

  /** A fresh key from WebCrypto, or undefined when the platform has no Ed25519 there. */
  static async generate(): Promise<WebCryptoSigner | undefined> {
    const subtle = globalThis.crypto?.subtle;
    if (!subtle) return undefined;
    try {
      const pair = (await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
      return new WebCryptoSigner(pair, new Uint8Array(await subtle.exportKey("raw", pair.publicKey)));
    } catch {
      return undefined;
    }
  }

  static async fromKeyPair(pair: CryptoKeyPair): Promise<WebCryptoSigner> {
    return new WebCryptoSigner(pair, new Uint8Array(await globalThis.crypto.subtle.exportKey("raw", pair.publicKey)));
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await globalThis.crypto.subtle.sign({ name: "Ed25519" }, this.keyPair.privateKey, message as BufferSource));
  }
}

/** A new signing key: WebCrypto's where available, else a random seed with @noble/curves. */
export async function generateSigner(): Promise<Signer> {
  return (await WebCryptoSigner.generate()) ?? SeedSigner.random();
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}
