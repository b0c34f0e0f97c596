// Evidence (docs/wire-format.md, "Evidence envelope", "Split-view evidence"): decoded strictly, verified from its
// own bytes. Never throws on bad evidence once decoded: the answer is proves true/false and why.

import { Reader, encode, requireCanonical, type Writer } from "./msgpack.js";
import { LedgerFormatError } from "./errors.js";
import { decodeSignedOp, isLedgerName, SIGNED_OP_MAX, type SignedOp } from "./op.js";
import { ChainBroken, ChainVerifier, stateBefore, verifyKeyEventLog } from "./chain.js";
import { equal } from "./bytes.js";
import { verifyEd25519 } from "./crypto.js";
import { openCheckpoint, parseVkey } from "./note.js";
import { leafHash, verifyInclusion } from "./merkle.js";

export const EVIDENCE_LABEL = "ledger/evidence/v1";

export type Evidence =
  | { kind: "client-fork"; ledger: string; keyEvents: SignedOp[]; first: SignedOp; second: SignedOp }
  | { kind: "stale-key"; ledger: string; keyEvents: SignedOp[]; op: SignedOp }
  | { kind: "split-view"; ledger: string; relayVkey: string; mode: "checkpoints"; note1: Uint8Array; note2: Uint8Array }
  | { kind: "split-view"; ledger: string; relayVkey: string; mode: "inclusion"; index: number; note1: Uint8Array; leaf1: Uint8Array; proof1: Uint8Array[]; note2: Uint8Array; leaf2: Uint8Array; proof2: Uint8Array[] };

function readOp(r: Reader, field: string): SignedOp {
  const at = r.offset;
  const bytes = r.binary(field, 1, SIGNED_OP_MAX);
  try {
    return decodeSignedOp(bytes.slice());
  } catch (e) {
    if (e instanceof LedgerFormatError) throw new LedgerFormatError(r.structure, `${field}.${e.field}`, e.problem, at + e.offset, e.message);
    throw e;
  }
}

function readOps(r: Reader, field: string): SignedOp[] {
  const n = r.array(field, 0, 1 << 20);
  return Array.from({ length: n }, () => readOp(r, field + "[]"));
}

function readProof(r: Reader, field: string): Uint8Array[] {
  const n = r.array(field, 0, 64);
  return Array.from({ length: n }, () => r.binary(field + "[]", 32, 32).slice());
}

function encodeEvidence(e: Evidence): Uint8Array {
  const ops = (w: Writer, list: SignedOp[]) => {
    w.array(list.length);
    for (const o of list) w.bin(o.bytes);
  };
  const proof = (w: Writer, list: Uint8Array[]) => {
    w.array(list.length);
    for (const h of list) w.bin(h);
  };
  return encode((w) => {
    const n = e.kind === "client-fork" ? 6 : e.kind === "stale-key" ? 5 : e.mode === "checkpoints" ? 7 : 12;
    w.array(n).str(EVIDENCE_LABEL).str(e.kind).str(e.ledger);
    if (e.kind === "client-fork") (ops(w, e.keyEvents), w.bin(e.first.bytes).bin(e.second.bytes));
    else if (e.kind === "stale-key") (ops(w, e.keyEvents), w.bin(e.op.bytes));
    else if (e.mode === "checkpoints") w.str(e.relayVkey).str("checkpoints").bin(e.note1).bin(e.note2);
    else {
      w.str(e.relayVkey).str("inclusion").int(e.index).bin(e.note1).bin(e.leaf1);
      proof(w, e.proof1);
      w.bin(e.note2).bin(e.leaf2);
      proof(w, e.proof2);
    }
  });
}

export function decodeEvidence(bytes: Uint8Array): Evidence {
  const r = new Reader(bytes, "evidence");
  const count = r.array("evidence", 4, 64);
  const labelAt = r.offset;
  if (r.string("label", 32) !== EVIDENCE_LABEL) throw r.fail("label", "UnknownVersion", labelAt, `not '${EVIDENCE_LABEL}'.`);
  const kindAt = r.offset;
  const kind = r.string("kind", 64);
  const ledgerAt = r.offset;
  const ledger = r.string("ledger", 128);
  if (!isLedgerName(ledger)) throw r.fail("ledger", "InvalidValue", ledgerAt, "not a ledger name.");
  let e: Evidence;
  if (kind === "client-fork" && count === 6) e = { kind, ledger, keyEvents: readOps(r, "keyEvents"), first: readOp(r, "first"), second: readOp(r, "second") };
  else if (kind === "stale-key" && count === 5) e = { kind, ledger, keyEvents: readOps(r, "keyEvents"), op: readOp(r, "op") };
  else if (kind === "split-view" && (count === 7 || count === 12)) {
    const relayVkey = r.string("relayVkey", 512);
    const modeAt = r.offset;
    const mode = r.string("mode", 16);
    if (count === 7 && mode === "checkpoints") e = { kind, ledger, relayVkey, mode, note1: r.binary("note1", 1, 65536).slice(), note2: r.binary("note2", 1, 65536).slice() };
    else if (count === 12 && mode === "inclusion") {
      const index = r.uintNumber("index", 0);
      e = {
        kind, ledger, relayVkey, mode, index,
        note1: r.binary("note1", 1, 65536).slice(), leaf1: r.binary("leaf1", 1, SIGNED_OP_MAX).slice(), proof1: readProof(r, "proof1"),
        note2: r.binary("note2", 1, 65536).slice(), leaf2: r.binary("leaf2", 1, SIGNED_OP_MAX).slice(), proof2: readProof(r, "proof2"),
      };
    } else throw r.fail("mode", "InvalidValue", modeAt, `'${mode}' with ${count} elements.`);
  } else throw r.fail("kind", "UnknownVersion", kindAt, `unknown evidence kind '${kind}' with ${count} elements.`);
  r.ensureEnd();
  requireCanonical("evidence", bytes, encodeEvidence(e), [["evidence", 0]]);
  return e;
}

