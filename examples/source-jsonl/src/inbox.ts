/**
 * The inbox format (pure): one transaction per line,
 * `{"table":"public.items","changes":[{"op":"insert","row":{"id":"1","note":"a"}},{"op":"delete","key":{"id":"1"}}]}`
 * or `{"table":"public.items","truncate":true}`. Values are text; an int8 column's text becomes a bigint.
 */
import { CdcError, type ChangeRecord, type ColumnSchema, type SourceEvent, type TableSchema, type Value } from 'dbmazz';

interface InboxLine {
  readonly table?: string;
  readonly truncate?: boolean;
  readonly changes?: readonly {
    readonly op: 'insert' | 'update' | 'delete';
    readonly row?: Record<string, string | null>;
    readonly key?: Record<string, string>;
  }[];
}

/** `id:int8:key,note:text` (SOURCE_JSONL_COLUMNS) as columns. */
export function parseColumns(spec: readonly string[]): ColumnSchema[] {
  return spec.map((entry) => {
    const [name = '', family = 'text', key] = entry.split(':');
    return { name, typeName: family, typeOid: 0, typeModifier: -1, isKey: key === 'key', family: family === 'int8' ? 'int8' : 'text' };
  });
}

function value(column: ColumnSchema, text: string | null | undefined): Value {
  if (text === null || text === undefined) return null;
  return column.family === 'int8' ? BigInt(text) : text;
}

// #region events
/**
 * The events of the line that starts at byte `start` and ends (after its newline) at `end`: the
 * changes share the LSN `start` with ordinals 0, 1, 2...; the commit confirms `end`. Byte offsets
 * only grow, so positions increase, also across restarts.
 */
export function lineEvents(text: string, start: bigint, end: bigint, tables: ReadonlyMap<string, TableSchema>): SourceEvent[] {
  const line = JSON.parse(text) as InboxLine;
  const schema = tables.get(line.table ?? '');
  if (schema === undefined) {
    throw new CdcError({
      code: 'SOURCE_PROTOCOL',
      message: `The inbox line at byte ${start} names the table '${String(line.table)}', which is not in TABLES.`,
      hint: 'Add it to TABLES, or remove the line.',
    });
  }
  const commit: SourceEvent = { kind: 'commit', position: end, commitLsn: end, commitTimeMicros: BigInt(Date.now()) * 1000n };
  if (line.truncate === true) return [{ kind: 'truncate', tables: [schema.id], lsn: start, commitLsn: end }, commit];
  const base = { schema, lsn: start, commitLsn: end, commitTimeMicros: commit.commitTimeMicros };
  const changes = (line.changes ?? []).map((c, ordinal): SourceEvent => {
    const cells = schema.columns.map((col) => value(col, c.op === 'delete' ? c.key?.[col.name] : c.row?.[col.name]));
    const record: ChangeRecord =
      c.op === 'delete' ? { ...base, ordinal, op: 'delete', before: cells, fullBefore: false } : { ...base, ordinal, op: c.op, after: cells };
    return { kind: 'change', record };
  });
  return [...changes, commit];
}
// #endregion events
