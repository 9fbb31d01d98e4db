/**
 * Deterministic Stream Load labels (pure). The same batch — on a retry or on a replay after a
 * restart that cuts the same batch — gets the same label, so StarRocks applies it at most once
 * (`Label Already Exists`, docs/starrocks-protocol.md §4.4). Labels are forgotten after 3 days / ~1000 txns per
 * database (§4.2); `merge_condition` on `dbmazz_cdc_version` covers replays beyond that window.
 *
 * A label must name the batch's content exactly: two different batches with one label lose the
 * second (`Label Already Exists` → skipped as loaded, its transaction confirmed). LSNs alone do not:
 * every row of a COPY page shares one LSN, and with interleaved transactions the smallest and largest
 * LSN of a batch do not tell which records lie between them. A batch is a run of consecutive records
 * of one table in stream order, and every record's position `(lsn, ordinal)` is unique and the same on
 * every replay (ChangeRecord.ordinal), so the first record's position, the last record's position and
 * the record count identify the run exactly.
 *
 * Form: `<prefix>-<pipelineId>-<table>-<first>-<last>-<count>-<subLoadIndex>`, a position written as
 * its LSN in hex plus `_<ordinal>` when the ordinal is not 0, e.g.
 * `dbmazz-dbmazz_slot-orders-16B374D848_3-16B374F000-250-0`. Characters outside `[A-Za-z0-9_]` in the
 * pipeline id or table become `_`; when that happened, or the label would exceed 128 characters, the
 * two names are shortened and a hash of the exact inputs is appended so distinct inputs keep
 * distinct labels. Always matches `^[-\w]{1,128}$` (§4.1).
 *
 * Snapshot rows (`ChangeRecord.snapshotRead`) break the position rule: every row of a chunk read
 * carries the read's version as its LSN and numbers its rows from 0, so two reads injected at the
 * same version (two chunks of one table, or a chunk read again after a restart) have the same
 * positions and maybe the same count. The distinct read ids of a batch, in order of appearance, are
 * therefore part of its identity (`reads`, a digest), and such labels always take the hashed form. A
 * read id is unique per read, so a retry of the batch keeps its label and another read never shares it.
 *
 * `variant` marks a batch whose content is not the plain run: the replay guard dropped changes
 * StarRocks already had. Its loads are numbered from 0 again, so without the variant a load of the
 * shortened batch could take the label of a different, already committed load of the full batch
 * (`Label Already Exists` → skipped, changes lost). With a variant the hashed form is always used.
 */
import { createHash } from 'node:crypto';
import type { ChangeRecord, Lsn, RowBlock } from '../../../core/index.js';

export const MAX_LABEL_LENGTH = 128;
export const LABEL_PATTERN = /^[-\w]{1,128}$/;
const HASH_CHARS = 16;

/** A change's position in the stream (ChangeRecord `lsn` and `ordinal`; `snapshotRead` for snapshot rows). */
export interface ChangePosition {
  readonly lsn: Lsn;
  readonly ordinal: number;
  readonly snapshotRead?: string;
}

/** What identifies a batch's content: its first and last record and how many records it holds. */
export interface BatchIdentity {
  readonly first: ChangePosition;
  readonly last: ChangePosition;
  readonly count: number;
  /** Digest of the distinct snapshot read ids of the batch, in order; absent when it has none. */
  readonly reads?: string;
}

export interface LabelParts extends BatchIdentity {
  readonly prefix: string;
  readonly pipelineId: string;
  /** Target table name. */
  readonly table: string;
  /** Index of the sub-load within the batch (0-based). */
  readonly index: number;
  /** Set when the batch's records are a subset of its run (`contentVariant`). */
  readonly variant?: string;
}

/** The identity of a non-empty run of records (in stream order). */
export function batchIdentity(records: readonly ChangeRecord[]): BatchIdentity {
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined) throw new RangeError('an empty batch has no identity');
  const identity = { first: { lsn: first.lsn, ordinal: first.ordinal }, last: { lsn: last.lsn, ordinal: last.ordinal }, count: records.length };
  const reads = readsDigest(records);
  return reads === undefined ? identity : { ...identity, reads };
}

/** The identity of a block's rows: what `batchIdentity` gives for its records (RowBlock.record). */
export function blockIdentity(block: RowBlock): BatchIdentity {
  const v = block.version;
  return {
    first: { lsn: v, ordinal: 0 },
    last: { lsn: v, ordinal: block.length - 1 },
    count: block.length,
    reads: readsDigest([{ lsn: v, ordinal: 0, snapshotRead: block.snapshotRead }]) as string,
  };
}

/** A digest of the distinct `snapshotRead` ids of `records` in order of appearance; undefined when none. */
export function readsDigest(records: readonly ChangePosition[]): string | undefined {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (r.snapshotRead === undefined || seen.has(r.snapshotRead)) continue;
    seen.add(r.snapshotRead);
    ids.push(r.snapshotRead);
  }
  return ids.length === 0 ? undefined : createHash('sha256').update(JSON.stringify(ids)).digest('hex').slice(0, HASH_CHARS);
}

export function formatPosition(p: ChangePosition): string {
  const lsn = p.lsn.toString(16).toUpperCase();
  return p.ordinal === 0 ? lsn : `${lsn}_${p.ordinal}`;
}

function positionsText(id: BatchIdentity): string {
  return `${formatPosition(id.first)}-${formatPosition(id.last)}-${id.count}`;
}

/** A text that names a batch's content exactly (for caches keyed by batch). */
export function identityText(id: BatchIdentity): string {
  return id.reads === undefined ? positionsText(id) : `${positionsText(id)}-${id.reads}`;
}

/** A short digest of exactly which changes a shortened batch holds (their positions and snapshot reads, in order). */
export function contentVariant(records: readonly ChangePosition[]): string {
  const h = createHash('sha256');
  for (const r of records) h.update(`${r.lsn.toString(16)}_${r.ordinal}${r.snapshotRead === undefined ? '' : `@${JSON.stringify(r.snapshotRead)}`},`);
  return h.digest('hex').slice(0, HASH_CHARS);
}

function clean(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

export function makeLabel(p: LabelParts): string {
  const prefix = clean(p.prefix).slice(0, 32) || 'dbmazz';
  const slot = clean(p.pipelineId);
  const table = clean(p.table);
  const tail = `${positionsText(p)}-${p.index}`;
  const plain = `${prefix}-${slot}-${table}-${tail}`;
  const exact = prefix === p.prefix && slot === p.pipelineId && table === p.table;
  if (exact && p.variant === undefined && p.reads === undefined && plain.length <= MAX_LABEL_LENGTH) return plain;

  const inputs: unknown[] = [p.prefix, p.pipelineId, p.table, identityText(p), p.index];
  if (p.variant !== undefined) inputs.push(p.variant);
  const hash = createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, HASH_CHARS);
  const budget = Math.max(0, MAX_LABEL_LENGTH - prefix.length - tail.length - hash.length - 4);
  const slotPart = slot.slice(0, Math.min(slot.length, Math.ceil(budget / 2)));
  const tablePart = table.slice(0, Math.max(0, budget - slotPart.length));
  return `${prefix}-${slotPart}-${tablePart}-${tail}-${hash}`.slice(0, MAX_LABEL_LENGTH);
}
