/**
 * The load of a block of snapshot rows (core RowBlock), row by row (pure). A block's rows are inserts
 * of whole rows with distinct keys, so its records would plan to exactly one load: every mapped
 * column, in the order the planner gives them, one planned row per record, in order. That load is
 * found by planning the block's first record (rows/plan.ts), so the columns, their order and `partial`
 * are the planner's own; the other rows are then made one at a time while the body is written: a
 * row's values are decoded into one reused array (they die young instead of living, one object per
 * cell, until the load is durable: docs/performance.md, "Snapshot rows as blocks, cells written from their text"). The primary key
 * size check (key-size.ts) runs on each row as it is made.
 */
import type { BlockTexts, RowBlock, TextForm, Value } from '../../../core/index.js';
import { OP_INSERT } from '../audit.js';
import { checkKeySizes, keyColumnWidth, type KeySizeTarget } from '../key-size.js';
import { TEXT_BOOLEAN, TEXT_DATETIME, TEXT_DECIMAL, TEXT_INTEGER, TEXT_JSON, TEXT_STRING, type BodyRow, type BodyRowText } from '../stream-load/body.js';
import { planBatch, type LoadPlan, type PlanTarget } from './plan.js';

export interface BlockLoad {
  readonly columns: readonly string[];
  readonly partial: boolean;
  readonly rows: { readonly length: number; row(i: number): BodyRow };
}

/** The single load of `block`; undefined when its first record does not plan to one full-row load of its columns. */
export function blockRows(block: RowBlock, target: PlanTarget, keys: KeySizeTarget): BlockLoad | undefined {
  const { loads } = planBatch([block.record(0)], target, undefined);
  const load = loads[0];
  if (loads.length !== 1 || load === undefined || load.rows.length !== 1) return undefined;
  const mapping = target.mappingFor(block.schema);
  // Source column of each load column: the one the mapping sends there (exactly one).
  const sourceOf = new Map<string, number>();
  for (let i = 0; i < block.schema.columns.length; i++) {
    const name = mapping.targetNames[i];
    if (name === undefined) continue;
    if (sourceOf.has(name)) return undefined;
    sourceOf.set(name, i);
  }
  const src = new Int32Array(load.columns.length);
  for (let j = 0; j < load.columns.length; j++) {
    const i = sourceOf.get(load.columns[j] ?? '');
    if (i === undefined) return undefined;
    src[j] = i;
  }
  const identity = src.length === block.schema.columns.length && src.every((i, j) => i === j);
  const checkKeys = keys.keyColumns.some((c) => keyColumnWidth(c) === 'string');
  const texts = block.texts;
  if (texts !== undefined) return textRows(block, texts, load, src, checkKeys ? keys : undefined);
  const after: Value[] = [];
  const values: Value[] = identity ? after : new Array<Value>(src.length);
  const row: { values: Value[]; opType: typeof OP_INSERT; deleted: boolean; version: bigint } = {
    values,
    opType: OP_INSERT,
    deleted: false,
    version: block.version,
  };
  const keyLoad = { columns: load.columns, rows: [row] };
  return loadOf(load, block.length, (r) => {
    block.values(r, after);
    if (!identity) for (let j = 0; j < src.length; j++) values[j] = after[src[j] as number] ?? null;
    if (checkKeys) checkKeySizes(keys, [keyLoad]);
    return row;
  });
}

/** The load of `plan`'s columns with `length` rows made by `row`. */
function loadOf(plan: LoadPlan, length: number, row: (r: number) => BodyRow): BlockLoad {
  return { columns: plan.columns, partial: plan.partial, rows: { length, row } };
}

const FORM_CODES: Readonly<Record<TextForm, number>> = {
  integer: TEXT_INTEGER,
  decimal: TEXT_DECIMAL,
  text: TEXT_STRING,
  boolean: TEXT_BOOLEAN,
  datetime: TEXT_DATETIME,
  json: TEXT_JSON,
};

/**
 * Rows of a block that gives its cells' text: each row hands the encoder the cells' offsets (it
 * writes what it can straight from the text, body.ts) and decodes a cell only when asked.
 */
function textRows(block: RowBlock, texts: BlockTexts, load: LoadPlan, src: Int32Array, keys: KeySizeTarget | undefined): BlockLoad {
  const width = src.length;
  const forms = new Uint8Array(width);
  for (let j = 0; j < width; j++) {
    const form = texts.forms[src[j] as number];
    forms[j] = form === undefined ? 0 : FORM_CODES[form];
  }
  const starts = new Int32Array(width);
  const ends = new Int32Array(width);
  let current = 0;
  const text: BodyRowText = { data: texts.data, starts, ends, forms, value: (j) => block.value(current, src[j] as number) };
  // The values array holds only what the key size check reads (string keys).
  const values = new Array<Value>(width).fill(null);
  const keyAt = keys === undefined ? [] : keys.keyColumns.map((k) => load.columns.findIndex((c) => c.toLowerCase() === k.name.toLowerCase()));
  const row: BodyRow = { values, opType: OP_INSERT, deleted: false, version: block.version, text };
  const keyLoad = { columns: load.columns, rows: [row] };
  return loadOf(load, block.length, (r) => {
    current = r;
    for (let j = 0; j < width; j++) {
      const c = src[j] as number;
      starts[j] = texts.start(r, c);
      ends[j] = texts.end(r, c);
    }
    if (keys !== undefined) {
      for (const j of keyAt) if (j >= 0) values[j] = block.value(r, src[j] as number);
      checkKeySizes(keys, [keyLoad]);
    }
    return row;
  });
}
