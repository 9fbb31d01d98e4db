/**
 * Deterministic Stream Load labels (pure). The same batch — on a retry or on a replay after a
 * restart that cuts the same batch — gets the same label, so StarRocks applies it at most once
 * (`Label Already Exists`, PROTOCOL.md §4.4). Labels are forgotten after 3 days / ~1000 txns per
 * database (§4.2); `merge_condition` on `dbmazz_cdc_version` covers replays beyond that window.
 *
 * Form: `<prefix>-<pipelineId>-<table>-<firstLsnHex>-<lastLsnHex>-<subLoadIndex>`, e.g.
 * `dbmazz-dbmazz_slot-orders-16B374D848-16B374F000-0`. Characters outside `[A-Za-z0-9_]` in the
 * pipeline id or table become `_`; when that happened, or the label would exceed 128 characters, the
 * two names are shortened and a hash of the exact inputs is appended so distinct inputs keep
 * distinct labels. Always matches `^[-\w]{1,128}$` (§4.1).
 *
 * `variant` marks a batch whose content is not the plain LSN range: the replay guard dropped changes
 * StarRocks already had. Its loads are numbered from 0 again, so without the variant a load of the
 * shortened batch could take the label of a different, already committed load of the full batch
 * (`Label Already Exists` → skipped, changes lost). With a variant the hashed form is always used.
 */
import { createHash } from 'node:crypto';
import type { Lsn } from '../../../core/index.js';

export const MAX_LABEL_LENGTH = 128;
export const LABEL_PATTERN = /^[-\w]{1,128}$/;

export interface LabelParts {
  readonly prefix: string;
  readonly pipelineId: string;
  /** Target table name. */
  readonly table: string;
  readonly firstLsn: Lsn;
  readonly lastLsn: Lsn;
  /** Index of the sub-load within the batch (0-based). */
  readonly index: number;
  /** Set when the batch's records are a subset of its LSN range (`contentVariant`). */
  readonly variant?: string;
}

/** A short digest of exactly which changes a shortened batch holds (their LSNs, in order). */
export function contentVariant(lsns: readonly Lsn[]): string {
  const h = createHash('sha256');
  for (const l of lsns) h.update(`${l.toString(16)},`);
  return h.digest('hex').slice(0, HASH_CHARS);
}

const HASH_CHARS = 16;

function clean(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

export function makeLabel(p: LabelParts): string {
  const prefix = clean(p.prefix).slice(0, 32) || 'dbmazz';
  const slot = clean(p.pipelineId);
  const table = clean(p.table);
  const tail = `${p.firstLsn.toString(16).toUpperCase()}-${p.lastLsn.toString(16).toUpperCase()}-${p.index}`;
  const plain = `${prefix}-${slot}-${table}-${tail}`;
  const exact = prefix === p.prefix && slot === p.pipelineId && table === p.table;
  if (exact && p.variant === undefined && plain.length <= MAX_LABEL_LENGTH) return plain;

  const inputs: unknown[] = [p.prefix, p.pipelineId, p.table, p.firstLsn.toString(), p.lastLsn.toString(), p.index];
  if (p.variant !== undefined) inputs.push(p.variant);
  const hash = createHash('sha256')
    .update(JSON.stringify(inputs))
    .digest('hex')
    .slice(0, HASH_CHARS);
  const budget = Math.max(0, MAX_LABEL_LENGTH - prefix.length - tail.length - hash.length - 4);
  const slotPart = slot.slice(0, Math.min(slot.length, Math.ceil(budget / 2)));
  const tablePart = table.slice(0, Math.max(0, budget - slotPart.length));
  return `${prefix}-${slotPart}-${tablePart}-${tail}-${hash}`.slice(0, MAX_LABEL_LENGTH);
}
