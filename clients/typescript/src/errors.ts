/** The problems of Ledger's FormatProblem, by name. */
export type FormatProblem = "Truncated" | "Oversized" | "WrongType" | "InvalidValue" | "NonCanonical" | "TrailingBytes" | "UnknownVersion";

/** Bytes that do not decode: which structure, which field, what problem and the byte offset where it starts
 * (Ledger's LedgerFormatException, field for field). */
export class LedgerFormatError extends Error {
  constructor(
    readonly structure: string,
    readonly field: string,
    readonly problem: FormatProblem,
    readonly offset: number,
    detail: string,
  ) {
    super(`${structure}: field '${field}' at byte ${offset}: ${problem}: ${detail}`);
    this.name = "LedgerFormatError";
  }
}

/** A relay answered with an RFC 9457 problem, or with something this client cannot read. */
export class RelayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(`relay: ${status} ${code}: ${detail}`);
    this.name = "RelayError";
  }
}
