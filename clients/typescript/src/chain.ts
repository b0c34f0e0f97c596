// The chain rules of docs/wire-format.md ("Key events"), checked in order for each op of one author; the first
// failure names the op and its ChainBreak.

import { decodeInceptArgs, decodeRotateArgs, deriveAuthorId, isAuthorLabel, isKeyEvent, keyIdOf, nextKeyDigestOf, KEYS_MANIFEST_ID } from "./keys.js";
import { verifyEd25519 } from "./crypto.js";
import { equal, hex } from "./bytes.js";
import { ZERO32, type SignedOp } from "./op.js";
import { LedgerFormatError } from "./errors.js";

export type ChainBreak =
  | "Malformed" | "WrongLedger" | "WrongAuthor" | "Gap" | "WrongPrev" | "BadSignature" | "WrongKey" | "StaleKey"
  | "BadInception" | "BadKeyEvent" | "NotPreCommitted" | "RotationByCurrentKey" | "ChainClosed";

export interface RetiredKey {
  publicKey: Uint8Array;
  keyId: Uint8Array;
  staleFromSeq: number;
  revoked: boolean;
}

export interface KeyState {
  currentPublicKey: Uint8Array;
  currentKeyId: Uint8Array;
  keyIndex: number;
  nextKeyDigest: Uint8Array | null;
  closed: boolean;
  revokedAtSeq: number | null;
  disputedSinceSeq: number | null;
  retired: RetiredKey[];
}

export class ChainBroken extends Error {
  constructor(
    readonly chainBreak: ChainBreak,
    readonly seq: number,
    detail: string,
  ) {
    super(`breaks at op ${seq}: ${chainBreak} — ${detail}`);
  }
}

/** One author's chain, verified op by op (a device keeps one per author it has pulled). */
export class ChainVerifier {
  length = 0;
  tip: Uint8Array = ZERO32;
  state: KeyState | null = null;

  constructor(
    readonly ledger: string,
    readonly author: string,
  ) {}

  /** A verifier that continues a chain known up to (length, tip) with the given key state (key-event logs in
   * evidence carry the key events without the ops between them). */
  static resume(ledger: string, author: string, length: number, tip: Uint8Array, state: KeyState | null): ChainVerifier {
    return Object.assign(new ChainVerifier(ledger, author), { length, tip, state });
  }

