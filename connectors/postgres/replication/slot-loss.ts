/**
 * A replication slot this pipeline streamed from that is gone (missing after a primary failover, or
 * dropped) or invalidated (wal_status = lost: max_slot_wal_keep_size; PostgreSQL 16+ also
 * `conflicting` / 17+ `invalidation_reason`). Changes made since its position can no longer be
 * streamed, so dbmazz never streams from a new slot as if nothing happened: with SOURCE_ON_SLOT_LOST
 * = fail (the default) it stops with SlotLostError; with `resnapshot` it re-snapshots every table
 * (source.ts). The slot marker in the sink's state store tells "this pipeline streamed before" from
 * this source (the same SourceIdentity: a promoted standby keeps the primary's system identifier).
 */
import type pg from 'pg';
import { CdcError, type StateStore } from '../../../core/index.js';

export type SlotProblem = 'missing' | 'invalidated';

/** Typed: the slot this pipeline streamed from is missing or invalidated. */
export class SlotLostError extends CdcError {
  constructor(
    readonly slot: string,
    readonly problem: SlotProblem,
    message: string,
    hint: string,
  ) {
    super({ code: 'SOURCE_SETUP', retry: 'never', message, hint });
    this.name = 'SlotLostError';
  }
}

const RECOVER =
  'To recover, start once with SOURCE_ON_SLOT_LOST=resnapshot: dbmazz creates a new slot and copies every table again (rows deleted meanwhile are swept from the target), then streams. See docs/operations.md, "PostgreSQL failover".';

export function slotMissingError(slot: string, marker: SlotMarker | undefined): SlotLostError {
  const since = marker === undefined ? '' : ` (created ${marker.createdAt} at ${marker.lsn})`;
  return new SlotLostError(
    slot,
    'missing',
    `Replication slot '${slot}'${since} is missing, although this pipeline streamed from it: after a primary failover the new primary has no copy of it (unless it is a failover slot, PostgreSQL 17+), or it was dropped. Changes made since its last confirmed position are lost to the target.`,
    `${RECOVER} To keep slots across failovers, use SOURCE_FAILOVER_SLOT=true on PostgreSQL 17+.`,
  );
}

export function slotInvalidatedError(slot: string, reason: string): SlotLostError {
  return new SlotLostError(
    slot,
    'invalidated',
    `Replication slot '${slot}' was invalidated (${reason}): PostgreSQL removed WAL or rows it still needed, so changes made since its position can no longer be streamed and are lost to the target. dbmazz never drops a slot unasked.`,
    `${RECOVER} That drops the invalidated slot first (or drop it yourself: SELECT pg_drop_replication_slot('${slot}');). Raise max_slot_wal_keep_size (or set it to -1) to keep it from happening again.`,
  );
}

/** The invalidation columns of pg_replication_slots that exist on this server version. */
export interface SlotValidity {
  readonly walStatus: string | null;
  /** PostgreSQL 16+. */
  readonly conflicting: boolean | null;
  /** PostgreSQL 17+. */
  readonly invalidationReason: string | null;
}

/** Pure: why the slot can no longer stream, or undefined when it is valid. */
export function invalidation(v: SlotValidity): string | undefined {
  if (v.invalidationReason !== null && v.invalidationReason !== '') return `invalidation_reason = ${v.invalidationReason}`;
  if (v.walStatus === 'lost') return 'wal_status = lost';
  if (v.conflicting === true) return 'conflicting = true: rows it needed were removed (on a standby)';
  return undefined;
}

/** Reads the invalidation columns whatever the server version (to_jsonb has only the ones it has). */
export async function readSlotValidity(client: pg.ClientBase, slot: string): Promise<SlotValidity | undefined> {
  const res = await client.query<{ j: Record<string, unknown> }>('SELECT to_jsonb(s) AS j FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = $1', [
    slot,
  ]);
  const j = res.rows[0]?.j;
  if (j === undefined) return undefined;
  const text = (k: string): string | null => (typeof j[k] === 'string' ? j[k] : null);
  return {
    walStatus: text('wal_status'),
    conflicting: typeof j['conflicting'] === 'boolean' ? j['conflicting'] : null,
    invalidationReason: text('invalidation_reason'),
  };
}

/** Written to the sink's state store when this pipeline's slot is created or first streamed from. */
export interface SlotMarker {
  readonly slot: string;
  readonly createdAt: string;
  readonly lsn: string;
  /**
   * SourceIdentity.id of the server: a promoted physical standby keeps it (a failover), another
   * cluster has another one (SINK_ON_SOURCE_CHANGE decides about that, not the slot-loss check).
   */
  readonly source?: string;
}

const markerKey = (pipelineId: string): string => `slot/${pipelineId}`;

export async function readSlotMarker(store: StateStore | undefined, pipelineId: string): Promise<SlotMarker | undefined> {
  if (store === undefined) return undefined;
  const text = (await store.list(markerKey(pipelineId))).get(markerKey(pipelineId));
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<SlotMarker>;
    if (typeof v.slot !== 'string') return { slot: '?', createdAt: '?', lsn: '?' };
    const marker = { slot: v.slot, createdAt: String(v.createdAt ?? '?'), lsn: String(v.lsn ?? '?') };
    return typeof v.source === 'string' ? { ...marker, source: v.source } : marker;
  } catch {
    return { slot: '?', createdAt: '?', lsn: '?' };
  }
}

export async function writeSlotMarker(store: StateStore | undefined, pipelineId: string, marker: SlotMarker): Promise<void> {
  await store?.put(markerKey(pipelineId), JSON.stringify(marker));
}
