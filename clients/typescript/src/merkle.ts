// RFC 9162 Merkle trees over the relay's order (docs/wire-format.md, "Merkle tree", "Inclusion and consistency proofs").

import { sha256 } from "./crypto.js";
import { equal } from "./bytes.js";

export const EMPTY_ROOT = sha256(new Uint8Array(0));
export const leafHash = (leaf: Uint8Array) => sha256(new Uint8Array([0]), leaf);
export const nodeHash = (l: Uint8Array, r: Uint8Array) => sha256(new Uint8Array([1]), l, r);

/** MTH over leaf hashes. */
export function rootOf(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  if (leafHashes.length === 1) return leafHashes[0];
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return nodeHash(rootOf(leafHashes.slice(0, k)), rootOf(leafHashes.slice(k)));
}

/** An append-only tree a device keeps of the prefix it holds; roots of any prefix. Keeps a stack of complete
 * subtrees so appends and the root of the whole are O(log n). */
export class MerkleTree {
  readonly leaves: Uint8Array[] = [];
  private stack: { size: number; hash: Uint8Array }[] = [];

  get size() {
    return this.leaves.length;
  }

  append(leaf: Uint8Array) {
    const h = leafHash(leaf);
    this.leaves.push(h);
    let node = { size: 1, hash: h };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
  }

  root(size = this.size): Uint8Array {
    if (size === this.size) {
      if (size === 0) return EMPTY_ROOT;
      let h = this.stack[this.stack.length - 1].hash;
      for (let i = this.stack.length - 2; i >= 0; i--) h = nodeHash(this.stack[i].hash, h);
      return h;
    }
    return rootOf(this.leaves.slice(0, size));
  }
}

const isInt = (n: number) => Number.isSafeInteger(n);

export function verifyInclusion(leafHashValue: Uint8Array, index: number, size: number, proof: Uint8Array[], root: Uint8Array): boolean {
  if (!isInt(index) || !isInt(size) || index < 0 || size < 1 || index >= size) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leafHashValue;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else r = nodeHash(r, p);
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

export function verifyConsistency(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!isInt(size1) || !isInt(size2) || size1 < 1 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  const path = (BigInt(size1) & (BigInt(size1) - 1n)) === 0n ? [root1, ...proof] : proof;
  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else sr = nodeHash(sr, c);
    fn >>= 1n;
    sn >>= 1n;
  }
  return equal(fr, root1) && equal(sr, root2) && sn === 0n;
}
