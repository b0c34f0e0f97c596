// A device of a ledger in a front end: its key and inception, its own chain of signed ops, and the verified copy of
// the relay's order it pulls (every op checked by the chain rules, every page's root against the relay-signed
// checkpoint of exactly that prefix).

import { generateSigner, randomBytes, type Signer } from "./crypto.js";
import { KEYS_MANIFEST_ID, deriveAuthorId, encodeInceptArgs, keyIdOf, nextKeyDigestOf } from "./keys.js";
import { ZERO32, assembleSignedOp, decodeSignedOp, encodeOp, signedMessage, type Op, type SignedOp } from "./op.js";
import { ChainBroken, ChainVerifier } from "./chain.js";
import { MerkleTree } from "./merkle.js";
import { openCheckpoint, parseVkey, type NoteKey, type OpenedCheckpoint } from "./note.js";
import { equal, hex } from "./bytes.js";
import type { RelayClient } from "./http.js";
import type { PushAnswer } from "./wire.js";

/** A UUIDv7 (RFC 9562) for an op id: 48 bits of Unix milliseconds, then random bits. */
export function uuidV7(ms: number): Uint8Array {
  const id = randomBytes(16);
  let t = BigInt(ms);
  for (let i = 5; i >= 0; i--) {
    id[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  id[6] = (id[6] & 0x0f) | 0x70;
  id[8] = (id[8] & 0x3f) | 0x80;
  return id;
}

export interface AppendOptions {
  manifest: Uint8Array;
  verb: string;
  verbVersion?: number;
  /** The branch name under this author (default "main"), or a full branch id owner/name. */
  branch?: string;
  claimKey?: string | null;
  /** The verb's arguments, MessagePack (use Writer for canonical bytes). */
  args: Uint8Array;
  /** Edge time in Unix ms (default Date.now()). */
  at?: number | bigint;
}

export interface PulledOp {
  position: number;
  op: SignedOp;
}

export class DeviceError extends Error {}

export class Device {
  /** Every own op, seq 1 first (the inception is op 1). */
  readonly own: SignedOp[] = [];
  /** The relay position of each own op it acknowledged, by seq. */
  readonly acknowledged = new Map<number, number>();
  /** The relay's order as verified so far. */
  readonly pulled: PulledOp[] = [];
  readonly tree = new MerkleTree();
  /** The latest checkpoint this device verified (signature and root). */
  witnessed: OpenedCheckpoint | null = null;
  private readonly chains = new Map<string, ChainVerifier>();
  private readonly relayKey: NoteKey;

  private constructor(
    readonly ledger: string,
    readonly author: string,
    readonly label: string,
    private readonly current: Signer,
    /** The committed next key, kept for a rotation. */
    readonly next: Signer,
    trustedRelay: string,
  ) {
    const key = parseVkey(trustedRelay);
    if (key === undefined) throw new DeviceError("the trusted relay key is not a vkey");
    this.relayKey = key;
  }

  /** A new device: a current and a committed next key (WebCrypto where available), its self-certifying author id
   * and its inception (op 1, on <author>/keys, key index 0). */
  static async create(options: { ledger: string; label: string; trustedRelay: string; current?: Signer; next?: Signer; at?: number }): Promise<Device> {
    const current = options.current ?? (await generateSigner());
    const next = options.next ?? (await generateSigner());
    const digest = nextKeyDigestOf(next.publicKey);
    const author = deriveAuthorId(options.label, current.publicKey, digest);
    const device = new Device(options.ledger, author, options.label, current, next, options.trustedRelay);
    await device.append({
      manifest: KEYS_MANIFEST_ID,
      verb: "ledger.key.incept",
      branch: "keys",
      args: encodeInceptArgs({ label: options.label, publicKey: current.publicKey, nextKeyDigest: digest, keyIndex: 0 }),
      at: options.at,
    });
    return device;
  }

  get signer(): Signer {
    return this.current;
  }

  get keyId(): Uint8Array {
    return keyIdOf(this.current.publicKey);
  }

  /** Signs the next op of this device's chain. */
  async append(o: AppendOptions): Promise<SignedOp> {
    const seq = this.own.length + 1;
    const at = BigInt(o.at ?? Date.now());
    const op: Op = {
      opId: uuidV7(Number(at)),
      author: this.author,
      seq,
      prev: seq === 1 ? ZERO32 : this.own[seq - 2].chainHash,
      manifest: o.manifest,
      verb: o.verb,
      verbVersion: o.verbVersion ?? 1,
      branch: (o.branch ?? "main").includes("/") ? o.branch! : `${this.author}/${o.branch ?? "main"}`,
      claimKey: o.claimKey ?? null,
      at,
      args: o.args,
    };
    const message = signedMessage(this.ledger, encodeOp(op), this.keyId);
    // Decoding what was just made checks every field rule (author, branch, verb names) before anything is kept.
    const signed = decodeSignedOp(assembleSignedOp(message, await this.current.sign(message)));
    this.own.push(signed);
    return signed;
  }

  /** Own ops the relay has not acknowledged, in seq order. */
  unacknowledged(): SignedOp[] {
    return this.own.filter((o) => !this.acknowledged.has(o.op.seq));
  }

  /** Pushes the unacknowledged own ops; records their positions; throws when the relay refuses one. */
  async push(client: RelayClient): Promise<PushAnswer | null> {
    const batch = this.unacknowledged();
    if (batch.length === 0) return null;
    const answer = await client.push(batch.map((o) => o.bytes));
    for (const r of answer.results) {
      if (r.status === "refused") throw new DeviceError(`the relay refused op ${r.author}#${r.seq}: ${r.refusal}${r.break ? "/" + r.break : ""} ${r.detail ?? ""}`);
      this.acknowledged.set(batch[r.index].op.seq, r.position!);
    }
    return answer;
  }

  /** Pulls the relay's order from what this device holds to the latest checkpoint: opens the checkpoint under the
   * trusted relay key, reads the entry bundles, verifies every op by the chain rules of its author, recomputes the
   * root and compares it with the checkpoint's. Nothing is kept unless all of it holds. */
  async pull(client: RelayClient): Promise<OpenedCheckpoint> {
    const checkpoint = openCheckpoint(await client.checkpoint(), this.relayKey);
    if (!checkpoint.signatureVerifies) throw new DeviceError("the relay's checkpoint does not verify under the trusted relay key");
    const from = this.tree.size;
    if (checkpoint.size < from) throw new DeviceError(`the relay's checkpoint (size ${checkpoint.size}) is behind what this device holds (${from})`);
    const entries = checkpoint.size > from ? await client.entries(from, checkpoint.size, checkpoint.size) : [];
    const staged = new Map<string, ChainVerifier>();
    const tree = new MerkleTree();
    const news: PulledOp[] = [];
    for (const [i, bytes] of entries.entries()) {
      const op = decodeSignedOp(bytes);
      const author = op.op.author;
      let chain = staged.get(author);
      if (chain === undefined) {
        const held = this.chains.get(author) ?? new ChainVerifier(this.ledger, author);
        chain = Object.assign(new ChainVerifier(this.ledger, author), { length: held.length, tip: held.tip, state: held.state });
        staged.set(author, chain);
      }
      try {
        chain.append(op);
      } catch (e) {
        if (e instanceof ChainBroken) throw new DeviceError(`position ${from + i}: ${author} ${e.message}`);
        throw e;
      }
      if (author === this.author && !equal(op.bytes, this.own[op.op.seq - 1]?.bytes ?? new Uint8Array(0))) {
        throw new DeviceError(`position ${from + i}: the relay serves an op of this device that it did not sign (seq ${op.op.seq})`);
      }
      news.push({ position: from + i, op });
    }
    // The root of exactly the prefix after these ops must be the relay-signed one.
    for (const b of this.pulled) tree.append(b.op.bytes);
    for (const n of news) tree.append(n.op.bytes);
    if (!equal(tree.root(), checkpoint.root)) throw new DeviceError(`the root of the ${checkpoint.size} ops pulled is not the checkpoint's`);
    if (this.witnessed !== null && this.witnessed.size === checkpoint.size && !equal(this.witnessed.root, checkpoint.root)) {
      throw new DeviceError("the relay signed two roots for one size (a split view)");
    }
    for (const n of news) {
      this.tree.append(n.op.bytes);
      this.pulled.push(n);
      if (n.op.op.author === this.author) this.acknowledged.set(n.op.op.seq, n.position);
    }
    for (const [author, chain] of staged) this.chains.set(author, chain);
    this.witnessed = checkpoint;
    return checkpoint;
  }

  /** One round: push, then pull. */
  async sync(client: RelayClient): Promise<{ pushed: number; checkpoint: OpenedCheckpoint }> {
    const answer = await this.push(client);
    const checkpoint = await this.pull(client);
    return { pushed: answer?.results.length ?? 0, checkpoint };
  }

  /** What this device has verified, in a form another replica can compare: the relay's order (position, author,
   * seq, chain hash) and the checkpoint it checked against. */
  view(): { size: number; root: string; ops: { position: number; author: string; seq: number; chainHash: string }[] } {
    return {
      size: this.tree.size,
      root: hex(this.tree.root()),
      ops: this.pulled.map((p) => ({ position: p.position, author: p.op.op.author, seq: p.op.op.seq, chainHash: hex(p.op.chainHash) })),
    };
  }

  /** The verified chain of each author seen. */
  chainOf(author: string): ChainVerifier | undefined {
    return this.chains.get(author);
  }
}
