// The relay protocol's MessagePack frames (docs/wire-format.md, "Relay protocol v1") that the HTTP calls carry.

import { encode, decodeValue, type Value } from "./msgpack.js";
import { RelayError } from "./errors.js";

export const PROTOCOL_VERSION = 1;
export const CALL_PUSH = 1;
export const CALL_FETCH_AUTHOR = 3;
export const CALL_GET_COSIGNATURES = 8;

export const REFUSALS = ["", "Malformed", "WrongLedger", "Gap", "Fork", "InvalidChain", "AfterRefused", "StoreFull", "BatchTooLarge"] as const;
export const BREAKS = ["", "Malformed", "WrongLedger", "WrongAuthor", "Gap", "WrongPrev", "BadSignature", "WrongKey", "StaleKey", "BadInception", "BadKeyEvent", "NotPreCommitted", "RotationByCurrentKey", "ChainClosed"] as const;

export const encodePushRequest = (ops: Uint8Array[]) =>
  encode((w) => {
    w.array(3).int(PROTOCOL_VERSION).int(CALL_PUSH).array(1).array(ops.length);
    for (const op of ops) w.bin(op);
  });

export interface PushResult {
  index: number;
  author: string | null;
  seq: number | null;
  status: "accepted" | "duplicate" | "refused";
  position: number | null;
  refusal: string | null;
  break: string | null;
  sendFromSeq: number | null;
  detail: string | null;
}

export interface PushAnswer {
  relaySize: number;
  origin: string | null;
  results: PushResult[];
  nextSeq: Map<string, number>;
}

const num = (v: Value): number => {
  if (typeof v !== "bigint") throw new RelayError(200, "bad-answer", "an integer was expected");
  return Number(v);
};
const optNum = (v: Value) => (v === null ? null : num(v));
const optStr = (v: Value) => (v === null ? null : typeof v === "string" ? v : (() => { throw new RelayError(200, "bad-answer", "a string was expected"); })());
const arr = (v: Value): Value[] => {
  if (!Array.isArray(v)) throw new RelayError(200, "bad-answer", "an array was expected");
  return v;
};

/** The body of an answer frame [1, call, 0, body], or the relay's error as a RelayError. */
function answerBody(bytes: Uint8Array, call: number): Value {
  const v = arr(decodeValue(bytes, "relay answer"));
  if (v.length !== 4 || num(v[0]) !== PROTOCOL_VERSION) throw new RelayError(200, "bad-answer", "not an answer of protocol v1");
  if (num(v[2]) !== 0) throw new RelayError(200, ["", "bad-request", "out-of-range", "failed"][num(v[2])] ?? "error", String(v[3]));
  if (num(v[1]) !== call) throw new RelayError(200, "bad-answer", `an answer to call ${v[1]}, not ${call}`);
  return v[3];
}

export function decodePushAnswer(bytes: Uint8Array): PushAnswer {
  const [relaySize, origin, results, nextSeq] = arr(answerBody(bytes, CALL_PUSH));
  return {
    relaySize: num(relaySize),
    origin: optStr(origin),
    results: arr(results).map((x) => {
      const r = arr(x);
      return {
        index: num(r[0]),
        author: optStr(r[1]),
        seq: optNum(r[2]),
        status: (["", "accepted", "duplicate", "refused"] as const)[num(r[3])] as PushResult["status"],
        position: optNum(r[4]),
        refusal: r[5] === null ? null : REFUSALS[num(r[5])] ?? String(r[5]),
        break: r[6] === null ? null : BREAKS[num(r[6])] ?? String(r[6]),
        sendFromSeq: optNum(r[7]),
        detail: optStr(r[8]),
      };
    }),
    nextSeq: new Map(arr(nextSeq).map((p) => [optStr(arr(p)[0])!, num(arr(p)[1])])),
  };
}

/** FetchAuthor's answer: the author's ops with their positions. */
export function decodeAuthorOps(bytes: Uint8Array): { position: number; bytes: Uint8Array }[] {
  return arr(answerBody(bytes, CALL_FETCH_AUTHOR)).map((x) => {
    const [position, op] = arr(x);
    if (!(op instanceof Uint8Array)) throw new RelayError(200, "bad-answer", "an op is not binary");
    return { position: num(position), bytes: op };
  });
}
