/**
 * Hot standby on PostgreSQL: the replication slot is the lock. Only one connection can stream from a
 * slot (START_REPLICATION fails with SQLSTATE 55006 while another holds it), so an instance whose
 * slot is active waits, and takes over once it is free.
 *
 * A holder that lost its network keeps the slot until the server notices (wal_sender_timeout, 60 s by
 * default). dbmazz sends a standby status update every SOURCE_STATUS_INTERVAL_MS, which the server
 * records as pg_stat_replication.reply_time; a holder whose reply_time has not changed for
 * SOURCE_STANDBY_STALE_MS (measured on the standby's own clock: reply_time is the holder's clock) is
 * terminated with pg_terminate_backend so the slot becomes free.
 */
import type pg from 'pg';

export interface SlotHolder {
  /** The slot exists (a missing slot is setup's concern, not the standby's). */
  readonly exists: boolean;
  /** A connection streams from it. */
  readonly active: boolean;
  readonly pid: number | undefined;
  /** pg_stat_replication.client_addr / application_name of the holder, when visible. */
  readonly clientAddr: string | undefined;
  readonly applicationName: string | undefined;
  /** pg_stat_replication details are visible (superuser or pg_read_all_stats). */
  readonly detailsVisible: boolean;
  /** reply_time as text (a change marker, never compared as a time); undefined before the first reply. */
  readonly replyTime: string | undefined;
  /** backend_start as text, for a holder that has not replied yet. */
  readonly backendStart: string | undefined;
}

export async function readSlotHolder(client: pg.ClientBase, slot: string): Promise<SlotHolder> {
  const res = await client.query<{
    active: boolean;
    pid: number | null;
    client_addr: string | null;
    application_name: string | null;
    state: string | null;
    reply_time: string | null;
    backend_start: string | null;
  }>(
    `SELECT s.active, s.active_pid AS pid, r.client_addr::text AS client_addr, r.application_name::text AS application_name,
            r.state::text AS state, r.reply_time::text AS reply_time, r.backend_start::text AS backend_start
       FROM pg_catalog.pg_replication_slots s
       LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid
      WHERE s.slot_name = $1`,
    [slot],
  );
  const r = res.rows[0];
  if (!r) {
    return {
      exists: false,
      active: false,
      pid: undefined,
      clientAddr: undefined,
      applicationName: undefined,
      detailsVisible: false,
      replyTime: undefined,
      backendStart: undefined,
    };
  }
  return {
    exists: true,
    active: r.active,
    pid: r.pid ?? undefined,
    clientAddr: r.client_addr ?? undefined,
    applicationName: r.application_name ?? undefined,
    detailsVisible: r.state !== null,
    replyTime: r.reply_time ?? undefined,
    backendStart: r.backend_start ?? undefined,
  };
}

export type HolderVerdict =
  | { readonly kind: 'free' }
  | { readonly kind: 'held'; readonly quietMs: number }
  /** Details hidden: staleness cannot be judged (grant pg_read_all_stats). */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'stale'; readonly quietMs: number };

/**
 * Pure: remembers when the holder last showed a sign of life (its reply_time changed) and calls it
 * stale once that is more than `staleMs` ago. A new holder (another PID) starts a new watch.
 */
export class HolderWatch {
  #pid: number | undefined;
  #marker: string | undefined;
  #since = 0;

  constructor(private readonly staleMs: number) {}

  observe(h: SlotHolder, nowMs: number): HolderVerdict {
    if (!h.exists || !h.active || h.pid === undefined) {
      this.#pid = undefined;
      return { kind: 'free' };
    }
    if (!h.detailsVisible) return { kind: 'unknown' };
    const marker = h.replyTime ?? `started ${h.backendStart ?? ''}`;
    if (h.pid !== this.#pid || marker !== this.#marker) {
      this.#pid = h.pid;
      this.#marker = marker;
      this.#since = nowMs;
    }
    const quietMs = nowMs - this.#since;
    return quietMs > this.staleMs ? { kind: 'stale', quietMs } : { kind: 'held', quietMs };
  }
}

/** "replication slot 'x' is held by PID 42 (10.0.0.7, dbmazz)" */
export function holderDetail(slot: string, h: SlotHolder): string {
  const who = [h.clientAddr, h.applicationName].filter((x) => x !== undefined && x !== '').join(', ');
  return `replication slot '${slot}' is held by PID ${h.pid ?? '?'}${who === '' ? '' : ` (${who})`}`;
}

/** Ends the holder's walsender; false when it was already gone. Throws (42501) without the privilege. */
export async function terminateHolder(client: pg.ClientBase, pid: number): Promise<boolean> {
  const res = await client.query<{ ok: boolean | null }>('SELECT pg_catalog.pg_terminate_backend($1) AS ok', [pid]);
  return res.rows[0]?.ok === true;
}
