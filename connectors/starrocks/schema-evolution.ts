/**
 * Schema evolution policy and the pure parts of it: what changed between two shapes of a source table,
 * how to say it, and (policy `ignore`) how to leave out the columns the target does not have.
 *
 * `SCHEMA_EVOLUTION` (a StarRocks sink setting, docs/starrocks.md "Schema evolution"):
 * - `evolve` (default): added columns are added to the StarRocks table (ALTER TABLE … ADD COLUMN, one
 *   statement, waiting for the job to finish before any row carrying them is loaded); a changed type is
 *   widened (MODIFY COLUMN) when StarRocks can, otherwise the table fails with a stage error; dropped
 *   columns stay in StarRocks and are no longer written (warning). A rename is a drop plus an add.
 * - `ignore`: no DDL for source changes; columns the target lacks are not loaded (warning).
 * - `fail`: a change that needs the StarRocks table to change (a column it lacks, a type it cannot hold)
 *   stops the pipeline with a stage error; the operator applies it and restarts. Dropped columns only
 *   warn (they need nothing from StarRocks, and a replay after a restart may show an older shape).
 */
import type { ChangeRecord, ColumnSchema, TableSchema } from '../../core/index.js';
import { columnTypeText, formatTableId, sameColumnType } from '../../core/index.js';
import { isOneOf } from './one-of.js';

export const SCHEMA_EVOLUTION_POLICIES = ['evolve', 'ignore', 'fail'] as const;
export type SchemaEvolutionPolicy = (typeof SCHEMA_EVOLUTION_POLICIES)[number];

export function isSchemaEvolutionPolicy(v: unknown): v is SchemaEvolutionPolicy {
  return isOneOf(SCHEMA_EVOLUTION_POLICIES, v);
}

export interface RetypedColumn {
  readonly before: ColumnSchema;
  readonly after: ColumnSchema;
}

export interface SchemaDiff {
  readonly added: readonly ColumnSchema[];
  readonly dropped: readonly ColumnSchema[];
  readonly retyped: readonly RetypedColumn[];
  /** The key columns (or their order) differ. */
  readonly keyChanged: boolean;
}

/** Columns matched by name (a rename shows as a drop plus an add: Relation messages carry no column ids). */
export function diffSchemas(previous: TableSchema | undefined, next: TableSchema): SchemaDiff {
  if (previous === undefined) return { added: [], dropped: [], retyped: [], keyChanged: false };
  const before = new Map(previous.columns.map((c) => [c.name, c] as const));
  const after = new Map(next.columns.map((c) => [c.name, c] as const));
  const added = next.columns.filter((c) => !before.has(c.name));
  const dropped = previous.columns.filter((c) => !after.has(c.name));
  const retyped: RetypedColumn[] = [];
  for (const c of next.columns) {
    const old = before.get(c.name);
    if (old !== undefined && !sameColumnType(old, c)) retyped.push({ before: old, after: c });
  }
  const keyChanged = previous.keyColumns.length !== next.keyColumns.length || previous.keyColumns.some((k, i) => k !== next.keyColumns[i]);
  return { added, dropped, retyped, keyChanged };
}

export function isEmptyDiff(d: SchemaDiff): boolean {
  return d.added.length === 0 && d.dropped.length === 0 && d.retyped.length === 0 && !d.keyChanged;
}

/** The source's spelling of a column's type: `int4`, `varchar(20)`, `numeric(12,2)`, `text[]` from PostgreSQL. */
export function sourceTypeText(c: ColumnSchema): string {
  return columnTypeText(c);
}

/** One line for logs and errors, e.g. `added discount (numeric(5,2)); dropped note; qty int4 → int8`. */
export function describeDiff(d: SchemaDiff): string {
  const parts: string[] = [];
  if (d.added.length > 0) parts.push(`added ${d.added.map((c) => `${c.name} (${sourceTypeText(c)})`).join(', ')}`);
  if (d.dropped.length > 0) parts.push(`dropped ${d.dropped.map((c) => c.name).join(', ')}`);
  for (const r of d.retyped) parts.push(`${r.after.name} ${sourceTypeText(r.before)} → ${sourceTypeText(r.after)}`);
  if (d.keyChanged) parts.push('primary key changed');
  return parts.length > 0 ? parts.join('; ') : 'no column change';
}

