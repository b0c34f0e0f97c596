// The subset of MessagePack Ledger uses (docs/wire-format.md, "Canonical MessagePack"): a writer that only writes the
// one canonical encoding of each value, and a reader that reads any encoding of the expected type (as Ledger's own
// reader does) so that decoders can re-encode what they read and refuse any difference (NonCanonical at the first
// differing byte). No floats, maps or extensions occur in any Ledger structure.

import { LedgerFormatError, FormatProblem } from "./errors.js";
import { utf8, utf8Decode, compareBytes } from "./bytes.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

export class Writer {
  private buf = new Uint8Array(256);
  private n = 0;

  private ensure(k: number) {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  private byte(b: number) {
    this.ensure(1);
    this.buf[this.n++] = b;
  }

  private be(value: bigint, width: number) {
    this.ensure(width);
    for (let i = width - 1; i >= 0; i--) {
      this.buf[this.n + i] = Number(value & 0xffn);
      value >>= 8n;
    }
    this.n += width;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
    return this;
  }

  nil(): this {
    this.byte(0xc0);
    return this;
  }

  bool(v: boolean): this {
    this.byte(v ? 0xc3 : 0xc2);
    return this;
  }

  /** An integer in its shortest form: the unsigned family for values ≥ 0. */
  int(value: number | bigint): this {
    const v = BigInt(value);
    if (v < INT64_MIN || v > UINT64_MAX) throw new RangeError(`${v} does not fit MessagePack`);
    if (v >= 0n) {
      if (v <= 0x7fn) this.byte(Number(v));
      else if (v <= 0xffn) (this.byte(0xcc), this.be(v, 1));
      else if (v <= 0xffffn) (this.byte(0xcd), this.be(v, 2));
      else if (v <= 0xffffffffn) (this.byte(0xce), this.be(v, 4));
      else (this.byte(0xcf), this.be(v, 8));
    } else {
      const u = (w: number) => (v + (1n << BigInt(w * 8))) & ((1n << BigInt(w * 8)) - 1n);
      if (v >= -32n) this.byte(Number(u(1)));
      else if (v >= -128n) (this.byte(0xd0), this.be(u(1), 1));
      else if (v >= -32768n) (this.byte(0xd1), this.be(u(2), 2));
      else if (v >= -2147483648n) (this.byte(0xd2), this.be(u(4), 4));
      else (this.byte(0xd3), this.be(u(8), 8));
    }
    return this;
  }

  str(s: string): this {
    const b = utf8(s);
    const n = b.length;
    if (n <= 31) this.byte(0xa0 | n);
    else if (n <= 0xff) (this.byte(0xd9), this.be(BigInt(n), 1));
    else if (n <= 0xffff) (this.byte(0xda), this.be(BigInt(n), 2));
    else (this.byte(0xdb), this.be(BigInt(n), 4));
    return this.raw(b);
  }

  bin(b: Uint8Array): this {
    const n = b.length;
    if (n <= 0xff) (this.byte(0xc4), this.be(BigInt(n), 1));
    else if (n <= 0xffff) (this.byte(0xc5), this.be(BigInt(n), 2));
    else (this.byte(0xc6), this.be(BigInt(n), 4));
    return this.raw(b);
  }

  array(n: number): this {
    if (n <= 15) this.byte(0x90 | n);
    else if (n <= 0xffff) (this.byte(0xdc), this.be(BigInt(n), 2));
    else (this.byte(0xdd), this.be(BigInt(n), 4));
    return this;
  }

  nullableStr(s: string | null): this {
    return s === null ? this.nil() : this.str(s);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

export const encode = (write: (w: Writer) => void): Uint8Array => {
  const w = new Writer();
  write(w);
  return w.bytes();
};

type Kind = "integer" | "nil" | "boolean" | "float" | "string" | "binary" | "array" | "map" | "extension" | "invalid";

function kindOf(b: number): Kind {
  if (b <= 0x7f || b >= 0xe0) return "integer";
  if (b >= 0x80 && b <= 0x8f) return "map";
  if (b >= 0x90 && b <= 0x9f) return "array";
  if (b >= 0xa0 && b <= 0xbf) return "string";
  switch (b) {
    case 0xc0: return "nil";
    case 0xc2: case 0xc3: return "boolean";
    case 0xc4: case 0xc5: case 0xc6: return "binary";
    case 0xc7: case 0xc8: case 0xc9: case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return "extension";
    case 0xca: case 0xcb: return "float";
    case 0xcc: case 0xcd: case 0xce: case 0xcf: case 0xd0: case 0xd1: case 0xd2: case 0xd3: return "integer";
    case 0xd9: case 0xda: case 0xdb: return "string";
    case 0xdc: case 0xdd: return "array";
    case 0xde: case 0xdf: return "map";
    default: return "invalid";
  }
}

const article = (k: Kind) => (k === "integer" || k === "array" || k === "extension" ? "an " : "a ") + k;

/** Reads values of the expected types, in any MessagePack encoding of that type; every failure is a
 * {@link LedgerFormatError} naming the field and the byte offset where its value starts. */
export class Reader {
  offset = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly structure: string,
  ) {}

  get end(): boolean {
    return this.offset >= this.bytes.length;
  }

  fail(field: string, problem: FormatProblem, offset: number, detail: string): LedgerFormatError {
    return new LedgerFormatError(this.structure, field, problem, offset, detail);
  }

  private expect(field: string, kind: Kind) {
    if (this.end) throw this.fail(field, "Truncated", this.offset, `the input ends where ${article(kind)} is required.`);
    const actual = kindOf(this.bytes[this.offset]);
    if (actual !== kind) throw this.fail(field, "WrongType", this.offset, `expected ${article(kind)}, found ${article(actual)}.`);
  }

  private uintAt(at: number, width: number, field: string, start: number): bigint {
    if (at + width > this.bytes.length) throw this.fail(field, "Truncated", start, "the value is cut off.");
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(this.bytes[at + i]);
    return v;
  }

  /** Any integer encoding; the value as a bigint. */
  private rawInt(field: string): bigint {
    this.expect(field, "integer");
    const start = this.offset;
    const b = this.bytes[start];
    let v: bigint;
    let width = 0;
    if (b <= 0x7f) v = BigInt(b);
    else if (b >= 0xe0) v = BigInt(b - 256);
    else {
      width = { 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8 }[b] as number;
      v = this.uintAt(start + 1, width, field, start);
      if (b >= 0xd0 && v >= 1n << BigInt(width * 8 - 1)) v -= 1n << BigInt(width * 8);
    }
    this.offset = start + 1 + width;
    return v;
  }

  uint(field: string, min = 0n, max = UINT64_MAX): bigint {
    const start = this.offset;
    const v = this.rawInt(field);
    if (v < 0n) throw this.fail(field, "InvalidValue", start, "a negative integer where an unsigned one is required.");
    if (v < min || v > max) throw this.fail(field, "InvalidValue", start, `${v} is outside [${min}, ${max}].`);
    return v;
  }

  /** An unsigned integer that must fit in a JavaScript number (≤ 2^53 − 1). */
  uintNumber(field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    return Number(this.uint(field, BigInt(min), BigInt(max)));
  }

  int(field: string): bigint {
    const start = this.offset;
    const v = this.rawInt(field);
    if (v > INT64_MAX) throw this.fail(field, "InvalidValue", start, "the integer does not fit in 64 signed bits.");
    return v;
  }

  bool(field: string): boolean {
    this.expect(field, "boolean");
    return this.bytes[this.offset++] === 0xc3;
  }

  private lengthOf(field: string, kind: Kind, widths: Record<number, number>): { start: number; length: number; data: number } {
    this.expect(field, kind);
    const start = this.offset;
    const b = this.bytes[start];
    if (kind === "string" && b >= 0xa0 && b <= 0xbf) return { start, length: b & 0x1f, data: start + 1 };
    if (kind === "array" && b >= 0x90 && b <= 0x9f) return { start, length: b & 0x0f, data: start + 1 };
    const w = widths[b];
    return { start, length: Number(this.uintAt(start + 1, w, field, start)), data: start + 1 + w };
  }

  string(field: string, maxBytes: number): string {
    const { start, length, data } = this.lengthOf(field, "string", { 0xd9: 1, 0xda: 2, 0xdb: 4 });
    if (data + length > this.bytes.length) throw this.fail(field, "Truncated", start, "the string is cut off.");
    if (length > maxBytes) throw this.fail(field, "Oversized", start, `${length} bytes; the limit is ${maxBytes}.`);
    const s = utf8Decode(this.bytes.subarray(data, data + length));
    if (s === undefined || hasLoneSurrogate(s)) throw this.fail(field, "InvalidValue", start, "the string is not valid UTF-8.");
    this.offset = data + length;
    return s;
  }

  tryNil(): boolean {
    if (!this.end && this.bytes[this.offset] === 0xc0) {
      this.offset++;
      return true;
    }
    return false;
  }

  nullableString(field: string, maxBytes: number): string | null {
    return this.tryNil() ? null : this.string(field, maxBytes);
  }

  binary(field: string, minBytes: number, maxBytes: number): Uint8Array {
    const { start, length, data } = this.lengthOf(field, "binary", { 0xc4: 1, 0xc5: 2, 0xc6: 4 });
    if (data + length > this.bytes.length) throw this.fail(field, "Truncated", start, "the binary value is cut off.");
    if (length > maxBytes) throw this.fail(field, "Oversized", start, `${length} bytes; the limit is ${maxBytes}.`);
    if (length < minBytes) throw this.fail(field, "InvalidValue", start, `${length} bytes; at least ${minBytes} are required.`);
    this.offset = data + length;
    return this.bytes.subarray(data, data + length);
  }

  nullableBinary(field: string, minBytes: number, maxBytes: number): Uint8Array | null {
    return this.tryNil() ? null : this.binary(field, minBytes, maxBytes);
  }

  array(field: string, min: number, max: number): number {
    const { start, length, data } = this.lengthOf(field, "array", { 0xdc: 2, 0xdd: 4 });
    if (length < min || length > max) throw this.fail(field, length > max ? "Oversized" : "InvalidValue", start, `expected [${min}, ${max}] elements, found ${length}.`);
    // Each element takes at least one byte: never believe a count the input cannot hold.
    if (length > this.bytes.length - data) throw this.fail(field, "Truncated", start, "the array is longer than the input.");
    this.offset = data;
    return length;
  }

  ensureEnd() {
    if (!this.end) throw this.fail("(end)", "TrailingBytes", this.offset, `${this.bytes.length - this.offset} bytes follow the end of the ${this.structure}.`);
  }
}

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** Ledger's canonical check: the input must equal the re-encoding of what was decoded. The offset is the first
 * differing byte; the field is the last one that starts at or before it. */
export function requireCanonical(structure: string, input: Uint8Array, reencoded: Uint8Array, fieldStarts: [string, number][]) {
  let diff = 0;
  while (diff < input.length && diff < reencoded.length && input[diff] === reencoded[diff]) diff++;
  if (diff === input.length && diff === reencoded.length) return;
  let field = "(structure)";
  for (const [name, start] of fieldStarts) if (start <= diff) field = name;
  throw new LedgerFormatError(structure, field, "NonCanonical", diff, "the value decodes but is not in its one canonical encoding (shortest integer and length forms).");
}

export { compareBytes };

/** A decoded value of the subset: integers as bigint, str as string, bin as Uint8Array, arrays, nil as null. */
export type Value = bigint | string | Uint8Array | boolean | null | Value[];

/** Reads any one value of the subset (answers of the relay: shapes are checked by their readers). */
export function readValue(r: Reader, field: string, depth = 0): Value {
  if (r.end) throw r.fail(field, "Truncated", r.offset, "the input ends where a value is required.");
  if (depth > 16) throw r.fail(field, "Oversized", r.offset, "nested too deeply.");
  const b = r.bytes[r.offset];
  if (b === 0xc0) return (r.offset++, null);
  if (b === 0xc2 || b === 0xc3) return r.bool(field);
  if ((b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb) return r.string(field, 1 << 24);
  if (b === 0xc4 || b === 0xc5 || b === 0xc6) return r.binary(field, 0, 1 << 26).slice();
  if ((b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd) {
    const n = r.array(field, 0, 1 << 20);
    const out: Value[] = [];
    for (let i = 0; i < n; i++) out.push(readValue(r, `${field}[${i}]`, depth + 1));
    return out;
  }
  return r.int(field);
}

export function decodeValue(bytes: Uint8Array, structure: string): Value {
  const r = new Reader(bytes, structure);
  const v = readValue(r, structure);
  r.ensureEnd();
  return v;
}
