/**
 * The StarRocks sink's batches of the benchmark's tables, planned and encoded as the sink does (no I/O),
 * for `bench/sink-rows.ts` (the sink's CPU per row) and `bench/emulator-load.ts` (the emulator's load path
 * fed with the sink's real bodies):
 * - snapshot: a chunk of `bench_snapshot` (bench/snapshot-workload.ts): distinct ascending keys,
 *   one row in 20 with a 2,500-character text, one in 7 NULL;
 * - stream: `bench_events` traffic (bench/workload.ts): 100-change transactions of 70 inserts, 20
 *   updates and 10 key-only deletes of the previous transaction's rows.
 */
import type { ChangeRecord, RowBlock, TableSchema, Value, ValueFamily } from '../core/index.js';
import { DecimalValue, JsonText, TemporalValue } from '../core/index.js';
import type { LoadPlan, PlanTarget } from '../connectors/starrocks/rows/plan.js';
import { oldRowLookup, planBatch } from '../connectors/starrocks/rows/plan.js';
import { blockRows, type BlockLoad } from '../connectors/starrocks/rows/block-rows.js';
import { ChunkRows } from '../connectors/postgres/snapshot/chunk-rows.js';
import { TypeRegistry } from '../connectors/postgres/codec/pg-types.js';
import { encodeBody, type ConstantAudit } from '../connectors/starrocks/stream-load/body.js';
import { columnsHeader, loadColumns } from '../connectors/starrocks/stream-load/columns.js';
import { columnsWithAudit } from '../connectors/starrocks/stream-load/request.js';
import type { TargetColumn, TargetKind } from '../connectors/starrocks/type-map.js';

export const BATCH = 10_000;
export const AUDIT = { opType: 'dbmazz_op_type', isDeleted: 'dbmazz_is_deleted', syncedAt: 'dbmazz_synced_at', cdcVersion: 'dbmazz_cdc_version' };

/** [name, source family, target DATA_TYPE, kind, COLUMN_TYPE] as SINK_CREATE_TABLES makes them. */
export const COLUMNS: readonly (readonly [string, ValueFamily, string, TargetKind, string])[] = [
  ['id', 'int8', 'bigint', 'integer', 'bigint(20)'],
  ['amount', 'numeric', 'decimal', 'decimal', 'decimal(18,4)'],
  ['title', 'text', 'varchar', 'string', 'varchar(65533)'],
  ['created_at', 'timestamptz', 'datetime', 'datetime', 'datetime'],
  ['payload', 'json', 'json', 'json', 'json'],
  ['active', 'boolean', 'boolean', 'boolean', 'boolean'],
  ['qty', 'int4', 'int', 'integer', 'int(11)'],
  ['body', 'text', 'varchar', 'string', 'varchar(65533)'],
];

const schema: TableSchema = {
  id: { schema: 'public', name: 'bench_snapshot' },
  columns: COLUMNS.map(([name, family], i) => ({ name, typeName: family, typeOid: 0, typeModifier: -1, isKey: i === 0, family })),
  keyColumns: ['id'],
  version: 1,
};
export const targetColumns = new Map<string, TargetColumn>(
  COLUMNS.map(([name, , dataType, kind, columnType], i) => [
    name,
    { name, dataType, kind, nullable: i > 0, isKey: i === 0, columnType, columnSize: kind === 'string' ? 65533 : null },
  ]),
);
const names = COLUMNS.map(([name]) => name);
const mapping = { targetNames: names, sourceKeyTargetNames: ['id'] };
export const target: PlanTarget = { tableLabel: 'db.bench', columnOrder: names, keyColumns: ['id'], fullColumns: new Set(names), mappingFor: () => mapping };

// Flat, as text decoded from PostgreSQL is ('x'.repeat builds a rope).
const LONG = Buffer.from('x'.repeat(2500)).toString('latin1');
function row(g: number): Value[] {
  const micros = String(g % 1_000_000).padStart(6, '0');
  return [
    BigInt(g),
    new DecimalValue((g * 1.2345).toFixed(4)),
    `title ${g}`,
    new TemporalValue('timestamptz', `2026-12-07 03:4${g % 10}:05.${micros}`),
    new JsonText(`{"k": ${g}, "s": "v${g % 97}"}`),
    g % 2 === 0,
    g % 1000,
    g % 20 === 0 ? LONG : g % 7 === 0 ? null : `short ${g}`,
  ];
}

export function snapshotBatch(from: number): ChangeRecord[] {
  const out: ChangeRecord[] = [];
  for (let g = from; g < from + BATCH; g++)
    out.push({ schema, lsn: 100n, ordinal: g - from, commitLsn: 100n, commitTimeMicros: 0n, op: 'insert', after: row(g), snapshotRead: 'r1' });
  return out;
}