/** The stage error of `SCHEMA_EVOLUTION=fail`. */
export function failPolicyMessage(schema: TableSchema, d: SchemaDiff, target: string): { message: string; hint: string } {
  return {
    message: `Source table ${formatTableId(schema.id)} changed (${describeDiff(d)}) and SCHEMA_EVOLUTION=fail stops on a column change StarRocks does not fit yet.`,
    hint:
      `Apply the same change to the StarRocks table ${target} yourself (ALTER TABLE … ADD / MODIFY COLUMN), then restart dbmazz; ` +
      'or set SCHEMA_EVOLUTION=evolve to let dbmazz apply it, or SCHEMA_EVOLUTION=ignore to keep loading only the columns StarRocks has.',
  };
}

/** A batch restricted to the columns `keep` accepts (the key columns must be among them). */
export interface Projection {
  readonly schema: TableSchema;
  readonly records: readonly ChangeRecord[];
  /** Source columns left out. */
  readonly omitted: readonly string[];
}

function pick<T>(values: readonly T[], indexes: readonly number[]): T[] {
  return indexes.map((i) => values[i] as T);
}

interface ProjectedSchema {
  readonly schema: TableSchema;
  readonly indexes: readonly number[];
  readonly omitted: readonly string[];
}

function projectSchema(schema: TableSchema, keep: (name: string) => boolean, cache: WeakMap<TableSchema, ProjectedSchema> | undefined): ProjectedSchema {
  const cached = cache?.get(schema);
  if (cached !== undefined) return cached;
  const indexes: number[] = [];
  const omitted: string[] = [];
  schema.columns.forEach((c, i) => (keep(c.name) || c.isKey || schema.keyColumns.includes(c.name) ? indexes.push(i) : omitted.push(c.name)));
  const p: ProjectedSchema = { schema: omitted.length === 0 ? schema : { ...schema, columns: pick(schema.columns, indexes) }, indexes, omitted };
  cache?.set(schema, p);
  return p;
}

export type ProjectionCache = WeakMap<TableSchema, ProjectedSchema>;

/**
 * Leaves out the columns `keep` rejects (never key columns), in the batch schema and in every record
 * (values are aligned with the columns of the record's own schema). Returns the inputs themselves when
 * nothing is left out. `cache` keeps one projected schema per source schema (stable across batches);
 * it must be dropped when `keep` changes.
 */
/** How many of `schema`'s columns the target lacks (`projectColumns` would leave them out). */
export function omittedColumns(schema: TableSchema, keep: (name: string) => boolean, cache?: ProjectionCache): number {
  return projectSchema(schema, keep, cache).omitted.length;
}

export function projectColumns(schema: TableSchema, records: readonly ChangeRecord[], keep: (name: string) => boolean, cache?: ProjectionCache): Projection {
  const main = projectSchema(schema, keep, cache);
  if (main.omitted.length === 0 && records.every((r) => r.schema === schema)) return { schema, records, omitted: [] };
  const out = records.map((r): ChangeRecord => {
    const p = r.schema === schema ? main : projectSchema(r.schema, keep, cache);
    if (p.omitted.length === 0) return r;
    switch (r.op) {
      case 'insert':
        return { ...r, schema: p.schema, after: pick(r.after, p.indexes) };
      case 'update':
        return { ...r, schema: p.schema, after: pick(r.after, p.indexes), ...(r.before !== undefined ? { before: pick(r.before, p.indexes) } : {}) };
      case 'delete':
        return { ...r, schema: p.schema, before: pick(r.before, p.indexes) };
    }
  });
  return { schema: main.schema, records: out, omitted: main.omitted };
}
