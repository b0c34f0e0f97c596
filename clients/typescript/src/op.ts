// Op v1 and Signed op v1 (docs/wire-format.md): canonical encoders, strict decoders.

import { Reader, encode, requireCanonical, Writer } from "./msgpack.js";
import { LedgerFormatError } from "./errors.js";
import { sha256 } from "./crypto.js";
import { equal } from "./bytes.js";

export const MAX_ARGS = 1024 * 1024;
export const SIGNED_OP_MAX = MAX_ARGS + 2048;
export const ZERO32 = new Uint8Array(32);

const idChars = /^[A-Za-z0-9._-]{1,64}$/;
export const isAuthorId = (s: string) => idChars.test(s);
export const isVerbName = (s: string) => /^[a-z0-9._-]{1,64}$/.test(s);
export const isClaimKey = (s: string) => /^[A-Za-z0-9._:/-]{1,128}$/.test(s);
export const isLedgerName = (s: string) => /^[A-Za-z0-9._:/-]{1,128}$/.test(s);
export function isBranchId(s: string): boolean {
  const slash = s.indexOf("/");
  return slash > 0 && isAuthorId(s.slice(0, slash)) && idChars.test(s.slice(slash + 1));
}

export interface Op {
  opId: Uint8Array; // 16 bytes, RFC 9562 byte order
  author: string;
  seq: number;
  prev: Uint8Array; // 32
  manifest: Uint8Array; // 32
  verb: string;
  verbVersion: number;
  branch: string;
  claimKey: string | null;
  at: bigint; // Unix ms
  args: Uint8Array;
}

export function encodeOp(op: Op): Uint8Array {
  return encode((w) =>
    w.array(12).int(1).bin(op.opId).str(op.author).int(op.seq).bin(op.prev).bin(op.manifest).str(op.verb).int(op.verbVersion)
      .str(op.branch).nullableStr(op.claimKey).int(op.at).bin(op.args),
  );
}

export function decodeOp(bytes: Uint8Array): Op {
  const r = new Reader(bytes, "op");
  const starts: [string, number][] = [];
  const at = (name: string) => (starts.push([name, r.offset]), r.offset);
  r.array("envelope", 12, 12);
  const f0 = at("format");
  const format = r.uint("format");
  if (format !== 1n) throw r.fail("format", "UnknownVersion", f0, `envelope format ${format}; this software reads format 1.`);
  at("opId");
  const opId = r.binary("opId", 16, 16);
  const aAt = at("author");
  const author = r.string("author", 64);
  if (!isAuthorId(author)) throw r.fail("author", "InvalidValue", aAt, "not an author id ([A-Za-z0-9._-], 1-64).");
  at("seq");
  const seq = r.uintNumber("seq", 1);
  const pAt = at("prev");
  const prev = r.binary("prev", 32, 32);
  if ((seq === 1) !== equal(prev, ZERO32)) throw r.fail("prev", "InvalidValue", pAt, seq === 1 ? "the first op of a chain has a zero prev." : "only the first op of a chain has a zero prev.");
  at("manifest");
  const manifest = r.binary("manifest", 32, 32);
  const vAt = at("verb");
  const verb = r.string("verb", 64);
  if (!isVerbName(verb)) throw r.fail("verb", "InvalidValue", vAt, "not a verb name ([a-z0-9._-], 1-64).");
  at("verbVersion");
  const verbVersion = r.uintNumber("verbVersion", 1, 0xffffffff);
  const bAt = at("branch");
  const branch = r.string("branch", 64 + 1 + 64);
  if (!isBranchId(branch)) throw r.fail("branch", "InvalidValue", bAt, "not a branch id (owner/name).");
  const cAt = at("claimKey");
  const claimKey = r.nullableString("claimKey", 128);
  if (claimKey !== null && !isClaimKey(claimKey)) throw r.fail("claimKey", "InvalidValue", cAt, "not a claim key.");
  at("at");
  const atValue = r.int("at");
  at("args");
  const args = r.binary("args", 0, MAX_ARGS);
  r.ensureEnd();
  const op: Op = { opId: opId.slice(), author, seq, prev: prev.slice(), manifest: manifest.slice(), verb, verbVersion, branch, claimKey, at: atValue, args: args.slice() };
  requireCanonical("op", bytes, encodeOp(op), starts);
  return op;
}

export const OP_LABEL = "ledger/op/v1";

export interface SignedOp {
  bytes: Uint8Array; // the whole signed op, exactly as signed
  ledger: string;
  op: Op;
  opBytes: Uint8Array;
  keyId: Uint8Array; // 8 bytes, big-endian
  signature: Uint8Array;
  /** The signed message: every byte after the 0x95 header up to the signature's c4 40 header. */
  message: Uint8Array;
  /** H(bytes): what the author's next op names as prev. */
  chainHash: Uint8Array;
}

/** The signed message of a signed op: the four fields before the signature, as encoded. */
export function signedMessage(ledger: string, opBytes: Uint8Array, keyId: Uint8Array): Uint8Array {
  return encode((w) => w.str(OP_LABEL).str(ledger).bin(opBytes).bin(keyId));
}

export function assembleSignedOp(message: Uint8Array, signature: Uint8Array): Uint8Array {
  return new Writer().array(5).raw(message).bin(signature).bytes();
}

export function decodeSignedOp(bytes: Uint8Array): SignedOp {
  if (bytes.length > SIGNED_OP_MAX) throw new LedgerFormatError("signed op", "(whole)", "Oversized", 0, `${bytes.length} bytes; the limit is ${SIGNED_OP_MAX}.`);
  const r = new Reader(bytes, "signed op");
  r.array("signed op", 5, 5);
  const labelAt = r.offset;
  const label = r.string("label", 32);
  if (label !== OP_LABEL) throw r.fail("label", "UnknownVersion", labelAt, `'${label}' is not '${OP_LABEL}'.`);
  const ledgerAt = r.offset;
  const ledger = r.string("ledger", 128);
  if (!isLedgerName(ledger)) throw r.fail("ledger", "InvalidValue", ledgerAt, "not a ledger name.");
  const opAt = r.offset;
  const opBytes = r.binary("op", 1, MAX_ARGS + 1024).slice();
  let op: Op;
  try {
    op = decodeOp(opBytes);
  } catch (e) {
    if (e instanceof LedgerFormatError) throw new LedgerFormatError("signed op", "op." + e.field, e.problem, opAt + e.offset, e.message);
    throw e;
  }
  const keyId = r.binary("keyId", 8, 8).slice();
  const signatureAt = r.offset;
  const signature = r.binary("signature", 64, 64).slice();
  r.ensureEnd();
  const message = signedMessage(ledger, opBytes, keyId);
  requireCanonical("signed op", bytes, assembleSignedOp(message, signature), [["label", labelAt], ["ledger", ledgerAt], ["op", opAt], ["signature", signatureAt]]);
  return { bytes: bytes.slice(), ledger, op, opBytes, keyId, signature, message, chainHash: sha256(bytes) };
}