/** Whom the evidence accuses: an author id, or the relay's vkey. */
export const accusedBy = (e: Evidence) => (e.kind === "split-view" ? e.relayVkey : e.kind === "client-fork" ? e.first.op.author : e.op.op.author);

function checkAt(ledger: string, op: SignedOp, timeline: { seq: number; state: import("./chain.js").KeyState }[]): string | null {
  const v = op.op.seq === 1 ? new ChainVerifier(ledger, op.op.author) : ChainVerifier.resume(ledger, op.op.author, op.op.seq - 1, op.op.prev, stateBefore(timeline, op.op.seq));
  try {
    v.append(op);
    return null;
  } catch (e) {
    if (e instanceof ChainBroken) return e.message;
    throw e;
  }
}

/** Whether the evidence proves its claim from its own bytes, and why. */
export function verifyEvidence(e: Evidence): { proves: boolean; reason: string } {
  const no = (reason: string) => ({ proves: false, reason });
  if (e.kind === "client-fork") {
    const a = e.first.op;
    const b = e.second.op;
    if (e.first.ledger !== e.ledger || e.second.ledger !== e.ledger) return no("an op is signed for another ledger.");
    if (a.author !== b.author || a.seq !== b.seq) return no("the two ops are not at the same (author, seq).");
    if (equal(e.first.chainHash, e.second.chainHash)) return no("the two ops are the same op.");
    const log = verifyKeyEventLog(e.ledger, a.author, e.keyEvents);
    if (!log.ok) return no("key events: " + log.problem);
    if (log.timeline[log.timeline.length - 1].seq >= a.seq && a.seq !== 1) return no("the key events must all precede the contested seq.");
    for (const op of [e.first, e.second]) {
      const why = checkAt(e.ledger, op, log.timeline);
      if (why !== null) return no(why);
    }
    return { proves: true, reason: `author ${a.author} signed two different ops at seq ${a.seq}.` };
  }
  if (e.kind === "stale-key") {
    if (e.op.ledger !== e.ledger) return no("the op is signed for another ledger.");
    const log = verifyKeyEventLog(e.ledger, e.op.op.author, e.keyEvents);
    if (!log.ok) return no("key events: " + log.problem);
    const before = stateBefore(log.timeline, e.op.op.seq);
    if (before === null) return no("no key event precedes the op.");
    const retired = before.retired.find((r) => equal(r.keyId, e.op.keyId));
    if (retired === undefined || retired.staleFromSeq > e.op.op.seq) return no("the key was not retired before the op.");
    if (!verifyEd25519(retired.publicKey, e.op.message, e.op.signature)) return no("the op's signature does not verify under the retired key.");
    return { proves: true, reason: `a retired key signed op ${e.op.op.seq}.` };
  }
  const key = parseVkey(e.relayVkey);
  if (key === undefined || key.type !== 0x01) return no("relayVkey is not an Ed25519 note vkey.");
  let c1, c2;
  try {
    c1 = openCheckpoint(e.note1, key);
    c2 = openCheckpoint(e.note2, key);
  } catch (x) {
    if (x instanceof LedgerFormatError) return no("a note is not a checkpoint: " + x.message);
    throw x;
  }
  if (!c1.signatureVerifies || !c2.signatureVerifies) return no("a note is not signed by the relay.");
  if (e.mode === "checkpoints") {
    if (c1.size !== c2.size) return no("the two checkpoints are of different sizes.");
    if (equal(c1.root, c2.root)) return no("the two checkpoints have the same root.");
    return { proves: true, reason: `two roots for size ${c1.size}.` };
  }
  if (equal(e.leaf1, e.leaf2)) return no("the two leaves are the same.");
  if (!verifyInclusion(leafHash(e.leaf1), e.index, c1.size, e.proof1, c1.root)) return no("leaf1 is not proven under note1.");
  if (!verifyInclusion(leafHash(e.leaf2), e.index, c2.size, e.proof2, c2.root)) return no("leaf2 is not proven under note2.");
  return { proves: true, reason: `two leaves at index ${e.index}.` };
}
