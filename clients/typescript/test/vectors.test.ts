// Runs every case of every file in vectors/ (the repository's language-neutral vectors) through this client and
// requires Ledger's verdict: the same result (valid/invalid) for every case, and the same bytes, hashes, fields,
// breaks and errors where the client computes them.

import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import * as L from "../src/index.js";
import { judgeCheckpoint, judgeEvidence, judgeExport } from "./judges.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "vectors");
type Case = { tcId: number; name: string; input: Record<string, any>; result: "valid" | "invalid"; expected: Record<string, any> };
type Verdict = { valid: boolean; expected?: Record<string, unknown>; exact?: boolean };
const b = (h: string) => L.fromHex(h);
const hx = L.hex;

export function formatError(e: unknown): Verdict {
  if (e instanceof L.LedgerFormatError) return { valid: false, expected: { error: { structure: e.structure, field: e.field, problem: e.problem, offset: e.offset } } };
  throw e;
}

function opJson(op: L.Op) {
  return {
    format: 1, opId: hx(op.opId), author: op.author, seq: op.seq, prev: hx(op.prev), manifest: hx(op.manifest), verb: op.verb, verbVersion: op.verbVersion,
    branch: op.branch, claimKey: op.claimKey, at: String(op.at), args: hx(op.args),
  };
}

function keyStateJson(length: number, s: L.KeyState) {
  return {
    length, currentPublicKey: hx(s.currentPublicKey), currentKeyId: hx(s.currentKeyId), keyIndex: s.keyIndex, nextKeyDigest: s.nextKeyDigest && hx(s.nextKeyDigest),
    closed: s.closed, revokedAtSeq: s.revokedAtSeq, disputedSinceSeq: s.disputedSinceSeq,
    retired: s.retired.map((r) => ({ publicKey: hx(r.publicKey), staleFromSeq: r.staleFromSeq, revoked: r.revoked })),
  };
}

function decodeChainFile(bytes: Uint8Array): { ledger: string; ops: L.SignedOp[] } {
  const r = new L.Reader(bytes, "chain file");
  const starts: [string, number][] = [];
  r.array("chain file", 3, 3);
  const labelAt = r.offset;
  starts.push(["label", labelAt]);
  const label = r.string("label", 32);
  if (label !== "ledger/chain/v1") throw r.fail("label", "UnknownVersion", labelAt, "not a chain file v1");
  const ledgerAt = r.offset;
  starts.push(["ledger", ledgerAt]);
  const ledger = r.string("ledger", 128);
  if (!L.isLedgerName(ledger)) throw r.fail("ledger", "InvalidValue", ledgerAt, "not a ledger name");
  const n = r.array("ops", 0, 1 << 20);
  const ops: L.SignedOp[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const opBytes = r.binary("ops[]", 1, L.SIGNED_OP_MAX);
    try {
      ops.push(L.decodeSignedOp(opBytes.slice()));
    } catch (e) {
      if (e instanceof L.LedgerFormatError) throw Object.assign(new L.LedgerFormatError("chain file", "ops[].op." + e.field.replace(/^op\./, ""), e.problem, at + e.offset, e.message), { opIndex: i });
      throw e;
    }
  }
  r.ensureEnd();
  L.requireCanonical("chain file", bytes, L.encode((w) => {
    w.array(3).str(label).str(ledger).array(ops.length);
    for (const op of ops) w.bin(op.bytes);
  }), starts);
  return { ledger, ops };
}