/** PostgreSQL's text of a value of row(g) (what a snapshot read hands over; timestamptz in UTC). */
function pgText(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof TemporalValue) return `${v.text}+00`;
  if (v instanceof DecimalValue || v instanceof JsonText) return v.text;
  return String(v);
}

const registry = new TypeRegistry();
/** The OIDs of COLUMNS' PostgreSQL types. */
const OIDS = [20, 1700, 25, 1184, 3802, 16, 23, 25];

/** The same chunk as `snapshotBatch`, as the PostgreSQL source's block of it (COPY text kept as read). */
export function snapshotBlock(from: number): RowBlock {
  const rows = new ChunkRows(
    OIDS.map((oid) => registry.lookup(oid)),
    [0],
  );
  for (let g = from; g < from + BATCH; g++) rows.cells(row(g).map(pgText));
  return rows.block({ schema, version: 100n, commitTimeMicros: 0n, snapshotRead: 'r1' });
}

/** A block's single load as the sink makes it (rows/block-rows.ts). */
export function blockLoad(block: RowBlock): BlockLoad {
  const load = blockRows(block, target, { table: 'db.bench', source: 'public.bench_snapshot', keyColumns: [targetColumns.get('id') as TargetColumn] });
  if (load === undefined) throw new Error('the block does not plan to one load');
  return load;
}

/** Encodes a block's load as the sink does. */
export function encodeBlockLoad(load: BlockLoad): Buffer {
  const cols = loadColumns(load.columns.map((n) => targetColumns.get(n) ?? { name: n, kind: 'other' as const }));
  return encodeBody(cols, load.rows, AUDIT, SYNCED_AT, 'db.bench').body;
}

export function streamBatch(from: number): ChangeRecord[] {
  const out: ChangeRecord[] = [];
  for (let t = 0; t < BATCH / 100; t++) {
    const first = from + t * 70;
    const lsn = 1000n + BigInt(from + t);
    // Object literals of one shape per op, as connectors/postgres/codec/to-change-record.ts builds them.
    let ordinal = 0;
    for (let i = 0; i < 70; i++) out.push({ schema, lsn, ordinal: ordinal++, commitLsn: lsn, commitTimeMicros: 0n, op: 'insert', after: row(first + i) });
    for (let i = 0; i < 20; i++) out.push({ schema, lsn, ordinal: ordinal++, commitLsn: lsn, commitTimeMicros: 0n, op: 'update', after: row(first - 70 + i) });
    for (let i = 20; i < 30; i++) {
      const before = row(first - 70 + i).map((v, k) => (k === 0 ? v : null));
      out.push({ schema, lsn, ordinal: ordinal++, commitLsn: lsn, commitTimeMicros: 0n, op: 'delete', before, fullBefore: false });
    }
  }
  return out;
}

/** One Stream Load of a planned batch: its body and its `columns` header (load columns, then the audit columns). */
export interface EncodedLoad {
  readonly body: Buffer;
  readonly columns: string;
  readonly partial: boolean;
  readonly rows: number;
}

/** Plans `records` as the sink does before any load (rows/plan.ts): one load per column set. */
export function planLoads(records: readonly ChangeRecord[]): readonly LoadPlan[] {
  oldRowLookup(records, target);
  return planBatch(records, target).loads;
}

const SYNCED_AT = '2026-12-07 03:00:00.000000';

/**
 * Encodes one planned load as the sink does (stream-load/body.ts); `audit`: the audit values all its
 * rows share, set by the header as the sink does for a snapshot chunk (body.ts ConstantAudit).
 */
export function encodeLoad(load: LoadPlan, audit?: ConstantAudit): EncodedLoad {
  const cols = loadColumns(load.columns.map((n) => targetColumns.get(n) ?? { name: n, kind: 'other' as const }));
  return {
    body: encodeBody(cols, load.rows, AUDIT, SYNCED_AT, 'db.bench', audit).body,
    columns: columnsWithAudit(columnsHeader(cols), Object.values(AUDIT), audit === undefined ? undefined : { ...audit, syncedAt: SYNCED_AT }),
    partial: load.partial,
    rows: load.rows.length,
  };
}

/** Plans and encodes `records` as the sink does (`audit`: see encodeLoad). */
export function encodeLoads(records: readonly ChangeRecord[], audit?: ConstantAudit): EncodedLoad[] {
  return planLoads(records).map((l) => encodeLoad(l, audit));
}

/** The audit values of snapshotBatch's rows (inserts at version 100), as a snapshot chunk's load sets them. */
export const SNAPSHOT_AUDIT: ConstantAudit = { opType: 0, deleted: false, version: 100n };
