/** The text of a cell read over the MySQL protocol (mysql2 gives strings, numbers, Buffers or Dates). */
export function sqlText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v) ?? '';
}
