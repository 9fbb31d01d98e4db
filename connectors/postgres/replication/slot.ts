/**
 * The logical replication slot: read, create when missing (pgoutput), drop on explicit deletion.
 * An existing slot is never dropped or recreated by setup: its confirmed_flush_lsn is where a
 * restart resumes.
 */
import type pg from 'pg';
import { parseLsn, type Lsn } from '../../../core/index.js';
import { setupError } from '../errors.js';
import { slotInvalidatedError } from './slot-loss.js';

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
  // An invalidated slot (wal_status = lost) is the caller's concern: SOURCE_ON_SLOT_LOST (source.ts).
  if (slot.database !== database) {
    throw setupError(
      `Replication slot '${slot.name}' exists but belongs to database '${slot.database ?? '?'}', not '${database}'.`,
      'Choose another SOURCE_SLOT_NAME (slot names are unique per server).',
    );
  }
}

/** The slot was invalidated (wal_status = lost): see slot-loss.ts. */
export function lostSlotError(name: string): Error {
  return slotInvalidatedError(name, 'wal_status = lost');
}

/** PostgreSQL 17 introduced failover slots (the `failover` option, sync_replication_slots). */
export const FAILOVER_SLOT_VERSION_NUM = 170000;

/** Pure: why SOURCE_FAILOVER_SLOT cannot be honoured on this server, or undefined. */
export function failoverSlotProblem(versionNum: number, version: string, target: string): string | undefined {
  if (versionNum >= FAILOVER_SLOT_VERSION_NUM) return undefined;
  return `SOURCE_FAILOVER_SLOT=true needs PostgreSQL 17 or later (failover slots); ${target} runs PostgreSQL ${version}.`;
}

/** Pure: the slot creation query; with `failover`, PostgreSQL 17's (temporary, twophase, failover) arguments. */
export function createSlotSql(failover: boolean): string {
  const args = failover ? `$1, 'pgoutput', false, false, true` : `$1, 'pgoutput'`;
  return `SELECT lsn::text AS lsn FROM pg_catalog.pg_create_logical_replication_slot(${args})`;
}

/** Pure: the replication command (PostgreSQL 17+) that makes an existing slot a failover slot. */
export function alterFailoverCommand(name: string): string {
  return `ALTER_REPLICATION_SLOT "${name.replace(/"/g, '""')}" ( FAILOVER true )`;
}

/** Creates a pgoutput slot; returns its consistent point. */
export async function createSlot(client: pg.ClientBase, name: string, failover = false): Promise<Lsn> {
  const res = await client.query<{ lsn: string }>(createSlotSql(failover), [name]);
  const lsn = res.rows[0]?.lsn;
  if (!lsn) throw setupError(`Creating replication slot '${name}' returned no position.`, 'Check the server log.');
  return parseLsn(lsn);
}

/** Drops the slot when it exists. Fails (retriable) while a connection is streaming from it. */
export async function dropSlot(client: pg.ClientBase, name: string): Promise<boolean> {
  const res = await client.query(`SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`, [name]);
  return (res.rowCount ?? 0) > 0;
}
