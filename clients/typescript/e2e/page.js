// The end-to-end page: a browser device of a ledger, using the client bundle served beside it. Served by the .NET
// test's Kestrel relay (same origin); the query gives the ledger, the relay's verifier key, the app manifest id and
// the ops to append. It creates a device key (WebCrypto Ed25519 where the browser has it), asks the test host for a
// membership grant (the admin's job; a test-only route), appends tally.add ops, syncs (signed push, verified pull)
// and folds the counter the verified ops add to — the one table the browser folds.
import * as L from "./ledger-client.js";

const q = new URLSearchParams(location.search);
const ledger = q.get("ledger");
const vkey = q.get("vkey");
const manifest = L.fromHex(q.get("manifest"));
const adds = JSON.parse(q.get("adds"));

async function run() {
  const device = await L.Device.create({ ledger, label: "browser", trustedRelay: vkey });
  const grant = await (await fetch(`/e2e/grant/${encodeURIComponent(device.author)}`, { method: "POST" })).text();
  const client = new L.RelayClient({ baseUrl: location.origin, ledger, identity: { author: device.author, signer: device.signer, membership: grant } });
  for (const [key, amount] of adds) {
    await device.append({ manifest, verb: "tally.add", args: L.encode((w) => w.array(2).str(key).int(amount)) });
  }
  const first = await device.sync(client);
  // Meanwhile the .NET device appends and syncs again (the test host does it when asked); the long poll answers as
  // soon as the relay's log differs from what this device holds, and the next round pulls only what is new.
  const dotnet = await (await fetch("/e2e/dotnet-round", { method: "POST" })).text();
  const announced = await client.waitForCheckpoint(device.tree.size);
  if (announced === null) throw new Error("the long poll saw no change after the .NET device's round");
  await device.append({ manifest, verb: "tally.add", args: L.encode((w) => w.array(2).str("card").int(2)) });
  const second = await device.sync(client);
  const pushed = first.pushed + second.pushed;
  const checkpoint = second.checkpoint;
  // The fold of the one Shared counter table of tally.add (table "balances"): a sum per key over every verified op.
  const balances = {};
  for (const p of device.pulled) {
    const op = p.op.op;
    if (!L.equal(op.manifest, manifest) || op.verb !== "tally.add") continue;
    const v = L.decodeValue(op.args, "AmountArgs");
    balances[v[0]] = String(BigInt(balances[v[0]] ?? 0) + v[1]);
  }
  const chains = {};
  for (const a of new Set(device.pulled.map((p) => p.op.op.author))) {
    const c = device.chainOf(a);
    chains[a] = { length: c.length, tip: L.hex(c.tip), keyId: L.hex(c.state.currentKeyId) };
  }
  return {
    author: device.author,
    webCryptoKey: device.signer instanceof L.WebCryptoSigner,
    pushed,
    rounds: [{ pushed: first.pushed, size: first.checkpoint.size }, { dotnet, pushed: second.pushed, size: second.checkpoint.size }],
    checkpoint: { origin: checkpoint.origin, size: checkpoint.size, root: L.hex(checkpoint.root), signatureVerifies: checkpoint.signatureVerifies },
    view: device.view(),
    chains,
    balances,
  };
}

run().then(
  (r) => (window.__result = r),
  (e) => (window.__error = String(e && e.stack ? e.stack : e)),
);
