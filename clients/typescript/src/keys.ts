// Key ids, next-key digests, self-certifying author ids and the key events of docs/wire-format.md ("Key events").

import { Reader, encode, requireCanonical } from "./msgpack.js";
import { tagged } from "./crypto.js";
import { base32Lower, concat, equal, fromHex, utf8 } from "./bytes.js";
import type { Op } from "./op.js";

/** The id of the `ledger-keys` v1 manifest (H of its declaration; pinned in the .NET golden files). */
export const KEYS_MANIFEST_ID = fromHex("4b48dd3bc9d76fa55ced40f8e439718286fdaab0dacea9bc3dd252a2f8b26eba");

/** Key id: the first 8 bytes of H("ledger/key-id/v1" ‖ raw public key), big-endian. */
export const keyIdOf = (publicKey: Uint8Array): Uint8Array => tagged("ledger/key-id/v1", publicKey).slice(0, 8);

/** Next-key digest: H("ledger/next-key/v1" ‖ raw public key). */
export const nextKeyDigestOf = (publicKey: Uint8Array): Uint8Array => tagged("ledger/next-key/v1", publicKey);

export const isAuthorLabel = (label: string) => /^[A-Za-z0-9_-]{1,37}$/.test(label);

/** Author id = label "." base32(H("ledger/author/v1" ‖ u8(len label) ‖ label ‖ inception key ‖ next-key digest)[:16]). */
export function deriveAuthorId(label: string, inceptionKey: Uint8Array, nextKeyDigest: Uint8Array): string {
  if (!isAuthorLabel(label)) throw new RangeError("an author label is 1-37 characters of [A-Za-z0-9_-]");
  const l = utf8(label);
  return label + "." + base32Lower(tagged("ledger/author/v1", new Uint8Array([l.length]), l, inceptionKey, nextKeyDigest).slice(0, 16));
}

export const isKeyEvent = (op: Op): boolean => equal(op.manifest, KEYS_MANIFEST_ID) && op.verb.startsWith("ledger.key.");

export interface InceptArgs {
  label: string;
  publicKey: Uint8Array;
  nextKeyDigest: Uint8Array;
  keyIndex: number;
}

export interface RotateArgs {
  publicKey: Uint8Array;
  nextKeyDigest: Uint8Array | null; // null only in a closing revocation
  keyIndex: number;
  disputedSinceSeq: bigint | null; // revocations only
  reason: string | null; // revocations only
}

export const encodeInceptArgs = (a: InceptArgs) => encode((w) => w.array(4).str(a.label).bin(a.publicKey).bin(a.nextKeyDigest).int(a.keyIndex));

export function decodeInceptArgs(bytes: Uint8Array): InceptArgs {
  const r = new Reader(bytes, "incept args");
  r.array("args", 4, 4);
  const label = r.string("label", 64);
  const publicKey = r.binary("publicKey", 32, 32).slice();
  const nextKeyDigest = r.binary("nextKeyDigest", 32, 32).slice();
  const keyIndex = r.uintNumber("keyIndex", 0, 0xffffffff);
  r.ensureEnd();
  const a = { label, publicKey, nextKeyDigest, keyIndex };
  requireCanonical("incept args", bytes, encodeInceptArgs(a), [["args", 0]]);
  return a;
}

export const encodeRotateArgs = (a: RotateArgs, revoke: boolean) =>
  encode((w) => {
    if (!revoke) return w.array(3).bin(a.publicKey).bin(a.nextKeyDigest!).int(a.keyIndex);
    w.array(5).bin(a.publicKey);
    if (a.nextKeyDigest === null) w.nil();
    else w.bin(a.nextKeyDigest);
    w.int(a.keyIndex);
    if (a.disputedSinceSeq === null) w.nil();
    else w.int(a.disputedSinceSeq);
    return w.str(a.reason ?? "");
  });

export function decodeRotateArgs(bytes: Uint8Array, revoke: boolean): RotateArgs {
  const r = new Reader(bytes, revoke ? "revoke args" : "rotate args");
  r.array("args", revoke ? 5 : 3, revoke ? 5 : 3);
  const publicKey = r.binary("publicKey", 32, 32).slice();
  const nextKeyDigest = revoke ? r.nullableBinary("nextKeyDigest", 32, 32) : r.binary("nextKeyDigest", 32, 32);
  const keyIndex = r.uintNumber("keyIndex", 0, 0xffffffff);
  let disputedSinceSeq: bigint | null = null;
  let reason: string | null = null;
  if (revoke) {
    disputedSinceSeq = r.tryNil() ? null : r.uint("disputedSinceSeq");
    reason = r.string("reason", 1024);
  }
  r.ensureEnd();
  const a = { publicKey, nextKeyDigest: nextKeyDigest?.slice() ?? null, keyIndex, disputedSinceSeq, reason };
  requireCanonical(r.structure, bytes, encodeRotateArgs(a, revoke), [["args", 0]]);
  return a;
}

export const concatKeyParts = concat;
