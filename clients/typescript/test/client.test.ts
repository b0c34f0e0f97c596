// The client's own signing paths against the documents: the request signature of docs/http-protocol.md, a device's
// inception and ops verified by the chain rules, a tampered op refused.

import { describe, expect, it } from "vitest";
import * as L from "../src/index.js";

const docSigner = () => new L.SeedSigner(L.sha256(L.utf8("doc-device/0")));

describe("request signatures", () => {
  it("reproduce the signed request of docs/http-protocol.md byte for byte", async () => {
    const signer = docSigner();
    expect(L.hex(signer.publicKey)).toBe("29cf0fb8baa144a044f50a73e0a442916e33dc7d1f7c54dcf7ca051d71c930f1");
    const body = L.encodePushRequest([]);
    expect(L.hex(body)).toBe("9301019190");
    const digest = L.contentDigest(body);
    expect(digest).toBe("sha-256=:iP9/9F4HH2xq5Dgdbsv87lhyA268QfjpSCMfyilzj4s=:");
    const params = L.signatureParameters(1767225600, "bm9uY2Utb2YtdGhlLWRvYw==", "doc-device");
    const base = L.signatureBase({ method: "POST", authority: "127.0.0.1:5080", path: "/v1/ledgers/sitebooks/ops", query: "?", contentDigest: digest, protocol: "1" }, params);
    expect(L.base64(await signer.sign(base))).toBe("WMIu+BfCrPG9MJ2yE2/TZ3gWc5dvevDQLmIumPSjCDwNjuKdz1ViYP7nRClh5dTOFGfUsyjtSotKf6ecc2apDg==");
  });

  it("sign what the relay's parser reads back and verifies", async () => {
    const signer = docSigner();
    const url = new URL("http://127.0.0.1:5080/v1/ledgers/site%2Fbooks/checkpoint?after=3");
    const headers = await L.signRequest({ author: "doc-device", signer, membership: new Uint8Array([1, 2, 3]) }, "GET", url, new Uint8Array(0), 1767225600_000);
    const parsed = L.parseSignatureInput(headers["Signature-Input"])!;
    expect(parsed).toMatchObject({ created: 1767225600, keyId: "doc-device" });
    const base = L.signatureBase({ method: "GET", authority: "127.0.0.1:5080", path: "/v1/ledgers/site%2Fbooks/checkpoint", query: "?after=3", contentDigest: headers["Content-Digest"], protocol: "1" },
      L.signatureParameters(parsed.created, parsed.nonce, parsed.keyId));
    expect(L.verifyEd25519(signer.publicKey, base, L.fromBase64Strict(headers.Signature.slice(6, -1))!)).toBe(true);
    expect(headers["Ledger-Membership"]).toBe("AQID");
  });

  it("write tile paths as tlog-tiles does", () => {
    expect(L.tileIndex(0)).toBe("000");
    expect(L.tileIndex(1234067)).toBe("x001/x234/067");
  });
});

describe("a device", () => {
  const create = () =>
    L.Device.create({
      ledger: "vectors",
      label: "front-end",
      trustedRelay: "ledger-relay/vectors+87f5741a+ASpzlao4+cJMTyAL8xLKe3JU0aO8P2z6PHdwkciHg5I6",
      current: new L.SeedSigner(L.sha256(L.utf8("front-end/0"))),
      next: new L.SeedSigner(L.sha256(L.utf8("front-end/1"))),
      at: 1767225600000,
    });

  it("incepts a self-certifying author and signs ops that verify by the chain rules", async () => {
    const device = await create();
    expect(device.author).toBe(L.deriveAuthorId("front-end", device.signer.publicKey, L.nextKeyDigestOf(device.next.publicKey)));
    const manifest = L.fromHex("c20e5c5b31a8810a7d33abbdc662435dd6818275df566cfe0872e63f5bf6b642");
    await device.append({ manifest, verb: "tally.add", args: L.encode((w) => w.array(2).str("cash").int(5)), at: 1767225600001 });
    const report = L.verifyChain("vectors", device.author, device.own);
    expect(report).toMatchObject({ ok: true, length: 2 });
    expect(report.state!.keyIndex).toBe(0);
    expect(L.equal(report.tip, device.own[1].chainHash)).toBe(true);
  });

  it("makes ops that another ledger or a flipped bit breaks", async () => {
    const device = await create();
    const manifest = L.fromHex("c20e5c5b31a8810a7d33abbdc662435dd6818275df566cfe0872e63f5bf6b642");
    await device.append({ manifest, verb: "tally.add", args: L.encode((w) => w.array(2).str("cash").int(5)) });
    expect(L.verifyChain("other", device.author, device.own)).toMatchObject({ ok: false, break: "WrongLedger", brokenAtSeq: 1 });
    const flipped = device.own[1].bytes.slice();
    flipped[flipped.length - 1] ^= 1;
    expect(L.verifyChain("vectors", device.author, [device.own[0], L.decodeSignedOp(flipped)])).toMatchObject({ ok: false, break: "BadSignature", brokenAtSeq: 2 });
  });
});
