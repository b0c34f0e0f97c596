// Judges of the structures whose verification lives in src/evidence.ts, src/export.ts and src/checkpoint.ts.
import * as L from "../src/index.js";

type Verdict = { valid: boolean; expected?: Record<string, unknown>; exact?: boolean };
const hx = L.hex;

function formatError(e: unknown): Verdict {
  if (e instanceof L.LedgerFormatError) return { valid: false, expected: { error: { structure: e.structure, field: e.field, problem: e.problem, offset: e.offset } } };
  throw e;
}

export function judgeEvidence(input: Record<string, any>): Verdict {
  let e: L.Evidence;
  try {
    e = L.decodeEvidence(L.fromHex(input.bytes));
  } catch (x) {
    return formatError(x);
  }
  const { proves } = L.verifyEvidence(e);
  return { valid: proves, expected: { kind: e.kind, ledger: e.ledger, accused: L.accusedBy(e), proves }, exact: true };
}

export function judgeExport(input: Record<string, any>): Verdict {
  let e: L.NodeExport;
  try {
    e = L.decodeNodeExport(L.fromHex(input.bytes));
  } catch (x) {
    return formatError(x);
  }
  const { verifies } = L.verifyNodeExport(e);
  return {
    valid: verifies,
    expected: {
      ledger: e.ledger, exporter: e.exporter, cursor: e.cursor, stateHash: hx(e.stateHash),
      records: e.records.map((r) => ({ op: `${r.op.op.author}#${r.op.op.seq}`, own: r.own, position: r.position, refusedBy: r.refusedBy })),
      keyId: hx(e.keyId), verifies,
    },
    exact: true,
  };
}

export function judgeCheckpoint(input: Record<string, any>): Verdict {
  let c: L.KernelCheckpoint;
  try {
    c = L.decodeKernelCheckpoint(L.fromHex(input.bytes));
  } catch (x) {
    return formatError(x);
  }
  const verdict = L.checkKernelCheckpoint(c);
  if (verdict !== "ok") return { valid: false, expected: { refused: verdict }, exact: true };
  return {
    valid: true,
    expected: {
      stateHash: hx(c.stateHash),
      segments: c.segments.map((s) => ({ table: s.table, branch: s.branch, kind: s.kind, rows: s.rows.length, segmentHash: hx(L.segmentHash(s.rows)) })),
    },
    exact: true,
  };
}
