// Kernel checkpoint v1 (docs/wire-format.md, "Checkpoint v1" and "State"): the digest over the sections, and the
// segment and state hashes recomputed from the rows. What this client does NOT do: restore a kernel or check that
// the cut is closed (that needs the app's manifests and the kernel's rules); a checkpoint it reads is trusted
// through its digest (compare with one you trust) and its rows through the state hash.

import { Reader, readValue, type Value } from "./msgpack.js";
import { sha256, tagged } from "./crypto.js";
import { concat, equal, u32be, utf8 } from "./bytes.js";

export interface Segment {
  table: string;
  branch: string;
  kind: string;
  rows: [string, Uint8Array][];
}

export interface KernelCheckpoint {
  segments: Segment[];
  stateHash: Uint8Array;
  digest: Uint8Array;
  /** SHA-256 of the sections as received (every byte after the array header up to the digest's bin header). */
  sectionsDigest: Uint8Array;
}

export function segmentHash(rows: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [k, v] of rows) {
    const key = utf8(k);
    parts.push(u32be(key.length), key, u32be(v.length), v);
  }
  return tagged("ledger/segment/v1", ...parts);
}

export function stateHashOf(segments: Segment[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of segments) {
    if (s.rows.length === 0) continue;
    const t = utf8(s.table);
    const b = utf8(s.branch);
    parts.push(u32be(t.length), t, u32be(b.length), b, segmentHash(s.rows));
  }
  return tagged("ledger/state/v1", concat(...parts));
}

const asArray = (v: Value, what: string): Value[] => {
  if (!Array.isArray(v)) throw new TypeError(`${what} is not an array`);
  return v;
};

export function decodeKernelCheckpoint(bytes: Uint8Array): KernelCheckpoint {
  const r = new Reader(bytes, "checkpoint");
  r.array("checkpoint", 12, 12);
  const labelAt = r.offset;
  if (r.string("label", 64) !== "ledger/checkpoint/v1") throw r.fail("label", "UnknownVersion", labelAt, "not 'ledger/checkpoint/v1'.");
  const sections: Value[] = [];
  const names = ["authors", "relayFrontier", "relayCut", "keyStateDigest", "adopted", "claimFrontier", "pending", "parked", "segments"];
  for (const name of names) sections.push(readValue(r, name));
  const stateHash = r.binary("stateHash", 32, 32).slice();
  const digestAt = r.offset;
  const digest = r.binary("digest", 32, 32).slice();
  r.ensureEnd();
  const segments = asArray(sections[8], "segments").map((s) => {
    const [table, branch, kind, rows] = asArray(s, "segment");
    return {
      table: table as string,
      branch: branch as string,
      kind: kind as string,
      rows: asArray(rows, "rows").map((row) => {
        const [k, v] = asArray(row, "row");
        return [k as string, v as Uint8Array] as [string, Uint8Array];
      }),
    };
  });
  return { segments, stateHash, digest, sectionsDigest: sha256(bytes.subarray(1, digestAt)) };
}

/** Checks a checkpoint as received: its digest covers its sections, and its rows reproduce its state hash. */
export function checkKernelCheckpoint(c: KernelCheckpoint, trustedDigest?: Uint8Array): "ok" | "DigestMismatch" | "StateHashMismatch" | "UntrustedDigest" {
  if (!equal(c.sectionsDigest, c.digest)) return "DigestMismatch";
  if (trustedDigest !== undefined && !equal(trustedDigest, c.digest)) return "UntrustedDigest";
  if (!equal(stateHashOf(c.segments), c.stateHash)) return "StateHashMismatch";
  return "ok";
}
