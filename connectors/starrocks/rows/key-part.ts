/** Key values as text: what rows/plan.ts and rows/fast-plan.ts tell keys apart by (pure). */
import type { Value } from '../../../core/index.js';

/** An unambiguous text for a key value (type-tagged). */
export function keyPart(v: Value): string {
  if (v === null) return 'n';
  if (Array.isArray(v)) return `a[${v.map(keyPart).join(',')}]`;
  switch (typeof v) {
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'number':
    case 'bigint':
      return `i${String(v)}`;
    case 'string':
      return `s${v}`;
    default:
      break;
  }
  if (v instanceof Uint8Array) return `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  return `t${String(v)}`;
}
