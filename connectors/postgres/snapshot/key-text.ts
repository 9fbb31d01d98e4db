/**
 * One text per row key, equal exactly when two keys are equal (pure). A snapshot row and a streamed
 * change decode their values from PostgreSQL's text output with the same decoder, so equal keys give
 * equal values and therefore equal texts; the snapshot engine matches them by this text only (never by
 * ordering keys in JavaScript, which would need PostgreSQL's collations).
 */
import { DecimalValue, JsonText, SpecialNumber, TemporalValue, type Cell } from '../../../core/index.js';

function part(v: Cell | readonly Cell[] | undefined): string {
  if (v === null || v === undefined) return 'N';
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'number') return `f${Object.is(v, -0) ? '-0' : String(v)}`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  if (v instanceof DecimalValue || v instanceof JsonText || v instanceof SpecialNumber) return `${v.kind}${v.text.length}:${v.text}`;
  if (v instanceof TemporalValue) return `${v.type}${v.text.length}:${v.text}`;
  if (Array.isArray(v)) return `[${v.map(part).join(',')}]`;
  return `?${JSON.stringify(v) ?? typeof v}`;
}

/** The key text of `values` at `keyIndexes`. */
export function keyText(values: readonly Cell[], keyIndexes: readonly number[]): string {
  let out = '';
  for (const i of keyIndexes) out += `${part(values[i])}|`;
  return out;
}
