/**
 * Primary key values as SQL literals and as comparable text (pure), for the lookups that read stored
 * rows back by key: the replay guard (replay-guard.ts) and the old rows of key changes (old-rows.ts).
 *
 * A lookup sends `WHERE k = <literal>` and matches the returned rows to the asked keys by text, so
 * both sides are brought to one canonical text per target column kind — the kinds StarRocks allows
 * in a PRIMARY KEY (docs/starrocks-protocol.md §6.1: BOOLEAN, TINYINT..LARGEINT, VARCHAR/STRING, DATE, DATETIME).
 * StarRocks compares all of them exactly. A value that cannot be brought to that text (another kind,
 * an infinite date, a shape the body would not write as such) gives undefined: the caller then
 * treats the key as unknown (the guard keeps the change; merge_condition still orders it).
 *
 * Canonical texts: integers in decimal without leading zeros; booleans `1`/`0`; dates
 * `YYYY-MM-DD`; datetimes `YYYY-MM-DD HH:MM:SS` plus `.ffffff` without trailing zeros (StarRocks
 * prints microseconds only when they are not zero; the source may write fewer digits); strings as
 * the column stores them (body.ts `stringColumnText`).
 */
import type { Cell } from '../../../core/index.js';
import { DecimalValue, TemporalValue, isUnchanged } from '../../../core/index.js';
import { quoteString } from '../identifiers.js';
import { stringColumnText } from '../stream-load/body.js';
import type { TargetKind } from '../type-map.js';

export interface KeyLiteral {
  /** The SQL literal to compare the column with. */
  readonly sql: string;
  /** The canonical text (`storedKeyText` of the stored value is equal for the same key). */
  readonly text: string;
}

const INTEGER = /^[-+]?\d+$/;
const DATE = /^(\d{4}-\d{2}-\d{2})$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?)?$/;

function canonicalDatetime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (m === null || m[1] === undefined) return undefined;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > 6) return undefined;
  return `${m[1]} ${m[2] ?? '00:00:00'}${frac === '' ? '' : `.${frac}`}`;
}

/** The literal and canonical text of a source key value for a target column of `kind`. */
export function keyLiteral(v: Cell | undefined, kind: TargetKind): KeyLiteral | undefined {
  if (v === undefined || v === null || isUnchanged(v) || Array.isArray(v)) return undefined;
  switch (kind) {
    case 'integer':
    case 'largeint': {
      let n: bigint | undefined;
      if (typeof v === 'bigint') n = v;
      else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
      else if (typeof v === 'boolean') n = v ? 1n : 0n;
      else if (v instanceof DecimalValue && INTEGER.test(v.text)) n = BigInt(v.text);
      return n === undefined ? undefined : { sql: n.toString(), text: n.toString() };
    }
    case 'boolean':
      return typeof v === 'boolean' ? { sql: v ? 'TRUE' : 'FALSE', text: v ? '1' : '0' } : undefined;
    case 'string': {
      if (v instanceof Uint8Array || (typeof v === 'number' && !Number.isFinite(v))) return undefined;
      const { text } = stringColumnText(v);
      return { sql: quoteString(text), text };
    }
    case 'date':
      return v instanceof TemporalValue && v.type === 'date' && DATE.test(v.text) ? { sql: quoteString(v.text), text: v.text } : undefined;
    case 'datetime': {
      if (!(v instanceof TemporalValue) || v.infinite || (v.type !== 'timestamp' && v.type !== 'timestamptz' && v.type !== 'date')) return undefined;
      const text = canonicalDatetime(v.text);
      return text === undefined ? undefined : { sql: quoteString(text), text };
    }
    default:
      return undefined;
  }
}

/** The canonical text of a key cell as mysql2 returns it (text protocol, dateStrings, bigNumberStrings). */
export function storedKeyText(cell: unknown, kind: TargetKind): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  const text =
    typeof cell === 'string'
      ? cell
      : typeof cell === 'number' || typeof cell === 'bigint'
        ? String(cell)
        : Buffer.isBuffer(cell)
          ? cell.toString('utf8')
          : undefined;
  if (text === undefined) return undefined;
  switch (kind) {
    case 'integer':
    case 'largeint':
      return INTEGER.test(text.trim()) ? BigInt(text.trim()).toString() : undefined;
    case 'boolean':
      return text === '1' || text.toLowerCase() === 'true' ? '1' : text === '0' || text.toLowerCase() === 'false' ? '0' : undefined;
    case 'string':
      return text;
    case 'date':
      return DATE.test(text) ? text : undefined;
    case 'datetime':
      return canonicalDatetime(text);
    default:
      return undefined;
  }
}

/** Literals for a whole key (undefined when one column cannot be compared). */
export function keyLiterals(values: readonly (Cell | undefined)[], kinds: readonly TargetKind[]): KeyLiteral[] | undefined {
  if (values.length !== kinds.length || values.length === 0) return undefined;
  const out: KeyLiteral[] = [];
  for (let i = 0; i < values.length; i++) {
    const lit = keyLiteral(values[i], kinds[i] ?? 'other');
    if (lit === undefined) return undefined;
    out.push(lit);
  }
  return out;
}

/** One text for a whole key, from its columns' canonical texts. */
export function keyIdentity(texts: readonly (string | undefined)[]): string | undefined {
  return texts.every((t) => t !== undefined) ? JSON.stringify(texts) : undefined;
}