  /** Verifies the next op and appends it; throws {@link ChainBroken} (and changes nothing) when a rule fails. */
  append(op: SignedOp): void {
    const n = this.length + 1;
    const fail = (b: ChainBreak, detail: string) => new ChainBroken(b, n, detail);
    if (op.ledger !== this.ledger) throw fail("WrongLedger", `signed for '${op.ledger}', not '${this.ledger}'.`);
    if (op.op.author !== this.author) throw fail("WrongAuthor", `an op of ${op.op.author}.`);
    if (op.op.seq !== n) throw fail("Gap", `seq ${op.op.seq} where ${n} is next.`);
    if (!equal(op.op.prev, this.tip)) throw fail("WrongPrev", "prev is not the chain hash of the op before.");
    const keysBranch = this.author + "/keys";
    const args = <T>(decode: () => T): T => {
      try {
        return decode();
      } catch (e) {
        if (e instanceof LedgerFormatError) throw fail("BadKeyEvent", `the args do not decode: ${e.message}`);
        throw e;
      }
    };
    let key: Uint8Array;
    let next: KeyState;
    if (n === 1) {
      if (!(equal(op.op.manifest, KEYS_MANIFEST_ID) && op.op.verb === "ledger.key.incept" && op.op.verbVersion === 1)) throw fail("BadInception", "the first op is not ledger.key.incept v1.");
      const a = args(() => decodeInceptArgs(op.op.args));
      if (!isAuthorLabel(a.label) || deriveAuthorId(a.label, a.publicKey, a.nextKeyDigest) !== this.author) throw fail("BadInception", "label, key and next-key digest do not derive the author id.");
      if (op.op.branch !== keysBranch) throw fail("BadKeyEvent", `a key event on ${op.op.branch}, not ${keysBranch}.`);
      if (!equal(op.keyId, keyIdOf(a.publicKey))) throw fail("WrongKey", "the inception is not signed by its own key.");
      key = a.publicKey;
      next = { currentPublicKey: a.publicKey, currentKeyId: keyIdOf(a.publicKey), keyIndex: a.keyIndex, nextKeyDigest: a.nextKeyDigest, closed: false, revokedAtSeq: null, disputedSinceSeq: null, retired: [] };
    } else {
      const s = this.state!;
      if (s.closed) throw fail("ChainClosed", "the chain was closed by a revocation.");
      if (isKeyEvent(op.op)) {
        if (op.op.branch !== keysBranch) throw fail("BadKeyEvent", `a key event on ${op.op.branch}, not ${keysBranch}.`);
        const revoke = op.op.verb === "ledger.key.revoke" && op.op.verbVersion === 1;
        if (!revoke && !(op.op.verb === "ledger.key.rotate" && op.op.verbVersion === 1)) throw fail("BadKeyEvent", `${op.op.verb} v${op.op.verbVersion} is not a rotation or revocation.`);
        const a = args(() => decodeRotateArgs(op.op.args, revoke));
        const byCurrent = equal(op.keyId, s.currentKeyId);
        if (s.nextKeyDigest === null || !equal(nextKeyDigestOf(a.publicKey), s.nextKeyDigest)) {
          throw fail(byCurrent ? "RotationByCurrentKey" : "NotPreCommitted", "the revealed key is not the committed one.");
        }
        if (!equal(op.keyId, keyIdOf(a.publicKey))) throw fail(byCurrent ? "RotationByCurrentKey" : "WrongKey", "not signed by the revealed key.");
        if (s.keyIndex === 0xffffffff || a.keyIndex !== s.keyIndex + 1) throw fail("BadKeyEvent", `key index ${a.keyIndex} does not follow ${s.keyIndex}.`);
        key = a.publicKey;
        next = {
          currentPublicKey: a.publicKey,
          currentKeyId: keyIdOf(a.publicKey),
          keyIndex: a.keyIndex,
          nextKeyDigest: a.nextKeyDigest,
          closed: revoke && a.nextKeyDigest === null,
          revokedAtSeq: revoke ? n : s.revokedAtSeq,
          disputedSinceSeq: revoke ? (a.disputedSinceSeq === null ? null : Number(a.disputedSinceSeq)) : s.disputedSinceSeq,
          retired: [...s.retired, { publicKey: s.currentPublicKey, keyId: s.currentKeyId, staleFromSeq: n, revoked: revoke }],
        };
      } else {
        if (!equal(op.keyId, s.currentKeyId)) {
          const retired = s.retired.find((r) => equal(r.keyId, op.keyId));
          throw fail(retired !== undefined && n >= retired.staleFromSeq ? "StaleKey" : "WrongKey", `key ${hex(op.keyId)} is not the current key.`);
        }
        key = s.currentPublicKey;
        next = s;
      }
    }
    if (!verifyEd25519(key, op.message, op.signature)) throw fail("BadSignature", "the signature does not verify.");
    this.state = next;
    this.length = n;
    this.tip = op.chainHash;
  }
}

export interface ChainReport {
  author: string;
  ok: boolean;
  length: number;
  tip: Uint8Array;
  break: ChainBreak | null;
  brokenAtSeq: number | null;
  state: KeyState | null;
}

/** Verifies one author's ops from seq 1. */
export function verifyChain(ledger: string, author: string, ops: SignedOp[]): ChainReport {
  const v = new ChainVerifier(ledger, author);
  for (const op of ops) {
    try {
      v.append(op);
    } catch (e) {
      if (!(e instanceof ChainBroken)) throw e;
      return { author, ok: false, length: v.length, tip: v.tip, break: e.chainBreak, brokenAtSeq: e.seq, state: v.state };
    }
  }
  return { author, ok: true, length: v.length, tip: v.tip, break: null, brokenAtSeq: null, state: v.state };
}

/** Verifies an author's key event log on its own (inception at seq 1, then key events in seq order, each by the chain
 * rules resumed at its seq): the key state after each event, or why not. */
export function verifyKeyEventLog(ledger: string, author: string, events: SignedOp[]): { ok: true; timeline: { seq: number; state: KeyState }[] } | { ok: false; problem: string } {
  if (events.length === 0 || events[0].op.seq !== 1) return { ok: false, problem: "the key event log must start with the inception at seq 1." };
  const timeline: { seq: number; state: KeyState }[] = [];
  for (const [i, e] of events.entries()) {
    if (i > 0 && (!isKeyEvent(e.op) || e.op.seq <= timeline[timeline.length - 1].seq)) return { ok: false, problem: `event ${i} is not a key event in seq order.` };
    const v = i === 0 ? new ChainVerifier(ledger, author) : ChainVerifier.resume(ledger, author, e.op.seq - 1, e.op.prev, timeline[timeline.length - 1].state);
    try {
      v.append(e);
    } catch (x) {
      if (x instanceof ChainBroken) return { ok: false, problem: x.message };
      throw x;
    }
    timeline.push({ seq: e.op.seq, state: v.state! });
  }
  return { ok: true, timeline };
}

/** The key state in force before `seq`. */
export function stateBefore(timeline: { seq: number; state: KeyState }[], seq: number): KeyState | null {
  let s: KeyState | null = null;
  for (const t of timeline) if (t.seq < seq) s = t.state;
  return s;
}
