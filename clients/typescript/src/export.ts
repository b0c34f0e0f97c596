// Node export v1 (docs/wire-format.md, "Node export v1"): a device's signed backup, decoded strictly and verified
// (not folded: folding needs the app's manifests).

import { Reader, encode, requireCanonical, Writer } from "./msgpack.js";
import { decodeSignedOp, isAuthorId, isLedgerName, SIGNED_OP_MAX, type SignedOp } from "./op.js";
import { verifyChain, type KeyState } from "./chain.js";
import { compareBytes, equal, utf8 } from "./bytes.js";
import { verifyEd25519 } from "./crypto.js";

export interface ExportRecord {
  op: SignedOp;
  own: boolean;
  position: number | null;
  refusedBy: string | null;
}

export interface NodeExport {
  ledger: string;
  exporter: string;
  cursor: number;
  stateHash: Uint8Array;
  records: ExportRecord[];
  witnesses: [string, Uint8Array][];
  keyId: Uint8Array;
  signature: Uint8Array;
  signedMessage: Uint8Array;
}

function body(e: Omit<NodeExport, "signature" | "signedMessage">): Uint8Array {
  return encode((w: Writer) => {
    w.str("ledger/export/v1").str(e.ledger).str(e.exporter).int(e.cursor).bin(e.stateHash).array(e.records.length);
    for (const r of e.records) {
      w.array(4).bin(r.op.bytes).bool(r.own);
      if (r.position === null) w.nil();
      else w.int(r.position);
      w.nullableStr(r.refusedBy);
    }
    w.array(e.witnesses.length);
    for (const [origin, note] of e.witnesses) w.array(2).str(origin).bin(note);
    w.bin(e.keyId);
  });
}

export function decodeNodeExport(bytes: Uint8Array): NodeExport {
  const r = new Reader(bytes, "node export");
  r.array("node export", 9, 9);
  const labelAt = r.offset;
  if (r.string("label", 32) !== "ledger/export/v1") throw r.fail("label", "UnknownVersion", labelAt, "not 'ledger/export/v1'.");
  const ledgerAt = r.offset;
  const ledger = r.string("ledger", 128);
  if (!isLedgerName(ledger)) throw r.fail("ledger", "InvalidValue", ledgerAt, "not a ledger name.");
  const exporterAt = r.offset;
  const exporter = r.string("exporter", 64);
  if (!isAuthorId(exporter)) throw r.fail("exporter", "InvalidValue", exporterAt, "not an author id.");
  const cursorAt = r.offset;
  const cursor = r.int("cursor");
  if (cursor < 0n) throw r.fail("cursor", "InvalidValue", cursorAt, "negative.");
  const stateHash = r.binary("stateHash", 32, 32).slice();
  const recordsAt = r.offset;
  const count = r.array("records", 0, 1 << 24);
  const records: ExportRecord[] = [];
  for (let i = 0; i < count; i++) {
    const field = `records[${i}]`;
    r.array(field, 4, 4);
    const opAt = r.offset;
    const opBytes = r.binary(field + ".bytes", 1, SIGNED_OP_MAX).slice();
    let op: SignedOp;
    try {
      op = decodeSignedOp(opBytes);
    } catch (e) {
      throw r.fail(field + ".bytes", "InvalidValue", opAt, (e as Error).message);
    }
    const own = r.bool(field + ".own");
    let position: number | null = null;
    if (!r.tryNil()) {
      const pAt = r.offset;
      const p = r.int(field + ".position");
      if (p < 0n) throw r.fail(field + ".position", "InvalidValue", pAt, "negative.");
      position = Number(p);
    }
    records.push({ op, own, position, refusedBy: r.nullableString(field + ".refusedBy", 4096) });
  }
  const witnessesAt = r.offset;
  const wCount = r.array("witnesses", 0, 1024);
  const witnesses: [string, Uint8Array][] = [];
  for (let i = 0; i < wCount; i++) {
    r.array(`witnesses[${i}]`, 2, 2);
    const originAt = r.offset;
    const origin = r.string(`witnesses[${i}].origin`, 1024);
    if (witnesses.some(([o]) => o === origin)) throw r.fail(`witnesses[${i}].origin`, "InvalidValue", originAt, "a second checkpoint for one origin.");
    witnesses.push([origin, r.binary(`witnesses[${i}].note`, 1, 65536).slice()]);
  }
  witnesses.sort((a, b) => compareBytes(utf8(a[0]), utf8(b[0])));
  const keyIdAt = r.offset;
  const keyId = r.binary("keyId", 8, 8).slice();
  const messageEnd = r.offset;
  const signature = r.binary("signature", 64, 64).slice();
  r.ensureEnd();
  const e = { ledger, exporter, cursor: Number(cursor), stateHash, records, witnesses, keyId };
  const signedMessage = body(e);
  requireCanonical("node export", bytes, new Writer().array(9).raw(signedMessage).bin(signature).bytes(), [
    ["node export", 0], ["label", labelAt], ["ledger", ledgerAt], ["exporter", exporterAt], ["cursor", cursorAt], ["records", recordsAt], ["witnesses", witnessesAt], ["keyId", keyIdAt], ["signature", messageEnd],
  ]);
  return { ...e, signature, signedMessage };
}

/** Everything NodeExport.Verify checks: ledger, own flags, unique positions and (author, seq), every chain from seq 1,
 * and the exporter's signature under its current key. */
export function verifyNodeExport(e: NodeExport): { verifies: boolean; reason: string } {
  const no = (reason: string) => ({ verifies: false, reason });
  const byAuthor = new Map<string, SignedOp[]>();
  const positions = new Set<number>();
  for (const [i, r] of e.records.entries()) {
    if (r.op.ledger !== e.ledger) return no(`record ${i} is signed for another ledger.`);
    if (r.own !== (r.op.op.author === e.exporter)) return no(`record ${i} is marked own wrongly.`);
    if (r.position !== null) {
      if (positions.has(r.position)) return no(`record ${i} claims a position already held.`);
      positions.add(r.position);
    }
    byAuthor.set(r.op.op.author, [...(byAuthor.get(r.op.op.author) ?? []), r.op]);
  }
  let exporterKeys: KeyState | null = null;
  for (const [author, ops] of byAuthor) {
    const ordered = [...ops].sort((a, b) => a.op.seq - b.op.seq);
    for (let i = 1; i < ordered.length; i++) if (ordered[i].op.seq === ordered[i - 1].op.seq) return no(`two records of ${author} at seq ${ordered[i].op.seq}.`);
    const report = verifyChain(e.ledger, author, ordered);
    if (!report.ok) return no(`${author}: breaks at op ${report.brokenAtSeq}: ${report.break}`);
    if (author === e.exporter) exporterKeys = report.state;
  }
  if (exporterKeys === null) return no("the export holds no op of its exporter.");
  if (!equal(exporterKeys.currentKeyId, e.keyId)) return no("keyId is not the exporter's current key.");
  if (!verifyEd25519(exporterKeys.currentPublicKey, e.signedMessage, e.signature)) return no("the exporter's signature does not verify.");
  return { verifies: true, reason: "every chain verifies and the exporter signed." };
}
