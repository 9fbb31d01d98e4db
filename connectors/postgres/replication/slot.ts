/**
 * The logical replication slot: read, create when missing (pgoutput), drop on explicit deletion.
 * An existing slot is never dropped or recreated by setup: its confirmed_flush_lsn is where a
 * restart resumes.
 */
import type pg from 'pg';
import { parseLsn, type Lsn } from '../../../core/index.js';
import { setupError } from '../errors.js';

export interface SlotInfo {
  readonly name: string;
  readonly plugin: string | null;
  readonly slotType: string;
  readonly database: string | null;
  /** Null until the slot has a consistent point (never for a usable logical slot). */
  readonly confirmedFlushLsn: Lsn | undefined;
  readonly active: boolean;
  /** pg_replication_slots.wal_status (PostgreSQL 13+): `lost` when the server removed WAL the slot needs. */
  readonly walStatus: string | null;
}

export async function readSlot(client: pg.ClientBase, name: string): Promise<SlotInfo | undefined> {
  const res = await client.query<{
    slot_name: string;
    plugin: string | null;
    slot_type: string;
    database: string | null;
    confirmed: string | null;
    active: boolean;
    wal_status: string | null;
  }>(
    `SELECT slot_name::text, plugin::text, slot_type, database::text, confirmed_flush_lsn::text AS confirmed, active,
            wal_status::text AS wal_status
       FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
    [name],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    name: r.slot_name,
    plugin: r.plugin,
    slotType: r.slot_type,
    database: r.database,
    confirmedFlushLsn: r.confirmed ? parseLsn(r.confirmed) : undefined,
    active: r.active,
    walStatus: r.wal_status,
  };
}

/** Throws (touching nothing) when an existing slot cannot be used by this pipeline. Pure. */
export function checkSlotUsable(slot: SlotInfo, database: string): void {
  if (slot.slotType !== 'logical') {
    throw setupError(
      `Replication slot '${slot.name}' exists but is a ${slot.slotType} slot; dbmazz needs a logical slot using pgoutput.`,
      'Choose another SOURCE_SLOT_NAME; dbmazz never drops an existing slot.',
    );
  }
  if (slot.plugin !== 'pgoutput') {
    throw setupError(
      `Replication slot '${slot.name}' exists but uses the output plugin '${slot.plugin ?? 'unknown'}'; dbmazz needs pgoutput.`,
      `Choose another SOURCE_SLOT_NAME, or drop the slot yourself if it is unused: SELECT pg_drop_replication_slot('${slot.name}'); dbmazz never drops an existing slot.`,
    );
  }
  if (slot.walStatus === 'lost') throw lostSlotError(slot.name);
  if (slot.database !== database) {
    throw setupError(
      `Replication slot '${slot.name}' exists but belongs to database '${slot.database ?? '?'}', not '${database}'.`,
      'Choose another SOURCE_SLOT_NAME (slot names are unique per server).',
    );
  }
}

/**
 * The slot was invalidated (wal_status = lost: max_slot_wal_keep_size, or a failover to a server
 * without it): the changes since its position are gone, so streaming from it, or from a new slot
 * as if nothing happened, would silently leave the target behind. dbmazz never drops it itself.
 */
export function lostSlotError(name: string): Error {
  return setupError(
    `Replication slot '${name}' was invalidated (pg_replication_slots.wal_status = lost): PostgreSQL removed WAL it still needed, so changes made since its position can no longer be streamed.`,
    `Changes were lost to the target. Drop the slot yourself (SELECT pg_drop_replication_slot('${name}')) and restart: the new slot starts with a full snapshot of every table (SNAPSHOT_MODE=initial, the default). Raise max_slot_wal_keep_size to keep it from happening again. See docs/operations.md, "Snapshots".`,
  );
}

/** Creates a pgoutput slot; returns its consistent point. */
export async function createSlot(client: pg.ClientBase, name: string): Promise<Lsn> {
  const res = await client.query<{ lsn: string }>(
    `SELECT lsn::text AS lsn FROM pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput')`,
    [name],
  );
  const lsn = res.rows[0]?.lsn;
  if (!lsn) throw setupError(`Creating replication slot '${name}' returned no position.`, 'Check the server log.');
  return parseLsn(lsn);
}

/** Drops the slot when it exists. Fails (retriable) while a connection is streaming from it. */
export async function dropSlot(client: pg.ClientBase, name: string): Promise<boolean> {
  const res = await client.query(
    `SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
    [name],
  );
  return (res.rowCount ?? 0) > 0;
}
