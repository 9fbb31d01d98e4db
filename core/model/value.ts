/**
 * Column values as they travel from a source to a sink. The shapes keep full fidelity:
 * int8 is a `bigint`, numeric is its exact decimal text, timestamps are normalised text that keeps
 * microseconds, JSON is its raw text, bytes are a Uint8Array. Nothing precise ever becomes a JS `number`
 * except int2/int4 and finite floats.
 */

/** An exact decimal number (PostgreSQL numeric/money); `text` is canonical, e.g. `-12.3400`. */
export class DecimalValue {
  readonly kind = 'decimal' as const;
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A non-finite floating point or numeric value: JSON has no literal for them. */
export class SpecialNumber {
  readonly kind = 'special-number' as const;
  constructor(readonly text: 'NaN' | 'Infinity' | '-Infinity') {}
  toString(): string {
    return this.text;
  }
}

/** Raw JSON text (json/jsonb); never re-parsed through JS numbers. */
export class JsonText {
  readonly kind = 'json' as const;
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * A date/time value in normalised text. `type` tells which:
 * - date: `YYYY-MM-DD` (years may exceed 4 digits or carry ` BC`), or `infinity` / `-infinity`
 * - time: `HH:MM:SS[.ffffff]`; timetz: `HH:MM:SS[.ffffff]+HH[:MM]`
 * - timestamp: `YYYY-MM-DD HH:MM:SS[.ffffff]` (wall clock)
 * - timestamptz: same form, converted to UTC
 * - interval: PostgreSQL's text output
 */
export class TemporalValue {
  readonly kind = 'temporal' as const;
  constructor(
    readonly type: 'date' | 'time' | 'timetz' | 'timestamp' | 'timestamptz' | 'interval',
    readonly text: string,
  ) {}
  get infinite(): boolean {
    return this.text === 'infinity' || this.text === '-infinity';
  }
  toString(): string {
    return this.text;
  }
}

export type ScalarValue = null | boolean | number | bigint | string | Uint8Array | DecimalValue | SpecialNumber | JsonText | TemporalValue;

/** Arrays may nest (multi-dimensional PostgreSQL arrays) and hold NULL elements. */
export type Value = ScalarValue | readonly Value[];

/**
 * The per-column marker for "this column did not change and its value was not sent"
 * (PostgreSQL unchanged TOAST, pgoutput 'u'). Its own type: never a sentinel string.
 */
export class Unchanged {
  static readonly instance = new Unchanged();
  readonly kind = 'unchanged' as const;
  private constructor() {}
  toString(): string {
    return '<unchanged>';
  }
}

export const UNCHANGED: Unchanged = Unchanged.instance;

export type Cell = Value | Unchanged;

export function isUnchanged(cell: Cell): cell is Unchanged {
  return cell === UNCHANGED;
}
