/**
 * Pure: turns the items of one flush into what the sink is asked to do, in order.
 *
 * - Records are grouped per table in stream order (per-key order follows), one `TableBatch` per run of
 *   records that carry the same schema. When a table's schema changes, a `schema` step comes first, so
 *   `Sink.schemaChanged` runs before any record with the new shape is written. A block of snapshot rows
 *   (a sink that takes blocks, RowBlock) is a batch of its own, in its place in that order.
 * - A truncate is a barrier: the tables work before it completes before the truncate, which completes
 *   before anything after it. Truncates are rare; a barrier keeps the ordering trivially right.
 * - A plan with a truncate, a schema step or a sweep is a `barrier` across flushes too (flush-writer.ts):
 *   it starts once every earlier flush has ended, and later flushes start once it has ended.
 */
import type { ChangeRecord } from '../model/change-record.js';
import type { Lsn } from '../model/lsn.js';
import type { RowBlock } from '../model/row-block.js';
import { sameColumnType, tableKey, type TableId, type TableSchema } from '../model/table.js';
import type { TableBatch } from '../plugin/sink.js';
import type { BufferItem } from './event-buffer.js';

export type TableStep =
  | { readonly kind: 'schema'; readonly schema: TableSchema; readonly previous: TableSchema | undefined }
  | { readonly kind: 'write'; readonly batch: TableBatch }
  /** Remove the target's rows older than `before` (a completed snapshot), after the writes before it. */
  | { readonly kind: 'sweep'; readonly schema: TableSchema; readonly before: Lsn };

export interface TableWork {
  /** `schema.table`. */
  readonly table: string;
  readonly steps: readonly TableStep[];
}

export type FlushPhase =
  { readonly kind: 'tables'; readonly tables: readonly TableWork[] } | { readonly kind: 'truncate'; readonly tables: readonly TableId[]; readonly lsn: Lsn };

export interface FlushPlan {
  readonly phases: readonly FlushPhase[];
  /** The schemas the sink knows once the plan has run, by table key. */
  readonly schemas: ReadonlyMap<string, TableSchema>;
  readonly changes: number;
  /** Has a truncate, schema or sweep step: no overlap with the flushes before and after it. */
  readonly barrier: boolean;
}

/**
 * Same shape: same table, columns (name, type, modifier, key flag) and key order. `version` is not
 * compared: a source may number the schema it reads at setup and the one its stream announces
 * differently while the shape is the same, and only the shape matters to a sink.
 */
export function sameSchema(a: TableSchema | undefined, b: TableSchema | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a.id.schema !== b.id.schema || a.id.name !== b.id.name) return false;
  if (a.columns.length !== b.columns.length || a.keyColumns.length !== b.keyColumns.length) return false;
  for (let i = 0; i < a.columns.length; i++) {
    const x = a.columns[i];
    const y = b.columns[i];
    if (x === undefined || y === undefined) return false;
    if (x.name !== y.name || x.isKey !== y.isKey || !sameColumnType(x, y)) return false;
  }
  return a.keyColumns.every((k, i) => k === b.keyColumns[i]);
}

class TableBuilder {
  readonly steps: TableStep[] = [];
  private schema: TableSchema | undefined;
  private records: ChangeRecord[] = [];
  private firstLsn: Lsn = 0n;
  private lastLsn: Lsn = 0n;

  constructor(
    readonly table: string,
    private readonly pipelineId: string,
    private known: TableSchema | undefined,
  ) {}

  get currentSchema(): TableSchema | undefined {
    return this.known;
  }

  announce(schema: TableSchema): void {
    // The same shape under another object is no change for the sink.
    if (sameSchema(schema, this.known)) return;
    this.close();
    this.steps.push({ kind: 'schema', schema, previous: this.known });
    this.known = schema;
  }

  add(record: ChangeRecord): void {
    if (record.schema !== this.schema) {
      if (this.schema === undefined || !sameSchema(record.schema, this.schema)) {
        this.close();
        if (!sameSchema(record.schema, this.known)) this.announce(record.schema);
        this.schema = record.schema;
      }
    }
    if (this.records.length === 0) {
      this.firstLsn = record.lsn;
      this.lastLsn = record.lsn;
    } else {
      if (record.lsn < this.firstLsn) this.firstLsn = record.lsn;
      if (record.lsn > this.lastLsn) this.lastLsn = record.lsn;
    }
    this.records.push(record);
  }

  /** A block of snapshot rows: a batch of its own (TableBatch.rows), after what came before it. */
  addRows(block: RowBlock): void {
    this.close();
    if (!sameSchema(block.schema, this.known)) this.announce(block.schema);
    this.steps.push({
      kind: 'write',
      batch: { schema: block.schema, records: [], rows: block, firstLsn: block.version, lastLsn: block.version, pipelineId: this.pipelineId },
    });
  }

  /** A sweep after everything of this table so far; nothing to sweep for a table the sink never saw. */
  sweep(before: Lsn): void {
    this.close();
    if (this.known !== undefined) this.steps.push({ kind: 'sweep', schema: this.known, before });
  }

  /** Ends the current batch (before a schema change or at the end of a phase). */
  close(): void {
    if (this.records.length > 0 && this.schema !== undefined) {
      this.steps.push({
        kind: 'write',
        batch: {
          schema: this.schema,
          records: this.records,
          firstLsn: this.firstLsn,
          lastLsn: this.lastLsn,
          pipelineId: this.pipelineId,
        },
      });
    }
    this.records = [];
    this.schema = undefined;
  }
}

export function planFlush(items: readonly BufferItem[], known: ReadonlyMap<string, TableSchema>, pipelineId: string): FlushPlan {
  const schemas = new Map(known);
  const phases: FlushPhase[] = [];
  let builders = new Map<string, TableBuilder>();
  let changes = 0;

  const builderFor = (id: TableId): TableBuilder => {
    const key = tableKey(id);
    let builder = builders.get(key);
    if (builder === undefined) {
      builder = new TableBuilder(key, pipelineId, schemas.get(key));
      builders.set(key, builder);
    }
    return builder;
  };

  const endPhase = (): void => {
    const tables: TableWork[] = [];
    for (const builder of builders.values()) {
      builder.close();
      const schema = builder.currentSchema;
      if (schema !== undefined) schemas.set(builder.table, schema);
      if (builder.steps.length > 0) tables.push({ table: builder.table, steps: builder.steps });
    }
    if (tables.length > 0) phases.push({ kind: 'tables', tables });
    builders = new Map();
  };

  for (const item of items) {
    switch (item.kind) {
      case 'change':
        changes += 1;
        builderFor(item.record.schema.id).add(item.record);
        break;
      case 'rows':
        changes += item.rows.length;
        builderFor(item.rows.schema.id).addRows(item.rows);
        break;
      case 'schema':
        builderFor(item.schema.id).announce(item.schema);
        break;
      case 'sweep':
        builderFor(item.table).sweep(item.before);
        break;
      case 'truncate':
        endPhase();
        phases.push({ kind: 'truncate', tables: item.tables, lsn: item.lsn });
        break;
    }
  }
  endPhase();
  const barrier = phases.some((p) => p.kind === 'truncate' || p.tables.some((t) => t.steps.some((s) => s.kind !== 'write')));
  return { phases, schemas, changes, barrier };
}