const judges: Record<string, (input: Record<string, any>) => Verdict> = {
  "op.json": (input) => {
    try {
      const bytes = b(input.bytes);
      const op = L.decodeOp(bytes);
      return { valid: true, expected: { ...opJson(op), chainHash: hx(L.sha256(bytes)) }, exact: true };
    } catch (e) {
      return { ...formatError(e), exact: true };
    }
  },
  "signed-op.json": (input) => {
    let s: L.SignedOp;
    try {
      s = L.decodeSignedOp(b(input.bytes));
    } catch (e) {
      return { ...formatError(e), exact: true };
    }
    const verifies = L.verifyEd25519(b(input.publicKey), s.message, s.signature);
    return { valid: verifies, expected: { ledger: s.ledger, op: opJson(s.op), keyId: hx(s.keyId), signature: hx(s.signature), signedMessage: hx(s.message), chainHash: hx(s.chainHash), signatureVerifies: verifies } };
  },
  "ed25519.json": (input) => {
    const pk = b(input.publicKey);
    const ok = L.verifyEd25519(pk, b(input.message), b(input.signature));
    return { valid: ok, expected: { publicKeyImports: pk.length === 32, verifies: ok }, exact: true };
  },
  "key-events.json": (input) => {
    const ops = (input.ops as string[]).map((h) => L.decodeSignedOp(b(h)));
    const report = L.verifyChain(input.ledger, ops[0].op.author, ops);
    if (!report.ok) return { valid: false, expected: { break: report.break, brokenAtSeq: report.brokenAtSeq }, exact: true };
    return { valid: true, expected: keyStateJson(report.length, report.state!), exact: true };
  },
  "chain.json": (input) => {
    let file: { ledger: string; ops: L.SignedOp[] };
    try {
      file = decodeChainFile(b(input.file));
    } catch (e) {
      const v = formatError(e);
      (v.expected!.error as Record<string, unknown>).opIndex = (e as { opIndex?: number }).opIndex ?? null;
      return { ...v, exact: true };
    }
    const authors: string[] = [];
    for (const op of file.ops) if (!authors.includes(op.op.author)) authors.push(op.op.author);
    const reports = authors.map((a) => {
      const r = L.verifyChain(file.ledger, a, file.ops.filter((o) => o.op.author === a));
      const line = r.ok ? `${a}: chain OK · len ${r.length} · tip ${hx(r.tip).slice(0, 16)}` : `${a}: breaks at op ${r.brokenAtSeq}: ${r.break}`;
      return { author: a, ok: r.ok, length: r.length, tip: hx(r.tip), break: r.break, brokenAtSeq: r.brokenAtSeq, line };
    });
    return { valid: reports.every((r) => r.ok), expected: { ledger: file.ledger, reports }, exact: true };
  },
  "merkle.json": (input) => {
    const proof = () => (input.proof as string[]).map(b);
    switch (input.kind) {
      case "tree": {
        const leaves = (input.leaves as string[]).map(b);
        const tree = new L.MerkleTree();
        leaves.forEach((l) => tree.append(l));
        expect(hx(tree.root())).toBe(hx(L.rootOf(leaves.map(L.leafHash))));
        return { valid: true, expected: { leafHashes: leaves.map((l) => hx(L.leafHash(l))), root: hx(tree.root()) }, exact: true };
      }
      case "inclusion": {
        const ok = L.verifyInclusion(L.leafHash(b(input.leaf)), input.index, input.size, proof(), b(input.root));
        return { valid: ok, expected: { verifies: ok }, exact: true };
      }
      default: {
        const ok = L.verifyConsistency(input.size1, input.size2, proof(), b(input.root1), b(input.root2));
        return { valid: ok, expected: { verifies: ok }, exact: true };
      }
    }
  },
  "checkpoint-note.json": (input) => {
    try {
      const c = L.openCheckpoint(b(input.note), input.relayVkey);
      return { valid: c.signatureVerifies, expected: { origin: c.origin, size: c.size, root: hx(c.root), signatureVerifies: c.signatureVerifies }, exact: true };
    } catch (e) {
      return formatError(e);
    }
  },
  "cosignature.json": (input) => {
    try {
      const { verified, failed } = L.verifyCosignatures(b(input.note), [input.witnessVkey]);
      return { valid: verified.length > 0 && failed.length === 0, expected: { verified: verified.map(L.formatVkey), failed: failed.map(L.formatVkey) }, exact: true };
    } catch (e) {
      return formatError(e);
    }
  },
  "http-request-signature.json": (input) => {
    const h = input.headers;
    const parsed = L.parseSignatureInput(h["signature-input"]);
    if (parsed === undefined) return { valid: false, expected: { refused: "signature-input" }, exact: true };
    const m = /^sig1=:(.{88}):$/.exec(h.signature);
    const signature = m ? L.fromBase64Strict(m[1]) : undefined;
    if (signature === undefined || signature.length !== 64) return { valid: false, expected: { refused: "signature" }, exact: true };
    if (Math.abs(input.now - parsed.created) > 300) return { valid: false, expected: { refused: "created" }, exact: true };
    if (h["content-digest"] !== L.contentDigest(b(input.body))) return { valid: false, expected: { refused: "content-digest" }, exact: true };
    const base = L.signatureBase(
      { method: input.method, authority: input.authority, path: input.path, query: input.query, contentDigest: h["content-digest"], protocol: h["ledger-protocol"] },
      L.signatureParameters(parsed.created, parsed.nonce, parsed.keyId),
    );
    const ok = L.verifyEd25519(b(input.publicKey), base, signature);
    return { valid: ok, expected: { signatureBase: new TextDecoder().decode(base), verifies: ok }, exact: true };
  },
  "evidence.json": judgeEvidence,
  "node-export.json": judgeExport,
  "checkpoint.json": judgeCheckpoint,
};

const files = readdirSync(root).filter((f) => f.endsWith(".json")).sort();

describe("vectors/", () => {
  it("has a judge for every file", () => {
    expect(files.filter((f) => !(f in judges))).toEqual([]);
  });

  for (const file of files) {
    const doc = JSON.parse(readFileSync(join(root, file), "utf8")) as { numberOfTests: number; tests: Case[] };
    describe(file, () => {
      it("holds numberOfTests cases, valid and invalid", () => {
        expect(doc.tests.length).toBe(doc.numberOfTests);
        expect(doc.tests.some((t) => t.result === "valid") && doc.tests.some((t) => t.result === "invalid")).toBe(true);
      });
      for (const t of doc.tests) {
        it(`${t.tcId} ${t.name} is ${t.result}`, () => {
          const v = judges[file](t.input);
          expect(v.valid ? "valid" : "invalid").toBe(t.result);
          if (v.exact && v.expected) expect(v.expected).toEqual(t.expected);
          else if (v.expected && t.expected.error && v.expected.error) {
            // Where the decoder fails: the structure, field and offset are Ledger's; the problem must agree.
            expect((v.expected.error as { problem: string }).problem).toBe(t.expected.error.problem);
          }
        });
      }
    });
  }
});
