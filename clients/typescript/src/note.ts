// C2SP signed notes, tlog-checkpoints and tlog-cosignatures as Ledger writes and reads them (docs/wire-format.md,
// "Relay checkpoint" and "Cosignature").

import { LedgerFormatError } from "./errors.js";
import { base64, concat, equal, fromBase64Strict, fromHex, hex, utf8, utf8Decode } from "./bytes.js";
import { sha256, verifyEd25519 } from "./crypto.js";

export const NOTE_ED25519 = 0x01;
export const NOTE_COSIGNATURE = 0x04;

export interface NoteSignature {
  name: string;
  keyId: Uint8Array; // 4 bytes
  payload: Uint8Array; // after the key id
}

export interface SignedNote {
  text: string; // the note text, with its final "\n"
  signatures: NoteSignature[];
}

export function isKeyName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && !/[\s+\u0000-\u001f\u007f-\u009f]/u.test(name);
}

const fail = (structure: string, field: string, offset: number, detail: string, problem: "InvalidValue" | "Truncated" | "Oversized" = "InvalidValue") =>
  new LedgerFormatError(structure, field, problem, offset, detail);

export function parseNote(bytes: Uint8Array): SignedNote {
  if (bytes.length > 65536) throw fail("signed note", "(whole)", 0, "more than 65,536 bytes", "Oversized");
  const s = utf8Decode(bytes);
  if (s === undefined) throw fail("signed note", "(whole)", 0, "not UTF-8");
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw fail("signed note", "(whole)", utf8(s.slice(0, i)).length, "a control character");
  }
  const split = s.lastIndexOf("\n\n");
  if (split < 0) throw fail("signed note", "signatures", bytes.length, "no blank line before signatures", "Truncated");
  const text = s.slice(0, split + 1);
  const rest = s.slice(split + 2);
  if (rest.length === 0 || !rest.endsWith("\n")) throw fail("signed note", "signatures", utf8(text).length + 1, "no signature line", "Truncated");
  const lines = rest.slice(0, -1).split("\n");
  if (lines.length > 100) throw fail("signed note", "signatures", 0, "more than 100 signature lines", "Oversized");
  const signatures = lines.map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    const payload = m ? fromBase64Strict(m[2]) : undefined;
    if (!m || !isKeyName(m[1]) || payload === undefined || payload.length < 5) throw fail("signed note", "signatures", 0, "a malformed signature line");
    return { name: m[1], keyId: payload.slice(0, 4), payload: payload.slice(4) };
  });
  return { text, signatures };
}

export interface NoteKey {
  name: string;
  keyId: Uint8Array; // 4 bytes
  type: number;
  publicKey: Uint8Array;
}

export const noteKeyId = (name: string, type: number, publicKey: Uint8Array) => sha256(utf8(name), new Uint8Array([0x0a, type]), publicKey).slice(0, 4);

/** Parses a verifier key `name+hex(key id)+base64(type ‖ public key)`; undefined when it is not one. */
export function parseVkey(vkey: string): NoteKey | undefined {
  const a = vkey.indexOf("+");
  const b = a < 0 ? -1 : vkey.indexOf("+", a + 1);
  if (b < 0) return undefined;
  const name = vkey.slice(0, a);
  const idHex = vkey.slice(a + 1, b);
  const raw = fromBase64Strict(vkey.slice(b + 1));
  if (!isKeyName(name) || !/^[0-9a-fA-F]{8}$/.test(idHex) || raw === undefined || raw.length !== 33) return undefined;
  const key = { name, keyId: fromHex(idHex), type: raw[0], publicKey: raw.slice(1) };
  return equal(key.keyId, noteKeyId(name, key.type, key.publicKey)) ? key : undefined;
}

export const formatVkey = (k: NoteKey) => `${k.name}+${hex(k.keyId)}+${base64(concat(new Uint8Array([k.type]), k.publicKey))}`;

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  /** The note text the relay signed. */
  text: string;
}

export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.slice(0, -1).split("\n");
  const bad = (detail: string) => fail("checkpoint", "text", 0, detail);
  if (lines.length < 3) throw bad("fewer than three lines");
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin.length === 0) throw bad("an empty origin");
  if (!/^(0|[1-9][0-9]{0,18})$/.test(sizeText) || BigInt(sizeText) > (1n << 63n) - 1n) throw bad("the size is not a decimal number without leading zeros");
  const root = fromBase64Strict(rootText);
  if (root === undefined || root.length !== 32) throw bad("the root is not the base64 of 32 bytes");
  if (extensions.some((e) => e.length === 0)) throw bad("an empty extension line");
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw bad("a size beyond 2^53 - 1 (this client's limit)");
  return { origin, size, root, text };
}

export interface OpenedCheckpoint extends Checkpoint {
  signatureVerifies: boolean;
}

/** Opens a relay's signed checkpoint under the relay key the device trusts (its vkey): throws a LedgerFormatError
 * when the note or the checkpoint does not parse; otherwise signatureVerifies says whether the origin is the
 * key's name and the relay's signature line verifies (and no line of that key fails). */
export function openCheckpoint(note: Uint8Array, trustedRelayVkey: string | NoteKey): OpenedCheckpoint {
  const key = typeof trustedRelayVkey === "string" ? parseVkey(trustedRelayVkey) : trustedRelayVkey;
  if (key === undefined || key.type !== NOTE_ED25519) throw new RangeError("the trusted relay key is not an Ed25519 note vkey");
  const parsed = parseNote(note);
  const checkpoint = parseCheckpointText(parsed.text);
  let verifies = checkpoint.origin === key.name;
  const mine = parsed.signatures.filter((s) => s.name === key.name && equal(s.keyId, key.keyId));
  if (mine.length === 0) verifies = false;
  for (const s of mine) if (!verifyEd25519(key.publicKey, utf8(parsed.text), s.payload)) verifies = false;
  return { ...checkpoint, signatureVerifies: verifies };
}

/** The message a tlog-cosignature signs. */
export const cosignedMessage = (text: string, timestamp: bigint) => utf8(`cosignature/v1\ntime ${timestamp}\n${text}`);

/** Checks the cosignature lines of the known witness keys: which verified and which failed; other lines are ignored. */
export function verifyCosignatures(note: Uint8Array, witnesses: (string | NoteKey)[]): { verified: NoteKey[]; failed: NoteKey[] } {
  const parsed = parseNote(note);
  const verified: NoteKey[] = [];
  const failed: NoteKey[] = [];
  for (const w of witnesses) {
    const key = typeof w === "string" ? parseVkey(w) : w;
    if (key === undefined || key.type !== NOTE_COSIGNATURE) continue;
    const lines = parsed.signatures.filter((s) => s.name === key.name && equal(s.keyId, key.keyId));
    if (lines.length === 0) continue;
    const good = lines.every((s) => {
      if (s.payload.length !== 72) return false;
      let t = 0n;
      for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(s.payload[i]);
      return t <= (1n << 63n) - 1n && verifyEd25519(key.publicKey, cosignedMessage(parsed.text, t), s.payload.slice(8));
    });
    (good ? verified : failed).push(key);
  }
  return { verified, failed };
}
