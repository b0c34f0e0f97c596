// A device pulling from a relay that lies: a fake fetch serves a relay-signed checkpoint and tlog-tiles entry bundles
// built here, then a tampered op, a wrong root, a checkpoint not signed by the trusted key; the device keeps nothing
// it could not verify.

import { describe, expect, it } from "vitest";
import * as L from "../src/index.js";

const LEDGER = "fake";
const ORIGIN = "ledger-relay/fake";
const relayKey = new L.SeedSigner(L.sha256(L.utf8("fake-relay/0")));
const vkey = L.formatVkey({ name: ORIGIN, keyId: L.noteKeyId(ORIGIN, 1, relayKey.publicKey), type: 1, publicKey: relayKey.publicKey });
const manifest = L.fromHex("c20e5c5b31a8810a7d33abbdc662435dd6818275df566cfe0872e63f5bf6b642");

async function note(size: number, root: Uint8Array, key = relayKey): Promise<Uint8Array> {
  const text = `${ORIGIN}\n${size}\n${L.base64(root)}\n`;
  const sig = await key.sign(L.utf8(text));
  return L.utf8(`${text}\n\u2014 ${ORIGIN} ${L.base64(L.concat(L.noteKeyId(ORIGIN, 1, relayKey.publicKey), sig))}\n`);
}

/** A relay holding `ops`, answering checkpoint and entry-bundle reads; `lie` may change what it serves. */
function fakeRelay(ops: Uint8Array[], lie: { entry?: (i: number, b: Uint8Array) => Uint8Array; note?: () => Promise<Uint8Array> } = {}): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    const path = url.pathname.replace(`/v1/ledgers/${LEDGER}/`, "");
    const headers = { "Ledger-Protocol": "1" };
    if (path === "checkpoint") return new Response((await (lie.note ?? (() => note(ops.length, L.rootOf(ops.map(L.leafHash)))))()) as BodyInit, { headers });
    const m = /^tile\/entries\/(\d{3})(?:\.p\/(\d+))?$/.exec(path);
    if (m) {
      const k = Number(m[1]);
      const width = m[2] ? Number(m[2]) : 256;
      const parts = ops.slice(k * 256, k * 256 + width).map((b, i) => {
        const bytes = lie.entry ? lie.entry(k * 256 + i, b) : b;
        return L.concat(new Uint8Array([bytes.length >> 8, bytes.length & 255]), bytes);
      });
      return new Response(L.concat(...parts) as BodyInit, { headers });
    }
    return new Response("{}", { status: 404 });
  }) as typeof fetch;
}

async function world() {
  const other = await L.Device.create({ ledger: LEDGER, label: "other", trustedRelay: vkey, current: new L.SeedSigner(L.sha256(L.utf8("other/0"))), next: new L.SeedSigner(L.sha256(L.utf8("other/1"))) });
  for (let i = 0; i < 3; i++) await other.append({ manifest, verb: "tally.add", args: L.encode((w) => w.array(2).str("k").int(i)) });
  const device = await L.Device.create({ ledger: LEDGER, label: "me", trustedRelay: vkey, current: new L.SeedSigner(L.sha256(L.utf8("me/0"))), next: new L.SeedSigner(L.sha256(L.utf8("me/1"))) });
  return { ops: other.own.map((o) => o.bytes), device };
}

const client = (fetchImpl: typeof fetch) => new L.RelayClient({ baseUrl: "http://relay.test", ledger: LEDGER, fetch: fetchImpl });

describe("a device pulling", () => {
  it("keeps the verified order and the relay's checkpoint when everything holds", async () => {
    const { ops, device } = await world();
    const checkpoint = await device.pull(client(fakeRelay(ops)));
    expect(checkpoint).toMatchObject({ size: 4, signatureVerifies: true });
    expect(device.view().size).toBe(4);
    expect(device.chainOf(device.pulled[0].op.op.author)?.length).toBe(4);
  });

  it("refuses a tampered op and keeps nothing", async () => {
    const { ops, device } = await world();
    const flip = (i: number, b: Uint8Array) => (i === 2 ? Object.assign(b.slice(), { [b.length - 1]: b[b.length - 1] ^ 1 }) : b);
    await expect(device.pull(client(fakeRelay(ops, { entry: flip })))).rejects.toThrow(/BadSignature/);
    expect(device.view().size).toBe(0);
    expect(device.witnessed).toBeNull();
  });

  it("refuses ops whose root is not the signed checkpoint's", async () => {
    const { ops, device } = await world();
    await expect(device.pull(client(fakeRelay(ops, { note: () => note(ops.length, L.rootOf(ops.slice(1).map(L.leafHash))) })))).rejects.toThrow(/root/);
    expect(device.view().size).toBe(0);
  });

  it("refuses a checkpoint not signed by the trusted relay key", async () => {
    const { ops, device } = await world();
    const stranger = new L.SeedSigner(L.sha256(L.utf8("stranger/0")));
    await expect(device.pull(client(fakeRelay(ops, { note: () => note(ops.length, L.rootOf(ops.map(L.leafHash)), stranger) })))).rejects.toThrow(/does not verify/);
  });

  it("refuses a second root for a size it witnessed (a split view)", async () => {
    const { ops, device } = await world();
    await device.pull(client(fakeRelay(ops)));
    await expect(device.pull(client(fakeRelay(ops, { note: () => note(ops.length, L.sha256(L.utf8("forked"))) })))).rejects.toThrow(/root|split/);
  });
});
